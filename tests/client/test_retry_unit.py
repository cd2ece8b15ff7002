"""Unit tests of the retry decisions and token handling (fakes, in addition to the e2e tests)."""

from __future__ import annotations

import base64
import json
import random
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import httpx
import pytest

from pulumi_didomi.client import APIError, DidomiClient, RetryPolicy, ServerError
from pulumi_didomi.client._retry import _should_retry, parse_retry_after
from pulumi_didomi.client._session import TokenCache, token_expiry


def test_parse_retry_after_seconds_and_http_date() -> None:
    now = datetime(2026, 11, 22, 12, 0, 0, tzinfo=timezone.utc)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(format_datetime(now + timedelta(seconds=30)), now) == 30.0
    assert parse_retry_after(format_datetime(now - timedelta(seconds=30)), now) == 0.0
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422, 500])
def test_client_errors_are_never_retried(status: int) -> None:
    assert not _should_retry(status=status, idempotent=True)


def test_retry_matrix() -> None:
    for status in (429, 502, 503, 504):
        assert _should_retry(status=status, idempotent=True)
    assert _should_retry(status=429, idempotent=False)  # refused before processing
    assert not _should_retry(status=503, idempotent=False)  # ambiguous: reconcile first
    request = httpx.Request("POST", "http://x")
    assert _should_retry(error=httpx.ConnectError("x", request=request), idempotent=False)
    assert not _should_retry(error=httpx.ReadTimeout("x", request=request), idempotent=False)
    assert _should_retry(error=httpx.ReadTimeout("x", request=request), idempotent=True)


def test_backoff_is_full_jitter_and_capped() -> None:
    policy = RetryPolicy(backoff_base=1, backoff_cap=8)
    rng = random.Random(3)
    samples = [policy.backoff(attempt, rng) for attempt in range(1, 10) for _ in range(50)]
    assert min(samples) >= 0 and max(samples) <= 8
    assert max(policy.backoff(1, rng) for _ in range(100)) <= 1


def _jwt(exp: float) -> str:
    claims = base64.urlsafe_b64encode(json.dumps({"exp": exp}).encode()).decode().rstrip("=")
    return f"eyJhbGciOiJIUzI1NiJ9.{claims}.c2ln"


def test_token_expiry_and_early_refresh() -> None:
    assert token_expiry(_jwt(1234.5), 0) == 1234.5
    assert token_expiry("opaque", 100) == 3700
    cache = TokenCache()
    minted: list[str] = []

    def mint() -> str:
        minted.append(_jwt(9e12))
        return minted[-1]

    first = cache.get("u", "k", "s", mint)
    assert cache.get("u", "k", "s", mint) == first and len(minted) == 1
    cache.get("u", "k", "s", mint, stale=first)
    assert len(minted) == 2


def test_status_errors_with_mock_transport() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(f"{request.method} {request.url.path}")
        if request.url.path == "/sessions":
            return httpx.Response(201, json={"access_token": _jwt(9e12)})
        if request.url.path.endswith("/gone"):
            return httpx.Response(409, json={"name": "Conflict", "message": "nope", "code": 409})
        return httpx.Response(503, json={"name": "Unavailable", "message": "down"})

    client = DidomiClient(
        "k",
        "s3cr3t-value",
        base_url="http://didomi.test",
        tokens=TokenCache(),
        transport=httpx.MockTransport(handler),
        retry=RetryPolicy(max_attempts=3),
        sleep=lambda _: None,
    )
    with pytest.raises(APIError) as info:
        client.get_notice("gone")
    assert info.value.status == 409 and calls.count("GET /widgets/notices/gone") == 1
    with pytest.raises(ServerError):
        client.get_notice("x")
    assert calls.count("GET /widgets/notices/x") == 3  # bounded attempts
