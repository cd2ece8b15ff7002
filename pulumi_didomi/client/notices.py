"""Consent notices (`/widgets/notices`)."""

from __future__ import annotations

from typing import Any

from ._base import ClientBase
from .models import Notice


class Notices(ClientBase):
    """Consent notices: the part of `DidomiClient` for `/widgets/notices`."""

    def get_notice(self, notice_id: str) -> Notice:
        """One notice."""
        return Notice.model_validate(self._call("GET", "/widgets/notices/{id}", id=notice_id))

    def list_notices(self, organization_id: str | None = None) -> list[Notice]:
        """Every notice of an organization."""
        params = {"organization_id": self._org(organization_id)}
        return [Notice.model_validate(n) for n in self._pages("/widgets/notices", params)]

    def create_notice(self, name: str, organization_id: str | None = None, **fields: Any) -> Notice:
        """Create a notice (Didomi creates its first draft with it); `fields` are other
        writable notice fields (`privacy_experience_id`, `environment`...)."""
        body = {"organization_id": self._org(organization_id), "name": name, **fields}
        return Notice.model_validate(self._call("POST", "/widgets/notices", json=body))

    def update_notice(self, notice_id: str, fields: dict[str, Any]) -> Notice:
        """PATCH writable fields of a notice (`name`, `archived_at`, `environment`...)."""
        data = self._call("PATCH", "/widgets/notices/{id}", json=fields, id=notice_id)
        return Notice.model_validate(data)

    def delete_notice(self, notice_id: str) -> Notice:
        """Delete a notice (and its configurations); returns the deleted notice."""
        return Notice.model_validate(self._call("DELETE", "/widgets/notices/{id}", id=notice_id))

    def public_api_key(self, organization_id: str | None = None) -> str:
        """The organization's public API key (`GET /organizations/{id}`): what websites load
        Didomi's web SDK and a notice with."""
        org = self._call("GET", "/organizations/{id}", id=self._org(organization_id))
        return str(org["public_api_key"])
