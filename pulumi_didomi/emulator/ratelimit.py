"""A sliding-window rate limiter: N events per S seconds per key (standalone, no emulator imports).

Didomi limits every organization to 100 requests per 15 seconds; the emulator enforces it with
this class. It has no dependency on the rest of the emulator so it can be shared.
"""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Decision:
    """The outcome of one `SlidingWindowLimiter.acquire`."""

    allowed: bool
    limit: int
    window: float
    #: Events still allowed in the current window after this one.
    remaining: int
    #: Seconds until the oldest counted event leaves the window (the window when none).
    reset_after: float

    @property
    def retry_after(self) -> int:
        """Whole seconds to wait before retrying a refused event (at least 1)."""
        return max(math.ceil(self.reset_after), 1)

    def headers(self) -> dict[str, str]:
        """IETF draft-07 `RateLimit` and `RateLimit-Policy` headers, `Retry-After` if refused."""
        headers = {
            "RateLimit": f"limit={self.limit}, remaining={self.remaining}, "
            f"reset={math.ceil(self.reset_after)}",
            "RateLimit-Policy": f"{self.limit};w={math.ceil(self.window)}",
        }
        if not self.allowed:
            headers["Retry-After"] = str(self.retry_after)
        return headers


class SlidingWindowLimiter:
    """At most `limit` events per `window` seconds for each key, over a sliding window.

    Thread-safe. Refused events are not counted.
    """

    def __init__(
        self, limit: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("a rate limit needs limit >= 1 and window > 0")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._lock = threading.Lock()
        self._events: dict[str, deque[float]] = defaultdict(deque)

    def acquire(self, key: str) -> Decision:
        """Count one event of `key` if the window has room; say whether it was allowed."""
        now = self._clock()
        with self._lock:
            events = self._events[key]
            while events and events[0] <= now - self.window:
                events.popleft()
            reset_after = events[0] + self.window - now if events else self.window
            allowed = len(events) < self.limit
            remaining = max(self.limit - len(events) - 1, 0)
            if allowed:
                events.append(now)
            return Decision(allowed, self.limit, self.window, remaining, reset_after)
