"""`/organizations/{id}`: an organization as its members see it (O1 `organizations`), for its
`public_api_key` (the key websites load the SDK and widgets with)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from ..auth import Accounts, Authenticate, Principal
from ..models import Organization


def organizations_router(accounts: Accounts, authenticate: Authenticate) -> APIRouter:
    """`GET /organizations/{id}` (403 for an organization the caller does not belong to)."""
    router = APIRouter(tags=["organizations"])
    Who = Annotated[Principal, Depends(authenticate)]

    @router.get("/organizations/{organization_id}", responses={200: {"model": Organization}})
    def get_organization(organization_id: str, who: Who) -> Any:
        (org,) = who.scope(organization_id)
        return {"id": org, "name": org, "public_api_key": accounts.public_api_key(org)}

    return router
