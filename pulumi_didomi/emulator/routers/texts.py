"""`/widgets/notices/texts`: approved texts, and `/widgets/notices/texts-contents`, the
versions of their wording the Didomi team approves (O1 `notices-text*`; consent-setup §6).
Both lists are bare arrays, as O1 documents them."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from ..auth import Authenticate, Principal
from ..backend import TextsBackend
from ..models import Text, TextContent, TextContentInput, TextContentPatch, TextInput, TextPatch
from ..queries import Query
from .render import record_view, refuse_other_methods

_NOT_FILTERS = frozenset({"organization_id"})
_TEXTS = "/widgets/notices/texts"
_CONTENTS = "/widgets/notices/texts-contents"


def texts_router(backend: TextsBackend, authenticate: Authenticate) -> APIRouter:
    """Routes of texts and text contents."""
    router = APIRouter(tags=["texts"])
    Who = Annotated[Principal, Depends(authenticate)]
    text: dict[int | str, dict[str, Any]] = {200: {"model": Text}}
    content: dict[int | str, dict[str, Any]] = {200: {"model": TextContent}}

    # -- texts -----------------------------------------------------------------------------------

    @router.get(_TEXTS, responses={200: {"model": list[Text]}})
    def list_texts(request: Request, who: Who, organization_id: str | None = None) -> Any:
        query = Query.parse(request, ignore=_NOT_FILTERS)
        return [record_view(t) for t in backend.list_texts(who.scope(organization_id), query)]

    @router.post(_TEXTS, status_code=201, responses={201: text[200]})
    def create_text(body: TextInput, who: Who) -> Any:
        who.scope(body.organization_id)
        fields = body.model_dump(exclude_none=True)
        return record_view(backend.create_text(body.organization_id, fields))

    @router.get(_TEXTS + "/{text_id}", responses=text)
    def get_text(text_id: str, who: Who, organization_id: str | None = None) -> Any:
        return record_view(backend.get_text(who.scope(organization_id), text_id))

    @router.put(_TEXTS + "/{text_id}", responses=text)
    def put_text(
        text_id: str, body: TextInput, who: Who, organization_id: str | None = None
    ) -> Any:
        fields = body.model_dump(exclude_none=True)
        return record_view(backend.write_text(who.scope(organization_id), text_id, fields, True))

    @router.patch(_TEXTS + "/{text_id}", responses=text)
    def patch_text(
        text_id: str, body: TextPatch, who: Who, organization_id: str | None = None
    ) -> Any:
        changes = body.model_dump(exclude_unset=True)
        found = backend.write_text(who.scope(organization_id), text_id, changes, False)
        return record_view(found)

    refuse_other_methods(router, _TEXTS, ("GET", "POST"), "Texts are changed one by one")
    refuse_other_methods(
        router, _TEXTS + "/{text_id}", ("GET", "PUT", "PATCH"), "Texts cannot be deleted (O1)"
    )

    # -- contents --------------------------------------------------------------------------------

    @router.get(_CONTENTS, responses={200: {"model": list[TextContent]}})
    def list_text_contents(request: Request, who: Who, organization_id: str | None = None) -> Any:
        query = Query.parse(request, ignore=_NOT_FILTERS)
        found = backend.list_contents(who.scope(organization_id), query)
        return [record_view(c) for c in found]

    @router.post(_CONTENTS, status_code=201, responses={201: content[200]})
    def create_text_content(body: TextContentInput, who: Who) -> Any:
        who.scope(body.organization_id)
        fields = body.model_dump(exclude_none=True)
        return record_view(backend.create_content(body.organization_id, fields))

    @router.get(_CONTENTS + "/{content_id}", responses=content)
    def get_text_content(content_id: str, who: Who, organization_id: str | None = None) -> Any:
        return record_view(backend.get_content(who.scope(organization_id), content_id))

    @router.put(_CONTENTS + "/{content_id}", responses=content)
    def put_text_content(
        content_id: str, body: TextContentInput, who: Who, organization_id: str | None = None
    ) -> Any:
        fields = body.model_dump(exclude_none=True)
        found = backend.write_content(who.scope(organization_id), content_id, fields, True)
        return record_view(found)

    @router.patch(_CONTENTS + "/{content_id}", responses=content)
    def patch_text_content(
        content_id: str, body: TextContentPatch, who: Who, organization_id: str | None = None
    ) -> Any:
        changes = body.model_dump(exclude_unset=True)
        found = backend.write_content(who.scope(organization_id), content_id, changes, False)
        return record_view(found)

    @router.delete(_CONTENTS + "/{content_id}", responses=content)
    def delete_text_content(content_id: str, who: Who, organization_id: str | None = None) -> Any:
        return record_view(backend.delete_content(who.scope(organization_id), content_id))

    refuse_other_methods(router, _CONTENTS, ("GET", "POST"), "Text contents are changed one by one")
    refuse_other_methods(
        router,
        _CONTENTS + "/{content_id}",
        ("GET", "PUT", "PATCH", "DELETE"),
        "Text contents are read, replaced, patched or deleted one by one",
    )
    return router
