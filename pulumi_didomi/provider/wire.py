"""Wire values of the `didomi` provider plugin: `PropertyValue`s with camelCase names on one
side, the core's plain dicts with snake_case names on the other, through the descriptions of
`pulumi_didomi.core.schema`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pulumi.provider.experimental.property_value import Computed, PropertyValue

from pulumi_didomi.core.schema import NOTICE_DEPLOYMENT, Resource, to_core
from pulumi_didomi.core.values import UNKNOWN, fingerprint, has_unknown

#: What a NoticeDraftConfig hands to the NoticeDeployment that publishes it (`publication`).
PUBLICATION = {
    "noticeId": "notice_id",
    "organizationId": "organization_id",
    "revision": "revision",
    "values": "draft_values",
    "writtenRevision": "written_revision",
    "fingerprint": "draft_fingerprint",
    "unreviewed": "draft_unreviewed",
}


# -- wire values <-> plain values ----------------------------------------------------------------


def plain(value: PropertyValue) -> Any:
    """A wire value as plain Python (secrets unwrapped; unknown as the engine's `UNKNOWN`)."""
    inner = value.value
    if isinstance(inner, Computed):
        return UNKNOWN
    if isinstance(inner, Mapping):
        return {k: plain(v) for k, v in inner.items()}
    if isinstance(inner, tuple):
        return [plain(v) for v in inner]
    return inner


def wire(value: Any, secret: bool = False) -> PropertyValue:
    """A plain value on the wire (numbers as doubles, as the engine sends them)."""
    if isinstance(value, PropertyValue):
        return value.with_secret(True) if secret else value
    if isinstance(value, Computed):  # the SDK cannot marshal its own Computed (3.259)
        out = PropertyValue(UNKNOWN)
    elif isinstance(value, Mapping):
        out = PropertyValue({str(k): wire(v) for k, v in value.items()})
    elif isinstance(value, (list, tuple)):
        out = PropertyValue([wire(v) for v in value])
    elif isinstance(value, int) and not isinstance(value, bool):
        out = PropertyValue(float(value))
    else:
        out = PropertyValue(value)
    return out.with_secret(True) if secret else out


def plain_map(values: Mapping[str, PropertyValue]) -> dict[str, Any]:
    plained = ((k, plain(v)) for k, v in values.items())
    return {k: v for k, v in plained if v is not None}


def wire_map(values: Mapping[str, Any], described: Resource) -> dict[str, PropertyValue]:
    secret = {p.wire for p in described.props if p.secret}
    return {k: wire(v, k in secret) for k, v in values.items() if v is not None}


def urn_parts(urn: str) -> tuple[str, str, str]:
    """Stack, project and resource name of a URN."""
    match = re.match(r"urn:pulumi:([^:]+)::([^:]+)::.*::(.*)$", urn)
    return (match.group(1), match.group(2), match.group(3)) if match else ("", "", urn)


# -- the core's view of a resource's properties -------------------------------------------------


def core_props(described: Resource, values: Mapping[str, Any]) -> dict[str, Any]:
    """Wire properties (inputs or state) as the core's functions read them."""
    props = to_core(values, described)
    draft = props.get("draft")
    if described is NOTICE_DEPLOYMENT and draft is not None:
        for key, name in PUBLICATION.items():
            # A draft being written in this preview: what it will publish is not known yet.
            value = draft.get(key) if isinstance(draft, Mapping) else UNKNOWN
            if value is not None and props.get(name) is None:
                props[name] = value
    return props


def publication(outs: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """The NoticeDraftConfig's `publication` output (see `PUBLICATION`)."""
    unmanaged = outs.get("unmanaged")
    return {
        "noticeId": outs.get("notice_id"),
        "organizationId": outs.get("organization_id"),
        "revision": outs.get("revision"),
        "values": dict(values),
        "writtenRevision": outs.get("written_revision"),
        "fingerprint": UNKNOWN if has_unknown(unmanaged) else fingerprint(unmanaged),
        "unreviewed": outs.get("unreviewed"),
    }


def draft_state(
    outs: Mapping[str, Any], values: Mapping[str, Any], revision: str
) -> dict[str, Any]:
    state = {**outs, "revision": revision}
    state["publication"] = publication(state, values)
    return state


def wire_name(described: Resource, name: str) -> str:
    prop = described.by_name.get(name)
    return prop.wire if prop else name


def input_names(described: Resource) -> set[str]:
    return {p.name for p in described.inputs}


def pending(described: Resource, props: Mapping[str, Any]) -> dict[str, Any]:
    """Computed outputs not known before Didomi answers (unknown in a preview)."""
    return {p.name: UNKNOWN for p in described.props if not p.input and p.name not in props}
