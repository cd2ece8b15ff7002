"""Client-side pacing under Didomi's rate limit, shared by every client of the same credentials.

Didomi counts at most 100 requests per 15 s per organization, each at the time it arrives. The
client cannot know that time, only that it lies between sending the request and reading its
answer; so here a request counts from before it is sent until `window` seconds after its answer
(or its failure). The client's count is then never below the server's, whatever the latency,
without a fixed safety margin: on a fast link a request leaves the window milliseconds after
the server's count drops it, on a slow one as late as it must.

Publications go first. A notice deployment holds one of Didomi's 3 deployment slots from its
POST until a poll finds it done, so a publication request kept waiting for the window idles a
slot. The requests of a publication (`urgent`) pass every other waiting request, and the others
leave in the window the room that the publications under way will need: at the pace the slots
allow (a POST and a poll per deployment per `deployment_seconds`, 3 at once), and no more than
those publications still need. When nothing is being published, a request goes as soon as the
window has room, as before.
"""

from __future__ import annotations

import collections
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from pulumi_didomi.limits import MAX_PARALLEL_DEPLOYMENTS

#: Seconds between two looks at the window while a request waits for room that depends on other
#: requests (answers, publications), not on a known expiry time.
RECHECK = 0.02

#: The shortest wait: a full window never lets a request go, even at the very moment its oldest
#: request leaves it (by the clock's rounding).
MIN_WAIT = 0.001

#: Requests a publication sends at least: its POST, and one poll.
REQUESTS_PER_PUBLICATION = 2


class RateLimiter:
    """At most `limit` requests per `window` seconds (plus `margin`, for the server's clock
    granularity), counted from before each request is sent until after its answer.

    One per credentials in a process (`shared_limiter`), so that a large refresh never earns a
    429. `acquire` before sending, `release` once answered or failed.
    """

    #: Requests kept in reserve when the server's count shows another client sharing the budget
    #: (its requests may be in flight).
    RESERVE = 5

    def __init__(self, limit: int, window: float, margin: float = 0.05) -> None:
        self.limit = limit
        self.window = window + margin
        #: Expected seconds from a deployment's POST to the poll that finds it done (publishing
        #: updates it from what it observes).
        self.deployment_seconds = 1.0
        self._answered: collections.deque[float] = collections.deque()
        self._in_flight = 0
        self._urgent_waiting = 0
        self._publications = 0
        self._line: collections.deque[threading.Event] = collections.deque()
        self._lock = threading.Lock()
        self._paused_until = 0.0

    def acquire(
        self, clock: Callable[[], float], sleep: Callable[[float], None], urgent: bool = False
    ) -> None:
        """Block until one more request fits in the window, then count it as in flight.

        `urgent`: a publication's request, served before any other waiting request.
        """
        with self._waiting(urgent), self._turn(urgent):
            while (wait := self.try_acquire(clock(), urgent)) > 0:
                sleep(wait)

    def try_acquire(self, now: float, urgent: bool = False) -> float:
        """Count one more request as in flight if it may be sent at `now` (return 0), else
        return the seconds to wait before trying again."""
        with self._lock:
            wait = self._wait(now, urgent)
            if wait <= 0:
                self._in_flight += 1
                return 0.0
            return wait

    def release(self, now: float) -> None:
        """A request counted by `acquire` was answered (or failed) at `now`: it leaves the
        window `window` seconds later."""
        with self._lock:
            self._in_flight = max(self._in_flight - 1, 0)
            # Kept in order (a later time is only ever more cautious).
            self._answered.append(max(now, self._answered[-1]) if self._answered else now)

    @contextmanager
    def publication(self) -> Iterator[None]:
        """A publication under way (waiting for a deployment slot, or publishing): the other
        requests leave room for it."""
        with self._lock:
            self._publications += 1
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

        The budget is per organization, shared with other processes and tools: when the
        server says it is nearly spent and counts requests that are not ours, wait for its
        reset instead of earning a 429.
        """
        if not header:
            return
        fields: dict[str, float] = {}
        for part in header.split(","):
            name, _, value = part.strip().partition("=")
            try:
                fields[name.strip().lower()] = float(value)
            except ValueError:
                continue
        remaining, reset = fields.get("remaining"), fields.get("reset")
        if remaining is None or reset is None or remaining > self.RESERVE:
            return
        with self._lock:
            ours = self._count(clock())
        # The server counts `limit - remaining` requests in its window. When they are all ours
        # (ours counted from before they were sent until after their answers), our own window
        # already paces the rest to the request: pausing until the server's whole-second reset
        # would only idle up to a second, and then leave 5 requests of the window unused.
        if fields.get("limit", self.limit) - remaining > ours:
            self.pause(reset, clock)

    # -- under the lock ----------------------------------------------------------------------

    def _count(self, now: float) -> int:
        """Requests in the window at `now`: answered within `window` seconds, or in flight."""
        while self._answered and self._answered[0] <= now - self.window:
            self._answered.popleft()
        return len(self._answered) + self._in_flight

    def _wait(self, now: float, urgent: bool) -> float:
        """Seconds to wait before looking again; 0 or less: the request may go now."""
        wait = self._paused_until - now
        if self._count(now) >= self.limit:
            # Room comes back when the oldest answered request leaves the window, or when an
            # answer comes for a window that is all in flight.
            expiry = self._answered[0] + self.window - now if self._answered else RECHECK
            wait = max(wait, expiry, MIN_WAIT)
        if wait > 0 or urgent:
            return wait
        if self._urgent_waiting or not self._room_for_publications(now):
            return RECHECK
        return 0.0

    def _room_for_publications(self, now: float) -> bool:
        """Whether one more request now leaves the publications under way the room they will
        need: at every moment of the next `window` seconds, the requests still in the window,
        this one, and the publications' requests sent from now on fit in the limit."""
        need = REQUESTS_PER_PUBLICATION * self._publications
        if not need:
            return True
        pace = MAX_PARALLEL_DEPLOYMENTS * REQUESTS_PER_PUBLICATION / self.deployment_seconds
        held = len(self._answered) + self._in_flight
        # At `now`, then just as each answered request leaves the window (the ones after it
        # are still in it).
        moments = [(now, held)]
        moments += [
            (answered + self.window, held - index - 1)
            for index, answered in enumerate(self._answered)
        ]
        for moment, still_held in moments:
            publishing = min(need, pace * (moment - now) + MAX_PARALLEL_DEPLOYMENTS)
            if still_held + 1 + publishing > self.limit:
                return False
        return True


_LOCK = threading.Lock()
_SHARED: dict[tuple[str, str], RateLimiter] = {}


def shared_limiter(base_url: str, key: str, limit: tuple[int, float]) -> RateLimiter:
    """The process-wide pacing of one set of credentials (one organization's budget)."""
    with _LOCK:
        return _SHARED.setdefault((base_url, key), RateLimiter(*limit))
