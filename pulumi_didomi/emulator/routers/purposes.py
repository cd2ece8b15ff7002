"""`/metadata/purposes`: purposes, global and custom (O1 `purposes`; Didomi's data manager
"Purposes" page). `$translations=true` writes and answers translatable fields as
`{language: text}`."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi import Query as Param

from ..auth import Authenticate, Principal
from ..backend import MetadataBackend
from ..models import Page, Purpose, PurposeInput, PurposePatch
from ..queries import Query
from .render import page_view, purpose_view, refuse_other_methods

_NOT_FILTERS = frozenset({"organization_id"})
Translations = Annotated[str | None, Param(alias="$translations")]


def _wanted(flag: str | None) -> bool:
    """`$translations`: true when given as `true` (or `1`)."""
    return (flag or "").strip().lower() in ("true", "1")


def purposes_router(backend: MetadataBackend, authenticate: Authenticate) -> APIRouter:
    """Routes of `/metadata/purposes` and `/metadata/purposes/{id}`."""
    router = APIRouter(tags=["purposes"])
    Who = Annotated[Principal, Depends(authenticate)]
    one: dict[int | str, dict[str, Any]] = {200: {"model": Purpose}}

    @router.get("/metadata/purposes", responses={200: {"model": Page[Purpose]}})
    def list_purposes(
        request: Request,
        who: Who,
        organization_id: str | None = None,
        translations: Translations = None,
    ) -> Any:
        query = Query.parse(request, ignore=_NOT_FILTERS)
        page = backend.list_purposes(who.scope(organization_id), query)
        return page_view(page, purpose_view(_wanted(translations)))

    @router.post("/metadata/purposes", status_code=201, responses={201: one[200]})
    def create_purpose(
        body: PurposeInput,
        who: Who,
        organization_id: str | None = None,
        translations: Translations = None,
    ) -> Any:
        fields = body.model_dump(exclude_none=True)
        if organization_id is not None:
            fields.setdefault("organization_id", organization_id)
        found = backend.create_purpose(who.scope(None), fields)
        return purpose_view(_wanted(translations))(found)

    @router.get("/metadata/purposes/{purpose_id}", responses=one)
    def get_purpose(
        purpose_id: str,
        who: Who,
        organization_id: str | None = None,
        translations: Translations = None,
    ) -> Any:
        found = backend.get_purpose(who.scope(organization_id), purpose_id)
        return purpose_view(_wanted(translations))(found)

    @router.patch("/metadata/purposes/{purpose_id}", responses=one)
    def patch_purpose(
        purpose_id: str,
        body: PurposePatch,
        who: Who,
        organization_id: str | None = None,
        translations: Translations = None,
    ) -> Any:
        changes = body.model_dump(exclude_unset=True)
        found = backend.patch_purpose(who.scope(organization_id), purpose_id, changes)
        return purpose_view(_wanted(translations))(found)

    @router.delete("/metadata/purposes/{purpose_id}", responses=one)
    def delete_purpose(
        purpose_id: str,
        who: Who,
        organization_id: str | None = None,
        translations: Translations = None,
    ) -> Any:
        found = backend.delete_purpose(who.scope(organization_id), purpose_id)
        return purpose_view(_wanted(translations))(found)

    refuse_other_methods(
        router, "/metadata/purposes", ("GET", "POST"), "Purposes are changed one by one"
    )
    refuse_other_methods(
        router,
        "/metadata/purposes/{purpose_id}",
        ("GET", "PATCH", "DELETE"),
        "The emulator changes a purpose with PATCH (PUT is not emulated)",
    )
    return router
