"""The emulated Didomi API as an ASGI application (FastAPI): wiring only.

Dependencies point one way: app -> routers -> backend -> store; authentication is a router
dependency and the rate limit, faults and statistics a middleware, each given what it needs.
"""

from __future__ import annotations

import random
import secrets

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from .auth import Accounts, Authenticate, Tokens
from .backend import (
    MetadataBackend,
    NoticesBackend,
    TemplatesBackend,
    TextsBackend,
    WidgetsBackend,
)
from .errors import ApiError, error_body
from .ratelimit import SlidingWindowLimiter
from .routers import api_routers, operator_router
from .settings import EmulatorSettings
from .stats import Stats
from .store import Store
from .traffic import Faults, FaultsAndStats


def create_app(settings: EmulatorSettings | None = None) -> FastAPI:
    """Build the emulator's ASGI application.

    `app.state.store` and `app.state.accounts` are there for the command line (closing the
    database, printing public API keys); the routes get what they need when they are built.
    """
    settings = settings or EmulatorSettings()
    store = Store(settings.db)
    signing_key = store.meta("jwt_signing_key", lambda: secrets.token_hex(32))
    tokens = Tokens(bytes.fromhex(signing_key), settings.token_ttl)
    accounts = Accounts(settings.credentials)
    stats = Stats()
    limiter = SlidingWindowLimiter(*settings.rate_limit) if settings.rate_limit else None
    faults = Faults(settings.faults, random.Random(settings.seed))
    metadata = MetadataBackend(store)
    templates = TemplatesBackend(store)
    texts = TextsBackend(store)
    notices = NoticesBackend(
        store, stats, settings.deploy_seconds, metadata=metadata, templates=templates
    )
    widgets = WidgetsBackend(store)

    app = FastAPI(
        title="Didomi API emulator",
        version="1.0.0",
        description="A local emulation of the Didomi API routes used by pulumi-didomi.",
    )
    app.state.store = store
    app.state.accounts = accounts
    api = api_routers(
        notices,
        widgets,
        metadata,
        templates,
        texts,
        accounts,
        Authenticate(tokens),
        limiter,
        stats,
    )
    for router in api:  # every route with and without `/v1` (reference §1)
        app.include_router(router)
    for router in api:
        app.include_router(router, prefix="/v1", include_in_schema=False)
    app.include_router(operator_router(stats, faults, accounts, store, notices, texts))

    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> Response:
        return JSONResponse(exc.body(), exc.status, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> Response:
        errors: dict[str, str] = {}
        for item in exc.errors():
            loc = [str(p) for p in item.get("loc", ()) if p not in ("body", "query", "header")]
            errors[".".join(loc) or "body"] = str(item.get("msg"))
        message = "; ".join(f"{k}: {v}" for k, v in errors.items())
        return JSONResponse(error_body(400, f"Invalid request: {message}", errors), 400)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> Response:
        message = "Page not found" if exc.status_code == 404 else str(exc.detail)
        return JSONResponse(error_body(exc.status_code, message), exc.status_code, exc.headers)

    app.add_middleware(
        FaultsAndStats,
        tokens=tokens,
        limiter=limiter,
        stats=stats,
        faults=faults,
        routes=[route for router in api for route in router.routes],
    )
    return app
