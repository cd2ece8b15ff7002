"""The package schema and the wire names (no `pulumi` import), from the registry's descriptions.

Each resource and function is described once, in its own module (`Description`: type,
documentation, whether the program sets a property, whether a change of it needs a new
resource, secrecy, what the provider computes). From them come the package schema
(`package_schema()`, committed as `pulumi_didomi/provider/schema.json`), the SDKs and docs
generated from it, and the wire names: snake_case in the core and the Python dynamic resources,
camelCase on the wire and in the schema (`consent_duration` -> `consentDuration`), nested object
types included.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pulumi_didomi.core.properties import PACKAGE, Description, FunctionDescription, Prop
from pulumi_didomi.core.registry import ENUMS, FUNCTIONS, RESOURCES, TYPES

#: The provider's configuration (stack config `didomi:<name>`, or `DIDOMI_*` variables).
CONFIG: tuple[Prop, ...] = (
    Prop("api_key", "string", "The Didomi API key (or DIDOMI_API_KEY)."),
    Prop("api_secret", "string", "The Didomi API secret (or DIDOMI_API_SECRET).", secret=True),
    Prop("organization_id", "string", "The default organization (or DIDOMI_ORGANIZATION_ID)."),
    Prop("api_url", "string", "The API's base URL (or DIDOMI_API_URL); default Didomi's."),
    Prop("rate_limit", "string", "Client-side pacing `N/SECONDS` or `off` (default 100/15)."),
    Prop(
        "coordination",
        "string",
        "`machine` (default): pace with this machine's other pipelines of the organization, "
        "through a broker they share; `off`: pace alone (or DIDOMI_COORDINATION).",
    ),
    Prop(
        "deployment_message",
        "string",
        "The template of deployment messages: {project}, {stack}, {resource}, {revision}, "
        "{commit}.",
    ),
)


def package_schema(version: str) -> dict[str, Any]:
    """The package schema of the `didomi` provider."""
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
        "config": {"variables": provider_inputs},
        "provider": {
            "description": "The Didomi provider: credentials and where to reach the API.",
            "properties": provider_inputs,
            "inputProperties": provider_inputs,
        },
        "types": {
            **{token: t.spec() for token, t in TYPES.items()},
            **{token: e.spec() for token, e in ENUMS.items()},
        },
        "resources": {token: r.description.spec() for token, r in RESOURCES.items()},
        "functions": {token: f.description.spec() for token, f in FUNCTIONS.items()},
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


def schema_text(version: str) -> str:
    """The package schema as committed in `pulumi_didomi/provider/schema.json`."""
    return json.dumps(package_schema(version), indent=2, sort_keys=True) + "\n"


# -- wire names <-> the core's ----------------------------------------------------------------


def _props(described: Description | FunctionDescription, inputs: bool) -> tuple[Prop, ...]:
    if isinstance(described, Description):
        return described.props
    return described.args if inputs else described.result


def to_core(
    values: Mapping[str, Any], described: Description | FunctionDescription
) -> dict[str, Any]:
    """Wire (camelCase) values as the core names them, nested object types included; names
    the description does not know are kept as they are."""
    return _renamed(values, _props(described, inputs=True), to_wire=False)


def to_wire(
    values: Mapping[str, Any], described: Description | FunctionDescription
) -> dict[str, Any]:
    """Core values with their wire (camelCase) names; values the description does not know
    are left out."""
    return _renamed(values, _props(described, inputs=False), to_wire=True)


def _renamed(values: Mapping[str, Any], props: tuple[Prop, ...], to_wire: bool) -> dict[str, Any]:
    named = {(p.name if to_wire else p.wire): p for p in props}
    out: dict[str, Any] = {}
    for key, value in values.items():
        prop = named.get(key)
        if prop is None:
            if not to_wire:
                out[key] = value
            continue
        out[prop.wire if to_wire else prop.name] = _nested(prop, value, to_wire)
    return out


def _nested(prop: Prop, value: Any, to_wire: bool) -> Any:
    """An object type's keys renamed (a property of that type, or the items of a list)."""
    ref = prop.type if prop.type.startswith("#/types/") else prop.items or ""
    found = TYPES.get(ref.removeprefix("#/types/"))
    if found is None:
        return value
    if isinstance(value, Mapping) and prop.type == ref:
        return _renamed(value, found.props, to_wire)
    if isinstance(value, list) and prop.items == ref:
        return [_renamed(v, found.props, to_wire) if isinstance(v, Mapping) else v for v in value]
    return value
