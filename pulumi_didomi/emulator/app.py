"""The emulated Didomi API as an ASGI application (FastAPI)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from .errors import ApiError, error_body
from .routes import build_operator_router, build_router
from .settings import EmulatorSettings
from .state import Emulator
from .traffic import FaultsAndStats

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def create_app(settings: EmulatorSettings | None = None) -> FastAPI:
    """Build the emulator's ASGI application."""
    settings = settings or EmulatorSettings()
    emu = Emulator(settings)
    app = FastAPI(
        title="Didomi API emulator",
        version="1.0.0",
        description="A local emulation of the Didomi API routes used by pulumi-didomi.",
    )
    app.state.emulator = emu
    router = build_router(emu)
    app.include_router(router)
    app.include_router(router, prefix="/v1", include_in_schema=False)
    app.include_router(build_operator_router(emu))

    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> Response:
        return JSONResponse(
            error_body(exc.status, exc.message, exc.errors), exc.status, headers=exc.headers
        )

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
        return JSONResponse(error_body(exc.status_code, message), exc.status_code)

    app.add_middleware(FaultsAndStats, emu=emu, router=router)
    return app
