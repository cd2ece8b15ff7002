"""The lifecycle of a consent notice (no `pulumi` import): created from code, renamed in place,
archived (not deleted) when it leaves the stack unless the program opts in to deleting it.

Didomi creates a notice's first draft with it (`POST /widgets/notices`); the draft is managed by
a `NoticeDraftConfig` naming this notice. The notice's deployments stay in Didomi's audit log
whatever happens to the notice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_didomi.client import ConfigurationError, ForbiddenError, NotFoundError
from pulumi_didomi.core.objects import (
    ObjectLifecycle,
    adopt_prop,
    managed_changes,
    name_prop,
    now_iso,
    organization_prop,
    to_adopt,
)
from pulumi_didomi.core.properties import Prop, Resource, input_problems
from pulumi_didomi.core.session import RunCache, client, say
from pulumi_didomi.core.values import has_unknown
from pulumi_didomi.limits import WEB_SDK_URL

#: The notice fields a program may set besides its name (didomi-api.md §4).
OPTIONAL_FIELDS = ("privacy_experience_id", "environment", "external_source", "external_id")
#: The fields written to Didomi.
FIELDS = ("name", *OPTIONAL_FIELDS)

NOTICE = Resource(
    "Notice",
    "A Didomi consent notice created from code (Didomi creates its first draft with it: manage "
    "the draft with a `NoticeDraftConfig` naming this notice). A rename is an update. When the "
    "resource leaves the stack the notice is archived, not deleted, unless `deleteOnDestroy` is "
    "set; its deployments stay in Didomi's audit log either way. A notice archived elsewhere is "
    "restored by the next update. Adopt an existing notice with `pulumi import` (the provider "
    "plugin) or `adoptId`.",
    (
        name_prop("notice"),
        organization_prop(),
        *(
            Prop(name, "string", f"The notice's `{name}` (left as it is on Didomi when unset).")
            for name in OPTIONAL_FIELDS
        ),
        Prop(
            "public_api_key",
            "string",
            "The organization's public API key, for `sdkLoaderUrl` and `scriptTag` (default: "
            "read once from the organization on Didomi).",
            rule="nonempty",
            invalid="must be the organization's public API key",
        ),
        Prop(
            "delete_on_destroy",
            "boolean",
            "Delete the notice for good when it leaves the stack instead of archiving it (its "
            "deployments stay in Didomi's audit log). Default false.",
            default=False,
        ),
        adopt_prop("notice"),
        Prop(
            "archived_at", "string", "When the notice was archived (null while live).", input=False
        ),
        Prop("created_at", "string", "When Didomi created the notice.", input=False),
        Prop("updated_at", "string", "When the notice was last updated.", input=False),
        Prop(
            "sdk_loader_url",
            "string",
            "The URL of Didomi's web SDK loader for this notice "
            "(`https://sdk.privacy-center.org/<public API key>/loader.js?target_type=notice&"
            "target=<notice id>`).",
            input=False,
        ),
        Prop(
            "script_tag",
            "string",
            "The `<script>` tag that loads this notice on a website (first in `<head>`).",
            input=False,
        ),
    ),
    id_doc="the notice id",
)

#: Public API keys by organization: read once per provider process.
_PUBLIC_KEYS = RunCache(ttl=3600.0)


def sdk_loader_url(public_api_key: str, notice_id: str) -> str:
    """Didomi's web SDK loader for one notice, as the console's embed code builds it.

    The SDK loads from `https://sdk.privacy-center.org/<public API key>/loader.js`, the notice
    chosen with `target_type=notice&target=<notice id>`: the script tag of the console's
    "3. Publish" section (https://developers.didomi.io/cmp/web-sdk/getting-started), also built
    this way by Didomi's React SDK (`didomi/react`).
    """
    return f"{WEB_SDK_URL}/{public_api_key}/loader.js?target_type=notice&target={notice_id}"


def script_tag(url: str) -> str:
    """The `<script>` tag that loads Didomi's web SDK from `url`."""
    return (
        '<script id="spcloader" type="text/javascript" async="true" charset="utf-8" '
        f'src="{url}"></script>'
    )


def check_inputs(news: Mapping[str, Any]) -> list[tuple[str, str]]:
    """`(field, reason)` for every invalid input; unknown values (preview) are skipped."""
    return input_problems(NOTICE, news, has_unknown)


def changes(olds: Mapping[str, Any], news: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """The inputs that changed (and `archived_at` when the notice was archived elsewhere: the
    program declares a live notice), and those among them that need another notice."""
    changed, replaces = managed_changes(NOTICE, olds, news)
    if olds.get("archived_at") and not replaces:
        changed.append("archived_at")
    return changed, replaces


def _fields(props: Mapping[str, Any]) -> dict[str, Any]:
    """What the program sets of the notice: its name and the optional fields it gives."""
    return {k: props[k] for k in FIELDS if k == "name" or props.get(k) is not None}


def _key_in(url: Any) -> str | None:
    """The public API key inside an earlier `sdk_loader_url` (no call to read it again)."""
    prefix = WEB_SDK_URL + "/"
    if isinstance(url, str) and url.startswith(prefix):
        return url[len(prefix) :].split("/", 1)[0] or None
    return None


def _public_key(props: Mapping[str, Any], org: str, earlier: Any = None) -> str:
    given = props.get("public_api_key") or _key_in(earlier)
    if given:
        return str(given)
    api, _ = client(org)
    key: str = _PUBLIC_KEYS.get(org, lambda: api.public_api_key(org))
    return key


def _outputs(props: Mapping[str, Any], notice: Mapping[str, Any], key: str) -> dict[str, Any]:
    url = sdk_loader_url(key, notice["id"])
    return {
        **props,
        **{k: notice.get(k) for k in _fields(props)},  # managed fields as Didomi holds them
        "organization_id": notice["organization_id"],
        "archived_at": notice.get("archived_at"),
        "created_at": notice.get("created_at"),
        "updated_at": notice.get("updated_at"),
        "sdk_loader_url": url,
        "script_tag": script_tag(url),
    }


def create(props: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """Create the notice, or adopt `adopt_id` (writing only the fields that differ)."""
    api, org = client(props.get("organization_id"))
    fields = _fields(props)
    adopt = props.get("adopt_id")
    if adopt:
        try:
            current = api.get_notice(str(adopt))
        except ForbiddenError:
            current = None
        if current is None or current.organization_id != org:
            raise ConfigurationError(
                f"notice {adopt} belongs to another organization than {org}: set "
                "organization_id to the notice's organization, or adopt a notice of this one"
            )
        restore = {"archived_at": None} if current.archived_at else {}
        differ = to_adopt("Notice", current, fields, restore)
        notice = api.update_notice(str(adopt), differ) if differ else current
    else:
        name = fields.pop("name")
        notice = api.create_notice(name, org, **fields)
    return notice.id, _outputs(props, notice.model_dump(mode="json"), _public_key(props, org))


def read(id_: str, props: Mapping[str, Any]) -> dict[str, Any] | None:
    """The notice now (None when it is gone): Didomi's values of the managed fields, so that a
    change made elsewhere shows as a diff; after an import every field is managed."""
    api, org = client(props.get("organization_id"))
    try:
        notice = api.get_notice(id_).model_dump(mode="json")
    except NotFoundError:
        return None
    if not props.get("name"):  # imported
        props = {**props, **{k: notice.get(k) for k in FIELDS if notice.get(k) is not None}}
    if notice.get("archived_at") and not props.get("archived_at"):
        say(f"Notice {id_}: archived on Didomi at {notice['archived_at']}")
    return _outputs(props, notice, _public_key(props, org, props.get("sdk_loader_url")))


def update(id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> dict[str, Any]:
    """Write the fields that changed in one PATCH (none when only provider-side inputs
    changed), restoring a notice archived elsewhere."""
    api, org = client(news.get("organization_id"))
    fields = {k: v for k, v in _fields(news).items() if olds.get(k) != v}
    if olds.get("archived_at"):
        fields["archived_at"] = None
    key = _public_key(news, org, None if news.get("public_api_key") else olds.get("sdk_loader_url"))
    if fields:
        return _outputs(news, api.update_notice(id_, fields).model_dump(mode="json"), key)
    url = sdk_loader_url(key, id_)
    given = {p.name: news.get(p.name) for p in NOTICE.inputs}
    return {**olds, **given, "sdk_loader_url": url, "script_tag": script_tag(url)}


def delete(id_: str, props: Mapping[str, Any]) -> None:
    """Archive the notice (default) or delete it for good; its deployments stay either way."""
    api, _ = client(props.get("organization_id"))
    try:
        if props.get("delete_on_destroy"):
            api.delete_notice(id_)
            say(f"Notice {id_}: deleted; its deployments stay in Didomi's audit log")
        elif props.get("archived_at"):
            say(f"Notice {id_}: already archived; its deployments stay in Didomi's audit log")
        else:
            api.update_notice(id_, {"archived_at": now_iso()})
            say(
                f"Notice {id_}: archived (set delete_on_destroy to delete it); its deployments "
                "stay in Didomi's audit log"
            )
    except NotFoundError:
        say(f"Notice {id_}: already gone from Didomi")


LIFECYCLE = ObjectLifecycle(NOTICE, check_inputs, changes, create, read, update, delete)
