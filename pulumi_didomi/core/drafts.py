"""The notice drafts of one run (no `pulumi` import).

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

from .session import RunCache
from .values import canonical_json

if TYPE_CHECKING:
    from pulumi_didomi.client import DidomiClient, NoticeConfig

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
