"""The notice drafts of one run, and how a draft is written and read (no `pulumi` import).

A provider process serves one Pulumi command. Its `DraftBook` resolves the first draft of a
run with one GET (a run that changes one notice needs no more) and from the second on lists
the organization's drafts (`ceil(N/100)` calls, again when the listing is older than `MAX_AGE`
seconds), keeping each entry current with the run's own writes: resolving N drafts costs
1 + ceil(N/100) calls, not N. A stale entry is safe:

- a draft published meanwhile has a new id: the PATCH to the old one fails and the caller
  resolves it again (one GET);
- a draft edited meanwhile shows in the PATCH response: what the response holds beyond
  "the listed draft + our PATCH" was changed by someone else (`concurrent_changes`), and a
  version that moved by more than our one write says someone wrote in between;
- a deployment publishes without another GET only a draft this run wrote itself, as the PATCH
  returned it (`written`); otherwise it reads the draft first.

The window in which an edit made in the console could go unseen is the time between the last
read of the draft and the POST that publishes it. It used to start at a GET made just before
the publication waited for one of Didomi's 3 deployment slots and for the rate limit; it now
starts at the PATCH response, earlier by the time the engine takes to schedule the deployment
after the draft (milliseconds when the run is not queueing).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from pulumi_didomi.client.errors import APIError, ConfigurationError, InvalidRequestError

from .fields import CONFIG_NAMES, managed_values
from .session import RunCache
from .template_links import owned_by_regulation, undeclared_template_keys
from .values import (
    REGULATIONS,
    Path,
    canonical_json,
    changed_keys,
    differing,
    draft_json,
    draft_patch,
    managed_view,
    revision_of,
    unmanaged_view,
)

if TYPE_CHECKING:
    from pulumi_didomi.client import DidomiClient, NoticeConfig
    from pulumi_didomi.core.resource import Context

Key = tuple[str, str]

#: Seconds a listing stands for the drafts without listing them again.
MAX_AGE = 30.0


def untouched(version: Any, created_at: Any, updated_at: Any) -> bool:
    """Whether a draft is as Didomi created it (from the newest publication, when there is
    one): never written since (version 0, or no version and never updated)."""
    if version is not None:
        return bool(version == 0)
    return bool(updated_at == created_at)


class DraftBook:
    """Drafts by notice id per (API URL, organization), listed once per process."""

    def __init__(
        self, max_age: float = MAX_AGE, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_age = max_age
        self._lock = threading.Lock()
        #: The listings, by (API URL, organization): a notice's draft as listed or written.
        self._listings = RunCache(max_age, clock)
        self._read_alone: set[Key] = set()
        self._written: dict[tuple[str, str, str], NoticeConfig] = {}

    def _listing(self, api: DidomiClient, org: str) -> dict[str, NoticeConfig]:
        listing: dict[str, NoticeConfig] = self._listings.get(
            (api.base_url, org), lambda: dict(api.drafts(org))
        )
        return listing

    def draft(self, api: DidomiClient, org: str, notice_id: str) -> NoticeConfig | None:
        """The notice's draft as listed in this run, or as this run last wrote it."""
        listing = self._listing(api, org)
        with self._lock:
            return listing.get(notice_id)

    def drafts(self, api: DidomiClient, org: str) -> dict[str, NoticeConfig]:
        """Every notice's draft, by notice id, as listed in this run or as this run last wrote
        it (the run's one listing: no call when it is young enough)."""
        listing = self._listing(api, org)
        with self._lock:
            return dict(listing)

    def known(self, api: DidomiClient, org: str, notice_id: str) -> NoticeConfig | None:
        """The notice's draft from a listing of this run younger than `max_age` (no call)."""
        listing = self._listings.peek((api.base_url, org))
        with self._lock:
            return None if listing is None else listing.get(notice_id)

    def resolve(self, api: DidomiClient, org: str, notice_id: str) -> NoticeConfig:
        """The draft to write: the run's first is read alone (one GET), the others come from
        the listing; a notice missing from the listing is read alone (and must exist)."""
        key = (api.base_url, org)
        with self._lock:
            first = self._listings.peek(key) is None and key not in self._read_alone
            self._read_alone.add(key)
        if first:
            return self.fresh(api, org, notice_id)
        found = self.draft(api, org, notice_id)
        return found if found is not None else self.fresh(api, org, notice_id)

    def fresh(self, api: DidomiClient, org: str, notice_id: str) -> NoticeConfig:
        """The draft read now (one GET), recorded."""
        draft = api.current_draft(notice_id, org)
        self._put(api, org, draft)
        return draft

    def record_write(self, api: DidomiClient, org: str, draft: NoticeConfig) -> None:
        """A draft as a PATCH of this run returned it."""
        self._put(api, org, draft)
        with self._lock:
            self._written[(api.base_url, org, draft.notice_id)] = draft

    def written(self, api: DidomiClient, org: str, notice_id: str) -> NoticeConfig | None:
        """The draft as this run's PATCH returned it (None when this run did not write it)."""
        with self._lock:
            return self._written.get((api.base_url, org, notice_id))

    def forget(self, api: DidomiClient, org: str, notice_id: str) -> None:
        """After a publication: the notice's draft is a new one."""
        listed = self._listings.peek((api.base_url, org))
        with self._lock:
            if listed is not None:
                listed.pop(notice_id, None)
            self._written.pop((api.base_url, org, notice_id), None)

    def _put(self, api: DidomiClient, org: str, draft: NoticeConfig) -> None:
        listed = self._listings.peek((api.base_url, org))
        with self._lock:
            if listed is not None:
                listed[draft.notice_id] = draft


def concurrent_changes(
    before: Mapping[str, Any],
    body: Mapping[str, Any],
    after: Mapping[str, Any],
    fields: Iterable[str],
) -> list[str]:
    """Fields of `after` (a PATCH response) that neither `before` nor the PATCH explain:
    someone else wrote them between the read of `before` and the PATCH."""
    return sorted(
        name
        for name in fields
        if name not in body and canonical_json(before.get(name)) != canonical_json(after.get(name))
    )


#: The drafts of this process's run.
BOOK = DraftBook()


# -- writing and reading a notice's draft ------------------------------------------------


def write_draft(
    ctx: Context,
    notice_id: str,
    organization_id: str | None,
    values: dict[str, Any],
    revision: str | None = None,
    previous: Mapping[str, Any] | None = None,
    reviewed: Mapping[str, Any] | None = None,
    owned: Mapping[str, Iterable[Path]] | None = None,
) -> dict[str, Any]:
    """Resolve the notice's current draft and PATCH what differs from the program's values.

    `previous` are the managed values the stack last wrote (object keys it no longer sets are
    removed; None when adopting: nothing is removed). `reviewed` is the unmanaged view the stack
    last wrote or read: unmanaged fields changed on Didomi since then are kept at their reviewed
    value in the outputs, so that the deployment refuses to publish them unreviewed. `owned`:
    the keys of regulation configurations that the notice's templates own (never reviewed here).
    """
    api, org = ctx.client(organization_id)
    draft = BOOK.resolve(api, org, notice_id)
    before = draft_json(draft)
    taken = undeclared_template_keys(before, values, owned)
    if taken:
        raise ConfigurationError(
            f"NoticeDraftConfig {notice_id}: nothing was written: {'; '.join(taken)}. One owner "
            "per key: take the template's `link` in `templates` and set these keys on the "
            "NoticeTemplate, or unlink the regulation from the template"
        )
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
        before, draft_json(draft), values, previous, reviewed, concurrent, body, owned
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
    owned: Mapping[str, Iterable[Path]] | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """The unmanaged view to record after a write, and its keys not reviewed yet.

    Unreviewed: keys changed on Didomi since the stack last wrote or read the draft (seen in
    `before`), and keys someone else changed while this run wrote (`concurrent`). They keep
    their reviewed value in the record (or are left out), so that the deployment refuses them.
    """
    fields = CONFIG_NAMES
    unmanaged = unmanaged_view(after, values, fields, owned)
    baseline = dict(reviewed or {})
    unreviewed: list[str] = []
    if reviewed is not None and previous is not None:
        unreviewed = changed_keys(reviewed, unmanaged_view(before, previous, fields, owned))
    if concurrent:
        listed = unmanaged_view(before, values, fields, owned)
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
    owned = owned_by_regulation(state.get("templates"), notice_id)
    unmanaged = unmanaged_view(remote, values, CONFIG_NAMES, owned)
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
