"""Test-only routes under `/_emulator` (no authentication, not in the OpenAPI document)."""

from typing import Any

from fastapi import APIRouter

from ..auth import Accounts
from ..backend import NoticesBackend, TextsBackend
from ..errors import NotFound
from ..models import ContentStatusInput
from ..settings import FaultSettings
from ..stats import Stats
from ..store import Doc, Store, public_view
from ..traffic import Faults

_COLLECTIONS = (
    "notices",
    "configs",
    "notice_deployments",
    "widgets",
    "widget_deployments",
    "partners",
    "partners_storages",
    "partners_categories",
    "purposes",
    "templates",
    "template_configs",
    "texts",
    "text_contents",
)


def operator_router(
    stats: Stats,
    faults: Faults,
    accounts: Accounts,
    store: Store,
    notices: NoticesBackend,
    texts: TextsBackend,
) -> APIRouter:
    """Statistics, fault injection, organizations, raw data of one emulator, and what the
    Didomi team does (approving text contents)."""
    router = APIRouter(prefix="/_emulator", include_in_schema=False)

    @router.get("/stats")
    def get_stats() -> dict[str, Any]:
        return stats.snapshot()

    @router.get("/requests")
    def get_requests() -> list[dict[str, Any]]:
        return stats.requests()

    @router.post("/stats/reset")
    def reset_stats() -> dict[str, Any]:
        stats.reset()
        return stats.snapshot()

    @router.get("/faults")
    def get_faults() -> dict[str, Any]:
        return faults.settings.model_dump()

    @router.post("/faults")
    def set_faults(body: FaultSettings) -> dict[str, Any]:
        faults.settings = body
        return body.model_dump()

    @router.delete("/faults")
    def clear_faults() -> dict[str, Any]:
        faults.settings = FaultSettings()
        return faults.settings.model_dump()

    @router.get("/organizations")
    def organizations() -> list[dict[str, str]]:
        return [
            {"id": o, "public_api_key": accounts.public_api_key(o)}
            for o in accounts.organizations()
        ]

    @router.get("/data/{collection}")
    def data(collection: str) -> list[Doc]:
        if collection not in _COLLECTIONS:
            raise NotFound(f"unknown collection {collection}")
        docs = store.find(collection)
        if collection == "notice_deployments":
            docs = [{**d, "status": notices.deployment_status(d)} for d in docs]
        return [public_view(d) for d in docs]

    @router.post("/texts-contents/{content_id}/status")
    def review_text_content(content_id: str, body: ContentStatusInput) -> Doc:
        """The Didomi team approves or rejects a text content."""
        return public_view(texts.review(content_id, body.status))

    return router
