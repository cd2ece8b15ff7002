"""The request layer: every request a client sends is paced, counted and retried here.

Layers, outermost first, as httpx composes them:

1. `Sender.send`: retries (`_should_retry` decides, `Retrier` bounds and waits); an ambiguous
   outcome of a request that must not be resent raises `AmbiguousOutcome` for the caller to
   reconcile.
2. httpx's auth flow (`DidomiAuth`): the token, and one re-login and replay after a 401.
3. httpx's event hooks (`Sender._before`, `Sender._after`): each request actually sent waits
   for the credentials' shared pacing (a publication's first) and is counted under its route;
   its answer (or failure) starts its time out of the pacing window; each response's
   `RateLimit` header and 429s adjust the pacing.
4. The transport (the network, or a test's `httpx.MockTransport`).
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from ._pacing import RateLimiter
from ._remote import RemoteLimiter
from ._retry import Retrier, _should_retry, parse_retry_after
from .errors import APIError, TransportError, error_for_status

log = logging.getLogger("pulumi_didomi.client")

#: The request extension that carries a request's `Call` through httpx to the event hooks.
CALL = "didomi.call"

#: Up to this many seconds are added at random to the pause after a rate-limit 429.
PAUSE_JITTER = 0.5


@dataclass
class Call:
    """One logical API call: its route (the counter key, e.g. `GET /widgets/notices/{id}`), the
    path it names in messages (never the query), whether resending it is safe, and how many
    times it was sent (retries and the replay after a 401 included)."""

    route: str
    path: str
    idempotent: bool = True
    #: A publication's request: paced before the others.
    urgent: bool = False
    #: A draft's write, which a publication may follow (the pacing leaves room for it).
    draft: bool = False
    #: A 429 refusing a deployment slot (not the rate limit's) is the caller's to wait out (a
    #: notice deployment's POST: `publishing` waits for a slot); it is returned as is.
    slot_refusals: bool = False
    attempts: int = 0
    started: float = field(default_factory=time.monotonic)
    sent_at: float = 0.0
    #: Counted in the pacing window and not answered yet.
    pacing: bool = False


class AmbiguousOutcome(Exception):
    """A non-idempotent request was sent, but no clear answer came back: it may have worked."""

    def __init__(self, cause: str) -> None:
        super().__init__(cause)
        self.cause = cause


class Sender:
    """One client's HTTP connections, with pacing, per-route counts and retries.

    `calls` counts requests per route; `rate_limited` counts 429 answers.
    """

    def __init__(
        self,
        base_url: str,
        retrier: Retrier,
        limiter: RateLimiter | RemoteLimiter | None,
        *,
        timeout: float,
        transport: httpx.BaseTransport | None,
    ) -> None:
        self.base_url = base_url
        self.calls: Counter[str] = Counter()
        self.rate_limited = 0
        self._retrier = retrier
        self._limiter = limiter
        self._lock = threading.Lock()
        self._http = httpx.Client(
            base_url=base_url,
            timeout=timeout,
            transport=transport,
            event_hooks={"request": [self._before], "response": [self._after]},
        )

    def close(self) -> None:
        """Close the HTTP connections."""
        self._http.close()

    def send(
        self,
        call: Call,
        method: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
        auth: httpx.Auth | None = None,
    ) -> httpx.Response:
        """Send `call` until it gets a final answer; return that response, whatever its status.

        Raises `TransportError` when the API cannot be reached within the retry budget, and
        `AmbiguousOutcome` when a non-idempotent request may have been applied.
        """
        request = self._http.build_request(
            method, call.path, params=params, json=json, headers=headers, extensions={CALL: call}
        )
        while True:
            try:
                response = self._http.send(request, auth=auth)
            except BaseException as exc:
                self._answered(call)
                if not isinstance(exc, httpx.TransportError):
                    raise
                kind = type(exc).__name__
                log.debug("%s %s -> %s (attempt %d)", method, call.path, kind, call.attempts)
                if not _should_retry(error=exc, idempotent=call.idempotent):
                    raise AmbiguousOutcome(f"{kind} after the request was sent") from None
                if not self._retrier.may_retry(call.attempts, call.started):
                    raise TransportError(
                        f"could not reach the Didomi API at {self.base_url} ({method} "
                        f"{call.path}): {kind} after {call.attempts} attempts; check "
                        "didomi:apiUrl and the network"
                    ) from None
                self._retrier.wait(call.attempts)
                continue
            status = response.status_code
            if status == 429 and call.slot_refusals and _refused_a_slot(response):
                return response
            if _should_retry(status=status, idempotent=call.idempotent):
                if not self._retrier.may_retry(call.attempts, call.started, status == 429):
                    return response
                self._retrier.wait(call.attempts, response.headers.get("Retry-After"))
                continue
            if not call.idempotent and status in (502, 503, 504):
                raise AmbiguousOutcome(f"{status} after the request was sent")
            return response

    def _before(self, request: httpx.Request) -> None:
        call: Call = request.extensions[CALL]
        if self._limiter is not None:
            self._limiter.acquire(
                time.monotonic, self._retrier.sleep, urgent=call.urgent, draft=call.draft
            )
            call.pacing = True
        with self._lock:
            self.calls[call.route] += 1
        call.attempts += 1
        call.sent_at = time.monotonic()

    def _answered(self, call: Call) -> None:
        """The request sent last for `call` is answered or failed: its time out of the pacing
        window starts now."""
        if call.pacing and self._limiter is not None:
            call.pacing = False
            self._limiter.release(time.monotonic(), draft=call.draft)

    def _after(self, response: httpx.Response) -> None:
        call: Call = response.request.extensions[CALL]
        self._answered(call)
        status = response.status_code
        elapsed = (time.monotonic() - call.sent_at) * 1000
        log.debug("%s %s -> %d (%.0f ms)", response.request.method, call.path, status, elapsed)
        if status == 429:
            with self._lock:
                self.rate_limited += 1
        if self._limiter is not None:
            self._limiter.observe(response.headers.get("RateLimit"), time.monotonic)
            if status == 429:
                response.read()  # the error body (the hooks run before httpx reads it)
            if status == 429 and not _refused_a_slot(response):
                # The organization's request budget is spent: every request of these
                # credentials waits (with jitter, so that the pipelines refused at the same
                # moment do not all come back at once).
                after = parse_retry_after(response.headers.get("Retry-After"))
                pause = min(after or 1.0, self._retrier.policy.max_retry_after)
                self._limiter.pause(pause + random.uniform(0, PAUSE_JITTER), time.monotonic)


def _refused_a_slot(response: httpx.Response) -> bool:
    """Whether a 429 refused a deployment for want of a free deployment slot (the request was
    within the rate limit), rather than for the organization's request budget."""
    return refused_a_slot(response.headers.get("RateLimit"), response_body(response))


def refused_a_slot(rate_limit: str | None, body: dict[str, Any]) -> bool:
    """Whether a 429 with this `RateLimit` header and error body is Didomi's deployment quota
    (3 notice deployments at once) rather than its rate limit. Didomi documents neither the
    quota's answer nor a way to tell them apart; its rate limit answers with nothing left
    (`remaining=0`), and its message names what was refused."""
    message = str(body.get("message", "")).lower()
    if "rate limit" in message or message.strip(" .:") == "too many requests":
        return False
    if "deployment" in message:
        return True
    remaining = _header_field(rate_limit, "remaining")
    return remaining is not None and remaining > 0


def _header_field(header: str | None, name: str) -> float | None:
    for part in (header or "").split(","):
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == name:
            try:
                return float(value)
            except ValueError:
                return None
    return None


def response_body(response: httpx.Response) -> dict[str, Any]:
    """Didomi's error body (`name`, `message`...), or a stand-in when it is not JSON."""
    try:
        data = response.json()
    except ValueError:
        return {"message": response.reason_phrase or f"HTTP {response.status_code}"}
    return data if isinstance(data, dict) else {"message": str(data)[:200]}


def api_error(response: httpx.Response, path: str | None = None) -> APIError:
    """The typed error of an error response, naming its method and path (its call's path
    unless given)."""
    request = response.request
    return error_for_status(
        request.method,
        path if path is not None else request.extensions[CALL].path,
        response.status_code,
        response_body(response),
        parse_retry_after(response.headers.get("Retry-After")),
    )
