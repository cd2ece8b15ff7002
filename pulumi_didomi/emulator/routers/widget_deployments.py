"""`/widgets/deployments`: widget deployments, snapshots of a widget (reference §9, W1)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from ..auth import Authenticate, Principal
from ..backend import WidgetsBackend
from ..models import WidgetDeployment, WidgetDeploymentInput
from ..queries import Query
from ..store import public_view
from .render import refuse_other_methods


def widget_deployments_router(backend: WidgetsBackend, authenticate: Authenticate) -> APIRouter:
    """Routes of `/widgets/deployments`."""
    router = APIRouter(tags=["widget deployments"])
    Who = Annotated[Principal, Depends(authenticate)]
    one: dict[int | str, dict[str, Any]] = {200: {"model": WidgetDeployment}}

    @router.post(
        "/widgets/deployments", status_code=201, responses={201: {"model": WidgetDeployment}}
    )
    def create_widget_deployment(
        body: WidgetDeploymentInput, who: Who, organization_id: str
    ) -> Any:
        who.scope(organization_id)
        return public_view(backend.deploy(organization_id, body.widget_id))

    @router.get("/widgets/deployments", responses={200: {"model": list[WidgetDeployment]}})
    def list_widget_deployments(
        request: Request, who: Who, organization_id: str | None = None
    ) -> Any:
        found = backend.list_deployments(who.scope(organization_id), Query.parse(request))
        return [public_view(d) for d in found]

    @router.get("/widgets/deployments/{deployment_id}", responses=one)
    def get_widget_deployment(
        deployment_id: str, who: Who, organization_id: str | None = None
    ) -> Any:
        return public_view(backend.get_deployment(who.scope(organization_id), deployment_id))

    refuse_other_methods(
        router,
        "/widgets/deployments",
        ("GET", "POST"),
        "Widget deployments cannot be changed or deleted",
    )
    return router
