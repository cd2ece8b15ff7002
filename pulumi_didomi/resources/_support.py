"""What every pulumi-didomi resource provider shares: settings, clients, values, revisions.

Credentials are read in `configure()` (stack config) or from the environment and kept in this
module's process-wide registry, never on the provider object: provider objects are pickled
into the Pulumi state.
"""

from __future__ import annotations

import functools
import hashlib
import os
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import grpc
from pulumi.dynamic import CheckFailure, CheckResult, ConfigureRequest, ResourceProvider
from pulumi.output import Unknown

from pulumi_didomi.client.errors import ConfigurationError, DidomiError, redact
from pulumi_didomi.client.limits import DEFAULT_API_URL
from pulumi_didomi.core.values import normalize

if TYPE_CHECKING:
    from pulumi_didomi.client import DidomiClient, NoticeConfig

#: The value the engine sends for properties that are not known yet (during preview).
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

#: Production host of the public widget configurations.
REMOTE_CONFIG_URL = "https://pmp-sdk.privacy-center.org"

T = TypeVar("T")


@dataclass(frozen=True)
class Settings:
    """Where and as whom to call Didomi (never pickled, never stored in state)."""

    api_key: str | None
    api_secret: str | None
    organization_id: str | None
    api_url: str
    rate_limit: tuple[int, float] | None = (100, 15.0)

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
        )

    def __repr__(self) -> str:
        return f"Settings(api_url={self.api_url!r}, organization_id={self.organization_id!r})"


def parse_rate_limit(text: str | None) -> tuple[int, float] | None:
    """`N/SECONDS` (default Didomi's `100/15`), or `off` for no client-side pacing."""
    if text is None:
        return (100, 15.0)
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


_lock = threading.Lock()
_settings: Settings | None = None
_clients: dict[tuple[str, str, str], DidomiClient] = {}


def configure_settings(config: Mapping[str, str | None] | None) -> None:
    """Remember the stack's settings for this provider process."""
    global _settings
    with _lock:
        _settings = Settings.resolve(config)


def current_settings() -> Settings:
    """The settings given to `configure()`, else those of the environment."""
    with _lock:
        return _settings or Settings.resolve()


def client(organization_id: str | None = None) -> tuple[DidomiClient, str]:
    """A shared client and the organization to act in (the resource's, else the stack's)."""
    settings = current_settings()
    missing = [
        name
        for name, value in (
            ("didomi:apiKey", settings.api_key),
            ("didomi:apiSecret", settings.api_secret),
        )
        if not value
    ]
    org = organization_id or settings.organization_id
    if not org:
        missing.append("didomi:organizationId")
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
    from pulumi_didomi.client.client import DidomiClient  # httpx: only when Didomi is called

    with _lock:
        found = _clients.get(key)
        if found is None:
            found = DidomiClient(
                settings.api_key,
                settings.api_secret,
                base_url=settings.api_url,
                organization_id=settings.organization_id,
                rate_limit=settings.rate_limit,
            )
            _clients[key] = found
    return found, org


def remote_config_base() -> str:
    """Where public widget configurations are served for the configured API."""
    url = current_settings().api_url.rstrip("/")
    if url == DEFAULT_API_URL:
        return REMOTE_CONFIG_URL
    return url[: -len("/v1")] if url.endswith("/v1") else url


def say(message: str) -> None:
    """Tell the user something (the engine shows dynamic providers' stderr)."""
    print(message, file=sys.stderr, flush=True)


_HOOKS = ("check", "diff", "create", "read", "update", "delete")


def surfaced(hook: Callable[..., T]) -> Callable[..., T]:
    """Report a hook's failure as its own message, without the gRPC server's
    `Exception calling application:` prefix (the engine already names the resource)."""

    @functools.wraps(hook)
    def run(*args: Any, **kwargs: Any) -> T:
        try:
            return hook(*args, **kwargs)
        except Exception as exc:
            context = _rpc_context()
            if context is None:
                raise
            text = redact(str(exc))
            if not isinstance(exc, DidomiError):
                text = f"{type(exc).__name__}: {text}"
            context.abort(grpc.StatusCode.UNKNOWN, text)  # raises
            raise

    return run


def _rpc_context() -> Any:
    """The gRPC call context of the dynamic-provider server method that called the hook."""
    frame = sys._getframe(2)
    while frame is not None:
        context = frame.f_locals.get("context")
        if context is not None and callable(getattr(context, "abort", None)):
            return context
        frame = frame.f_back  # type: ignore[assignment]
    return None


class DidomiProvider(ResourceProvider):
    """Base of the pulumi-didomi providers: stateless, configured from the stack."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in _HOOKS:
            if name in cls.__dict__:
                setattr(cls, name, surfaced(cls.__dict__[name]))

    @staticmethod
    def validate(news: Mapping[str, Any]) -> list[tuple[str, str]]:
        """`(field, reason)` for every invalid input (each resource names its own check)."""
        return []

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        failures = [CheckFailure(field, reason) for field, reason in self.validate(news)]
        return CheckResult({k: normalize(v) for k, v in news.items()}, failures)

    def configure(self, req: ConfigureRequest) -> None:
        keys = ("apiKey", "apiSecret", "organizationId", "apiUrl", "rateLimit")
        configure_settings({f"didomi:{k}": req.config.get(f"didomi:{k}") for k in keys})


# -- values ------------------------------------------------------------------------------------


def has_unknown(value: Any) -> bool:
    """True if `value` is, or contains, a value not known yet (preview).

    The engine's sentinel string arrives deserialized as `pulumi.output.Unknown` in the SDK
    this project pins; both forms are recognised.
    """
    if isinstance(value, Unknown):
        return True
    if isinstance(value, str):
        return value == UNKNOWN
    if isinstance(value, dict):
        return any(has_unknown(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(has_unknown(v) for v in value)
    return False


def replacements(olds: Mapping[str, Any], news: Mapping[str, Any], keys: Any) -> list[str]:
    """The inputs among `keys` whose change needs a new resource (unknown counts as changed).

    An `organization_id` left out of the program falls back to the stack's and replaces nothing.
    """
    replaced = []
    for key in keys:
        new = news.get(key)
        if (key == "organization_id" and new is None) or (key not in news and key not in olds):
            continue
        if has_unknown(new) or normalize(olds.get(key)) != normalize(new):
            replaced.append(key)
    return replaced


def draft_json(config: NoticeConfig) -> dict[str, Any]:
    """A configuration as plain JSON values (what the core's functions compare)."""
    return config.model_dump(mode="json")


# -- a per-run cache for refresh ----------------------------------------------------------------


class RunCache:
    """Values fetched once per provider process for a short time (one `pulumi refresh`)."""

    def __init__(self, ttl: float = 60.0) -> None:
        self.ttl = ttl
        self._lock = threading.Lock()
        self._entries: dict[Any, tuple[float, Any]] = {}
        self._key_locks: dict[Any, threading.Lock] = {}

    def get(self, key: Any, fetch: Callable[[], T]) -> T:
        """The cached value of `key`, fetching it (once, even across threads) when stale."""
        with self._lock:
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                hit = self._entries.get(key)
            if hit is not None and time.monotonic() - hit[0] < self.ttl:
                value: T = hit[1]
                return value
            value = fetch()
            with self._lock:
                self._entries[key] = (time.monotonic(), value)
            return value

    def invalidate(self, key: Any) -> None:
        """Forget `key` (after a write that makes the cached listing stale)."""
        with self._lock:
            self._entries.pop(key, None)
