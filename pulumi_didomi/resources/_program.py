"""What the resource classes check in the program process, before anything reaches the engine.

- one notice is managed by one resource of each kind per stack;
- `didomi:apiSecret` must be a secret in the stack config (the engine stores the stack config
  of the default dynamic provider in the state);
- a preview with missing credentials warns, naming what is missing (it makes no API call);
- the default message of a notice deployment says what was published and from where.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import pulumi

from pulumi_didomi.client.errors import ConfigurationError
from pulumi_didomi.core.notice_deployment import commit, render_message

_lock = threading.Lock()
_claims: dict[tuple[int, str, str, str], list[str]] = {}
_settings_checked: set[int] = set()


def _run() -> int:
    """This program run (one per process, except under test mocks, which start several)."""
    from pulumi.runtime.settings import get_monitor

    return id(get_monitor())


def claim_notice(kind: str, resource_name: str, notice_id: Any, organization_id: Any = None) -> Any:
    """The `notice_id` input to use: it fails when another resource of `kind` in this program
    manages the same notice, naming both.

    A plain notice id is claimed while the program body runs; the check runs when the returned
    Output resolves, after the body has run, so that neither resource registers (nothing is
    written) when two of them claim one notice.
    """
    run = _run()

    def key(notice: str, org: Any) -> tuple[int, str, str, str]:
        return (run, kind, str(org or ""), notice)

    def claim(notice: str, org: Any) -> None:
        with _lock:
            names = _claims.setdefault(key(notice, org), [])
            if resource_name not in names:
                names.append(resource_name)

    def verify(values: list[Any]) -> Any:
        notice, org = values
        if not isinstance(notice, str):
            return notice
        claim(notice, org)
        with _lock:
            names = list(_claims.get(key(notice, org), []))
        if len(names) > 1:
            first, second = sorted(names)[:2]
            raise pulumi.RunError(
                f"{kind} {first!r} and {kind} {second!r} both manage notice {notice}: a "
                f"notice is managed by one {kind} per stack (they would overwrite each other). "
                "Keep one of them"
            )
        return notice

    if isinstance(notice_id, str) and not isinstance(organization_id, pulumi.Output):
        claim(notice_id, organization_id)
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


def default_message(resource_name: str, revision: Any) -> pulumi.Output[str]:
    """The message of a deployment the program gave none: what was published, from where.

    The template comes from stack config `didomi:deploymentMessage` (placeholders `{project}`,
    `{stack}`, `{resource}`, `{revision}`, `{commit}`: the first 12 characters of the commit
    the CI system names, empty outside CI), else `DEFAULT_MESSAGE`.
    """
    sha = commit()
    template = pulumi.Config("didomi").get("deploymentMessage")

    def render(value: Any) -> str:
        try:
            return render_message(
                template, pulumi.get_project(), pulumi.get_stack(), resource_name, value, sha
            )
        except ConfigurationError as exc:
            raise pulumi.RunError(str(exc)) from None

    return pulumi.Output.from_input(revision).apply(render)
