"""The pulumi-didomi policy pack: the rules of `pulumi_didomi.policy` as Pulumi policies.

One policy per rule (`didomi-<rule>`), each with its enforcement level and thresholds in the
policy config (`--policy-pack-config`). A policy checks what each `NoticeDeployment` publishes
(its `draft.values`, in either hosting) when the deployment is registered, before
anything is written or published: a mandatory violation blocks it. When a preview does not know
those values yet (a draft being rewritten), the same policy's stack check takes them from
the `NoticeDraftConfig` the deployment publishes; the preview then fails, so `pulumi up` stops
before writing anything. `NoticeDraftConfig` resources themselves are checked only with the
policy's `checkDrafts` (a violating draft may be saved; publishing it is what is blocked).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyPack,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

from pulumi_didomi import __version__
from pulumi_didomi.policy import RULES, STACK_RULES, UNKNOWN, Rule, StackRule
from pulumi_didomi.policy.resources import StackResource, resource_violations, stack_violations


def plain(value: Any) -> Any:
    """The engine's properties as plain values, `UNKNOWN` where a preview does not know them
    (the policy SDK raises on reading one). Secrets arrive in clear."""
    if isinstance(value, Mapping):
        out = {}
        for key in value:
            try:
                out[key] = plain(value[key])
            except UnknownValueError:
                out[key] = UNKNOWN
        return out
    if isinstance(value, Sequence) and not isinstance(value, str):
        items = []
        for index in range(len(value)):
            try:
                items.append(plain(value[index]))
            except UnknownValueError:
                items.append(UNKNOWN)
        return items
    return value


def _shared(rule: Rule) -> dict[str, Any]:
    """What a rule's resource and stack policies share: name, level, description, title, url."""
    return {
        "name": rule.policy,
        "description": rule.description,
        "enforcement_level": EnforcementLevel(rule.level),
        "display_name": rule.title,
        "url": rule.sources[0],
    }


def _resource_policy(rule: Rule) -> ResourceValidationPolicy:
    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        options = rule.options(args.get_config())
        for message in resource_violations(rule, options, args.resource_type, plain(args.props)):
            report(message, None)

    return ResourceValidationPolicy(
        validate=validate, config_schema=PolicyConfigSchema(rule.config_schema()), **_shared(rule)
    )


def _resources(args: StackValidationArgs) -> list[StackResource]:
    return [
        StackResource(
            r.urn,
            r.resource_type,
            plain(r.props),
            tuple(d.urn for d in r.dependencies),
            {k: tuple(d.urn for d in v) for k, v in r.property_dependencies.items()},
        )
        for r in args.resources
    ]


def _stack_policy(rule: Rule) -> StackValidationPolicy:
    """The same policy (same name, so the same level and config) on the stack as a whole."""

    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        options = rule.options(args.get_config())
        for message, urn in stack_violations(rule, options, _resources(args)):
            report(message, urn)

    # No schema of its own: the engine validates the policy's config once (the resource
    # policy's schema) and sends it, with the level, to both under the shared name.
    return StackValidationPolicy(validate=validate, **_shared(rule))


def _data_manager_policy(rule: StackRule) -> StackValidationPolicy:
    """A rule over the stack's vendors, purposes and the notices listing them."""

    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        for message, urn in rule.check(_resources(args), rule.months(args.get_config())):
            report(message, urn)

    return StackValidationPolicy(
        name=rule.policy,
        description=rule.description,
        enforcement_level=EnforcementLevel(rule.level),
        display_name=rule.title,
        url=rule.sources[0],
        validate=validate,
        config_schema=PolicyConfigSchema(rule.config_schema()) if rule.config_schema() else None,
    )


PolicyPack(
    name="didomi-compliance",
    description=(
        "Didomi consent notices: CNIL and EDPB checks of what each NoticeDeployment publishes, "
        "and of the vendors and purposes notices and vendor-list templates list "
        f"(pulumi-didomi {__version__})"
    ),
    policies=[
        *(p for rule in RULES.values() for p in (_resource_policy(rule), _stack_policy(rule))),
        *(_data_manager_policy(rule) for rule in STACK_RULES.values()),
    ],
)
