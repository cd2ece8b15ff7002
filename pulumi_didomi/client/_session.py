"""Sessions: access tokens minted once per (API URL, key) per process, and the httpx auth flow
that puts them on requests. A login Didomi refused is not tried again by the same process."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass

import httpx
import jwt

from ._sending import api_error, response_body
from .errors import APIError, NotAuthenticatedError, register_secret

#: Lifetime assumed when a token does not say (Didomi documents 1 hour).
DEFAULT_TOKEN_LIFETIME = 3600.0


@dataclass
class Token:
    """An access token and when it stops being used."""

    value: str
    refresh_at: float


def token_expiry(token: str, now: float) -> float:
    """The `exp` claim of a JWT (not verified: only used to refresh early), else now + 1 h."""
    try:
        return float(jwt.decode(token, options={"verify_signature": False})["exp"])
    except (jwt.PyJWTError, KeyError, TypeError, ValueError):
        return now + DEFAULT_TOKEN_LIFETIME


class _Slot:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.token: Token | None = None
        #: Didomi refused these credentials: what the next callers get instead of a new login.
        self.refused: NotAuthenticatedError | None = None


class TokenCache:
    """Process-wide tokens keyed by (API URL, key, digest of the secret).

    A login refused for wrong credentials (`NotAuthenticatedError` from `mint`) is remembered
    for the process: every later caller with the same credentials gets the same error without
    a request (one `POST /sessions` per run, not one per resource). Credentials do not become
    right during a run; a new run (a new process) tries again.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._slots: dict[tuple[str, str, str], _Slot] = {}

    def _slot(self, base_url: str, key: str, secret: str) -> _Slot:
        digest = hashlib.sha256(secret.encode()).hexdigest()
        with self._lock:
            return self._slots.setdefault((base_url, key, digest), _Slot())

    def get(
        self,
        base_url: str,
        key: str,
        secret: str,
        mint: Callable[[], str],
        stale: str | None = None,
    ) -> str:
        """A valid token; `mint()` is called (by one thread only) when none is fresh.

        `stale` names a token the API refused: it is replaced even if it has not expired.
        """
        slot = self._slot(base_url, key, secret)
        with slot.lock:
            if slot.refused is not None:
                raise _again(slot.refused)
            now = time.time()
            current = slot.token
            if current is not None and current.value != stale and now < current.refresh_at:
                return current.value
            try:
                value = mint()
            except NotAuthenticatedError as exc:
                slot.refused = exc
                raise
            register_secret(value)
            expiry = token_expiry(value, now)
            lifetime = max(expiry - now, 0.0)
            # Refresh early: 10% of the lifetime, at most 10 minutes before it expires.
            slot.token = Token(value, expiry - min(600.0, lifetime * 0.1))
            return value

    def clear(self) -> None:
        """Forget every token and refused login (tests)."""
        with self._lock:
            self._slots.clear()


TOKENS = TokenCache()


def _again(error: NotAuthenticatedError) -> NotAuthenticatedError:
    """A new exception equal to `error` (its message and fields), to raise in another caller:
    one instance raised by several threads would mix their tracebacks."""
    again = NotAuthenticatedError.__new__(type(error))
    again.__dict__.update(error.__dict__)
    again.args = error.args
    return again


class DidomiAuth(httpx.Auth):
    """`Authorization: Bearer <token>` from `POST /sessions`, as an httpx auth flow.

    Tokens come from a `TokenCache` (shared per process, refreshed before they expire); a
    request answered 401 gets one new token and is sent once more. `post_session` sends the
    session request (unauthenticated, through the client's request layer) and returns its
    response.
    """

    #: The replay after a 401 resends the body.
    requires_request_body = True

    def __init__(
        self,
        base_url: str,
        key: str,
        secret: str,
        tokens: TokenCache,
        post_session: Callable[[dict[str, str]], httpx.Response],
    ) -> None:
        register_secret(secret)
        self._base_url = base_url
        self._key = key
        self._secret = secret
        self._tokens = tokens
        self._post_session = post_session

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Send with the current token; after a 401, re-login once and replay."""
        token = self._token()
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code == 401:
            request.headers["Authorization"] = f"Bearer {self._token(stale=token)}"
            yield request

    def _token(self, stale: str | None = None) -> str:
        return self._tokens.get(self._base_url, self._key, self._secret, self._mint, stale)

    def _mint(self) -> str:
        body = {"type": "api-key", "key": self._key, "secret": self._secret}
        response = self._post_session(body)
        if response.status_code in (400, 401):
            raise NotAuthenticatedError(
                "POST",
                "/sessions",
                response.status_code,
                response_body(response),
                hint="Didomi refused the API key and secret: check didomi:apiKey and "
                "didomi:apiSecret (or DIDOMI_API_KEY / DIDOMI_API_SECRET)",
            )
        if response.status_code >= 400:
            raise api_error(response)
        token = response.json().get("access_token")
        if not isinstance(token, str) or not token:
            raise APIError("POST", "/sessions", response.status_code, {"message": "no token"})
        register_secret(token)
        return token
