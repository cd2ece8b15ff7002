"""What the dynamic resources check in the program process, before anything reaches the engine.

- the inputs given to a resource class are the description's (`InputError` otherwise);
- one Didomi object (a notice) is managed by one resource of each kind per stack;
- `didomi:apiSecret` must be a secret in the stack config (the engine stores the stack config
  of the default dynamic provider in the state);
- a preview with missing credentials warns, naming what is missing (it makes no API call);
- where a resource is declared (`naming`), for what its inputs derive from it.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import pulumi

from pulumi_didomi.core.properties import Naming

_lock = threading.Lock()
_claims: dict[tuple[int, str, str, str], list[str]] = {}
_settings_checked: set[int] = set()


def _run() -> int:
    """This program run (one per process, except under test mocks, which start several)."""
    from pulumi.runtime.settings import get_monitor

    return id(get_monitor())


class InputError(pulumi.RunError, TypeError):
    """Inputs a resource class does not take (reported by Pulumi without a traceback)."""


def claim(
    kind: str, resource_name: str, what: str, notice_id: Any, organization_id: Any = None
) -> Any:
    """The `what` input (e.g. `notice_id`) to use: it fails when another resource of `kind`
    in this program manages the same object, naming both.

    A plain notice id is claimed while the program body runs; the check runs when the returned
    Output resolves, after the body has run, so that neither resource registers (nothing is
    written) when two of them claim one notice.
    """
    run = _run()
    noun = what.removesuffix("_id").replace("_", " ")

    def key(notice: str, org: Any) -> tuple[int, str, str, str]:
        return (run, kind, str(org or ""), notice)

    def record(notice: str, org: Any) -> None:
        with _lock:
            names = _claims.setdefault(key(notice, org), [])
            if resource_name not in names:
                names.append(resource_name)

    def verify(values: list[Any]) -> Any:
        notice, org = values
        if not isinstance(notice, str):
            return notice
        record(notice, org)
        with _lock:
            names = list(_claims.get(key(notice, org), []))
        if len(names) > 1:
            first, second = sorted(names)[:2]
            raise pulumi.RunError(
                f"{kind} {first!r} and {kind} {second!r} both manage {noun} {notice}: a "
                f"{noun} is managed by one {kind} per stack (they would overwrite each other). "
                "Keep one of them"
            )
        return notice

    if isinstance(notice_id, str) and not isinstance(organization_id, pulumi.Output):
        record(notice_id, organization_id)
    return pulumi.Output.all(notice_id, organization_id).apply(verify)


def check_stack_settings() -> None:
    """Once per program: the API secret is a secret; a preview names missing credentials."""
    with _lock:
        if _run() in _settings_checked:
            return
        _settings_checked.add(_run())
    config = pulumi.Config("didomi")
    secret = config.get("apiSecret")
    if secret is not None and not pulumi.runtime.is_config_secret("didomi:apiSecret"):
        raise pulumi.RunError(
            "didomi:apiSecret is stored in plain text in the stack config, and so it would be "
            "in the state. Store it encrypted: `pulumi config set --secret didomi:apiSecret "
            "<secret>` (or use the DIDOMI_API_SECRET environment variable)"
        )
    if not pulumi.runtime.is_dry_run():
        return
    missing = [
        name
        for name, env in (
            ("didomi:apiKey", "DIDOMI_API_KEY"),
            ("didomi:apiSecret", "DIDOMI_API_SECRET"),
            ("didomi:organizationId", "DIDOMI_ORGANIZATION_ID"),
        )
        if not config.get(name.split(":")[1]) and not os.environ.get(env)
    ]
    if missing:
        pulumi.log.warn(
            f"missing Didomi settings: {', '.join(missing)}; this preview made no API call, but "
            "`pulumi up` will fail. Set them with `pulumi config set` (`--secret` for "
            "didomi:apiSecret) or the DIDOMI_* environment variables"
        )


def naming(resource_name: str) -> Naming:
    """Where a resource is declared: this program's project and stack, and the stack's
    `didomi:deploymentMessage`."""
    template = pulumi.Config("didomi").get("deploymentMessage")
    return Naming(pulumi.get_project(), pulumi.get_stack(), resource_name, template)
