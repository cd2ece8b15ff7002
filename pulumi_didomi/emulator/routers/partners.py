"""`/metadata/partners`: vendors, global and custom (O1 `partners`; consent-setup §2), and
`/metadata/partners-categories`, the categories a vendor belongs to."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi import Query as Param

from ..auth import Authenticate, Principal
from ..backend import MetadataBackend
from ..models import Page, Partner, PartnerInput, PartnerPatch, PartnersCategory
from ..queries import Query
from .render import metadata_view, page_view, refuse_other_methods

#: Query parameters of the vendor list that are not filters.
_NOT_FILTERS = frozenset({"organization_id", "url"})


def partners_router(backend: MetadataBackend, authenticate: Authenticate) -> APIRouter:
    """Routes of `/metadata/partners`, `/metadata/partners/{id}` and the categories."""
    router = APIRouter(tags=["partners"])
    Who = Annotated[Principal, Depends(authenticate)]
    one: dict[int | str, dict[str, Any]] = {200: {"model": Partner}}

    @router.get("/metadata/partners-categories", responses={200: {"model": Page[PartnersCategory]}})
    def list_categories(request: Request, who: Who) -> Any:
        return backend.list_categories(Query.parse(request))

    @router.get("/metadata/partners", responses={200: {"model": Page[Partner]}})
    def list_partners(
        request: Request,
        who: Who,
        organization_id: str | None = None,
        url: Annotated[list[str] | None, Param()] = None,
    ) -> Any:
        query = Query.parse(request, ignore=_NOT_FILTERS)
        page = backend.list_partners(who.scope(organization_id), query, url or ())
        return page_view(page, metadata_view)

    @router.post("/metadata/partners", status_code=201, responses={201: one[200]})
    def create_partner(body: PartnerInput, who: Who, organization_id: str | None = None) -> Any:
        fields = body.model_dump(exclude_none=True)
        if organization_id is not None:
            fields.setdefault("organization_id", organization_id)
        return metadata_view(backend.create_partner(who.scope(None), fields))

    @router.get("/metadata/partners/{partner_id}", responses=one)
    def get_partner(partner_id: str, who: Who, organization_id: str | None = None) -> Any:
        return metadata_view(backend.get_partner(who.scope(organization_id), partner_id))

    @router.patch("/metadata/partners/{partner_id}", responses=one)
    def patch_partner(
        partner_id: str, body: PartnerPatch, who: Who, organization_id: str | None = None
    ) -> Any:
        changes = body.model_dump(exclude_unset=True)
        found = backend.patch_partner(who.scope(organization_id), partner_id, changes)
        return metadata_view(found)

    @router.delete("/metadata/partners/{partner_id}", responses=one)
    def delete_partner(partner_id: str, who: Who, organization_id: str | None = None) -> Any:
        return metadata_view(backend.delete_partner(who.scope(organization_id), partner_id))

    refuse_other_methods(
        router, "/metadata/partners", ("GET", "POST"), "Vendors are changed one by one"
    )
    refuse_other_methods(
        router,
        "/metadata/partners/{partner_id}",
        ("GET", "PATCH", "DELETE"),
        "The emulator changes a vendor with PATCH (PUT is not emulated)",
    )
    refuse_other_methods(
        router,
        "/metadata/partners-categories",
        ("GET",),
        "Vendor categories are Didomi's: they are read, not changed",
    )
    return router
