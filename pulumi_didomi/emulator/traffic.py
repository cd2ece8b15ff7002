"""What happens to each request before the routes: statistics, the rate limit, faults."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from fastapi.responses import JSONResponse
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .auth import Tokens
from .errors import error_body
from .ratelimit import SlidingWindowLimiter
from .settings import FaultSettings
from .stats import Stats

#: Paths the middleware leaves alone: operator routes and the OpenAPI document.
_EXEMPT_PREFIXES = ("/_emulator", "/docs")
_EXEMPT_PATHS = ("/openapi.json",)


@dataclass
class Faults:
    """The fault injection in force (changed at run time by `/_emulator/faults`) and its dice."""

    settings: FaultSettings = field(default_factory=FaultSettings)
    dice: random.Random = field(default_factory=random.Random)


class _Dropped(Exception):
    """The connection was dropped on purpose (fault injection)."""


class FaultsAndStats:
    """ASGI middleware: counts requests, applies the rate limit and injects faults."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        tokens: Tokens,
        limiter: SlidingWindowLimiter | None,
        stats: Stats,
        faults: Faults,
        routes: Iterable[BaseRoute],
    ) -> None:
        self.app = app
        self.tokens = tokens
        self.limiter = limiter
        self.stats = stats
        self.faults = faults
        self.routes = [r for r in routes if isinstance(r, Route)]

    def route_template(self, scope: Scope) -> str:
        """`METHOD /route/{template}` of a request, the same with or without `/v1`."""
        path = str(scope["path"])
        if path.startswith("/v1/"):
            path = path[3:]
        method = str(scope["method"])
        for route in self.routes:
            if route.methods and method in route.methods and route.path_regex.match(path):
                return f"{method} {route.path}"
        return f"{method} {path}"

    def organization_of(self, scope: Scope) -> str | None:
        """The organization a request's token speaks for (its first), if the token is valid."""
        for name, value in scope.get("headers", []):
            if name == b"authorization":
                return self.tokens.organization_of(value.decode(errors="replace"))
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if scope["type"] != "http" or path.startswith(_EXEMPT_PREFIXES) or path in _EXEMPT_PATHS:
            await self.app(scope, receive, send)
            return
        route = self.route_template(scope)
        started = time.time()
        status_holder = {"status": 0}
        faults, dice = self.faults.settings, self.faults.dice
        limit_headers: dict[str, str] = {}

        async def send_counted(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = int(message["status"])
                if limit_headers:  # Didomi sends them on every rate-limited route
                    names = {k.lower() for k, _ in message.get("headers", [])}
                    extra = [
                        (k.lower().encode(), v.encode())
                        for k, v in limit_headers.items()
                        if k.lower().encode() not in names and k != "Retry-After"
                    ]
                    message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        async def respond(status: int, message: str, headers: dict[str, str]) -> None:
            response = JSONResponse(error_body(status, message), status, headers=headers)
            await response(scope, receive, send_counted)

        try:
            if faults.latency_ms:
                await asyncio.sleep(faults.latency_ms / 1000)
            org = self.organization_of(scope)
            if org is not None and self.limiter is not None:
                decision = self.limiter.acquire(org)
                limit_headers.update(decision.headers())
                if not decision.allowed:
                    self.stats.fault("rate_limited")
                    await respond(429, "Too many requests: rate limit exceeded", limit_headers)
                    return
            in_scope = faults.routes is None or route in faults.routes
            drop_after = False
            if in_scope:
                roll = dice.random()
                if roll < faults.error_rate:
                    self.stats.fault("error")
                    await respond(dice.choice([502, 503, 504]), "Injected server error", {})
                    return
                roll -= faults.error_rate
                if roll < faults.rate_limit_rate:
                    self.stats.fault("429")
                    await respond(429, "Too many requests", {"Retry-After": "1"})
                    return
                roll -= faults.rate_limit_rate
                if roll < faults.drop_rate:
                    if dice.random() < 0.5:
                        self.stats.fault("drop_before")
                        self.drop(scope)
                    drop_after = True
            commit_then_fail = (
                route in faults.commit_then_fail_routes
                and dice.random() < faults.commit_then_fail_rate
            )
            if drop_after or commit_then_fail:
                await self.app(scope, receive, self._swallow(status_holder))
                if status_holder["status"] < 400:
                    if drop_after:
                        self.stats.fault("drop_after")
                        self.drop(scope)
                    self.stats.fault("commit_then_fail")
                    await respond(502, "Bad gateway (injected after the write committed)", {})
                    return
                await respond(status_holder["status"], "request failed", {})
                return
            await self.app(scope, receive, send_counted)
        except _Dropped:
            status_holder["status"] = 0
            return
        finally:
            self.stats.record(route, status_holder["status"], started)

    @staticmethod
    def _swallow(holder: dict[str, int]) -> Send:
        async def send(message: Message) -> None:
            if message["type"] == "http.response.start":
                holder["status"] = int(message["status"])

        return send

    @staticmethod
    def drop(scope: Scope) -> None:
        """Close the connection with no response (the server hands the app `didomi.abort`)."""
        abort = scope.get("extensions", {}).get("didomi.abort")
        if abort is not None:
            abort()
        raise _Dropped()
