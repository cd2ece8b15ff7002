"""`/widgets/notices/configs`: notice configurations, drafts and published (reference §5)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request

from ..auth import Authenticate, Principal
from ..backend import NoticesBackend
from ..errors import MethodNotAllowed
from ..models import NoticeConfig, NoticeConfigPatch, Page
from ..queries import Query
from .render import api_version, config_view, page_view


def configs_router(backend: NoticesBackend, authenticate: Authenticate) -> APIRouter:
    """Routes of `/widgets/notices/configs`; header `v: 2` shows `regulation_configurations`."""
    router = APIRouter(tags=["configs"])
    Who = Annotated[Principal, Depends(authenticate)]
    Version = Annotated[str | None, Header()]
    one: dict[int | str, dict[str, Any]] = {200: {"model": NoticeConfig}}

    @router.get("/widgets/notices/configs", responses={200: {"model": Page[NoticeConfig]}})
    def list_configs(
        request: Request,
        who: Who,
        organization_id: str | None = None,
        notice_id: str | None = None,
        v: Version = None,
    ) -> Any:
        page = backend.list_configs(who.scope(organization_id), notice_id, Query.parse(request))
        return page_view(page, config_view(api_version(v)))

    @router.get("/widgets/notices/configs/{config_id}", responses=one)
    def get_config(
        config_id: str, who: Who, organization_id: str | None = None, v: Version = None
    ) -> Any:
        config = backend.get_config(who.scope(organization_id), config_id)
        return config_view(api_version(v))(config)

    @router.patch("/widgets/notices/configs/{config_id}", responses=one)
    def patch_config(
        config_id: str,
        body: NoticeConfigPatch,
        who: Who,
        organization_id: str | None = None,
        v: Version = None,
    ) -> Any:
        version = api_version(v)
        changes = body.model_dump(exclude_unset=True)
        if version < 2:  # v1 does not know regulation configurations
            changes.pop("regulation_configurations", None)
        config = backend.patch_config(who.scope(organization_id), config_id, changes)
        return config_view(version)(config)

    @router.api_route(
        "/widgets/notices/configs/{config_id}", methods=["PUT", "DELETE"], include_in_schema=False
    )
    def config_not_allowed(config_id: str) -> Any:
        raise MethodNotAllowed("Configurations cannot be replaced or deleted")

    return router
