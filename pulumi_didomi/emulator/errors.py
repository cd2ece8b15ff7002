"""Didomi's (Feathers) error body and the typed errors the emulator answers with it."""

from __future__ import annotations

from typing import Any, ClassVar

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
    """An error answered with Didomi's error body; subclasses fix the status."""

    status: ClassVar[int] = 500

    def __init__(
        self, message: str, errors: Any = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        """The Feathers error body of this error."""
        return error_body(self.status, self.message, self.errors)


class BadRequest(ApiError):
    """400: the request breaks one of the API's rules; `errors` names the fields."""

    status = 400

    @classmethod
    def fields(cls, prefix: str, problems: dict[str, str]) -> BadRequest:
        """A 400 naming each field and its problem: `prefix: field: reason; ...`."""
        detail = "; ".join(f"{field}: {reason}" for field, reason in problems.items())
        return cls(f"{prefix}: {detail}", dict(problems))


class NotAuthenticated(ApiError):
    """401: no token, or one that is invalid or expired."""

    status = 401


class Forbidden(ApiError):
    """403: the request names an organization the caller has no access to."""

    status = 403


class NotFound(ApiError):
    """404: no record with this id in the caller's organizations."""

    status = 404


class MethodNotAllowed(ApiError):
    """405: the resource exists but cannot be changed this way; `Allow` lists the methods it
    takes (RFC 9110)."""

    status = 405

    def __init__(self, message: str, allow: tuple[str, ...]) -> None:
        super().__init__(message, headers={"Allow": ", ".join(allow)})


class TooManyRequests(ApiError):
    """429: a rate limit or a quota; `headers` carry `Retry-After`."""

    status = 429
