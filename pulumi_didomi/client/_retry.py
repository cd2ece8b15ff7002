"""Retry decisions in one place: what is retried, how long to wait."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

import httpx

#: Statuses worth another attempt: the rate limit and the gateway-class server errors.
RETRY_STATUSES = frozenset({429, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """How hard the client tries: attempts and total time are both bounded."""

    max_attempts: int = 8
    max_elapsed: float = 180.0
    backoff_base: float = 0.25
    backoff_cap: float = 8.0
    max_retry_after: float = 60.0

    def backoff(self, attempt: int, rng: random.Random | None = None) -> float:
        """Exponential backoff with full jitter for attempt number `attempt` (1-based)."""
        ceiling = min(self.backoff_cap, self.backoff_base * (2 ** (attempt - 1)))
        return (rng or random).uniform(0, ceiling)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


def request_was_not_sent(exc: httpx.TransportError) -> bool:
    """True when the request certainly never reached the server (safe to resend anything)."""
    return isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))


def _should_retry(
    *,
    status: int | None = None,
    error: httpx.TransportError | None = None,
    idempotent: bool = True,
) -> bool:
    """Whether an attempt that ended this way may simply be repeated.

    Non-idempotent requests (publishing) are only repeated when they certainly did not take
    effect: a connection that never opened, or a 429 (refused before processing). Anything
    ambiguous is for the caller to reconcile first.
    """
    if error is not None:
        return idempotent or request_was_not_sent(error)
    if status is None:
        return False
    if status == 429:
        return True
    return idempotent and status in RETRY_STATUSES


class RateLimiter:
    """Client-side pacing under Didomi's limit: at most `limit` requests per `window` seconds.

    A sliding window like the server's, slightly stricter (`margin` seconds longer), shared by
    every client of the same credentials in the process, so a large refresh never earns a 429.
    """

    #: Requests kept in reserve when the server says how many remain (others may be in flight).
    RESERVE = 5

    def __init__(self, limit: int, window: float, margin: float = 0.25) -> None:
        import collections
        import threading

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
        server says it is nearly spent, wait for its reset instead of earning a 429.
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
        if remaining is not None and reset is not None and remaining <= self.RESERVE:
            self.pause(reset, clock)
