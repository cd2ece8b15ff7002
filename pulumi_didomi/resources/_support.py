"""What the dynamic providers share: the provider base (configuration, check, failures
reported as the hook's own message) over the Didomi core.

The session (settings, clients, messages) and the value rules live in `pulumi_didomi.core`;
their names are re-exported here for the modules that imported them from this one.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, TypeVar

import grpc
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)
from pulumi.output import Unknown

from pulumi_didomi.client.errors import DidomiError, redact
from pulumi_didomi.core.objects import ObjectLifecycle
from pulumi_didomi.core.session import (
    REMOTE_CONFIG_URL,
    SETTINGS_KEYS,
    RunCache,
    Settings,
    client,
    configure_settings,
    current_settings,
    parse_rate_limit,
    remote_config_base,
    say,
)
from pulumi_didomi.core.values import (
    UNKNOWN,
    UNKNOWN_TYPES,
    already_applied,
    draft_json,
    has_unknown,
    normalize,
    replacements,
)

__all__ = [
    "REMOTE_CONFIG_URL",
    "UNKNOWN",
    "DidomiProvider",
    "ObjectProvider",
    "RunCache",
    "Settings",
    "client",
    "configure_settings",
    "current_settings",
    "draft_json",
    "has_unknown",
    "parse_rate_limit",
    "remote_config_base",
    "replacements",
    "say",
    "surfaced",
]

#: The SDK this project pins deserializes the engine's unknown sentinel as this class.
UNKNOWN_TYPES.append(Unknown)

T = TypeVar("T")


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

    def validate(self, news: Mapping[str, Any]) -> list[tuple[str, str]]:
        """`(field, reason)` for every invalid input (each resource names its own check)."""
        return []

    def changes(
        self, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> tuple[list[str], list[str]]:
        """The inputs that changed and those among them that replace (each resource's core)."""
        return [], []

    @surfaced
    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed, replaces = self.changes(olds, news)
        return DiffResult(changes=bool(changed), replaces=replaces, delete_before_replace=False)

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        problems = [] if already_applied(olds, news) else self.validate(news)
        failures = [CheckFailure(field, reason) for field, reason in problems]
        return CheckResult({k: normalize(v) for k, v in news.items()}, failures)

    def configure(self, req: ConfigureRequest) -> None:
        configure_settings({f"didomi:{k}": req.config.get(f"didomi:{k}") for k in SETTINGS_KEYS})


class ObjectProvider(DidomiProvider):
    """A dynamic provider over a core `ObjectLifecycle` (Didomi objects created from code); its
    hooks are surfaced by `DidomiProvider`."""

    lifecycle: ClassVar[ObjectLifecycle]

    def validate(self, news: Mapping[str, Any]) -> list[tuple[str, str]]:
        return self.lifecycle.check_inputs(news)

    def changes(
        self, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> tuple[list[str], list[str]]:
        return self.lifecycle.changes(olds, news)

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(*self.lifecycle.create(props))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        outs = self.lifecycle.read(id_, props)
        return ReadResult("", {}) if outs is None else ReadResult(id_, outs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(self.lifecycle.update(id_, olds, news))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        self.lifecycle.delete(id_, props)
