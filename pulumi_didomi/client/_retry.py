"""Retry decisions in one place: what is retried, how often, how long to wait."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

import httpx

#: Statuses worth another attempt: the rate limit and the gateway-class server errors.
RETRY_STATUSES = frozenset({429, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """How hard the client tries: attempts and total time are both bounded.

    A 429 is not a failed attempt: Didomi answered, and said when to come back. It is waited
    out (its `Retry-After` honoured) for as long as the call's time allows (`max_elapsed`, or
    a publication's own `timeout`), whatever the number of attempts.
    """

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


class Retrier:
    """One client's retries: bounded attempts and time, jittered backoff, `Retry-After` honoured.

    Shared by the request layer (every call) and publishing (its reconciling loop); `count` is
    how many retries it has waited for.
    """

    def __init__(self, policy: RetryPolicy, sleep: Callable[[float], None]) -> None:
        self.policy = policy
        self.sleep = sleep
        self.count = 0
        self._lock = threading.Lock()

    def may_retry(self, attempt: int, started: float, throttled: bool = False) -> bool:
        """Whether attempt number `attempt` of a call begun at `started` (monotonic) may be
        followed by another; `throttled`: it was answered 429, which only time bounds."""
        in_time = time.monotonic() - started < self.policy.max_elapsed
        return in_time and (throttled or attempt < self.policy.max_attempts)

    def wait(self, attempt: int, retry_after: str | None = None) -> None:
        """Sleep before the next attempt: the server's `Retry-After` (capped, plus a little
        jitter) when it gave one, else the backoff of `attempt`."""
        delay = self.policy.backoff(attempt)
        after = parse_retry_after(retry_after)
        if after is not None:
            delay = min(after, self.policy.max_retry_after) + self.policy.backoff(1)
        with self._lock:
            self.count += 1
        self.sleep(delay)
