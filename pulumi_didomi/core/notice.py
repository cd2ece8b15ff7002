"""The lifecycle of a consent notice (no `pulumi` import): created from code, renamed in place,
archived (not deleted) when it leaves the stack unless the program opts in to deleting it.

Didomi creates a notice's first draft with it (`POST /widgets/notices`); the draft is managed by
a `NoticeDraftConfig` naming this notice. The notice's deployments stay in Didomi's audit log
whatever happens to the notice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pulumi_didomi.client.errors import ConfigurationError, ForbiddenError, NotFoundError
from pulumi_didomi.core.objects import ArchivableObject, adopt_prop, name_prop, organization_prop
from pulumi_didomi.core.properties import Description, Prop
from pulumi_didomi.core.resource import Context
from pulumi_didomi.core.session import RunCache
from pulumi_didomi.core.values import now_iso
from pulumi_didomi.limits import WEB_SDK_URL

if TYPE_CHECKING:
    from pulumi_didomi.client import DidomiClient

#: The notice fields a program may set besides its name (didomi-api.md §4).
OPTIONAL_FIELDS = ("privacy_experience_id", "environment", "external_source", "external_id")
#: The fields written to Didomi.
FIELDS = ("name", *OPTIONAL_FIELDS)

NOTICE = Description(
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
    positional=("name",),
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


def _key_in(url: Any) -> str | None:
    """The public API key inside an earlier `sdk_loader_url` (no call to read it again)."""
    prefix = WEB_SDK_URL + "/"
    if isinstance(url, str) and url.startswith(prefix):
        return url[len(prefix) :].split("/", 1)[0] or None
    return None


class Notice(ArchivableObject):
    """A consent notice: created (or adopted), renamed in place, archived or deleted when it
    leaves the stack; its deployments stay in Didomi's audit log whatever happens."""

    description = NOTICE
    fields = FIELDS
    archived = "archived_at"
    kept = "; its deployments stay in Didomi's audit log"

    def get(
        self, api: DidomiClient, id_: str, org: str, imported: bool = False
    ) -> dict[str, Any] | None:
        try:
            return api.get_notice(id_).model_dump(mode="json")
        except NotFoundError:
            return None

    def adoptable(self, api: DidomiClient, id_: str, org: str) -> dict[str, Any]:
        try:
            current = api.get_notice(id_)
        except ForbiddenError:
            current = None
        if current is None or current.organization_id != org:
            raise ConfigurationError(
                f"notice {id_} belongs to another organization than {org}: set "
                "organization_id to the notice's organization, or adopt a notice of this one"
            )
        return current.model_dump(mode="json")

    def make(
        self, api: DidomiClient, org: str, name: str, fields: dict[str, Any]
    ) -> dict[str, Any]:
        return api.create_notice(name, org, **fields).model_dump(mode="json")

    def patch(
        self, api: DidomiClient, id_: str, org: str, fields: dict[str, Any]
    ) -> dict[str, Any]:
        return api.update_notice(id_, fields).model_dump(mode="json")

    def archive(self, ctx: Context, api: DidomiClient, id_: str, state: Mapping[str, Any]) -> None:
        """Archive the notice (default) or delete it for good."""
        if state.get("delete_on_destroy"):
            api.delete_notice(id_)
            ctx.tell(f"Notice {id_}: deleted{self.kept}")
        elif state.get("archived_at"):
            ctx.tell(f"Notice {id_}: already archived{self.kept}")
        else:
            api.update_notice(id_, {"archived_at": now_iso()})
            ctx.tell(f"Notice {id_}: archived (set delete_on_destroy to delete it){self.kept}")

    def derived(
        self, ctx: Context, org: str, props: Mapping[str, Any], id_: str, earlier: Mapping[str, Any]
    ) -> dict[str, Any]:
        """The web SDK's loader URL and script tag (the organization's public API key: given,
        else in the earlier URL, else read once per process)."""
        key = props.get("public_api_key") or _key_in(earlier.get("sdk_loader_url"))
        if not key:
            api, _ = ctx.client(org)
            key = _PUBLIC_KEYS.get(org, lambda: api.public_api_key(org))
        url = sdk_loader_url(str(key), id_)
        return {"sdk_loader_url": url, "script_tag": script_tag(url)}
