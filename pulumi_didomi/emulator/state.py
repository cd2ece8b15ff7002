"""The shared state of one emulator instance: store, tokens, counters, settings."""

from __future__ import annotations

import hmac
import random
import secrets
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import datetime, timezone
from typing import Any

from .auth import Tokens, utf8
from .settings import EmulatorSettings
from .store import Doc, Store
from .traffic import RateLimiter, Stats

MAX_PARALLEL_DEPLOYMENTS = 3  # Didomi's `parallel_notices_deployments` quota


def now_iso() -> str:
    """The current time as Didomi writes it: ISO-8601, milliseconds, `Z`."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class Emulator:
    """State shared by the routes of one emulator instance."""

    def __init__(self, settings: EmulatorSettings) -> None:
        self.settings = settings
        self.store = Store(settings.db)
        signing_key = self.store.meta("jwt_signing_key", lambda: secrets.token_hex(32))
        self.tokens = Tokens(bytes.fromhex(signing_key), settings.token_ttl)
        self.stats = Stats()
        self.limiter = RateLimiter(settings.rate_limit)
        self.faults = settings.faults
        self.random = random.Random(settings.seed)
        self.credentials = list(settings.credentials)

    # credentials and organizations

    def organizations(self) -> list[str]:
        """Every organization that has a credential."""
        return sorted({c.organization_id for c in self.credentials})

    @staticmethod
    def public_api_key(organization_id: str) -> str:
        """The organization's public API key (stable: derived from its id)."""
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"didomi-emulator:{organization_id}"))

    def login(self, key: str, secret: str) -> list[str]:
        """The organizations of a key/secret pair; empty when the pair is wrong."""
        return sorted(
            {
                c.organization_id
                for c in self.credentials
                if hmac.compare_digest(utf8(c.key), utf8(key))
                and hmac.compare_digest(utf8(c.secret), utf8(secret))
            }
        )

    # deployments

    def deployment_status(self, doc: Doc) -> str:
        """`running` until `deploy_seconds` after creation, then `success`."""
        if doc.get("status") in ("failure", "success"):
            return str(doc["status"])
        return "running" if float(doc.get("_running_until", 0)) > time.time() else "success"

    def running_deployments(self, organization_id: str) -> list[Doc]:
        """Notice deployments of an organization still running."""
        return [
            d
            for d in self.store.find("notice_deployments", [organization_id])
            if self.deployment_status(d) == "running"
        ]


def public_view(doc: Doc) -> Doc:
    """A stored document without the emulator's private (`_`-prefixed) fields."""
    return {k: v for k, v in doc.items() if not k.startswith("_")}
