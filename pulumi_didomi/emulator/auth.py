"""Sessions and tokens: HS256 JWTs signed with a key persisted in the database."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Header, Request

from .errors import ApiError

if TYPE_CHECKING:
    from .state import Emulator

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Principal:
    """Who a valid token speaks for."""

    key: str
    organizations: tuple[str, ...]


class Tokens:
    """HS256 JWTs signed with a key persisted in the database (tokens survive a restart)."""

    def __init__(self, signing_key: bytes, ttl: float) -> None:
        self._key = signing_key
        self.ttl = ttl

    def mint(self, key: str, organizations: list[str]) -> str:
        """A signed token for `key` valid for the configured lifetime."""
        now = time.time()
        header = {"alg": "HS256", "typ": "JWT"}
        claims = {
            "sub": key,
            "orgs": organizations,
            "iat": int(now),
            "exp": now + self.ttl,
            "jti": secrets.token_hex(8),
        }
        signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
        sig = hmac.new(self._key, signing_input.encode(), hashlib.sha256).digest()
        return f"{signing_input}.{_b64(sig)}"

    def verify(self, token: str) -> Principal:
        """The principal of a valid token; raises `ApiError(401)` otherwise."""
        try:
            header_b64, claims_b64, sig_b64 = token.split(".")
            expected = hmac.new(
                self._key, f"{header_b64}.{claims_b64}".encode(), hashlib.sha256
            ).digest()
            if not hmac.compare_digest(expected, _unb64(sig_b64)):
                raise ValueError("signature")
            claims = json.loads(_unb64(claims_b64))
        except (ValueError, TypeError, json.JSONDecodeError):
            raise ApiError(401, "Invalid authentication token") from None
        if float(claims.get("exp", 0)) <= time.time():
            raise ApiError(401, "jwt expired")
        return Principal(str(claims["sub"]), tuple(claims.get("orgs", ())))


def principal(request: Request, authorization: Annotated[str | None, Header()] = None) -> Principal:
    """The caller, from `Authorization: Bearer <token>`; 401 when missing or invalid."""
    if not authorization:
        raise ApiError(401, "No auth token")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "Authorization header must be 'Bearer <token>'")
    emu: Emulator = request.app.state.emulator
    return emu.tokens.verify(token.strip())


Auth = Annotated[Principal, Depends(principal)]
