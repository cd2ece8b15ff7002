"""Access tokens: minted once per (API URL, key) per process, shared by threads and clients."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from .errors import register_secret

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
        claims_b64 = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(claims_b64 + "=" * (-len(claims_b64) % 4)))
        return float(claims["exp"])
    except (IndexError, KeyError, TypeError, ValueError):
        return now + DEFAULT_TOKEN_LIFETIME


class _Slot:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.token: Token | None = None


class TokenCache:
    """Process-wide tokens keyed by (API URL, key, digest of the secret)."""

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
            now = time.time()
            current = slot.token
            if current is not None and current.value != stale and now < current.refresh_at:
                return current.value
            value = mint()
            register_secret(value)
            expiry = token_expiry(value, now)
            lifetime = max(expiry - now, 0.0)
            # Refresh early: 10% of the lifetime, at most 10 minutes before it expires.
            slot.token = Token(value, expiry - min(600.0, lifetime * 0.1))
            return value

    def clear(self) -> None:
        """Forget every token (tests)."""
        with self._lock:
            self._slots.clear()


TOKENS = TokenCache()
