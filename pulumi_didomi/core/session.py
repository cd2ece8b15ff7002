"""Where and as whom to call Didomi (no `pulumi` import): the settings, the process's shared
clients, and what one run may reuse.

Settings come from the stack's provider configuration or from the environment; each hosting
keeps them where its lifecycle calls can reach them (never on a pickled dynamic provider object,
whose state goes into the Pulumi state) and hands them to the core in a `Context`. Clients are
shared per API URL and credentials across the process, so that sessions and the rate limit are.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from pulumi_didomi.client.errors import ConfigurationError
from pulumi_didomi.limits import DEFAULT_API_URL, DIDOMI_RATE_LIMIT

if TYPE_CHECKING:
    from pulumi_didomi.client import DidomiClient

T = TypeVar("T")

#: The settings keys of the provider configuration (`didomi:<key>` in stack config).
SETTINGS_KEYS = ("apiKey", "apiSecret", "organizationId", "apiUrl", "rateLimit", "coordination")

#: Production host of the public widget configurations.
REMOTE_CONFIG_URL = "https://pmp-sdk.privacy-center.org"


@dataclass(frozen=True)
class Settings:
    """Where and as whom to call Didomi (never pickled, never stored in state)."""

    api_key: str | None
    api_secret: str | None
    organization_id: str | None
    api_url: str
    rate_limit: tuple[int, float] | None = DIDOMI_RATE_LIMIT
    #: Paced with the machine's other pipelines of the organization (`machine`, the default).
    coordinate: bool = True

    @classmethod
    def resolve(cls, config: Mapping[str, str | None] | None = None) -> Settings:
        """Stack config (`didomi:*`) first, then `DIDOMI_*` environment variables."""
        config = config or {}

        def pick(key: str, env: str) -> str | None:
            value = config.get(f"didomi:{key}") or os.environ.get(env)
            return value.strip() if isinstance(value, str) and value.strip() else None

        return cls(
            api_key=pick("apiKey", "DIDOMI_API_KEY"),
            api_secret=pick("apiSecret", "DIDOMI_API_SECRET"),
            organization_id=pick("organizationId", "DIDOMI_ORGANIZATION_ID"),
            api_url=pick("apiUrl", "DIDOMI_API_URL") or DEFAULT_API_URL,
            rate_limit=parse_rate_limit(pick("rateLimit", "DIDOMI_RATE_LIMIT")),
            coordinate=parse_coordination(pick("coordination", "DIDOMI_COORDINATION")),
        )

    def __repr__(self) -> str:
        return f"Settings(api_url={self.api_url!r}, organization_id={self.organization_id!r})"

    def missing(self, organization_id: str | None = None) -> list[str]:
        """The settings keys (`apiKey`, `apiSecret`, `organizationId`) that calling Didomi needs
        and these settings lack (`organization_id` stands in for the organization)."""
        needed = (
            ("apiKey", self.api_key),
            ("apiSecret", self.api_secret),
            ("organizationId", organization_id or self.organization_id),
        )
        return [key for key, value in needed if not value]

    def remote_config_base(self) -> str:
        """Where public widget configurations are served for this API (Didomi's public host,
        or the API's own host for the emulator)."""
        url = self.api_url.rstrip("/")
        if url == DEFAULT_API_URL:
            return REMOTE_CONFIG_URL
        return url[: -len("/v1")] if url.endswith("/v1") else url

    def new_client(self) -> DidomiClient:
        """A client with these settings (check `missing()` first)."""
        from pulumi_didomi.client.client import DidomiClient  # httpx: only when Didomi is called

        assert self.api_key and self.api_secret
        return DidomiClient(
            self.api_key,
            self.api_secret,
            base_url=self.api_url,
            organization_id=self.organization_id,
            rate_limit=self.rate_limit,
            coordinate=self.coordinate,
        )


def parse_rate_limit(text: str | None) -> tuple[int, float] | None:
    """`N/SECONDS` (default Didomi's `100/15`), or `off` for no client-side pacing."""
    if text is None:
        return DIDOMI_RATE_LIMIT
    if text.lower() == "off":
        return None
    try:
        count, seconds = text.split("/")
        parsed = (int(count), float(seconds))
    except ValueError:
        raise ConfigurationError(
            f"didomi:rateLimit must be N/SECONDS (e.g. 100/15) or 'off', got {text!r}"
        ) from None
    if parsed[0] < 1 or parsed[1] <= 0:
        raise ConfigurationError("didomi:rateLimit needs N >= 1 and SECONDS > 0")
    return parsed


def parse_coordination(text: str | None) -> bool:
    """`machine` (the default: paced with the pipelines of this machine) or `off`."""
    if text is None or text.lower() == "machine":
        return True
    if text.lower() == "off":
        return False
    raise ConfigurationError(
        f"didomi:coordination must be 'machine' (pace with this machine's other pipelines of "
        f"the organization, the default) or 'off', got {text!r}"
    )


_lock = threading.Lock()
_clients: dict[tuple[str, str, str], DidomiClient] = {}


def client_for(settings: Settings, organization_id: str | None = None) -> tuple[DidomiClient, str]:
    """The process's shared client for `settings` (one per API URL and credentials: sessions,
    connections and pacing are shared) and the organization to act in (the resource's, else
    the settings')."""
    missing = [f"didomi:{key}" for key in settings.missing(organization_id)]
    org = organization_id or settings.organization_id
    if missing:
        raise ConfigurationError(
            f"missing Didomi settings: {', '.join(missing)}. Set them with "
            "`pulumi config set didomi:apiKey <key>`, `pulumi config set --secret "
            "didomi:apiSecret <secret>` and `pulumi config set didomi:organizationId <org>` "
            "(or the DIDOMI_API_KEY, DIDOMI_API_SECRET and DIDOMI_ORGANIZATION_ID environment "
            "variables; a resource's organization_id overrides the organization)"
        )
    assert settings.api_key and settings.api_secret and org
    key = (
        settings.api_url,
        settings.api_key,
        hashlib.sha256(settings.api_secret.encode()).hexdigest(),
    )
    with _lock:
        found = _clients.get(key)
        if found is None:
            found = settings.new_client()
            _clients[key] = found
    return found, org


# -- a per-run cache for refresh ----------------------------------------------------------------


class RunCache:
    """Values fetched once per provider process for a short time (one `pulumi refresh`)."""

    def __init__(self, ttl: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[Any, tuple[float, Any]] = {}
        self._key_locks: dict[Any, threading.Lock] = {}

    def get(self, key: Any, fetch: Callable[[], T]) -> T:
        """The cached value of `key`, fetching it (once, even across threads) when stale."""
        with self._lock:
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            value: T | None = self.peek(key)
            if value is not None:
                return value
            value = fetch()
            with self._lock:
                self._entries[key] = (self._clock(), value)
            return value

    def peek(self, key: Any) -> Any:
        """The cached value of `key` while it is fresh (None otherwise; nothing is fetched)."""
        with self._lock:
            hit = self._entries.get(key)
        if hit is not None and self._clock() - hit[0] <= self.ttl:
            return hit[1]
        return None

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()

    def invalidate(self, key: Any) -> None:
        """Forget `key` (after a write that makes the cached listing stale)."""
        with self._lock:
            self._entries.pop(key, None)
