"""Functions for Pulumi programs: read drafts, deployments and remote widget configurations.

They run in the program (not in the provider) with the same settings as the resources: stack
config `didomi:*`, else the `DIDOMI_*` environment variables. Each call reaches Didomi, also
during `pulumi preview`.
"""

from __future__ import annotations

from typing import Any

from pulumi_didomi.client import (
    DidomiClient,
    NoticeConfig,
    NoticeDeployment,
    read_remote_widget_config,
)
from pulumi_didomi.resources._support import client, configure_settings, remote_config_base


def _stack_config() -> dict[str, str | None]:
    try:
        from pulumi.runtime.config import get_config
    except ImportError:  # pragma: no cover
        return {}
    keys = ("apiKey", "apiSecret", "organizationId", "apiUrl", "rateLimit")
    values: dict[str, str | None] = {}
    for key in keys:
        try:
            value = get_config(f"didomi:{key}")
        except Exception:  # outside a Pulumi program
            value = None
        values[f"didomi:{key}"] = value if isinstance(value, str) else None
    return values


def _client(organization_id: str | None) -> tuple[DidomiClient, str]:
    configure_settings(_stack_config())
    return client(organization_id)


def get_notice_draft(notice_id: str, organization_id: str | None = None) -> NoticeConfig:
    """The current draft configuration of a notice (its id changes at every publish)."""
    api, org = _client(organization_id)
    return api.current_draft(notice_id, org)


def get_notice_deployments(
    notice_id: str, organization_id: str | None = None
) -> list[NoticeDeployment]:
    """Every deployment of a notice, newest first (Didomi's audit log)."""
    api, org = _client(organization_id)
    return api.list_notice_deployments(notice_id, org)


def get_remote_widget_config(
    public_api_key: str, widget_id: str, api_url: str | None = None
) -> dict[str, Any]:
    """The public configuration of a deployed widget, as websites load it (no credentials).

    Served by Didomi's public host in production, by the API URL itself for the emulator;
    `api_url` overrides where it is read from.
    """
    configure_settings(_stack_config())
    return read_remote_widget_config(api_url or remote_config_base(), public_api_key, widget_id)


__all__ = ["get_notice_deployments", "get_notice_draft", "get_remote_widget_config"]
