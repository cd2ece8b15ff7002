"""The lifecycle of a custom purpose (no `pulumi` import): the organization's own reason for
processing personal data (`/metadata/purposes`), its texts translated, created from code,
updated in place, deleted when it leaves the stack unless Didomi refuses because it is in use.

Didomi's global purposes (the IAB ones, `organization_id` null) are read with `get_purpose`,
never managed. Translations are managed language by language (`ArchivableObject.keyed`):
languages on Didomi the program does not list are kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pulumi_didomi.client.errors import (
    ConfigurationError,
    DidomiError,
    ForbiddenError,
    InvalidRequestError,
    NotFoundError,
)
from pulumi_didomi.core import consent_impact, metadata
from pulumi_didomi.core.objects import ArchivableObject, adopt_prop, organization_prop
from pulumi_didomi.core.properties import Description, Prop
from pulumi_didomi.core.regulations import REGULATION_IDS
from pulumi_didomi.core.resource import Context, Problem
from pulumi_didomi.core.values import has_unknown

if TYPE_CHECKING:
    from pulumi_didomi.client import DidomiClient

#: Translatable texts: program name, documentation.
TEXTS: tuple[tuple[str, str, bool], ...] = (
    ("description", "The purpose's name, by language (`{en: 'Analytics', fr: 'Mesure'}`).", True),
    ("details", "What the purpose is for, as users read it, by language.", True),
    ("enabled_status_description", "The text shown when a user enabled it, by language.", False),
    ("disabled_status_description", "The text shown when a user disabled it, by language.", False),
    ("reference", "Its reference in an official classification (CNIL's), by language.", False),
)
#: A purpose's ids in other lists (Didomi's `namespaces`).
NAMESPACES = ("iab", "iab2", "iab2_special_feature", "didomi", "custom")
#: Program names Didomi spells otherwise.
API_NAMES = {"regulations": "regulations_id"}

PURPOSE = Description(
    "Purpose",
    "A custom purpose of the organization (Didomi's data manager): why it processes personal "
    "data, named and described in each language its notices show. Vendors list it by id in "
    "their legal bases (`Vendor.defaultPurposes`, ...); notices refer to it by id in their "
    "`config` (`app.essentialPurposes`, preferences categories). Translations are managed "
    "language by language: languages on Didomi the program does not list are kept. When the "
    "resource leaves the stack the purpose is deleted, unless a vendor that is not deprecated "
    "uses it: Didomi refuses, and the error names the vendors (remove the purpose from them "
    "first, or keep it with the `retainOnDelete` resource option). Adopt an existing purpose "
    "with `pulumi import` (the provider plugin) or `adoptId`. Didomi's global purposes are "
    "read with `getPurpose`, never managed.",
    (
        *(
            Prop(name, "object", doc, required=required, needed=required)
            for name, doc, required in TEXTS
        ),
        Prop(
            "regulations",
            "array",
            "The regulations the purpose applies to (ids: "
            + ", ".join(REGULATION_IDS)
            + "); left as it is on Didomi when unset.",
            items="string",
        ),
        Prop(
            "namespaces",
            "object",
            "The purpose's ids in other lists, by namespace (" + ", ".join(NAMESPACES) + "), "
            "managed key by key.",
        ),
        organization_prop(),
        adopt_prop("purpose"),
        Prop("created_at", "string", "When Didomi created the purpose.", input=False),
        Prop("updated_at", "string", "When the purpose was last updated.", input=False),
    ),
    id_doc="the purpose id (what vendors and notices refer to it by)",
)


def to_api(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Program names to Didomi's."""
    return {API_NAMES.get(k, k): v for k, v in fields.items()}


def from_api(found: Mapping[str, Any]) -> dict[str, Any]:
    """Didomi's names to the program's; a text without translations as the default language's."""
    back = {v: k for k, v in API_NAMES.items()}
    out = {back.get(k, k): v for k, v in found.items() if v is not None}
    for name, _, _ in TEXTS:
        if isinstance(out.get(name), str):
            out[name] = {"en": out[name]}
    return out


class Purpose(ArchivableObject):
    """A custom purpose: created (or adopted), updated in place, deleted when it leaves the
    stack (refused while a vendor uses it)."""

    description = PURPOSE
    fields = (*(name for name, _, _ in TEXTS), "regulations", "namespaces")
    name_field = "description"
    keyed = (*(name for name, _, _ in TEXTS), "namespaces")
    archived = ""

    def check(self, inputs: Mapping[str, Any]) -> list[Problem]:
        """The description's rules, the translations (language codes, texts), the regulation
        ids and the namespaces."""
        problems = super().check(inputs)
        for name, doc, required in TEXTS:
            if required and inputs.get(name) is None:
                problems.append((name, f"required: {doc}"))
            problems += metadata.translations_problems(name, inputs.get(name))
        problems += metadata.choices_problems(
            "regulations", "regulations", inputs.get("regulations"), REGULATION_IDS, "regulation"
        )
        problems += metadata.keys_problems("namespaces", inputs.get("namespaces"), NAMESPACES)
        return problems

    def impact(
        self, ctx: Context, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> list[str]:
        """A replacement: a new purpose, a new id."""
        name = metadata.text_of(olds.get("description")) or "(unnamed)"
        return consent_impact.replacement_impact("purpose", name, self.diff(olds, news)[1])

    def get(
        self, api: DidomiClient, id_: str, org: str, imported: bool = False
    ) -> dict[str, Any] | None:
        found = metadata.purposes(api, org).get(id_)
        if found is None:
            try:
                found = api.get_purpose(id_, org).model_dump(mode="json")
            except (NotFoundError, ForbiddenError):
                return None
        if found.get("organization_id") != org:
            return None  # Didomi's global purposes, another organization's: not this stack's
        return from_api(found)

    def adoptable(self, api: DidomiClient, id_: str, org: str) -> dict[str, Any]:
        found = self.get(api, id_, org)
        if found is None:
            raise ConfigurationError(
                f"purpose {id_} is not a custom purpose of organization {org} (Didomi's global "
                "purposes are read with get_purpose, never managed): check adopt_id and "
                "organization_id"
            )
        return found

    def make(
        self, api: DidomiClient, org: str, name: Any, fields: dict[str, Any]
    ) -> dict[str, Any]:
        made = api.create_purpose(to_api({"description": name, **fields}), org)
        metadata.remember("purposes", api, org, made.model_dump(mode="json"), made.id)
        return from_api(made.model_dump(mode="json"))

    def patch(
        self, api: DidomiClient, id_: str, org: str, fields: dict[str, Any]
    ) -> dict[str, Any]:
        found = api.update_purpose(id_, to_api(fields), org)
        metadata.remember("purposes", api, org, found.model_dump(mode="json"), id_)
        return from_api(found.model_dump(mode="json"))

    def archive(self, ctx: Context, api: DidomiClient, id_: str, state: Mapping[str, Any]) -> None:
        """Delete the purpose; a purpose in use stays, and the error names what uses it."""
        org = self.org_of(ctx, state)
        try:
            api.delete_purpose(id_, org)
        except InvalidRequestError as exc:
            users = exc.errors.get("id") if isinstance(exc.errors, Mapping) else None
            raise DidomiError(
                f"Purpose {id_} was not deleted: Didomi refuses, it is {users or 'in use'} "
                f"({exc.api_message or exc}). Remove it from the legal bases and storages of "
                "those vendors first (or deprecate them), or keep the purpose with the "
                "retainOnDelete resource option"
            ) from None
        metadata.remember("purposes", api, org, None, id_)
        ctx.tell(f"Purpose {id_}: deleted")

    def check_remote(
        self, ctx: Context, inputs: Mapping[str, Any], olds: Mapping[str, Any]
    ) -> list[Problem]:
        """An adopted purpose exists in the organization (reads only)."""
        adopt = inputs.get("adopt_id")
        if not isinstance(adopt, str) or has_unknown(adopt) or adopt == olds.get("adopt_id"):
            return []
        api, org = ctx.client(inputs.get("organization_id"))
        if self.get(api, adopt, org) is None:
            return [("adopt_id", f"no custom purpose {adopt} in organization {org}")]
        return []
