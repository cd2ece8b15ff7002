"""Reading deployments: of notices (`/widgets/notices/deployments`) and of widgets
(`/widgets/deployments`). Creating them is `publishing`'s."""

from __future__ import annotations

from typing import Any

from ._base import ClientBase
from .models import NoticeDeployment, WidgetDeployment


class Deployments(ClientBase):
    """Deployments, newest first: the part of `DidomiClient` that reads them."""

    def get_notice_deployment(self, deployment_id: str) -> NoticeDeployment:
        """One notice deployment."""
        data = self._call("GET", "/widgets/notices/deployments/{id}", id=deployment_id)
        return NoticeDeployment.model_validate(data)

    def list_notice_deployments(
        self,
        notice_id: str | None = None,
        organization_id: str | None = None,
        production_config_id: str | None = None,
    ) -> list[NoticeDeployment]:
        """Deployments of an organization (optionally of one notice or config), newest first."""
        params = self._newest_first(organization_id)
        if notice_id:
            params["notice_id"] = notice_id
        if production_config_id:
            params["production_config_id"] = production_config_id
        pages = self._pages("/widgets/notices/deployments", params)
        return [NoticeDeployment.model_validate(d) for d in pages]

    def get_widget_deployment(
        self, deployment_id: str, organization_id: str | None = None
    ) -> WidgetDeployment:
        """One widget deployment."""
        params = {"organization_id": self._org(organization_id)}
        data = self._call("GET", "/widgets/deployments/{id}", params=params, id=deployment_id)
        return WidgetDeployment.model_validate(data)

    def list_widget_deployments(
        self, widget_id: str | None = None, organization_id: str | None = None
    ) -> list[WidgetDeployment]:
        """Deployments of an organization's widgets (optionally one widget), newest first."""
        params = self._newest_first(organization_id)
        if widget_id:
            params["widget_id"] = widget_id
        pages = self._pages("/widgets/deployments", params)
        return [WidgetDeployment.model_validate(d) for d in pages]

    def _newest_first(self, organization_id: str | None) -> dict[str, Any]:
        return {"organization_id": self._org(organization_id), "$sort[created_at]": -1}
