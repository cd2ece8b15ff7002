"""What the policy pack sees of the stack's resources, as plain values (no `pulumi` import).

Both hostings: the dynamic resources (`pulumi-python:dynamic/didomi:*`, snake_case properties)
and the native provider's (`didomi:index:*`, camelCase properties; `regulationConfigurations`
items with camelCase keys). A `NoticeDeployment` carries the values it publishes in its `draft`
(the publication its draft handed it: `draft.managed_values`, snake_case, secret, which policies
see in clear; `pulumi_didomi.core.publication.handed` reads it, also from older states).
The pack (`pack/__main__.py`) turns the engine's properties into plain values with
`UNKNOWN` for values a preview does not know, then calls these functions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pulumi_didomi.core.notice_draft import COMPUTED, IDENTITY, META
from pulumi_didomi.core.publication import handed

from .model import Options, Rule, Violation
from .values import UNKNOWN

DYNAMIC_DRAFT = "pulumi-python:dynamic/didomi:NoticeDraftConfig"
NATIVE_DRAFT = "didomi:index:NoticeDraftConfig"
DYNAMIC_DEPLOYMENT = "pulumi-python:dynamic/didomi:NoticeDeployment"
NATIVE_DEPLOYMENT = "didomi:index:NoticeDeployment"
DRAFTS = frozenset({DYNAMIC_DRAFT, NATIVE_DRAFT})
DEPLOYMENTS = frozenset({DYNAMIC_DEPLOYMENT, NATIVE_DEPLOYMENT})
NATIVE = frozenset({NATIVE_DRAFT, NATIVE_DEPLOYMENT})

#: A draft's properties that are not configuration fields (identity, computed outputs).
_NOT_FIELDS = frozenset({*IDENTITY, *COMPUTED, *META})


def snake(name: str) -> str:
    """`consentDuration` -> `consent_duration`; snake_case names are kept."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", lambda m: "_" + m.group(1).lower(), name)


def config_values(values: Any) -> Any:
    """Configuration values with snake_case names (top-level keys and the keys of each
    `regulation_configurations` entry; objects such as `config` are kept as they are)."""
    if not isinstance(values, Mapping):
        return values
    out: dict[str, Any] = {}
    for key, value in values.items():
        name = snake(str(key))
        if name in _NOT_FIELDS or name.startswith("__"):
            continue
        if name == "regulation_configurations" and isinstance(value, list):
            value = [
                {snake(str(k)): v for k, v in item.items()} if isinstance(item, Mapping) else item
                for item in value
            ]
        out[name] = value
    return out


def _get(props: Mapping[str, Any], name: str) -> Any:
    """A property by its snake_case name, whatever the hosting's naming."""
    if name in props:
        return props[name]
    return props.get(re.sub(r"_([a-z])", lambda m: m.group(1).upper(), name))


def notice_id(props: Mapping[str, Any]) -> Any:
    """A draft's or a deployment's notice id (a str, UNKNOWN, or None)."""
    value = _get(props, "notice_id")
    if value is None:
        draft = props.get("draft")
        if draft is UNKNOWN:
            return UNKNOWN
        if isinstance(draft, Mapping):
            value = _get(draft, "notice_id")
    return value


def draft_values(props: Mapping[str, Any]) -> dict[str, Any]:
    """A NoticeDraftConfig's configuration values (its inputs, or its outputs in a stack)."""
    values = config_values(props)
    assert isinstance(values, dict)
    return values


def published_values(props: Mapping[str, Any]) -> Any:
    """What a NoticeDeployment publishes: the values (a dict), UNKNOWN when a preview does not
    know them yet, or None when the deployment was given `notice_id`/`revision`, not a draft."""
    draft = props.get("draft")
    if draft is UNKNOWN:
        return UNKNOWN
    if isinstance(draft, Mapping):  # the plugin's publication has camelCase names
        props = {**props, "draft": {snake(str(k)): v for k, v in draft.items()}}
    values = handed(props).get("managed_values")
    if values is UNKNOWN or values is None:
        return values
    return config_values(values)


def resource_violations(
    rule: Rule, options: Options, resource_type: str, props: Mapping[str, Any]
) -> list[str]:
    """The messages of `rule` for one resource being registered (its checked inputs).

    A NoticeDeployment: what it publishes, when known (else the stack check relates it to its
    draft). A NoticeDraftConfig: only with `checkDrafts`.
    """
    camel = resource_type in NATIVE
    if resource_type in DEPLOYMENTS:
        values = published_values(props)
        if not isinstance(values, Mapping):
            return []
        found = rule.check(values, options, _known_id(notice_id(props)), camel)
        return [_publishing(v) for v in found]
    if resource_type in DRAFTS and options.check_drafts:
        found = rule.check(draft_values(props), options, _known_id(notice_id(props)), camel)
        return [v.message for v in found]
    return []


@dataclass(frozen=True)
class StackResource:
    """A resource of the stack as a stack policy sees it (its outputs)."""

    urn: str
    type: str
    props: Mapping[str, Any]
    dependencies: tuple[str, ...] = ()
    property_dependencies: Mapping[str, Sequence[str]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.urn.rsplit("::", 1)[-1]


def stack_violations(
    rule: Rule, options: Options, resources: Sequence[StackResource]
) -> list[tuple[str, str]]:
    """`(message, deployment urn)` for each NoticeDeployment whose published values were not
    known when it was checked (a preview rewriting the native draft, or a deployment given
    `notice_id`/`revision`): the values of the NoticeDraftConfig it publishes instead."""
    drafts = [r for r in resources if r.type in DRAFTS]
    out: list[tuple[str, str]] = []
    for deployment in resources:
        if deployment.type not in DEPLOYMENTS:
            continue
        if isinstance(published_values(deployment.props), Mapping):
            continue  # checked when the deployment was registered
        for draft in related_drafts(deployment, drafts):
            values = draft_values(draft.props)
            nid = _known_id(notice_id(draft.props)) or _known_id(notice_id(deployment.props))
            for violation in rule.check(values, options, nid, draft.type in NATIVE):
                out.append((_publishing(violation, draft.name), deployment.urn))
    return out


def related_drafts(
    deployment: StackResource, drafts: Sequence[StackResource]
) -> list[StackResource]:
    """The drafts a deployment publishes: those its `draft`/`revision` inputs come
    from (else any it depends on), kept to its notice when that is known; else the drafts of its
    notice."""
    keys = ("draft", "revision", "noticeId", "notice_id")
    from_inputs = {u for k in keys for u in deployment.property_dependencies.get(k, ())}
    candidates = [d for d in drafts if d.urn in from_inputs]
    if not candidates:
        candidates = [d for d in drafts if d.urn in deployment.dependencies]
    nid = notice_id(deployment.props)
    if isinstance(nid, str):
        same = [d for d in drafts if notice_id(d.props) == nid]
        candidates = [d for d in candidates if notice_id(d.props) in (nid, UNKNOWN)]
        candidates += [d for d in same if d not in candidates]
    return candidates


def _known_id(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _publishing(violation: Violation, draft: str | None = None) -> str:
    where = f"the draft {draft!r}" if draft else "the draft"
    return f"publishing {where} of {violation.message}"
