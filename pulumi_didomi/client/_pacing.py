"""Client-side pacing under Didomi's rate limit, shared by every client of the same credentials."""

from __future__ import annotations

import collections
import threading
from collections.abc import Callable


class RateLimiter:
    """Client-side pacing under Didomi's limit: at most `limit` requests per `window` seconds.

    A sliding window like the server's, slightly stricter (`margin` seconds longer), shared by
    every client of the same credentials in the process, so a large refresh never earns a 429.
    """

    #: Requests kept in reserve when the server's count shows another client sharing the budget
    #: (its requests may be in flight).
    RESERVE = 5

    def __init__(self, limit: int, window: float, margin: float = 0.25) -> None:
        self.limit = limit
        self.window = window + margin
        self._sent: collections.deque[float] = collections.deque()
        self._lock = threading.Lock()
        self._paused_until = 0.0

    def acquire(self, clock: Callable[[], float], sleep: Callable[[float], None]) -> None:
        """Block until one more request fits in the window, then count it."""
        while True:
            with self._lock:
                now = clock()
                while self._sent and self._sent[0] <= now - self.window:
                    self._sent.popleft()
                if now >= self._paused_until and len(self._sent) < self.limit:
                    self._sent.append(now)
                    return
                wait = max(self._paused_until - now, 0.0)
                if len(self._sent) >= self.limit:
                    wait = max(wait, self._sent[0] + self.window - now)
            sleep(max(wait, 0.001))

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
            now = clock()
            ours = sum(1 for sent in self._sent if sent > now - self.window)
        # The server counts `limit - remaining` requests in its window. When they are all ours
        # (ours counted from before they were sent, over a longer window), our own window
        # already paces the rest to the request: pausing until the server's whole-second
        # reset would only idle up to a second, and then leave 5 requests of the window unused.
        if fields.get("limit", self.limit) - remaining > ours:
            self.pause(reset, clock)


_LOCK = threading.Lock()
_SHARED: dict[tuple[str, str], RateLimiter] = {}


def shared_limiter(base_url: str, key: str, limit: tuple[int, float]) -> RateLimiter:
    """The process-wide pacing of one set of credentials (one organization's budget)."""
    with _LOCK:
        return _SHARED.setdefault((base_url, key), RateLimiter(*limit))
