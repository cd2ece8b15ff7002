"""One exception hierarchy for everything that can go wrong talking to Didomi.

Messages name the method, the path (never the query string or body) and Didomi's own message.
They never contain the API secret or an access token: `redact` scrubs them as a last line of
defence, in case an API echoes them back.
"""

from __future__ import annotations

from typing import Any

_SECRETS: set[str] = set()


def register_secret(value: str | None) -> None:
    """Remember a value (an API secret or token) that must never appear in a message."""
    if value and len(value) >= 4:
        _SECRETS.add(value)


def redact(text: str) -> str:
    """`text` with every registered secret replaced by `[redacted]`."""
    for secret in sorted(_SECRETS, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, "[redacted]")
    return text


class DidomiError(Exception):
    """Base class of every pulumi-didomi client error."""

    def __init__(self, message: str) -> None:
        super().__init__(redact(message))

    @property
    def message(self) -> str:
        """The (redacted) message."""
        return str(self.args[0])


class ConfigurationError(DidomiError):
    """Bad or missing settings or input, found before any API call."""


class TransportError(DidomiError):
    """The API could not be reached (connection refused, DNS, TLS, timeouts), after retries."""


class APIError(DidomiError):
    """Didomi answered with an error status."""

    def __init__(
        self,
        method: str,
        path: str,
        status: int,
        body: dict[str, Any] | None = None,
        hint: str = "",
        retry_after: float | None = None,
    ) -> None:
        body = body or {}
        self.method = method
        self.path = path
        self.status = status
        self.name = str(body.get("name") or "")
        self.api_message = str(body.get("message") or "")
        self.errors: Any = body.get("errors") or {}
        self.retry_after = retry_after
        detail = self.api_message or "(no message)"
        text = f"Didomi API {method} {path} failed with {status}"
        text += f" {self.name}: {detail}" if self.name else f": {detail}"
        if hint:
            text += f". {hint}"
        super().__init__(text)


class InvalidRequestError(APIError):
    """400/422: Didomi rejected the request's content."""


class NotAuthenticatedError(APIError):
    """401 (or 400 at /sessions): the credentials or the token were refused."""


class ForbiddenError(APIError):
    """403: the credentials do not give access to that organization."""


class NotFoundError(APIError):
    """404: no such object, or it belongs to another organization."""


class ConflictError(APIError):
    """409."""


class RateLimitedError(APIError):
    """429: too many requests (or too many deployments in flight), after retries."""


class ServerError(APIError):
    """5xx: Didomi failed, after retries."""


class DeploymentError(DidomiError):
    """A deployment ended in `failure`, or did not finish in time."""

    def __init__(self, deployment_id: str, message: str) -> None:
        self.deployment_id = deployment_id
        super().__init__(message)


class DeploymentTimeoutError(DeploymentError):
    """A deployment was still running when the wait timed out."""


_BY_STATUS: dict[int, type[APIError]] = {
    400: InvalidRequestError,
    401: NotAuthenticatedError,
    403: ForbiddenError,
    404: NotFoundError,
    409: ConflictError,
    422: InvalidRequestError,
    429: RateLimitedError,
}


def error_for_status(
    method: str,
    path: str,
    status: int,
    body: dict[str, Any] | None,
    retry_after: float | None = None,
) -> APIError:
    """The exception matching an error status, with a hint on how to fix it."""
    cls = _BY_STATUS.get(status, ServerError if status >= 500 else APIError)
    hint = {
        401: "The access token was refused: check the API key and secret",
        403: "These credentials have no access to that organization: check the organization id",
        404: "It does not exist, or it belongs to an organization these credentials cannot see",
        429: "Didomi's rate limit (100 requests per 15 s per organization) or its limit of 3 "
        "notice deployments at once was hit; try again later",
    }.get(status, "")
    return cls(method, path, status, body, hint=hint, retry_after=retry_after)
