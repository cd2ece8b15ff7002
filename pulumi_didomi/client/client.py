"""`DidomiClient`: the one way pulumi-didomi talks to the Didomi API.

Its endpoints are grouped by Didomi resource (`notices`, `configs`, `deployments`,
`publishing`, `widgets`, `metadata`, `templates`) on one request layer (`_base`, `_sending`,
`_session`).
"""

from __future__ import annotations

from .configs import Configs, validate_config_fields
from .metadata import Metadata
from .notices import Notices
from .publishing import Publishing
from .templates import Templates
from .widgets import Widgets, read_remote_widget_config

__all__ = ["DidomiClient", "read_remote_widget_config", "validate_config_fields"]


class DidomiClient(Notices, Configs, Widgets, Publishing, Metadata, Templates):
    """A synchronous, thread-safe Didomi API client.

    No network call is made until the first request. Tokens are shared per (API URL, key)
    across the process and refreshed before they expire. Reads and PATCHes are retried on
    429/502/503/504, timeouts and connection errors; publishing is never repeated blindly
    (see `publish_notice`). `calls` counts requests per route, for budgets and benchmarks.
    """

    def __repr__(self) -> str:
        return f"DidomiClient(base_url={self.base_url!r}, organization_id={self.organization_id!r})"

    def close(self) -> None:
        """Close the HTTP connections."""
        self._sender.close()

    def __enter__(self) -> DidomiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
