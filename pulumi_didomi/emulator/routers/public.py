"""The public remote configuration of deployed widgets (no authentication; reference §9, W1)."""

from typing import Any

from fastapi import APIRouter

from ..auth import Accounts
from ..backend import WidgetsBackend


def public_router(widgets: WidgetsBackend, accounts: Accounts) -> APIRouter:
    """`GET /configs/{public_api_key}/containers/{widget_id}.json`."""
    router = APIRouter(tags=["public"])

    @router.get("/configs/{api_key}/containers/{widget_id}.json")
    def remote_widget_config(api_key: str, widget_id: str) -> Any:
        return widgets.public_config(accounts.organization_of_public_key(api_key), widget_id)

    return router
