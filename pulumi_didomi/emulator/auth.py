"""Accounts, sessions and tokens: HS256 JWTs (PyJWT) signed with a key kept in the database."""

from __future__ import annotations

import hmac
import secrets
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated

import jwt
from fastapi import Header

from .errors import Forbidden, NotAuthenticated
from .settings import Credential


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


@dataclass(frozen=True)
class Principal:
    """Who a valid token speaks for: an API key and its organizations."""

    key: str
    organizations: tuple[str, ...]

    def scope(self, organization_id: str | None) -> list[str]:
        """The organizations a request may see: the one it names, else all of the caller's.

        Raises `Forbidden` when the request names an organization the caller cannot access.
        """
        if organization_id is None:
            return list(self.organizations)
        if organization_id not in self.organizations:
            raise Forbidden(f"You do not have access to organization {organization_id}")
        return [organization_id]


class Accounts:
    """The organizations known to the emulator and their private API keys."""

    def __init__(self, credentials: Iterable[Credential]) -> None:
        self._credentials = list(credentials)

    def organizations(self) -> list[str]:
        """Every organization that has a credential."""
        return sorted({c.organization_id for c in self._credentials})

    def login(self, key: str, secret: str) -> list[str]:
        """The organizations of a key/secret pair; empty when the pair is wrong."""
        return sorted(
            {
                c.organization_id
                for c in self._credentials
                if hmac.compare_digest(_utf8(c.key), _utf8(key))
                and hmac.compare_digest(_utf8(c.secret), _utf8(secret))
            }
        )

    @staticmethod
    def public_api_key(organization_id: str) -> str:
        """The organization's public API key (stable: derived from its id)."""
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"didomi-emulator:{organization_id}"))

    def organization_of_public_key(self, public_api_key: str) -> str | None:
        """The organization whose public API key this is, if any."""
        return next(
            (o for o in self.organizations() if self.public_api_key(o) == public_api_key), None
        )


class Tokens:
    """HS256 JWTs with `sub`, `orgs` and `exp` claims, signed with a key the caller keeps.

    The app keeps the key in the database, so tokens survive a restart.
    """

    def __init__(self, signing_key: bytes, ttl: float) -> None:
        self._key = signing_key
        self.ttl = ttl

    def mint(self, key: str, organizations: list[str]) -> str:
        """A signed token for `key` valid for the configured lifetime."""
        now = time.time()
        claims = {
            "sub": key,
            "orgs": organizations,
            "iat": int(now),
            "exp": now + self.ttl,
            "jti": secrets.token_hex(8),
        }
        return jwt.encode(claims, self._key, algorithm="HS256")

    def verify(self, token: str) -> Principal:
        """The principal of a valid token; raises `NotAuthenticated` otherwise."""
        try:
            # PyJWT checks `exp` in whole seconds; the emulator checks it to the sub-second.
            claims = jwt.decode(
                token,
                self._key,
                algorithms=["HS256"],
                options={"require": ["exp", "sub"], "verify_exp": False},
            )
            expires = float(claims["exp"])
        except (jwt.PyJWTError, TypeError, ValueError):
            raise NotAuthenticated("Invalid authentication token") from None
        if expires <= time.time():
            raise NotAuthenticated("jwt expired")
        return Principal(str(claims["sub"]), tuple(claims.get("orgs") or ()))

    def organization_of(self, authorization: str | None) -> str | None:
        """The first organization of a valid `Bearer` token, else None (for the rate limit)."""
        token = (authorization or "").partition(" ")[2].strip()
        try:
            principal = self.verify(token)
        except NotAuthenticated:
            return None
        return principal.organizations[0] if principal.organizations else None


class Authenticate:
    """FastAPI dependency: the caller, from `Authorization: Bearer <token>`; 401 otherwise."""

    def __init__(self, tokens: Tokens) -> None:
        self.tokens = tokens

    def __call__(self, authorization: Annotated[str | None, Header()] = None) -> Principal:
        if not authorization:
            raise NotAuthenticated("No auth token")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthenticated("Authorization header must be 'Bearer <token>'")
        return self.tokens.verify(token.strip())
