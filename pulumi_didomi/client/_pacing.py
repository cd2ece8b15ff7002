"""Client-side pacing under Didomi's rate limit, shared by every client of the same credentials.

Didomi counts at most 100 requests per 15 s per organization, each at the time it arrives. The
client cannot know that time, only that it lies between sending the request and reading its
answer; so here a request counts from before it is sent until `window` seconds after its answer
(or its failure). The client's count is then never below the server's, whatever the latency,
without a fixed safety margin: on a fast link a request leaves the window milliseconds after
the server's count drops it, on a slow one as late as it must.

Other pipelines of the organization. Didomi's budget is the organization's: other processes
(pipelines on other machines, other tools) spend it too, and each process sees only its own
requests. The server's `RateLimit: limit=L, remaining=R` header says how many requests it
counts in its window; those that are not ours (`L - R` less our own) are another client's, and
our window then holds no more than what they leave (`foreign`, below). So pipelines that did
not split the budget converge on it without each finding the limit by a 429. A pipeline given
a share (`didomi:rateLimit` below Didomi's limit: `33/15` for one of 3) keeps to it, and to the
same share of the deployment slots (`slot_share`).

Publications go first. A notice deployment holds one of Didomi's 3 deployment slots from its
POST until a poll finds it done, so a publication request kept waiting for the window idles a
slot. The requests of a publication (`urgent`) pass every other waiting request, and the others
leave in the window the room that the publications under way will need: at the pace the slots
allow (a POST and a poll per deployment per `deployment_seconds`, on as many slots as this
process takes: 3, or its share), and no more than those publications still need. When nothing
is being published, a request goes as soon as the window has room, as before.

Publications to come. With the engine's `--parallel` above the number of resources, it hands
the provider each deployment a moment after its draft is written (0.8 s measured), by which
time the other drafts' writes have taken the window. A draft's write (`draft`) therefore counts
as a publication to come from its sending until its publication begins, or `EXPECTED` seconds
after its answer; and the writes stop counting so once one such wait has run out with no
publication begun (the engine's default parallelism hands the deployments over only after
every draft: then the writes are not held back beyond the first `EXPECTED` seconds).

Other clients spending the budget: while the server's count shows them, no more than `RESERVE`
requests are in flight at once, so that each decision rests on a count a moment old (a burst
sent on an old count earns 429s), and a publication's requests keep half the reserve (a slot
idles while its poll waits). And the deployment slots are shared as the budget is: while the
others spend at least `OTHERS_FROM` of it, this process takes no more of Didomi's 3 slots than
its part of the requests the server counts, rounded up, and one more while the window has
`SPARE` requests to spare (the slots, not the budget, then hold the publications back)
(`slot_cap`, for `SlotGate`).
"""

from __future__ import annotations

import collections
import math
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from pulumi_didomi.limits import DIDOMI_RATE_LIMIT, MAX_PARALLEL_DEPLOYMENTS

#: Seconds between two looks at the window while a request waits for room that depends on other
#: requests (answers, publications), not on a known expiry time.
RECHECK = 0.02

#: The shortest wait: a full window never lets a request go, even at the very moment its oldest
#: request leaves it (by the clock's rounding).
MIN_WAIT = 0.001

#: Requests a publication sends at least: its POST, and one poll.
REQUESTS_PER_PUBLICATION = 2

#: Seconds after a draft's write is answered during which its publication is expected. The
#: engine (`--parallel` above the resources) hands the deployment over 0.8 s after, measured.
EXPECTED = 3.0

#: The part of the budget other clients must spend for the slots to be shared (`slot_cap`).
OTHERS_FROM = 0.1
#: Requests to spare in the server's window for one slot more than this process's part.
SPARE = 20


def slot_share(
    limit: tuple[int, float], organization: tuple[int, float] = DIDOMI_RATE_LIMIT
) -> int:
    """The deployment slots a pipeline paced at `limit` takes: its share of the organization's
    request budget, applied to Didomi's 3 slots and rounded up (so that the slots are all used:
    2 for a half, 1 for a third or a quarter), at least 1."""
    share = (limit[0] / limit[1]) / (organization[0] / organization[1])
    return max(1, min(MAX_PARALLEL_DEPLOYMENTS, math.ceil(MAX_PARALLEL_DEPLOYMENTS * share - 0.05)))


class RateLimiter:
    """At most `limit` requests per `window` seconds (plus `margin`, for the server's clock
    granularity), counted from before each request is sent until after its answer, and no
    more than the other clients of the organization leave (`observe`).

    One per credentials in a process (`shared_limiter`), so that a large refresh never earns a
    429. `acquire` before sending, `release` once answered or failed.
    """

    #: Requests left to the others when the server's count shows other clients spending the
    #: budget (their requests in flight are not counted yet). Measured in simulation with 2 to
    #: 4 pipelines (`tests/client/pipelines_sim.py`): 3 left 3 to 19 rate-limit 429s per run,
    #: 6 left 0 to 8 and cost no time.
    RESERVE = 6
    #: What a publication's requests leave of it (they are few: 3 slots' POSTs and polls).
    URGENT_RESERVE = 3

    def __init__(
        self, limit: int, window: float, margin: float = 0.05, slots: int | None = None
    ) -> None:
        self.limit = limit
        self.window = window + margin
        #: Deployment slots this process takes at most (its share of Didomi's 3).
        self.slots = slots if slots is not None else slot_share((limit, window))
        #: The server's own limit, as its `RateLimit` header says (Didomi's until it does).
        self.server_limit = max(limit, DIDOMI_RATE_LIMIT[0])
        #: Expected seconds from a deployment's POST to the poll that finds it done (publishing
        #: updates it from what it observes).
        self.deployment_seconds = 1.0
        self._answered: collections.deque[float] = collections.deque()
        self._in_flight = 0
        self._urgent_waiting = 0
        self._publications = 0
        #: Draft writes in flight, and when each answered one stops being a publication to come.
        self._drafts = 0
        self._to_come: collections.deque[float] = collections.deque()
        #: Whether publications follow the drafts' writes (None: not known yet).
        self._follow: bool | None = None
        self._line: collections.deque[threading.Event] = collections.deque()
        self._lock = threading.Lock()
        self._paused_until = 0.0
        #: Requests of other clients the server counted at `_foreign_at` (see `observe`), all
        #: still counted `_foreign_kept` seconds later.
        self._foreign = 0.0
        self._foreign_at = 0.0
        self._foreign_kept = 0.0

    def acquire(
        self,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
        urgent: bool = False,
        draft: bool = False,
    ) -> None:
        """Block until one more request fits in the window, then count it as in flight.

        `urgent`: a publication's request, served before any other waiting request. `draft`:
        a draft's write, which a publication may follow (see the module).
        """
        with self._waiting(urgent), self._turn(urgent):
            while (wait := self.try_acquire(clock(), urgent, draft)) > 0:
                sleep(wait)

    def try_acquire(self, now: float, urgent: bool = False, draft: bool = False) -> float:
        """Count one more request as in flight if it may be sent at `now` (return 0), else
        return the seconds to wait before trying again."""
        with self._lock:
            wait = self._wait(now, urgent, draft)
            if wait <= 0:
                self._in_flight += 1
                self._drafts += draft
                return 0.0
            return wait

    def release(self, now: float, draft: bool = False) -> None:
        """A request counted by `acquire` was answered (or failed) at `now`: it leaves the
        window `window` seconds later (a draft's write: its publication is expected for
        `EXPECTED` seconds)."""
        with self._lock:
            self._in_flight = max(self._in_flight - 1, 0)
            if draft:
                self._drafts = max(self._drafts - 1, 0)
                self._to_come.append(now + EXPECTED)
            # Kept in order (a later time is only ever more cautious).
            self._answered.append(max(now, self._answered[-1]) if self._answered else now)

    @contextmanager
    def publication(self) -> Iterator[None]:
        """A publication under way (waiting for a deployment slot, or publishing): the other
        requests leave room for it."""
        with self._lock:
            self._publications += 1
            if self._to_come:  # a publication of a draft written lately
                self._to_come.popleft()
                self._follow = True
        try:
            yield
        finally:
            with self._lock:
                self._publications -= 1

    @contextmanager
    def _turn(self, urgent: bool) -> Iterator[None]:
        """Ordinary requests wait in line, in the order they came: only the first one looks at
        the window (a hundred waiting requests do not all poll it)."""
        if urgent:
            yield
            return
        mine = threading.Event()
        with self._lock:
            self._line.append(mine)
            first = self._line[0] is mine
        try:
            if not first:
                mine.wait()
            yield
        finally:
            with self._lock:
                self._line.remove(mine)
                if self._line:
                    self._line[0].set()

    @contextmanager
    def _waiting(self, urgent: bool) -> Iterator[None]:
        """An urgent request waiting: the others let it pass."""
        if not urgent:
            yield
            return
        with self._lock:
            self._urgent_waiting += 1
        try:
            yield
        finally:
            with self._lock:
                self._urgent_waiting -= 1

    def pause(self, seconds: float, clock: Callable[[], float]) -> None:
        """Hold every request of these credentials for `seconds` (e.g. after a 429)."""
        with self._lock:
            self._paused_until = max(self._paused_until, clock() + seconds)

    def observe(self, header: str | None, clock: Callable[[], float]) -> None:
        """Follow the server's `RateLimit: limit=N, remaining=R, reset=S` header.

        The budget is per organization, shared with other processes and tools. The server
        counts `N - R` requests in its window; ours are at most what our own window holds (it
        counts each from before its sending until after its answer), so the rest are other
        clients'. Until the next answer says otherwise, our window holds no more than what
        they leave, less a small reserve for their requests in flight; what they spent leaves
        the server's window within `window` seconds, and is forgotten as fast.
        """
        fields = _fields(header)
        remaining = fields.get("remaining")
        if remaining is None:
            return
        now = clock()
        with self._lock:
            limit = int(fields.get("limit", self.server_limit))
            self.server_limit = limit
            ours = self._count(now)
            self._foreign = max(0.0, limit - remaining - ours)
            self._foreign_at = now
            # Nothing leaves the server's window for `reset` seconds (its oldest request).
            self._foreign_kept = min(fields.get("reset", self.window), self.window)

    # -- under the lock ----------------------------------------------------------------------

    def _count(self, now: float) -> int:
        """Requests in the window at `now`: answered within `window` seconds, or in flight."""
        while self._answered and self._answered[0] <= now - self.window:
            self._answered.popleft()
        return len(self._answered) + self._in_flight

    def _foreign_now(self, now: float) -> float:
        """Other clients' requests the server still counts, as last observed: none leaves its
        window before its `reset` (when its oldest request does), and all have left `window`
        seconds after the observation (taken to leave evenly in between)."""
        if not self._foreign:
            return 0.0
        since = now - self._foreign_at - self._foreign_kept
        if since <= 0:
            return self._foreign
        left = 1.0 - since / max(self.window - self._foreign_kept, RECHECK)
        return self._foreign * left if left > 0 else 0.0

    def _limit(self, now: float, urgent: bool = False) -> int:
        """The requests our window may hold at `now`: our limit, or less when other clients
        spend more of the server's budget than our limit leaves them."""
        foreign = self._foreign_now(now)
        if self.limit + foreign <= self.server_limit:
            return self.limit
        reserve = self.URGENT_RESERVE if urgent else self.RESERVE
        return max(1, math.floor(self.server_limit - foreign - reserve))

    def slot_cap(self, now: float) -> int:
        """The deployment slots this process takes now (see the module): its own (`slots`)
        unless other clients spend at least `OTHERS_FROM` of the budget; then its part of the
        requests the server counts, of Didomi's 3 slots, rounded up, and one more while the
        window has `SPARE` requests to spare. Measured in simulation
        (`tests/client/pipelines_sim.py`, 4 pipelines of 40 notices, the plugin at `--parallel`,
        16 seeds): 24 to 27 refused deployment requests instead of 32 to 44, 2.5% less time."""
        with self._lock:
            foreign = self._foreign_now(now)
            if foreign < OTHERS_FROM * self.server_limit:
                return self.slots
            ours = self._count(now)
            part = math.ceil(MAX_PARALLEL_DEPLOYMENTS * ours / (ours + foreign) - 0.05)
            if ours + foreign + SPARE <= self.server_limit:
                part += 1
            return max(1, min(self.slots, part))

    def _coming(self, now: float) -> int:
        """Publications to come: of the drafts being written, and of those written within
        `EXPECTED` seconds whose publication has not begun (none once such a wait ran out
        before any publication followed a draft)."""
        while self._to_come and self._to_come[0] <= now:
            self._to_come.popleft()
            if self._follow is None:
                self._follow = False
        if self._follow is False:
            return 0
        return self._drafts + len(self._to_come)

    def _wait(self, now: float, urgent: bool, draft: bool = False) -> float:
        """Seconds to wait before looking again; 0 or less: the request may go now."""
        wait = self._paused_until - now
        if self._in_flight >= self.RESERVE and self._foreign_now(now):
            # Other clients spend the budget: no more requests at once than the reserve, so
            # that each is sent on a count of theirs a moment old.
            return max(wait, RECHECK)
        limit = self._limit(now, urgent)
        if self._count(now) >= limit:
            # Room comes back when the oldest answered request leaves the window, or when an
            # answer comes for a window that is all in flight (or the others' requests leave).
            expiry = self._answered[0] + self.window - now if self._answered else RECHECK
            if limit < self.limit:
                expiry = min(expiry, RECHECK * 10)
            wait = max(wait, expiry, MIN_WAIT)
        if wait > 0 or urgent:
            return wait
        if self._urgent_waiting or not self._room_for_publications(now, limit, draft):
            return RECHECK
        return 0.0

    def _room_for_publications(self, now: float, limit: int, draft: bool = False) -> bool:
        """Whether one more request now leaves the publications under way and to come (this
        one's too, if it is a draft's write) the room they will need: at every moment of the
        next `window` seconds, the requests still in the window, this one, and the
        publications' requests sent from now on fit in the limit."""
        coming = self._coming(now)
        if draft and self._follow is not False:
            coming += 1
        need = REQUESTS_PER_PUBLICATION * (self._publications + coming)
        if not need:
            return True
        pace = self.slots * REQUESTS_PER_PUBLICATION / self.deployment_seconds
        held = len(self._answered) + self._in_flight
        # At `now`, then just as each answered request leaves the window (the ones after it
        # are still in it), and a window from now (the requests in flight are all still in it).
        moments = [(now, held)]
        moments += [
            (answered + self.window, held - index - 1)
            for index, answered in enumerate(self._answered)
        ]
        moments.append((now + self.window, self._in_flight))
        for moment, still_held in moments:
            publishing = min(need, pace * (moment - now) + self.slots)
            if still_held + 1 + publishing > limit:
                return False
        return True


_LOCK = threading.Lock()
_SHARED: dict[tuple[str, str], RateLimiter] = {}


def shared_limiter(base_url: str, key: str, limit: tuple[int, float]) -> RateLimiter:
    """The process-wide pacing of one set of credentials (one organization's budget)."""
    with _LOCK:
        return _SHARED.setdefault((base_url, key), RateLimiter(*limit))


def _fields(header: str | None) -> dict[str, float]:
    """The numeric fields of a `RateLimit: limit=N, remaining=R, reset=S` header."""
    fields: dict[str, float] = {}
    for part in (header or "").split(","):
        name, _, value = part.strip().partition("=")
        try:
            fields[name.strip().lower()] = float(value)
        except ValueError:
            continue
    return fields
