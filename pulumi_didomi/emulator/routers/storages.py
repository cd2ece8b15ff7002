"""`/metadata/partners-storages`: the storages (cookies, web and app storage) a custom vendor
discloses (O1 `partners-storages`; consent-setup §2)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from ..auth import Authenticate, Principal
from ..backend import MetadataBackend
from ..models import Page, Storage, StorageInput, StoragePatch
from ..queries import Query
from .render import metadata_view, page_view, refuse_other_methods

_NOT_FILTERS = frozenset({"organization_id"})


def storages_router(backend: MetadataBackend, authenticate: Authenticate) -> APIRouter:
    """Routes of `/metadata/partners-storages` and `/metadata/partners-storages/{id}`."""
    router = APIRouter(tags=["partners-storages"])
    Who = Annotated[Principal, Depends(authenticate)]
    one: dict[int | str, dict[str, Any]] = {200: {"model": Storage}}

    @router.get("/metadata/partners-storages", responses={200: {"model": Page[Storage]}})
    def list_storages(request: Request, who: Who, organization_id: str | None = None) -> Any:
        query = Query.parse(request, ignore=_NOT_FILTERS)
        return page_view(backend.list_storages(who.scope(organization_id), query), metadata_view)

    @router.post("/metadata/partners-storages", status_code=201, responses={201: one[200]})
    def create_storage(body: StorageInput, who: Who, organization_id: str | None = None) -> Any:
        scope = who.scope(organization_id or body.organization_id)
        return metadata_view(backend.create_storage(scope, body.model_dump(exclude_none=True)))

    @router.get("/metadata/partners-storages/{storage_id}", responses=one)
    def get_storage(storage_id: str, who: Who, organization_id: str | None = None) -> Any:
        return metadata_view(backend.get_storage(who.scope(organization_id), storage_id))

    @router.patch("/metadata/partners-storages/{storage_id}", responses=one)
    def patch_storage(
        storage_id: str, body: StoragePatch, who: Who, organization_id: str | None = None
    ) -> Any:
        changes = body.model_dump(exclude_unset=True)
        found = backend.patch_storage(who.scope(organization_id), storage_id, changes)
        return metadata_view(found)

    @router.delete("/metadata/partners-storages/{storage_id}", responses=one)
    def delete_storage(storage_id: str, who: Who, organization_id: str | None = None) -> Any:
        return metadata_view(backend.delete_storage(who.scope(organization_id), storage_id))

    refuse_other_methods(
        router, "/metadata/partners-storages", ("GET", "POST"), "Storages are changed one by one"
    )
    refuse_other_methods(
        router,
        "/metadata/partners-storages/{storage_id}",
        ("GET", "PATCH", "DELETE"),
        "The emulator changes a storage with PATCH (PUT is not emulated)",
    )
    return router
