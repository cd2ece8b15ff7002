"""`/widgets`: privacy widgets (reference §9, W2-W4)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from ..auth import Authenticate, Principal
from ..backend import WidgetsBackend
from ..models import Page, Widget, WidgetInput, WidgetPatch
from ..queries import Query
from ..store import public_view
from .render import page_view


def widgets_router(backend: WidgetsBackend, authenticate: Authenticate) -> APIRouter:
    """Routes of `/widgets` and `/widgets/{id}`."""
    router = APIRouter(tags=["widgets"])
    Who = Annotated[Principal, Depends(authenticate)]
    one: dict[int | str, dict[str, Any]] = {200: {"model": Widget}}

    @router.post("/widgets", status_code=201, responses={201: {"model": Widget}})
    def create_widget(body: WidgetInput, who: Who, organization_id: str) -> Any:
        who.scope(organization_id)
        return public_view(backend.create_widget(organization_id, body.model_dump()))

    @router.get("/widgets", responses={200: {"model": Page[Widget]}})
    def list_widgets(request: Request, who: Who, organization_id: str | None = None) -> Any:
        page = backend.list_widgets(who.scope(organization_id), Query.parse(request))
        return page_view(page, public_view)

    @router.get("/widgets/{widget_id}", responses=one)
    def get_widget(widget_id: str, who: Who, organization_id: str | None = None) -> Any:
        return public_view(backend.get_widget(who.scope(organization_id), widget_id))

    @router.patch("/widgets/{widget_id}", responses=one)
    def patch_widget(
        widget_id: str, body: WidgetPatch, who: Who, organization_id: str | None = None
    ) -> Any:
        changes = body.model_dump(exclude_unset=True)
        return public_view(backend.patch_widget(who.scope(organization_id), widget_id, changes))

    return router
