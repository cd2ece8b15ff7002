"""The lifecycle of a notice's draft configuration (no `pulumi` import): check the inputs,
tell what changed, adopt the draft and PATCH what differs, read it back.

The resource id is the notice id: Didomi gives the draft a new id at every publish, so the
draft is found again (`deployed_at=null`) each time it is written. Only the fields the program
sets are managed; every other field is left exactly as it is on Didomi.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pulumi_didomi.client.errors import APIError, InvalidRequestError
from pulumi_didomi.core.drafts import BOOK, concurrent_changes
from pulumi_didomi.core.fields import (
    CONFIG_NAMES,
    CONFIG_PROPS,
    REGULATION_CONFIGURATION,
    config_problems,
)
from pulumi_didomi.core.objects import organization_prop
from pulumi_didomi.core.properties import (
    PACKAGE,
    Description,
    Naming,
    ObjectType,
    Part,
    Prop,
    input_problems,
)
from pulumi_didomi.core.resource import Changes, Context, Found, Resource
from pulumi_didomi.core.values import (
    REGULATIONS,
    UNKNOWN,
    changed_keys,
    did_you_mean,
    differing,
    draft_json,
    draft_patch,
    fingerprint,
    has_unknown,
    managed_view,
    normalize,
    replacements,
    revision_of,
    unmanaged_view,
)

if TYPE_CHECKING:
    from pulumi_didomi.client import NoticeConfig


def managed_values(props: Mapping[str, Any]) -> dict[str, Any]:
    """The configuration fields a program manages, normalized."""
    names = props.get("managed_fields") or [k for k in props if k in CONFIG_NAMES]
    return {name: normalize(props[name]) for name in names if name in props}


def _revision(inputs: Mapping[str, Any], _naming: Naming) -> str:
    return revision_of(managed_values(inputs))


#: What a `NoticeDeployment` publishes, handed over by the draft (its `publication` output):
#: the notice, the revision, the values the program set, and what the deployment checks
#: before publishing (the revision the draft last wrote, the digest of the unmanaged fields
#: the stack reviewed, the unmanaged fields changed since and not reviewed yet).
PUBLICATION = ObjectType(
    f"{PACKAGE}:index:Publication",
    "What a `NoticeDeployment` publishes: a `NoticeDraftConfig`'s `publication` output, passed "
    "as the deployment's `draft`.",
    (
        Prop("notice_id", "string", "The notice."),
        Prop("organization_id", "string", "The organization (default: the provider's)."),
        Prop("revision", "string", "The revision of the managed values."),
        # Not `values`: the Python SDK's output types are dicts, whose `values()` it would hide.
        Prop("managed_values", "object", "The managed values, as the program set them."),
        Prop("written_revision", "string", "The revision the draft last wrote."),
        Prop("fingerprint", "string", "A digest of the unmanaged fields the stack reviewed."),
        Prop(
            "unreviewed",
            "array",
            "Unmanaged fields changed on Didomi and not reviewed yet.",
            items="string",
        ),
    ),
)

#: How the draft makes its `publication` from its properties (each hosting alike).
PUBLICATION_PARTS: tuple[tuple[str, Part], ...] = (
    ("notice_id", Part(("notice_id",))),
    ("organization_id", Part(("organization_id",))),
    ("revision", Part(("revision",))),
    ("managed_values", Part(tuple(sorted(CONFIG_NAMES)), managed_values, secret=True)),
    ("written_revision", Part(("written_revision",))),
    ("fingerprint", Part(("unmanaged",), lambda used: fingerprint(used.get("unmanaged")))),
    ("unreviewed", Part(("unreviewed",))),
)


def publication_of(props: Mapping[str, Any]) -> dict[str, Any]:
    """The `publication` of a draft whose properties are `props`."""
    return {name: part.value(props) for name, part in PUBLICATION_PARTS}


NOTICE_DRAFT_CONFIG = Description(
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
        organization_prop(),
        *CONFIG_PROPS,
        Prop(
            "revision",
            "string",
            "A digest of the managed values, known at preview; a change means a new "
            "publication for the `NoticeDeployment` that publishes this draft.",
            input=False,
            derive=_revision,
            uses=tuple(sorted(CONFIG_NAMES)),
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
            f"#/types/{PUBLICATION.token}",
            "What a `NoticeDeployment` needs to publish exactly this draft: pass it as the "
            "deployment's `draft`.",
            input=False,
            secret=True,
            handoff=PUBLICATION_PARTS,
        ),
    ),
    id_doc="the notice id",
    types=(REGULATION_CONFIGURATION, PUBLICATION),
    unique=("notice_id", "organization_id"),
    positional=("notice_id", "organization_id"),
)

#: Inputs that are not configuration fields.
IDENTITY = NOTICE_DRAFT_CONFIG.replaces
#: Outputs computed by the provider: the draft as last written, what the program does not
#: manage (`unmanaged`, as the stack last wrote or read it), the unmanaged keys found changed
#: on Didomi and not yet shown by a refresh (`unreviewed`), the revision last written, and the
#: publication it hands to its deployment.
COMPUTED = (
    "config_id",
    "version",
    "updated_at",
    "unmanaged",
    "unreviewed",
    "written_revision",
    "publication",
)
#: Bookkeeping inputs set by the resource class (`managed_fields` by releases before 0.2).
META = ("revision", "managed_fields")


def check_inputs(news: Mapping[str, Any]) -> list[tuple[str, str]]:
    """`(field, reason)` for every invalid input; unknown values (preview) are skipped."""
    problems = input_problems(NOTICE_DRAFT_CONFIG, news, has_unknown, skip=CONFIG_NAMES)
    values = managed_values(news)
    allowed = CONFIG_NAMES | set(IDENTITY) | set(COMPUTED) | set(META) | {"__provider"}
    unknown_fields = sorted(set(news) - allowed)
    problems += [
        (name, f"not a writable Didomi notice configuration field ({_closest(name)})")
        for name in unknown_fields
    ]
    unsendable = {name for name, _ in problems}  # said already (NaN, bytes, ...)
    problems += config_problems({k: v for k, v in values.items() if k not in unsendable})
    return problems


def _closest(name: str) -> str:
    return did_you_mean(name, CONFIG_NAMES)


def write_draft(
    ctx: Context,
    notice_id: str,
    organization_id: str | None,
    values: dict[str, Any],
    revision: str | None = None,
    previous: Mapping[str, Any] | None = None,
    reviewed: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Resolve the notice's current draft and PATCH what differs from the program's values.

    `previous` are the managed values the stack last wrote (object keys it no longer sets are
    removed; None when adopting: nothing is removed). `reviewed` is the unmanaged view the stack
    last wrote or read: unmanaged fields changed on Didomi since then are kept at their reviewed
    value in the outputs, so that the deployment refuses to publish them unreviewed.
    """
    api, org = ctx.client(organization_id)
    draft = BOOK.resolve(api, org, notice_id)
    before = draft_json(draft)
    body = draft_patch(values, before, previous)
    concurrent: list[str] = []
    if body:
        try:
            written = api.update_draft(draft.id, body, checked=True)
        except InvalidRequestError:
            # Published since it was listed (its id rotated): read it again, once.
            fresh = BOOK.fresh(api, org, notice_id)
            if fresh.id == draft.id:
                raise
            draft, before = fresh, draft_json(fresh)
            body = draft_patch(values, before, previous)
            written = api.update_draft(draft.id, body, checked=True) if body else fresh
        after = draft_json(written)
        concurrent = _written_by_others(draft, written, before, body, after, api.last_attempts)
        again = draft_patch(values, after, previous) if concurrent else {}
        if again:  # a managed value someone changed meanwhile: the program's, again
            written = api.update_draft(written.id, again, checked=True)
        BOOK.record_write(api, org, written)
        draft = written
    unmanaged, unreviewed = _review(
        before, draft_json(draft), values, previous, reviewed, concurrent, body
    )
    if unreviewed:
        ctx.tell(
            f"NoticeDraftConfig {notice_id}: fields this program does not manage changed on "
            f"Didomi since the stack last read the draft: {', '.join(unreviewed)}. They "
            "will not be published before a refresh shows them (`pulumi up --refresh`)"
        )
    return {
        **_outputs(org, draft, values),
        "unmanaged": unmanaged,
        "unreviewed": unreviewed or None,
        "written_revision": revision or revision_of(values),
    }


#: What `unmanaged` records for an object this run replaced while someone else wrote the draft.
_OVERWRITTEN = "written while someone else changed the draft"


def _review(
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    values: Mapping[str, Any],
    previous: Mapping[str, Any] | None,
    reviewed: Mapping[str, Any] | None,
    concurrent: list[str],
    body: Mapping[str, Any],
) -> tuple[dict[str, Any], list[str]]:
    """The unmanaged view to record after a write, and its keys not reviewed yet.

    Unreviewed: keys changed on Didomi since the stack last wrote or read the draft (seen in
    `before`), and keys someone else changed while this run wrote (`concurrent`). They keep
    their reviewed value in the record (or are left out), so that the deployment refuses them.
    """
    fields = CONFIG_NAMES
    unmanaged = unmanaged_view(after, values, fields)
    baseline = dict(reviewed or {})
    unreviewed: list[str] = []
    if reviewed is not None and previous is not None:
        unreviewed = changed_keys(reviewed, unmanaged_view(before, previous, fields))
    if concurrent:
        listed = unmanaged_view(before, values, fields)
        for key in changed_keys(listed, unmanaged):
            if key.split(".")[0] in concurrent and key not in unreviewed:
                unreviewed.append(key)
                baseline.setdefault(key, listed.get(key))
    for key in unreviewed:
        if baseline.get(key) is not None:
            unmanaged[key] = baseline[key]
        else:
            unmanaged.pop(key, None)
    for name in concurrent:
        if name in body and name not in unreviewed:
            # Replaced whole by this write while someone else wrote: review it.
            unreviewed.append(name)
            unmanaged[name] = _OVERWRITTEN
    return unmanaged, unreviewed


def _written_by_others(
    draft: NoticeConfig,
    written: NoticeConfig,
    before: Mapping[str, Any],
    body: Mapping[str, Any],
    after: Mapping[str, Any],
    attempts: int = 1,
) -> list[str]:
    """Fields someone else changed between the read of `draft` and the PATCH that returned
    `written`: those the PATCH does not explain, and, when the version moved by more than this
    PATCH's attempts (a retried PATCH may have been applied twice), the fields the PATCH
    manages only in part (objects, regulation lists): their other keys may have been lost."""
    changed = concurrent_changes(before, body, after, CONFIG_NAMES)
    old, new = draft.version, written.version
    if isinstance(old, (int, float)) and isinstance(new, (int, float)) and new - old > attempts:
        changed += [n for n, v in body.items() if isinstance(v, Mapping) or n == REGULATIONS]
    return sorted(set(changed))


def _outputs(org: str, draft: NoticeConfig, values: dict[str, Any]) -> dict[str, Any]:
    return {
        "notice_id": draft.notice_id,
        "organization_id": org,
        **managed_view(values, draft_json(draft)),
        "config_id": draft.id,
        "version": draft.version,
        "updated_at": draft.updated_at,
    }


def read_draft(
    ctx: Context, notice_id: str, organization_id: str | None, state: Mapping[str, Any]
) -> dict[str, Any] | None:
    """The draft on Didomi now (None if the notice is gone); bulk-listed once per run.

    Managed fields that changed show as drift (the next `up` restores them); unmanaged fields
    that changed show in `unmanaged` (recorded as reviewed). A new draft id after a publish
    is not drift: the stored outputs are kept when nothing else changed.
    """
    api, org = ctx.client(organization_id)
    draft = BOOK.draft(api, org, notice_id)
    if draft is None:
        try:  # not in the listing: gone, or published by this run (a new draft)
            draft = BOOK.fresh(api, org, notice_id)
        except APIError as exc:  # NotFoundError, or "no draft" (404)
            if exc.status != 404:
                raise
            return None
    remote = draft_json(draft)
    values = managed_values(state)
    current = managed_view(values, remote)
    outs = dict(state)
    if differing(values, current):
        outs.update(_outputs(org, draft, values))
        outs["written_revision"] = revision_of(current)
    elif state.get("revision") is not None:
        outs["written_revision"] = state["revision"]
    unmanaged = unmanaged_view(remote, values, CONFIG_NAMES)
    stored = state.get("unmanaged")
    changed = changed_keys(stored, unmanaged) if isinstance(stored, Mapping) else []
    if changed:
        ctx.tell(
            f"NoticeDraftConfig {notice_id}: changed on Didomi outside this program (not managed "
            f"by it, now recorded as reviewed): {', '.join(changed)}"
        )
    if stored is None or changed:
        outs["unmanaged"] = unmanaged
    outs["unreviewed"] = None  # a refresh shows them: reviewed
    return outs


def inputs_of(outputs: Mapping[str, Any]) -> dict[str, Any]:
    """The inputs matching refreshed outputs, so that previews show drift as `old => new`."""
    names = {*IDENTITY, *META, *managed_values(outputs)}
    return {k: v for k, v in outputs.items() if k in names}


def changes(olds: Mapping[str, Any], news: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """The inputs that changed (managed fields, identity) and those among them that replace."""
    replaces = replacements(olds, news, IDENTITY)
    values, before = managed_values(news), managed_values(olds)
    changed = set(replaces) | set(differing(values, olds)) | (set(values) ^ set(before))
    return sorted(changed), replaces


class NoticeDraftConfig(Resource):
    """The one mutable draft of a notice: adopted and PATCHed field by field, read back with
    drift, never deleted (configurations cannot be). Its id is the notice id."""

    description = NOTICE_DRAFT_CONFIG

    def check(self, inputs: Mapping[str, Any]) -> list[tuple[str, str]]:
        return check_inputs(inputs)

    def diff(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> Changes:
        return changes(olds, news)

    def create(self, ctx: Context, inputs: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        """Adopt the notice's draft and PATCH the managed fields that differ."""
        values, revision = _managed(inputs)
        written = write_draft(
            ctx, inputs["notice_id"], inputs.get("organization_id"), values, revision
        )
        return str(inputs["notice_id"]), _state({**inputs, **written}, values, revision)

    def preview_create(self, inputs: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        values, revision = _managed(inputs)
        pending = {**self.pending(inputs), "written_revision": revision}
        return str(inputs["notice_id"]), _state({**inputs, **pending}, values, revision)

    def update(
        self, ctx: Context, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Resolve the current draft again and PATCH what differs (object keys the program no
        longer sets are removed)."""
        values, revision = _managed(news)
        written = write_draft(
            ctx,
            news["notice_id"],
            news.get("organization_id"),
            values,
            revision,
            previous=managed_values(olds),
            reviewed=olds.get("unmanaged"),
        )
        return _state({**news, **written}, values, revision)

    def preview_update(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> dict[str, Any]:
        """Only the managed fields change: what the stack reviewed of the rest stays known, so
        that the deployment's preview shows the revision it will publish."""
        values, revision = _managed(news)
        pending = {"version": UNKNOWN, "updated_at": UNKNOWN, "written_revision": revision}
        return _state({**olds, **news, **pending}, values, revision)

    def read(self, ctx: Context, id_: str, state: Mapping[str, Any]) -> Found | None:
        notice_id = state.get("notice_id") or id_
        outs = read_draft(
            ctx, notice_id, state.get("organization_id"), {**state, "notice_id": notice_id}
        )
        if outs is None:
            return None
        values = managed_values(outs)
        # Drift makes the revision the live values' (read_draft records it as the revision
        # last written); otherwise the stack's stands.
        revision = outs.get("written_revision") or revision_of(values)
        inputs = {**inputs_of(outs), "revision": revision}
        return Found(_state({**outs, **inputs}, values, revision), inputs)

    def delete(self, ctx: Context, id_: str, state: Mapping[str, Any]) -> None:
        ctx.tell(
            f"NoticeDraftConfig {id_}: removed from the stack only; the draft of notice {id_} "
            "keeps its current values on Didomi (configurations cannot be deleted)"
        )


def _managed(inputs: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
    """The managed values and their revision (as `check` derived it, else computed)."""
    values = managed_values(inputs)
    return values, inputs.get("revision") or revision_of(values)


def _state(outs: Mapping[str, Any], values: Mapping[str, Any], revision: str) -> dict[str, Any]:
    """The resource's state: its outputs, the revision and the publication they make."""
    state = {**outs, "revision": revision}
    state["publication"] = publication_of({**state, **values})
    return state
