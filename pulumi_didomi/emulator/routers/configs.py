"""`/widgets/notices/configs`: notice configurations, drafts and published (reference §5)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request

from ..auth import Authenticate, Principal
from ..backend import NoticesBackend
from ..errors import NotFound
from ..models import NoticeConfig, NoticeConfigPatch, Page
from ..queries import Query
from .render import (
    api_version,
    attachment,
    config_view,
    csv_attachment,
    page_view,
    refuse_other_methods,
)

#: Query parameters of the configuration routes that are not filters.
_NOT_FILTERS = frozenset({"download"})


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
        download: str | None = None,
        v: Version = None,
    ) -> Any:
        """A page of configurations; with `download` (any value, O1) the page's items as a
        CSV attachment, 404 when none matches."""
        query = Query.parse(request, ignore=_NOT_FILTERS)
        page = page_view(
            backend.list_configs(who.scope(organization_id), notice_id, query),
            config_view(api_version(v)),
        )
        if "download" not in request.query_params:
            return page
        if not page["data"]:
            raise NotFound("No configuration matches the query", {"download": "nothing to export"})
        return csv_attachment(page["data"], "notices-configs.csv")

    @router.get("/widgets/notices/configs/{config_id}", responses=one)
    def get_config(
        request: Request,
        config_id: str,
        who: Who,
        organization_id: str | None = None,
        download: str | None = None,
        v: Version = None,
    ) -> Any:
        """One configuration; with `download` (any value, O1) as a JSON attachment."""
        config = config_view(api_version(v))(
            backend.get_config(who.scope(organization_id), config_id)
        )
        if "download" in request.query_params:
            return attachment(config, f"{config_id}.json")
        return config

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

    refuse_other_methods(
        router,
        "/widgets/notices/configs",
        ("GET",),
        "Configurations are created with their notice and by publishing, never directly",
    )
    refuse_other_methods(
        router,
        "/widgets/notices/configs/{config_id}",
        ("GET", "PATCH"),
        "Configurations cannot be replaced or deleted",
    )
    return router
