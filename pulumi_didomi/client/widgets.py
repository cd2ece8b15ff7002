"""Privacy widgets (`/widgets`: preference centres, DSAR forms) and their public configurations."""

from __future__ import annotations

from typing import Any

import httpx

from ._base import ClientBase
from ._sending import api_error
from .errors import TransportError
from .models import Widget

_REMOTE_CONFIG = "/configs/{api_key}/containers/{id}.json"


class Widgets(ClientBase):
    """Privacy widgets: the part of `DidomiClient` for `/widgets` (deploying them is
    `Publishing`'s)."""

    def get_widget(self, widget_id: str, organization_id: str | None = None) -> Widget:
        """One privacy widget."""
        params = {"organization_id": self._org(organization_id)}
        return Widget.model_validate(
            self._call("GET", "/widgets/{id}", params=params, id=widget_id)
        )

    def list_widgets(self, organization_id: str | None = None) -> list[Widget]:
        """Every privacy widget of an organization."""
        params = {"organization_id": self._org(organization_id)}
        return [Widget.model_validate(w) for w in self._pages("/widgets", params)]

    def create_widget(self, name: str, organization_id: str | None = None, **fields: Any) -> Widget:
        """Create a privacy widget; `fields` are other widget fields (`format`,
        `template_id`...)."""
        params = {"organization_id": self._org(organization_id)}
        data = self._call("POST", "/widgets", params=params, json={"name": name, **fields})
        return Widget.model_validate(data)

    def update_widget(
        self, widget_id: str, fields: dict[str, Any], organization_id: str | None = None
    ) -> Widget:
        """PATCH a privacy widget (`name`, `headless`, `archived`...)."""
        params = {"organization_id": self._org(organization_id)}
        data = self._call("PATCH", "/widgets/{id}", params=params, json=fields, id=widget_id)
        return Widget.model_validate(data)

    def get_remote_widget_config(self, public_api_key: str, widget_id: str) -> dict[str, Any]:
        """The public, deployed configuration of a widget (no authentication)."""
        path = {"api_key": public_api_key, "id": widget_id}
        response = self._send("GET", _REMOTE_CONFIG, authenticated=False, path=path)
        return _remote_config(response)


def read_remote_widget_config(
    base_url: str,
    public_api_key: str,
    widget_id: str,
    timeout: float = 30.0,
    transport: httpx.BaseTransport | None = None,
) -> dict[str, Any]:
    """The public configuration of a deployed widget, as websites load it (no credentials).

    `base_url` is the host serving them (`https://pmp-sdk.privacy-center.org` in production).
    """
    path = _REMOTE_CONFIG.format(api_key=public_api_key, id=widget_id)
    with httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout, transport=transport) as http:
        try:
            response = http.get(path)
        except httpx.TransportError as exc:
            raise TransportError(
                f"could not reach {base_url} (GET {path}): {type(exc).__name__}"
            ) from None
    return _remote_config(response, path)


def _remote_config(response: httpx.Response, path: str | None = None) -> dict[str, Any]:
    if response.status_code >= 400:
        raise api_error(response, path)
    data = response.json()
    return data if isinstance(data, dict) else {"value": data}
