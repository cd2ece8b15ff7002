"""What the Didomi objects created from code share (no `pulumi` import): notices, widgets,
vendors and purposes. An `ArchivableObject` is created (or adopts an existing object), updated
in place by one PATCH of the fields that changed, read back with drift and imports, restored
when archived (or deprecated) elsewhere, and archived, deprecated or deleted when it leaves the
stack. A subclass says only how it differs: its API calls, how it leaves, its derived outputs.

Fields listed in `keyed` are maps managed key by key (a purpose's translations by language, a
vendor's ids in other lists by namespace): only the keys the program sets are compared and
written; keys on Didomi the program never set are kept; a key the stack set before and the
program no longer sets is removed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from pulumi_didomi.core.properties import Prop
from pulumi_didomi.core.resource import Changes, Context, Found, Resource

if TYPE_CHECKING:
    from pulumi_didomi.client import DidomiClient

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
    """The organization a resource acts in (a change means another resource)."""
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


class ArchivableObject(Resource):
    """A Didomi object created from code and archived, not deleted, when it leaves the stack.

    Subclasses set `fields` (written to Didomi as the program sets them), `create_only` (set at
    creation: a change replaces), `archived` (the field that tells it is archived) and implement
    the API calls (`get`, `make`, `patch`), `archive` and, where it has any, `derived`.
    """

    #: The fields written to Didomi as the program sets them (`name_field` first).
    fields: ClassVar[tuple[str, ...]]
    #: The required field that names the object (absent from the state of an import).
    name_field: ClassVar[str] = "name"
    #: Map fields managed key by key (see the module's docstring).
    keyed: ClassVar[tuple[str, ...]] = ()
    #: Fields set at creation only (a change means another object).
    create_only: ClassVar[tuple[str, ...]] = ()
    #: The field Didomi sets when the object is archived, and its value when it is live (empty:
    #: an object that is never archived, deleted when it leaves the stack).
    archived: ClassVar[str]
    live: ClassVar[Any] = None
    #: What being archived is called (`archived`, `deprecated`).
    archived_word: ClassVar[str] = "archived"

    @property
    def kind(self) -> str:
        return self.description.name

    # -- what differs between objects --------------------------------------------------------

    def get(
        self, api: DidomiClient, id_: str, org: str, imported: bool = False
    ) -> dict[str, Any] | None:
        """The object on Didomi (None when it is gone; `imported`: read for an import)."""
        raise NotImplementedError

    def adoptable(self, api: DidomiClient, id_: str, org: str) -> dict[str, Any]:
        """The object to adopt, or a `ConfigurationError` saying why it cannot be."""
        raise NotImplementedError

    def make(
        self, api: DidomiClient, org: str, name: Any, fields: dict[str, Any]
    ) -> dict[str, Any]:
        """Create the object named `name` (its `name_field`), with the other `fields` the
        program sets."""
        raise NotImplementedError

    def patch(
        self, api: DidomiClient, id_: str, org: str, fields: dict[str, Any]
    ) -> dict[str, Any]:
        """Write `fields` in one PATCH; the object as Didomi returns it."""
        raise NotImplementedError

    def archive(self, ctx: Context, api: DidomiClient, id_: str, state: Mapping[str, Any]) -> None:
        """What leaving the stack does to the object (archive it, by default)."""
        if state.get(self.archived) not in (None, self.live):
            ctx.tell(f"{self.kind} {id_}: already {self.archived_word}")
            return
        self.patch(api, id_, self.org_of(ctx, state), {self.archived: self.archived_value()})
        ctx.tell(f"{self.kind} {id_}: {self.archived_word}{self.kept}")

    #: What stays on Didomi whatever happens to the object (said after "archived").
    kept: ClassVar[str] = ""

    def archived_value(self) -> Any:
        """The value of `archived` that archives the object."""
        return True

    def derived(
        self, ctx: Context, org: str, props: Mapping[str, Any], id_: str, earlier: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Outputs computed from the object (none by default); `earlier` is the last state."""
        return {}

    # -- the lifecycle -----------------------------------------------------------------------

    def diff(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> Changes:
        """The inputs that changed, and the archived field when the object was archived
        elsewhere (the program declares a live object)."""
        changed, replaces = super().diff(olds, news)
        if self.archived and olds.get(self.archived) not in (None, self.live) and not replaces:
            changed.append(self.archived)
        return changed, replaces

    def create(self, ctx: Context, inputs: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        """Create the object, or adopt `adopt_id` (writing only the fields that differ)."""
        api, org = ctx.client(inputs.get("organization_id"))
        fields = self.written(inputs)
        adopt = inputs.get("adopt_id")
        if adopt:
            current = self.adoptable(api, str(adopt), org)
            fields = self.merged(fields, current, {})
            differ = {k: v for k, v in fields.items() if current.get(k) != v}
            if self.archived and current.get(self.archived) not in (None, self.live):
                differ[self.archived] = self.live
            ctx.tell(
                f"{self.kind} {current['id']}: adopted; written: "
                f"{', '.join(sorted(differ)) or 'nothing'}"
            )
            found = self.patch(api, str(adopt), org, differ) if differ else current
        else:
            for name in self.create_only:
                if inputs.get(name) is not None:
                    fields[name] = list(inputs[name])
            found = self.make(api, org, fields.pop(self.name_field), fields)
        id_ = str(found["id"])
        return id_, self.outputs(ctx, org, inputs, found, {})

    def read(self, ctx: Context, id_: str, state: Mapping[str, Any]) -> Found | None:
        """The object now (None when it is gone): Didomi's values of the managed fields, so
        that a change made elsewhere shows as a diff; after an import every field is managed."""
        api, org = ctx.client(state.get("organization_id"))
        imported = not state.get(self.name_field)
        found = self.get(api, id_, org, imported)
        if found is None:
            return None
        if imported:
            state = {**state, **{k: found[k] for k in self.fields if found.get(k) is not None}}
        if (
            self.archived
            and found.get(self.archived) not in (None, self.live)
            and state.get(self.archived) in (None, self.live)
        ):
            at = found[self.archived]
            where = f"{self.kind} {id_}: {self.archived_word} on Didomi"
            ctx.tell(where + ("" if at is True else f" at {at}"))
        outputs = self.outputs(ctx, org, state, found, state)
        return Found(outputs, self.given(outputs))

    def update(
        self, ctx: Context, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Write the fields that changed in one PATCH (none when only provider-side inputs
        changed), restoring an object archived elsewhere."""
        api, org = ctx.client(news.get("organization_id"))
        fields = {k: v for k, v in self.written(news).items() if olds.get(k) != v}
        if any(k in self.keyed for k in fields):  # keys on Didomi the stack never set are kept
            current = self.get(api, id_, org) or {}
            fields = self.merged(fields, current, olds)
        if self.archived and olds.get(self.archived) not in (None, self.live):
            fields[self.archived] = self.live
        if fields:
            return self.outputs(ctx, org, news, self.patch(api, id_, org, fields), olds)
        kept = {**olds, **{p.name: news.get(p.name) for p in self.description.inputs}}
        return {**kept, **self.derived(ctx, org, news, id_, olds)}

    def delete(self, ctx: Context, id_: str, state: Mapping[str, Any]) -> None:
        """Archive the object (its deployments stay); gone already is fine."""
        from pulumi_didomi.client import NotFoundError

        api, _ = ctx.client(state.get("organization_id"))
        try:
            self.archive(ctx, api, id_, state)
        except NotFoundError:
            ctx.tell(f"{self.kind} {id_}: already gone from Didomi")

    # -- helpers -------------------------------------------------------------------------------

    def org_of(self, ctx: Context, props: Mapping[str, Any]) -> str:
        return ctx.client(props.get("organization_id"))[1]

    def written(self, props: Mapping[str, Any]) -> dict[str, Any]:
        """What the program sets of the object: its name and the other fields it gives."""
        return {
            k: props[k] for k in self.fields if k == self.name_field or props.get(k) is not None
        }

    def merged(
        self, fields: Mapping[str, Any], current: Mapping[str, Any], previous: Mapping[str, Any]
    ) -> dict[str, Any]:
        """`fields` to write, the `keyed` maps completed with the keys on Didomi (`current`)
        the stack never set (`previous`: the maps it set before)."""
        out = dict(fields)
        for name in self.keyed:
            desired, remote = fields.get(name), current.get(name)
            if isinstance(desired, Mapping) and isinstance(remote, Mapping):
                before = previous.get(name)
                managed = set(before) if isinstance(before, Mapping) else set()
                kept = {k: v for k, v in remote.items() if k not in managed}
                out[name] = {**kept, **desired}
        return out

    def projected(self, props: Mapping[str, Any], found: Mapping[str, Any]) -> dict[str, Any]:
        """The fields the program sets as Didomi holds them; a `keyed` map holds only the keys
        the program sets (the others are not the stack's)."""
        out = {}
        for name in self.written(props):
            value = found.get(name)
            desired = props.get(name)
            if name in self.keyed and isinstance(value, Mapping) and isinstance(desired, Mapping):
                value = {k: value[k] for k in desired if k in value}
            out[name] = value
        return out

    def outputs(
        self,
        ctx: Context,
        org: str,
        props: Mapping[str, Any],
        found: Mapping[str, Any],
        earlier: Mapping[str, Any],
    ) -> dict[str, Any]:
        """The state: the program's inputs, the managed fields as Didomi holds them, what
        Didomi computes (every output the object carries) and the derived outputs."""
        computed = {p.name: found.get(p.name) for p in self.description.outputs}
        if self.archived:
            archived = found.get(self.archived)
            computed[self.archived] = self.live if archived is None else archived
        return {
            **props,
            **self.projected(props, found),
            **computed,
            "organization_id": found["organization_id"],
            **self.derived(ctx, org, props, str(found["id"]), earlier),
        }
