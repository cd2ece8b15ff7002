"""A Didomi resource as the core knows it (no `pulumi` import): one class per resource, its
description (`Description`: inputs, outputs, replaces, secrets, checks) and its lifecycle
methods, each taking the resource's properties and a small `Context` (the Didomi client of the
organization, whether this is a preview, where messages go).

Both hostings are generic adapters over these classes (`pulumi_didomi.core.registry`): the
provider plugin calls them with wire values turned into the core's names, the dynamic providers
with the values the engine hands them. The lifecycle vocabulary is Pulumi's own:

- `check(inputs)`: before anything else, also in a preview (values may be unknown): the
  problems `(field, reason)`; then `check_remote(ctx, inputs, olds)`, the problems only Didomi
  can tell (an id that must exist), with reads only, when the settings can reach Didomi;
- `derive(inputs, naming)`, with `check`: the inputs a resource computes from the others
  (`Prop.derive`, `Prop.default_from`);
- `diff(olds, news)`, at every preview and update: the inputs that changed, those that replace;
  then `impact(ctx, id, olds, news)`: what the change does to consent already collected
  (reads only, when the change calls for them), which each hosting prints as warnings;
- `create(ctx, inputs)`, or `preview_create(inputs)` in a preview: the id and outputs;
- `read(ctx, id, state)`, at a refresh or an import: `Found(outputs, inputs)`, None when gone;
- `update(ctx, id, olds, news)`, or `preview_update(olds, news)`: the new outputs;
- `delete(ctx, id, state)`, when the resource leaves the stack.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from pulumi_didomi.client.errors import DidomiError
from pulumi_didomi.core.properties import PLAIN, Description, Naming, Prop, Values, input_problems
from pulumi_didomi.core.session import Settings, client_for
from pulumi_didomi.core.values import UNKNOWN, has_unknown, normalize, replacements

if TYPE_CHECKING:
    from pulumi_didomi.client import DidomiClient

#: `(field, reason)`: an input that breaks its description, named the core's way.
Problem = tuple[str, str]


class DerivationError(Exception):
    """An input could not be derived (e.g. a deployment message template the stack's
    settings break): `field` names it."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field


#: The inputs that changed, and those among them that need a new resource.
Changes = tuple[list[str], list[str]]


def to_stderr(message: str) -> None:
    """One write per message (messages of resources handled at once must not run together)."""
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


@dataclass(frozen=True)
class Context:
    """What a lifecycle method may use besides the resource's properties."""

    settings: Settings
    preview: bool = False
    #: Tells the user something about the resource being handled.
    tell: Callable[[str], None] = to_stderr

    def client(self, organization_id: str | None = None) -> tuple[DidomiClient, str]:
        """The shared client of these settings and the organization to act in (the
        resource's, else the provider's)."""
        return client_for(self.settings, organization_id)


@dataclass(frozen=True)
class Found:
    """What `read` found: the resource's outputs, and the inputs a program gives to hold them
    (so that a preview shows drift as `old => new`, and an import knows its inputs)."""

    outputs: dict[str, Any]
    inputs: dict[str, Any] = field(default_factory=dict)


class Resource:
    """A Didomi resource: its description and its lifecycle (see the module's table).

    The defaults suit a resource whose inputs are written as they are: `check` applies the
    description, `diff` compares the inputs it sets, previews leave computed outputs unknown.
    """

    description: ClassVar[Description]

    @property
    def token(self) -> str:
        return self.description.token

    def __repr__(self) -> str:
        return f"<{self.description.name}>"

    # -- before any call -------------------------------------------------------------------

    def check(self, inputs: Mapping[str, Any]) -> list[Problem]:
        """Every invalid input, before any call; values not known yet are skipped."""
        return input_problems(self.description, inputs, has_unknown)

    def check_remote(
        self, ctx: Context, inputs: Mapping[str, Any], olds: Mapping[str, Any]
    ) -> list[Problem]:
        """The problems only Didomi can tell (an id that must exist), after `check` found none:
        reads only (nothing is written), values not known yet and those the stack applied
        (`olds`) skipped. Each hosting calls it only when its settings can reach Didomi."""
        return []

    def derive(
        self, inputs: Mapping[str, Any], naming: Naming, values: Values = PLAIN
    ) -> dict[str, Any]:
        """The inputs computed from the others (`Prop.default_from`, `Prop.derive`), unknown
        while what they use is; a dynamic program derives them as Outputs (`values`)."""
        merged = dict(inputs)
        out: dict[str, Any] = {}
        for prop in self.description.props:
            if prop.default_from and merged.get(prop.name) is None:
                value = values.part(merged.get(prop.default_from), prop.name)
                if value is not None:
                    out[prop.name] = merged[prop.name] = value
            if prop.derive is not None and merged.get(prop.name) is None:
                used = {k: merged[k] for k in prop.uses if merged.get(k) is not None}
                value = values.combine(used, _derivation(prop, naming))
                if value is not None:
                    out[prop.name] = merged[prop.name] = value
        return out

    def diff(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> Changes:
        """The inputs the program sets whose value differs from the state, and those among
        them that need another resource. An optional input left out of the program is left as
        it is on Didomi (not cleared); a value not known yet counts as changed."""
        replaces = replacements(olds, news, self.description.replaces)
        changed = list(replaces)
        for prop in self.description.inputs:
            new = news.get(prop.name)
            if prop.replaces or (new is None and prop.default is None):
                continue
            new = prop.default if new is None else new
            old = olds.get(prop.name)
            old = prop.default if old is None else old
            if has_unknown(new) or normalize(old) != normalize(new):
                changed.append(prop.name)
        return changed, replaces

    def impact(
        self, ctx: Context, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> list[str]:
        """What a change `diff` found does to resource `id_`'s consent already collected
        (warnings for the preview; `pulumi_didomi.core.consent_impact`); none by default. Reads
        only, and only when the change calls for them (a no-op preview makes no call); a read
        that fails leaves the warning less precise, never fails the preview."""
        return []

    # -- the lifecycle -----------------------------------------------------------------------

    def create(self, ctx: Context, inputs: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        """Create the resource on Didomi: its id and outputs."""
        raise NotImplementedError

    def read(self, ctx: Context, id_: str, state: Mapping[str, Any]) -> Found | None:
        """The resource as Didomi holds it now (None when it is gone)."""
        raise NotImplementedError

    def update(
        self, ctx: Context, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Change the resource in place: its new outputs."""
        raise NotImplementedError

    def delete(self, ctx: Context, id_: str, state: Mapping[str, Any]) -> None:
        """What leaving the stack does on Didomi."""
        raise NotImplementedError

    # -- what a preview can tell -----------------------------------------------------------

    def preview_create(self, inputs: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        """The id (empty when Didomi gives it) and outputs of a resource to create, as far as
        a preview knows them."""
        return "", {**inputs, **self.pending(inputs)}

    def preview_update(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> dict[str, Any]:
        """The outputs of a resource to update: what Didomi computes is not known yet (a
        `WidgetDeployment` triggered by `widget.updated_at` shows its redeployment)."""
        kept = {**olds, **self.given(news)}
        kept.update({p.name: UNKNOWN for p in self.description.outputs})
        kept["created_at"] = olds.get("created_at")
        return kept

    # -- helpers for the lifecycle ---------------------------------------------------------

    def given(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The inputs that `values` sets (not null)."""
        return {
            p.name: values[p.name]
            for p in self.description.inputs
            if values.get(p.name) is not None
        }

    def pending(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The computed outputs not known before Didomi answers (unknown in a preview)."""
        return {p.name: UNKNOWN for p in self.description.outputs if p.name not in values}


def _derivation(prop: Prop, naming: Naming) -> Callable[[Mapping[str, Any]], Any]:
    """`prop.derive` of the values it uses; a failure names the input (`DerivationError`)."""
    assert prop.derive is not None
    derive = prop.derive

    def run(used: Mapping[str, Any]) -> Any:
        try:
            return derive(used, naming)
        except DidomiError as exc:
            raise DerivationError(prop.name, str(exc)) from None

    return run
