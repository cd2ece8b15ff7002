"""What the Didomi objects created from code (notices, widgets) share (no `pulumi` import): the
properties every one of them has, the diff of their inputs, and the lifecycle both hostings
call through one shape (`ObjectLifecycle`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from pulumi_didomi.core.properties import Prop, Resource
from pulumi_didomi.core.session import say
from pulumi_didomi.core.values import has_unknown, normalize, replacements

ORGANIZATION_DOC = (
    "The Didomi organization; defaults to the provider's `organizationId`. A change means "
    "another resource."
)


def name_prop(what: str) -> Prop:
    """The required, updatable `name` of a `what`."""
    return Prop(
        "name",
        "string",
        f"The {what}'s name (a change renames it in place).",
        required=True,
        rule="nonempty",
        hint=f"a non-empty name for the {what}",
        invalid=f"must be a non-empty name for the {what}",
    )


def organization_prop() -> Prop:
    """The organization an object lives in (a change means another object)."""
    return Prop("organization_id", "string", ORGANIZATION_DOC, replaces=True, rule="nonempty")


def adopt_prop(what: str) -> Prop:
    """The id of an existing object to manage instead of creating one."""
    return Prop(
        "adopt_id",
        "string",
        f"The id of an existing {what} to manage instead of creating one: the fields the "
        "program sets are written to it (the dynamic resources' way to adopt; with the "
        "provider plugin, `pulumi import` does the same). A change means another resource.",
        replaces=True,
        rule="nonempty",
    )


def managed_changes(
    resource: Resource, olds: Mapping[str, Any], news: Mapping[str, Any]
) -> tuple[list[str], list[str]]:
    """The inputs the program sets whose value differs from the state, and those among them
    that need another object. An optional input left out of the program is left as it is on
    Didomi (not cleared); a value not known yet counts as changed."""
    replaces = replacements(olds, news, resource.replaces)
    changed = list(replaces)
    for prop in resource.inputs:
        new = news.get(prop.name)
        if prop.replaces or (new is None and prop.default is None):
            continue
        new = prop.default if new is None else new
        old = olds.get(prop.name)
        old = prop.default if old is None else old
        if has_unknown(new) or normalize(old) != normalize(new):
            changed.append(prop.name)
    return changed, replaces


def to_adopt(
    what: str, current: Any, fields: Mapping[str, Any], restore: Mapping[str, Any]
) -> dict[str, Any]:
    """What to write to adopt an existing object `current` (a `what`): the fields the program
    sets that differ from it, and `restore` (un-archiving) when it is archived."""
    differ = {k: v for k, v in fields.items() if getattr(current, k, None) != v}
    differ.update(restore)
    say(f"{what} {current.id}: adopted; written: {', '.join(sorted(differ)) or 'nothing'}")
    return differ


def now_iso() -> str:
    """Now, as Didomi writes dates (ISO 8601, milliseconds, `Z`)."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class ObjectLifecycle:
    """One resource's lifecycle as plain functions, the shape both hostings call."""

    resource: Resource
    #: `(field, reason)` for every invalid input (unknown values skipped).
    check_inputs: Callable[[Mapping[str, Any]], list[tuple[str, str]]]
    #: The inputs that changed, and those that need a new resource.
    changes: Callable[[Mapping[str, Any], Mapping[str, Any]], tuple[list[str], list[str]]]
    #: Create; the new id and state.
    create: Callable[[Mapping[str, Any]], tuple[str, dict[str, Any]]]
    #: The state now, or None when the object is gone.
    read: Callable[[str, Mapping[str, Any]], dict[str, Any] | None]
    #: Update in place; the new state.
    update: Callable[[str, Mapping[str, Any], Mapping[str, Any]], dict[str, Any]]
    #: What leaving the stack does on Didomi.
    delete: Callable[[str, Mapping[str, Any]], None]

    def inputs_of(self, outs: Mapping[str, Any]) -> dict[str, Any]:
        """The inputs a program gives to hold a state (after an import or a refresh)."""
        return given_inputs(self.resource, outs)


def given_inputs(resource: Resource, values: Mapping[str, Any]) -> dict[str, Any]:
    """The inputs of `resource` that `values` sets (not null)."""
    return {p.name: values[p.name] for p in resource.inputs if values.get(p.name) is not None}
