"""`/widgets/notices/deployments`: publishing drafts, an audit log (reference §6)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from ..auth import Authenticate, Principal
from ..backend import NoticesBackend
from ..models import DeploymentInput, NoticeDeployment, Page
from ..queries import Query
from .render import deployment_view, page_view, refuse_other_methods


def notice_deployments_router(backend: NoticesBackend, authenticate: Authenticate) -> APIRouter:
    """Routes of `/widgets/notices/deployments`."""
    router = APIRouter(tags=["notice deployments"])
    Who = Annotated[Principal, Depends(authenticate)]
    path = "/widgets/notices/deployments"

    @router.get(path, responses={200: {"model": Page[NoticeDeployment]}})
    def list_deployments(request: Request, who: Who, organization_id: str | None = None) -> Any:
        page = backend.list_deployments(who.scope(organization_id), Query.parse(request))
        return page_view(page, deployment_view)

    @router.post(path, status_code=201, responses={201: {"model": NoticeDeployment}})
    def create_deployment(body: DeploymentInput, who: Who) -> Any:
        who.scope(body.organization_id)
        deployment = backend.publish(
            body.organization_id,
            body.notice_id,
            body.production_config_id,
            body.message or "",
            by=who.key,
        )
        return deployment_view(deployment)

    @router.get(path + "/{deployment_id}", responses={200: {"model": NoticeDeployment}})
    def get_deployment(deployment_id: str, who: Who, organization_id: str | None = None) -> Any:
        return deployment_view(backend.get_deployment(who.scope(organization_id), deployment_id))

    audit_log = "Deployments are an audit log: they cannot be changed or deleted"
    refuse_other_methods(router, path, ("GET", "POST"), audit_log)
    refuse_other_methods(router, path + "/{deployment_id}", ("GET",), audit_log)
    return router
