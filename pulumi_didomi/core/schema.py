"""Each resource and function described once (no `pulumi` import).

A `Resource` lists its properties: type, documentation, whether the program sets it (input),
whether a change of it needs a new resource (`replaces`), whether it is secret or computed by
the provider. From these descriptions come the lifecycle modules' replace lists, the native
provider's check (required inputs), diff (field-level, with replaces) and wire names, and the
package schema (`package_schema()`, committed as `pulumi_didomi/provider/schema.json`).
Property names are snake_case here, as the core and the dynamic resources use them; on the
wire and in the schema they are camelCase (`consent_duration` -> `consentDuration`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_didomi.core.fields import (
    CONFIG_NAMES,
    CONFIG_PROPS,
    REGULATION_CONFIGURATION,
    REGULATION_TYPE,
)
from pulumi_didomi.core.notice import NOTICE
from pulumi_didomi.core.objects import ORGANIZATION_DOC
from pulumi_didomi.core.properties import (
    PACKAGE,
    Function,
    Prop,
    Resource,
    camel,
    input_problems,
)
from pulumi_didomi.core.widget import WIDGET

__all__ = [
    "CONFIG",
    "CONFIG_NAMES",
    "FUNCTIONS",
    "NOTICE",
    "NOTICE_DEPLOYMENT",
    "NOTICE_DRAFT_CONFIG",
    "RESOURCES",
    "WIDGET",
    "WIDGET_DEPLOYMENT",
    "Function",
    "Prop",
    "Resource",
    "camel",
    "input_problems",
    "package_schema",
    "schema_text",
    "to_core",
    "to_wire",
]

_ORG = ORGANIZATION_DOC

NOTICE_DRAFT_CONFIG = Resource(
    "NoticeDraftConfig",
    "The draft configuration of a Didomi notice, managed field by field: fields the program "
    "does not set are left as they are on Didomi (and recorded in `unmanaged`). Objects are "
    "managed key by key; `regulationConfigurations` is managed as a whole list. Nothing is "
    "deleted when the resource leaves the stack. Import with the notice id: the fields the "
    "program then sets become the managed ones.",
    (
        Prop(
            "notice_id",
            "string",
            "The id of the Didomi notice whose draft this is.",
            required=True,
            replaces=True,
            hint="the id of the Didomi notice (e.g. 'GG2rdGfN')",
        ),
        Prop("organization_id", "string", _ORG, replaces=True, rule="nonempty"),
        *CONFIG_PROPS,
        Prop(
            "revision",
            "string",
            "A digest of the managed values, known at preview; a change means a new "
            "publication for the `NoticeDeployment` that publishes this draft.",
            input=False,
        ),
        Prop("config_id", "string", "The id of the draft configuration now.", input=False),
        Prop("version", "number", "The draft's version on Didomi.", input=False),
        Prop("updated_at", "string", "When the draft was last updated.", input=False),
        Prop(
            "unmanaged",
            "object",
            "The draft's fields this program does not manage, as the stack last wrote or read "
            "them (reviewed).",
            input=False,
        ),
        Prop(
            "unreviewed",
            "array",
            "Unmanaged fields changed on Didomi that no refresh has shown yet: the deployment "
            "refuses to publish them.",
            input=False,
            items="string",
        ),
        Prop(
            "written_revision",
            "string",
            "The revision the draft last received from this resource.",
            input=False,
        ),
        Prop(
            "publication",
            "object",
            "What a `NoticeDeployment` needs to publish exactly this draft: pass it as the "
            "deployment's `draft`.",
            input=False,
            secret=True,
        ),
    ),
    id_doc="the notice id",
)

_DRAFT_OR_IDS = (
    "pass draft= (the NoticeDraftConfig; with pulumi_didomi.native its `publication`) or "
    "notice_id and revision"
)

NOTICE_DEPLOYMENT = Resource(
    "NoticeDeployment",
    "Publishes a notice's draft configuration once per revision, only if the draft holds "
    "exactly what the program set and nothing unreviewed. Append-only: a new revision "
    "replaces the resource (a new deployment); removing it deletes nothing on Didomi. Refresh "
    "follows what is live: a newer publication made elsewhere with other values is drift.",
    (
        Prop(
            "draft",
            "object",
            "The `publication` output of the `NoticeDraftConfig` to publish (sets `noticeId`, "
            "`organizationId` and `revision`, and lets the content be checked before "
            "publishing).",
            secret=True,
        ),
        Prop(
            "notice_id",
            "string",
            "The notice to publish (with `revision`, when no `draft` is given).",
            replaces=True,
            needed=True,
            hint=_DRAFT_OR_IDS,
        ),
        Prop("organization_id", "string", _ORG, replaces=True, rule="nonempty"),
        Prop(
            "revision",
            "string",
            "The draft revision to publish; a change publishes again.",
            replaces=True,
            needed=True,
            hint=_DRAFT_OR_IDS,
        ),
        Prop(
            "message",
            "string",
            "The deployment's message in Didomi's audit log (default: project, stack, "
            "resource, revision and the CI commit; template `didomi:deploymentMessage`).",
        ),
        Prop("wait", "boolean", "Wait until the deployment succeeds (default true).", default=True),
        Prop(
            "timeout",
            "number",
            "How long to wait for the deployment, in seconds (default 300).",
            default=300,
            rule="positive",
            invalid="must be a positive number of seconds",
        ),
        Prop("deployment_id", "string", "The Didomi deployment id.", input=False),
        Prop(
            "production_config_id",
            "string",
            "The published configuration's id.",
            input=False,
        ),
        Prop("status", "string", "The deployment's status.", input=False),
        Prop("created_at", "string", "When Didomi created the deployment.", input=False),
        Prop("published_message", "string", "The message Didomi recorded.", input=False),
        Prop(
            "published_revision", "string", "The revision this deployment published.", input=False
        ),
        Prop(
            "live_deployment_id",
            "string",
            "The notice's newest deployment seen by the last refresh.",
            input=False,
        ),
    ),
    id_doc="the deployment id",
)

WIDGET_DEPLOYMENT = Resource(
    "WidgetDeployment",
    "Deploys a Didomi privacy widget. Append-only: any input change deploys it again; removing "
    "it deletes nothing on Didomi.",
    (
        Prop(
            "widget_id",
            "string",
            "The privacy widget to deploy.",
            required=True,
            replaces=True,
            hint="the id of the Didomi privacy widget",
        ),
        Prop("organization_id", "string", _ORG, replaces=True, rule="nonempty"),
        Prop(
            "triggers",
            "object",
            "Any values; a change deploys the widget again.",
            replaces=True,
            invalid="must be a map (any change of it deploys the widget again)",
        ),
        Prop(
            "public_api_key",
            "string",
            "The organization's public API key, to compute `remoteConfigUrl`.",
            replaces=True,
            rule="nonempty",
            invalid="must be the organization's public API key",
        ),
        Prop("deployment_id", "string", "The widget deployment id.", input=False),
        Prop("config", "object", "The deployed configuration snapshot.", input=False),
        Prop("created_at", "string", "When Didomi created the deployment.", input=False),
        Prop(
            "remote_config_url",
            "string",
            "Where websites load the deployed configuration.",
            input=False,
        ),
    ),
    id_doc="the widget deployment id",
)

RESOURCES: dict[str, Resource] = {
    r.token: r for r in (NOTICE, NOTICE_DRAFT_CONFIG, NOTICE_DEPLOYMENT, WIDGET, WIDGET_DEPLOYMENT)
}

_NOTICE = Prop("notice_id", "string", "The notice id.", required=True)
_ORG_ARG = Prop("organization_id", "string", "The organization (default: the provider's).")

FUNCTIONS: dict[str, Function] = {
    f.token: f
    for f in (
        Function(
            "getNoticeDraft",
            "The current draft configuration of a notice (its id changes at every publish).",
            (_NOTICE, _ORG_ARG),
            (
                Prop("config_id", "string", "The draft's configuration id.", required=True),
                Prop("notice_id", "string", "The notice id.", required=True),
                Prop("organization_id", "string", "The organization.", required=True),
                Prop("version", "number", "The draft's version."),
                Prop("updated_at", "string", "When the draft was last updated."),
                Prop("values", "object", "Every field of the draft, as Didomi returns it.", True),
            ),
        ),
        Function(
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
        ),
        Function(
            "getRemoteWidgetConfig",
            "The public configuration of a deployed widget, as websites load it.",
            (
                Prop("public_api_key", "string", "The organization's public API key.", True),
                Prop("widget_id", "string", "The widget id.", required=True),
                Prop("api_url", "string", "Where to read it from (default: Didomi's host)."),
            ),
            (Prop("config", "object", "The widget's public configuration.", required=True),),
        ),
    )
}

#: The provider's configuration (stack config `didomi:<name>`, or `DIDOMI_*` variables).
CONFIG: tuple[Prop, ...] = (
    Prop("api_key", "string", "The Didomi API key (or DIDOMI_API_KEY)."),
    Prop("api_secret", "string", "The Didomi API secret (or DIDOMI_API_SECRET).", secret=True),
    Prop("organization_id", "string", "The default organization (or DIDOMI_ORGANIZATION_ID)."),
    Prop("api_url", "string", "The API's base URL (or DIDOMI_API_URL); default Didomi's."),
    Prop("rate_limit", "string", "Client-side pacing `N/SECONDS` or `off` (default 100/15)."),
    Prop(
        "deployment_message",
        "string",
        "The template of deployment messages: {project}, {stack}, {resource}, {revision}, "
        "{commit}.",
    ),
)


def package_schema(version: str) -> dict[str, Any]:
    """The package schema of the `didomi` provider."""

    def config_spec() -> dict[str, Any]:
        return {"variables": {p.wire: p.spec() for p in CONFIG}}

    provider_inputs = {p.wire: p.spec() for p in CONFIG}
    return {
        "name": PACKAGE,
        "displayName": "Didomi",
        "version": version,
        "description": "Manage Didomi consent notices as infrastructure: drafts, deployments, "
        "privacy widgets.",
        "keywords": ["pulumi", "didomi", "consent", "privacy", "category/utility"],
        "homepage": "https://github.com/pulumi-didomi/pulumi-didomi",
        "license": "Apache-2.0",
        "publisher": "pulumi-didomi",
        "config": config_spec(),
        "provider": {
            "description": "The Didomi provider: credentials and where to reach the API.",
            "properties": provider_inputs,
            "inputProperties": provider_inputs,
        },
        "types": {REGULATION_CONFIGURATION.token: REGULATION_CONFIGURATION.spec()},
        "resources": {token: r.spec() for token, r in RESOURCES.items()},
        "functions": {token: f.spec() for token, f in FUNCTIONS.items()},
        "language": {
            "python": {
                "packageName": "pulumi_didomi.native",
                "respectSchemaVersion": True,
                "readme": "The Didomi provider's Python SDK, generated from its schema.",
            },
            "nodejs": {
                "packageName": "@pulumi-didomi/didomi",
                "packageDescription": "The Didomi provider's Node.js SDK, from its schema.",
                "respectSchemaVersion": True,
            },
            "go": {
                "importBasePath": "github.com/pulumi-didomi/pulumi-didomi/sdk/go/didomi",
                "respectSchemaVersion": True,
            },
        },
    }


_REGULATION_REF = f"#/types/{REGULATION_TYPE}"


def _props(described: Resource | Function, inputs: bool) -> tuple[Prop, ...]:
    if isinstance(described, Resource):
        return described.props
    return described.args if inputs else described.result


def to_core(props: Mapping[str, Any], resource: Resource | Function) -> dict[str, Any]:
    """Wire (camelCase) values as the core names them; unknown names are kept as they are."""
    named = {
        p.wire: p for p in (resource.props if isinstance(resource, Resource) else resource.args)
    }
    out: dict[str, Any] = {}
    for key, value in props.items():
        prop = named.get(key)
        name = prop.name if prop else key
        if (
            prop is not None
            and prop.items == f"#/types/{REGULATION_TYPE}"
            and isinstance(value, list)
        ):
            value = [_item_to_core(v) for v in value]
        out[name] = value
    return out


def to_wire(props: Mapping[str, Any], resource: Resource | Function) -> dict[str, Any]:
    """Core values with their wire (camelCase) names."""
    named = {
        p.name: p for p in (resource.props if isinstance(resource, Resource) else resource.result)
    }
    out: dict[str, Any] = {}
    for key, value in props.items():
        prop = named.get(key)
        if prop is None:
            continue
        if prop.items == _REGULATION_REF and isinstance(value, list):
            value = [_item_to_wire(v) for v in value]
        out[prop.wire] = value
    return out


_REGULATION_WIRE = {p.wire: p.name for p in REGULATION_CONFIGURATION.props}
_REGULATION_NAME = {p.name: p.wire for p in REGULATION_CONFIGURATION.props}


def _item_to_core(item: Any) -> Any:
    if not isinstance(item, Mapping):
        return item
    return {_REGULATION_WIRE.get(k, k): v for k, v in item.items()}


def _item_to_wire(item: Any) -> Any:
    if not isinstance(item, Mapping):
        return item
    return {_REGULATION_NAME[k]: v for k, v in item.items() if k in _REGULATION_NAME}


def schema_text(version: str) -> str:
    """The package schema as committed in `pulumi_didomi/provider/schema.json`."""
    import json

    return json.dumps(package_schema(version), indent=2, sort_keys=True) + "\n"
