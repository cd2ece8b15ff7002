"""What happens to each request before the routes: statistics, the rate limit, faults."""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, MutableMapping
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from .errors import ApiError, error_body

if TYPE_CHECKING:
    from .state import Emulator

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class Stats:
    """Request counts by `METHOD /route/template` and status, for tests and benchmarks."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Forget every count."""
        with self._lock:
            self.routes: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
            self.statuses: dict[str, int] = defaultdict(int)
            self.faults: dict[str, int] = defaultdict(int)
            self.total = 0
            self.max_running_deployments = 0

    def record(self, route: str, status: int) -> None:
        """Count one answered request."""
        with self._lock:
            self.routes[route][str(status)] += 1
            self.statuses[str(status)] += 1
            self.total += 1

    def fault(self, kind: str) -> None:
        """Count one injected fault."""
        with self._lock:
            self.faults[kind] += 1

    def running_deployments(self, count: int) -> None:
        """Remember the highest number of notice deployments running at once."""
        with self._lock:
            self.max_running_deployments = max(self.max_running_deployments, count)

    def snapshot(self) -> dict[str, Any]:
        """A JSON-able copy of the counters."""
        with self._lock:
            return {
                "total": self.total,
                "by_status": dict(self.statuses),
                "routes": {r: dict(s) for r, s in sorted(self.routes.items())},
                "faults": dict(self.faults),
                "max_running_deployments": self.max_running_deployments,
            }


class RateLimiter:
    """A sliding window of N requests per S seconds per organization."""

    def __init__(self, limit: tuple[int, float] | None) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._hits: dict[str, deque[float]] = defaultdict(deque)

    def check(self, organization_id: str) -> tuple[bool, dict[str, str]]:
        """Count a request; return whether it may proceed and the rate-limit headers."""
        if self.limit is None:
            return True, {}
        count, window = self.limit
        now = time.monotonic()
        with self._lock:
            hits = self._hits[organization_id]
            while hits and hits[0] <= now - window:
                hits.popleft()
            reset = math.ceil(hits[0] + window - now) if hits else math.ceil(window)
            headers = {
                "RateLimit": f"limit={count}, remaining={max(count - len(hits) - 1, 0)}, "
                f"reset={reset}",
                "RateLimit-Policy": f"{count};w={math.ceil(window)}",
            }
            if len(hits) >= count:
                headers["Retry-After"] = str(max(reset, 1))
                return False, headers
            hits.append(now)
            return True, headers


class _Dropped(Exception):
    """The connection was dropped on purpose (fault injection)."""


class FaultsAndStats:
    """ASGI middleware: counts requests, applies the rate limit and injects faults."""

    def __init__(self, app: Any, emu: Emulator, router: APIRouter) -> None:
        self.app = app
        self.emu = emu
        self.routes = [r for r in router.routes if isinstance(r, APIRoute)]

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
        for name, value in scope.get("headers", []):
            if name == b"authorization":
                token = value.decode(errors="replace").partition(" ")[2].strip()
                try:
                    principal = self.emu.tokens.verify(token)
                except ApiError:
                    return None
                return principal.organizations[0] if principal.organizations else None
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        route = self.route_template(scope)
        if (
            scope["path"].startswith("/_emulator")
            or scope["path"].startswith("/docs")
            or scope["path"] in ("/openapi.json",)
        ):
            await self.app(scope, receive, send)
            return

        status_holder = {"status": 0}
        emu = self.emu
        faults = emu.faults
        rng = emu.random

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
            if org is not None:
                ok, headers = emu.limiter.check(org)
                limit_headers.update(headers)
                if not ok:
                    emu.stats.fault("rate_limited")
                    await respond(429, "Too many requests: rate limit exceeded", headers)
                    return
            in_scope = faults.routes is None or route in faults.routes
            drop_after = False
            if in_scope:
                roll = rng.random()
                if roll < faults.error_rate:
                    emu.stats.fault("error")
                    status = rng.choice([502, 503, 504])
                    await respond(status, "Injected server error", {})
                    return
                roll -= faults.error_rate
                if roll < faults.rate_limit_rate:
                    emu.stats.fault("429")
                    await respond(429, "Too many requests", {"Retry-After": "1"})
                    return
                roll -= faults.rate_limit_rate
                if roll < faults.drop_rate:
                    if rng.random() < 0.5:
                        emu.stats.fault("drop_before")
                        self.drop(scope)
                    drop_after = True
            commit_then_fail = (
                route in faults.commit_then_fail_routes
                and rng.random() < faults.commit_then_fail_rate
            )
            if drop_after or commit_then_fail:
                await self.app(scope, receive, self._swallow(status_holder))
                if status_holder["status"] < 400:
                    if drop_after:
                        emu.stats.fault("drop_after")
                        self.drop(scope)
                    emu.stats.fault("commit_then_fail")
                    await respond(502, "Bad gateway (injected after the write committed)", {})
                    return
                await respond(status_holder["status"], "request failed", {})
                return
            await self.app(scope, receive, send_counted)
        except _Dropped:
            status_holder["status"] = 0
            return
        finally:
            emu.stats.record(route, status_holder["status"])

    @staticmethod
    def _swallow(holder: dict[str, int]) -> Send:
        async def send(message: Message) -> None:
            if message["type"] == "http.response.start":
                holder["status"] = int(message["status"])

        return send

    @staticmethod
    def drop(scope: Scope) -> None:
        abort = scope.get("extensions", {}).get("didomi.abort")
        if abort is not None:
            abort()
        raise _Dropped()
