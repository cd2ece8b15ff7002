"""What every group of endpoints builds on: settings, the request layer, one call helper."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from pulumi_didomi.limits import (
    DEFAULT_API_URL,
    DIDOMI_RATE_LIMIT,
    MAX_PARALLEL_DEPLOYMENTS,
    PAGE_SIZE,
)

from ._pacing import RateLimiter, shared_limiter
from ._remote import RemoteLimiter, paced_together
from ._retry import Retrier, RetryPolicy
from ._sending import Call, Sender, api_error
from ._session import TOKENS, DidomiAuth, TokenCache
from .errors import ConfigurationError, register_secret

#: Didomi's request rate per organization: a client paced at it splits nothing with others.
ORGANIZATION_RATE = DIDOMI_RATE_LIMIT[0] / DIDOMI_RATE_LIMIT[1]


class ClientBase:
    """Settings, connections and the one request helper of `DidomiClient` (see there)."""

    def __init__(
        self,
        api_key: str,
        api_secret: str,
        *,
        base_url: str = DEFAULT_API_URL,
        organization_id: str | None = None,
        retry: RetryPolicy | None = None,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
        tokens: TokenCache | None = None,
        rate_limit: tuple[int, float] | None = DIDOMI_RATE_LIMIT,
        sleep: Callable[[float], None] = time.sleep,
        coordinate: bool = False,
    ) -> None:
        if not api_key or not api_secret:
            raise ConfigurationError("a Didomi API key and secret are required")
        if not base_url.startswith(("http://", "https://")):
            raise ConfigurationError(
                f"the Didomi API URL must start with http:// or https://, got {base_url!r}"
            )
        register_secret(api_secret)
        self.base_url = base_url.rstrip("/")
        self.organization_id = organization_id
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._retrier = Retrier(self.retry, sleep)
        self._limiter: RateLimiter | RemoteLimiter | None = None
        if rate_limit:
            self._limiter = shared_limiter(self.base_url, api_key, rate_limit)
            if coordinate and rate_limit[0] / rate_limit[1] >= ORGANIZATION_RATE:
                # Unsplit: paced with the machine's other pipelines (`_coordination`).
                self._limiter = paced_together(self.base_url, api_key, rate_limit, self._limiter)
        #: The deployment slots of an organization this process takes at most: its share of
        #: Didomi's 3, as its rate limit is of the organization's (`_pacing.slot_share`).
        self._slots = self._limiter.slots if self._limiter else MAX_PARALLEL_DEPLOYMENTS
        self._sender = Sender(
            self.base_url, self._retrier, self._limiter, timeout=timeout, transport=transport
        )
        self._auth = DidomiAuth(
            self.base_url,
            api_key,
            api_secret,
            tokens or TOKENS,
            lambda body: self._send("POST", "/sessions", json=body, authenticated=False),
        )
        self._local = threading.local()

    @property
    def calls(self) -> Counter[str]:
        """Requests sent per route (`GET /widgets/notices/{id}`), retries included."""
        return self._sender.calls

    @property
    def retries(self) -> int:
        """Retries waited for."""
        return self._retrier.count

    @property
    def rate_limited(self) -> int:
        """429 answers received."""
        return self._sender.rate_limited

    @property
    def last_attempts(self) -> int:
        """How many times this thread's last request was sent (retries included): a PATCH that
        committed before its connection dropped is applied again by the retry."""
        return int(getattr(self._local, "attempts", 1))

    def _send(
        self,
        method: str,
        route: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        authenticated: bool = True,
        idempotent: bool = True,
        versioned: bool = False,
        path: dict[str, str] | None = None,
        slot_refusals: bool = False,
        draft: bool = False,
    ) -> httpx.Response:
        """Send `method` to the path template `route` filled with `path` (counted under
        `"{method} {route}"`); the final response, whatever its status. `versioned` sends
        Didomi's header `v: 2`; `slot_refusals`: a 429 refusing a deployment slot is returned
        at once (the caller waits for a slot), not retried here; `draft`: a notice draft's
        write, which a publication may follow (`_pacing`)."""
        call = Call(
            f"{method} {route}",
            route.format(**(path or {})),
            idempotent,
            urgent=getattr(self._local, "urgent", False),
            slot_refusals=slot_refusals,
            draft=draft,
        )
        response = self._sender.send(
            call,
            method,
            params=params,
            json=json,
            headers={"v": "2"} if versioned else None,
            auth=self._auth if authenticated else None,
        )
        self._local.attempts = call.attempts
        return response

    @contextmanager
    def _publishing(self) -> Iterator[None]:
        """A publication under way in this thread: its requests go before the others, which
        leave it room in the rate limit (see `_pacing`)."""
        if self._limiter is None:
            yield
            return
        self._local.urgent = True
        try:
            with self._limiter.publication():
                yield
        finally:
            self._local.urgent = False

    def _call(
        self,
        method: str,
        route: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        versioned: bool = False,
        draft: bool = False,
        **path: str,
    ) -> Any:
        """One logical call, e.g. `_call("GET", "/widgets/notices/{id}", id=notice_id)`:
        retried, then the JSON body or a typed error (`draft`: see `_send`)."""
        response = self._send(
            method, route, params=params, json=json, versioned=versioned, path=path, draft=draft
        )
        if response.status_code >= 400:
            raise api_error(response)
        return response.json()

    def _pages(
        self, route: str, params: dict[str, Any], versioned: bool = False
    ) -> Iterator[dict[str, Any]]:
        """Every item of a list route, page by page (`$limit`/`$skip`), envelope or array."""
        skip = 0
        while True:
            page = self._call(
                "GET",
                route,
                params={**params, "$limit": PAGE_SIZE, "$skip": skip},
                versioned=versioned,
            )
            items = page_items(page)
            yield from items
            skip += len(items)
            total = None if isinstance(page, list) else page.get("total")
            if not items or len(items) < PAGE_SIZE or (total is not None and skip >= total):
                return

    def _org(self, organization_id: str | None) -> str:
        org = organization_id or self.organization_id
        if not org:
            raise ConfigurationError(
                "no Didomi organization id: set didomi:organizationId (or "
                "DIDOMI_ORGANIZATION_ID), or pass organization_id"
            )
        return org


def page_items(page: Any) -> list[dict[str, Any]]:
    """The items of a list response: Didomi's `{total, limit, skip, data}` envelope or an array."""
    items: list[dict[str, Any]] = page if isinstance(page, list) else page.get("data", [])
    return items
