"""The package's functions (no `pulumi` import): each described once and implemented once, for
the provider plugin's invokes and the Python functions of `pulumi_didomi.functions` alike."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any, ClassVar

from pulumi_didomi.client.errors import ConfigurationError
from pulumi_didomi.core.properties import FunctionDescription, Prop
from pulumi_didomi.core.resource import Context

_NOTICE = Prop("notice_id", "string", "The notice id.", required=True)
_ORG_ARG = Prop("organization_id", "string", "The organization (default: the provider's).")


class Function:
    """A function: its description and what it does (`call`, with a `Context`)."""

    description: ClassVar[FunctionDescription]

    @property
    def token(self) -> str:
        return self.description.token

    def call(self, ctx: Context, args: Mapping[str, Any]) -> dict[str, Any]:
        """The result, named as the description's result properties (nulls left out)."""
        raise NotImplementedError


class GetNoticeDraft(Function):
    description = FunctionDescription(
        "getNoticeDraft",
        "The current draft configuration of a notice (its id changes at every publish).",
        (_NOTICE, _ORG_ARG),
        (
            Prop("config_id", "string", "The draft's configuration id.", required=True),
            Prop("notice_id", "string", "The notice id.", required=True),
            Prop("organization_id", "string", "The organization.", required=True),
            Prop("version", "number", "The draft's version."),
            Prop("updated_at", "string", "When the draft was last updated."),
            Prop(
                "values",
                "object",
                "Every field of the draft, as Didomi returns it: Didomi's own names, snake_case "
                "(`consent_duration`), whatever the language.",
                True,
            ),
        ),
    )

    def call(self, ctx: Context, args: Mapping[str, Any]) -> dict[str, Any]:
        api, org = ctx.client(args.get("organization_id"))
        draft = api.current_draft(args["notice_id"], org)
        return {
            "config_id": draft.id,
            "notice_id": draft.notice_id,
            "organization_id": draft.organization_id,
            "version": draft.version,
            "updated_at": draft.updated_at,
            "values": draft.model_dump(mode="json", exclude_none=True),
        }


class GetNoticeDeployments(Function):
    description = FunctionDescription(
        "getNoticeDeployments",
        "Every deployment of a notice, newest first (Didomi's audit log).",
        (_NOTICE, _ORG_ARG),
        (
            Prop(
                "deployments",
                "array",
                "The deployments, newest first, as Didomi returns them.",
                required=True,
                items="object",
            ),
        ),
    )

    def call(self, ctx: Context, args: Mapping[str, Any]) -> dict[str, Any]:
        api, org = ctx.client(args.get("organization_id"))
        listed = api.list_notice_deployments(args["notice_id"], org)
        return {"deployments": [d.model_dump(mode="json", exclude_none=True) for d in listed]}


class GetRemoteWidgetConfig(Function):
    description = FunctionDescription(
        "getRemoteWidgetConfig",
        "The public configuration of a deployed widget, as websites load it.",
        (
            Prop("public_api_key", "string", "The organization's public API key.", True),
            Prop("widget_id", "string", "The widget id.", required=True),
            Prop("api_url", "string", "Where to read it from (default: Didomi's host)."),
        ),
        (Prop("config", "object", "The widget's public configuration.", required=True),),
    )

    def call(self, ctx: Context, args: Mapping[str, Any]) -> dict[str, Any]:
        """Read without credentials: Didomi's public host in production, the API URL itself
        for the emulator; `api_url` overrides where it is read from."""
        from pulumi_didomi.client.client import read_remote_widget_config

        base = args.get("api_url") or ctx.settings.remote_config_base()
        return {
            "config": read_remote_widget_config(base, args["public_api_key"], args["widget_id"])
        }


# -- lookups of the data manager (one bulk listing per run) ----------------------------------------

_LOOKUP_ORG = Prop(
    "organization_id",
    "string",
    "The organization whose vendors and purposes are searched, Didomi's global ones included "
    "(default: the provider's).",
)


def _one_key(what: str, args: Mapping[str, Any], keys: tuple[str, ...]) -> str:
    given = [k for k in keys if args.get(k) not in (None, "")]
    if len(given) != 1:
        raise ConfigurationError(
            f"{what}: give exactly one of {', '.join(keys)} (got {', '.join(given) or 'none'})"
        )
    return given[0]


def _found(
    what: str, listing: Mapping[str, Mapping[str, Any]], key: str, value: Any, name_of: Any
) -> Mapping[str, Any]:
    """The one object of `listing` whose `key` is `value` (a clear error otherwise)."""
    if key == "id":
        hits = [listing[value]] if value in listing else []
    elif key == "iab_id":
        number = int(value) if isinstance(value, float) and value.is_integer() else value
        hits = [o for o in listing.values() if _iab(o) == str(number).strip()]
    else:
        wanted = str(value).strip().casefold()
        hits = [o for o in listing.values() if name_of(o).casefold() == wanted]
    live = [o for o in hits if not o.get("deprecated")]
    hits = live or hits
    if len(hits) == 1:
        return hits[0]
    if hits:
        ids = ", ".join(sorted(str(o["id"]) for o in hits))
        raise ConfigurationError(f"{what}: {key}={value!r} names several ({ids}): look it up by id")
    names = [name_of(o) for o in listing.values()] if key == "name" else []
    close = difflib.get_close_matches(str(value), names, n=3)
    hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # numbers come as doubles on the wire
    raise ConfigurationError(f"{what}: no {key}={value!r} among {len(listing)} known{hint}")


def _iab(found: Mapping[str, Any]) -> str | None:
    """The IAB TCF v2 id (`namespaces.iab2`: a vendor's id, a purpose's number; special
    features, `iab2_special_feature`, are looked up by id or name)."""
    value = (found.get("namespaces") or {}).get("iab2")
    return None if value is None else str(value)


class GetVendor(Function):
    description = FunctionDescription(
        "getVendor",
        "A vendor the organization sees (one of Didomi's global vendors, IAB or not, or one of "
        "its own), found by its IAB TCF v2 id, its name or its id: for a notice's vendor list "
        "(`config.app.vendors.include`) without pasting ids. Every lookup of a run answers from "
        "one bulk listing of the vendors.",
        (
            Prop("iab_id", "integer", "The vendor's IAB TCF v2 vendor id (e.g. 755)."),
            Prop("name", "string", "The vendor's name (case-insensitive, exact)."),
            Prop("id", "string", "The vendor's Didomi id."),
            _LOOKUP_ORG,
        ),
        (
            Prop("id", "string", "The vendor's id (what a notice lists).", required=True),
            Prop("name", "string", "The vendor's name.", required=True),
            Prop("category_id", "string", "The vendor's category."),
            Prop("iab_id", "integer", "The vendor's IAB TCF v2 vendor id, if it has one."),
            Prop("organization_id", "string", "The owning organization (absent: Didomi's)."),
            Prop("website", "string", "The vendor's website or privacy policy."),
            Prop("default_purposes", "array", "Purposes on consent.", items="string"),
            Prop(
                "legitimate_interest_purposes",
                "array",
                "Purposes on legitimate interest.",
                items="string",
            ),
            Prop("deprecated", "boolean", "Whether the vendor is deprecated."),
        ),
    )

    def call(self, ctx: Context, args: Mapping[str, Any]) -> dict[str, Any]:
        from pulumi_didomi.core import metadata

        key = _one_key("get_vendor", args, ("iab_id", "name", "id"))
        api, org = ctx.client(args.get("organization_id"))
        listing = metadata.vendors(api, org)
        try:
            found = _found("get_vendor", listing, key, args[key], lambda o: str(o.get("name")))
        except ConfigurationError:
            found = _found(  # created meanwhile? a fresh listing, once
                "get_vendor",
                metadata.vendors(api, org, fresh=True),
                key,
                args[key],
                lambda o: str(o.get("name")),
            )
        iab = _iab(found)
        return {
            "id": found["id"],
            "name": found.get("name"),
            "category_id": found.get("category_id"),
            "iab_id": int(iab) if iab and iab.isdigit() else None,
            "organization_id": found.get("organization_id"),
            "website": found.get("website"),
            "default_purposes": found.get("default_purposes_id"),
            "legitimate_interest_purposes": found.get("legitimate_interest_purposes_id"),
            "deprecated": found.get("deprecated"),
        }


class GetPurpose(Function):
    description = FunctionDescription(
        "getPurpose",
        "A purpose the organization sees (one of Didomi's global purposes, the IAB TCF ones "
        "included, or one of its own), found by its IAB TCF purpose number, its English name "
        "or its id. Every lookup of a run answers from one bulk listing of the purposes.",
        (
            Prop(
                "iab_id",
                "integer",
                "The IAB TCF v2 purpose number (special features: by id or name).",
            ),
            Prop("name", "string", "The purpose's English name (case-insensitive, exact)."),
            Prop("id", "string", "The purpose's Didomi id (e.g. `cookies`)."),
            _LOOKUP_ORG,
        ),
        (
            Prop("id", "string", "The purpose's id.", required=True),
            Prop("description", "object", "The purpose's name, by language.", required=True),
            Prop("details", "object", "What it is for, by language."),
            Prop("iab_id", "integer", "Its IAB TCF v2 number, if it has one."),
            Prop("organization_id", "string", "The owning organization (absent: Didomi's)."),
            Prop("regulations", "array", "The regulations it applies to.", items="string"),
        ),
    )

    def call(self, ctx: Context, args: Mapping[str, Any]) -> dict[str, Any]:
        from pulumi_didomi.core import metadata

        key = _one_key("get_purpose", args, ("iab_id", "name", "id"))
        api, org = ctx.client(args.get("organization_id"))

        def name_of(found: Mapping[str, Any]) -> str:
            return metadata.text_of(found.get("description"))

        try:
            found = _found("get_purpose", metadata.purposes(api, org), key, args[key], name_of)
        except ConfigurationError:
            listing = metadata.purposes(api, org, fresh=True)
            found = _found("get_purpose", listing, key, args[key], name_of)
        iab = _iab(found)

        def texts(value: Any) -> Any:
            return {"en": value} if isinstance(value, str) else value

        return {
            "id": found["id"],
            "description": texts(found.get("description")),
            "details": texts(found.get("details")),
            "iab_id": int(iab) if iab and iab.isdigit() else None,
            "organization_id": found.get("organization_id"),
            "regulations": found.get("regulations_id"),
        }
