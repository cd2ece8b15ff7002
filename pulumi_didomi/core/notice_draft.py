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
from pulumi_didomi.core.fields import config_problems

# Re-exported for pulumi_didomi.resources.notice_draft_config, which imports them from here.
from pulumi_didomi.core.fields import field_problems as field_problems
from pulumi_didomi.core.fields import fractional as fractional
from pulumi_didomi.core.schema import CONFIG_NAMES, NOTICE_DRAFT_CONFIG, input_problems
from pulumi_didomi.core.session import client, say
from pulumi_didomi.core.values import (
    REGULATIONS,
    changed_keys,
    did_you_mean,
    differing,
    draft_json,
    draft_patch,
    has_unknown,
    managed_view,
    normalize,
    replacements,
    revision_of,
    unmanaged_view,
)

if TYPE_CHECKING:
    from pulumi_didomi.client import NoticeConfig

#: Inputs that are not configuration fields.
IDENTITY = NOTICE_DRAFT_CONFIG.replaces
#: Outputs computed by the provider: the draft as last written, what the program does not
#: manage (`unmanaged`, as the stack last wrote or read it), the unmanaged keys found changed
#: on Didomi and not yet shown by a refresh (`unreviewed`), the revision last written.
COMPUTED = ("config_id", "version", "updated_at", "unmanaged", "unreviewed", "written_revision")
#: Bookkeeping inputs set by the resource class (`managed_fields` by releases before 0.2).
META = ("revision", "managed_fields")


def managed_values(props: Mapping[str, Any]) -> dict[str, Any]:
    """The configuration fields a program manages, normalized."""
    names = props.get("managed_fields") or [k for k in props if k in CONFIG_NAMES]
    return {name: normalize(props[name]) for name in names if name in props}


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
    problems += config_problems(values)
    return problems


def _closest(name: str) -> str:
    return did_you_mean(name, CONFIG_NAMES)


def write_draft(
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
    api, org = client(organization_id)
    draft = BOOK.resolve(api, org, notice_id)
    before = draft_json(draft)
    body = draft_patch(values, before, previous)
    concurrent: list[str] = []
    if body:
        try:
            written = api.update_draft(draft.id, body)
        except InvalidRequestError:
            # Published since it was listed (its id rotated): read it again, once.
            fresh = BOOK.fresh(api, org, notice_id)
            if fresh.id == draft.id:
                raise
            draft, before = fresh, draft_json(fresh)
            body = draft_patch(values, before, previous)
            written = api.update_draft(draft.id, body) if body else fresh
        after = draft_json(written)
        concurrent = _written_by_others(draft, written, before, body, after, api.last_attempts)
        again = draft_patch(values, after, previous) if concurrent else {}
        if again:  # a managed value someone changed meanwhile: the program's, again
            written = api.update_draft(written.id, again)
        BOOK.record_write(api, org, written)
        draft = written
    unmanaged, unreviewed = _review(
        before, draft_json(draft), values, previous, reviewed, concurrent, body
    )
    if unreviewed:
        say(
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
    notice_id: str, organization_id: str | None, state: Mapping[str, Any]
) -> dict[str, Any] | None:
    """The draft on Didomi now (None if the notice is gone); bulk-listed once per run.

    Managed fields that changed show as drift (the next `up` restores them); unmanaged fields
    that changed show in `unmanaged` (recorded as reviewed). A new draft id after a publish
    is not drift: the stored outputs are kept when nothing else changed.
    """
    api, org = client(organization_id)
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
        say(
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
