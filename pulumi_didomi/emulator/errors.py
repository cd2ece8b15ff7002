"""Didomi's (Feathers) error body and the exception the routes raise to answer with it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


_FEATHERS_NAMES = {
    400: ("BadRequest", "bad-request"),
    401: ("NotAuthenticated", "not-authenticated"),
    403: ("Forbidden", "forbidden"),
    404: ("NotFound", "not-found"),
    405: ("MethodNotAllowed", "method-not-allowed"),
    409: ("Conflict", "conflict"),
    422: ("Unprocessable", "unprocessable"),
    429: ("TooManyRequests", "too-many-requests"),
    500: ("GeneralError", "general-error"),
    502: ("BadGateway", "bad-gateway"),
    503: ("Unavailable", "unavailable"),
    504: ("GatewayTimeout", "gateway-timeout"),
}


def error_body(status: int, message: str, errors: Any = None) -> dict[str, Any]:
    """Didomi's (Feathers) error body."""
    name, class_name = _FEATHERS_NAMES.get(status, ("GeneralError", "general-error"))
    return {
        "name": name,
        "message": message,
        "code": status,
        "className": class_name,
        "errors": errors if errors is not None else {},
    }


class ApiError(Exception):
    """An error answered with Didomi's error body."""

    def __init__(
        self,
        status: int,
        message: str,
        errors: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors
        self.headers = headers or {}
