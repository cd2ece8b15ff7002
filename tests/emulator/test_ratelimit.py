"""The emulator's sliding-window rate limiter (a standalone class), with a fake clock."""

from __future__ import annotations

import pytest

from pulumi_didomi.emulator.ratelimit import SlidingWindowLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_sliding_window_per_key_and_headers() -> None:
    clock = Clock()
    limiter = SlidingWindowLimiter(3, 15.0, clock)
    decisions = []
    for _ in range(3):
        decisions.append(limiter.acquire("org-a"))
        clock.now += 1
    assert [d.allowed for d in decisions] == [True, True, True]
    assert [d.remaining for d in decisions] == [2, 1, 0]
    assert decisions[0].headers() == {
        "RateLimit": "limit=3, remaining=2, reset=15",
        "RateLimit-Policy": "3;w=15",
    }
    refused = limiter.acquire("org-a")  # at 1003: the first event leaves at 1015
    assert not refused.allowed and refused.remaining == 0
    assert refused.retry_after == 12 and refused.headers()["Retry-After"] == "12"
    assert limiter.acquire("org-b").allowed  # each key has its own window
    clock.now = 1015.0  # the first event has left the window; refusals were not counted
    assert limiter.acquire("org-a").allowed
    assert not limiter.acquire("org-a").allowed


def test_retry_after_is_at_least_one_second() -> None:
    clock = Clock()
    limiter = SlidingWindowLimiter(1, 0.5, clock)
    assert limiter.acquire("k").allowed
    clock.now += 0.4
    assert limiter.acquire("k").retry_after == 1


def test_rejects_a_meaningless_limit() -> None:
    with pytest.raises(ValueError):
        SlidingWindowLimiter(0, 15)
