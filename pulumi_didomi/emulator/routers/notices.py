"""`/widgets/notices`: consent notices (reference §4)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from ..auth import Authenticate, Principal
from ..backend import NoticesBackend
from ..models import Notice, NoticeInput, NoticePatch, Page
from ..queries import Query
from .render import notice_view, page_view, refuse_other_methods


def notices_router(backend: NoticesBackend, authenticate: Authenticate) -> APIRouter:
    """Routes of `/widgets/notices` and `/widgets/notices/{id}`."""
    router = APIRouter(tags=["notices"])
    Who = Annotated[Principal, Depends(authenticate)]
    one: dict[int | str, dict[str, Any]] = {200: {"model": Notice}}

    @router.get("/widgets/notices", responses={200: {"model": Page[Notice]}})
    def list_notices(request: Request, who: Who, organization_id: str | None = None) -> Any:
        page = backend.list_notices(who.scope(organization_id), Query.parse(request))
        return page_view(page, notice_view)

    @router.post("/widgets/notices", status_code=201, responses={201: {"model": Notice}})
    def create_notice(body: NoticeInput, who: Who, duplicate: str | None = None) -> Any:
        who.scope(body.organization_id)
        fields = body.model_dump(exclude_none=True)
        return notice_view(backend.create_notice(fields, duplicate))

    @router.get("/widgets/notices/{notice_id}", responses=one)
    def get_notice(notice_id: str, who: Who, organization_id: str | None = None) -> Any:
        return notice_view(backend.get_notice(who.scope(organization_id), notice_id))

    @router.patch("/widgets/notices/{notice_id}", responses=one)
    def patch_notice(
        notice_id: str, body: NoticePatch, who: Who, organization_id: str | None = None
    ) -> Any:
        changes = body.model_dump(exclude_unset=True)
        return notice_view(backend.patch_notice(who.scope(organization_id), notice_id, changes))

    @router.delete("/widgets/notices/{notice_id}", responses=one)
    def delete_notice(notice_id: str, who: Who, organization_id: str | None = None) -> Any:
        return notice_view(backend.delete_notice(who.scope(organization_id), notice_id))

    refuse_other_methods(
        router, "/widgets/notices", ("GET", "POST"), "Notices are changed one by one"
    )
    refuse_other_methods(
        router,
        "/widgets/notices/{notice_id}",
        ("GET", "PATCH", "DELETE"),
        "The emulator changes a notice with PATCH (PUT is not emulated)",
    )
    return router
