"""`/widgets/notices/templates`: vendor-list templates, and `/widgets/notices/templates/configs`,
what each sets on the notices it is applied to (O1 `notices-templates*`; consent-setup §5)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from ..auth import Authenticate, Principal
from ..backend import TemplatesBackend
from ..models import (
    Page,
    Template,
    TemplateConfig,
    TemplateConfigPatch,
    TemplateConfigPut,
    TemplateInput,
    TemplatePatch,
)
from ..queries import Query
from .render import page_view, record_view, refuse_other_methods

_NOT_FILTERS = frozenset({"organization_id"})
_CONFIGS = "/widgets/notices/templates/configs"
_TEMPLATES = "/widgets/notices/templates"


def templates_router(backend: TemplatesBackend, authenticate: Authenticate) -> APIRouter:
    """Routes of templates and template configurations (the fixed `configs` paths first)."""
    router = APIRouter(tags=["templates"])
    Who = Annotated[Principal, Depends(authenticate)]
    config: dict[int | str, dict[str, Any]] = {200: {"model": TemplateConfig}}
    one: dict[int | str, dict[str, Any]] = {200: {"model": Template}}

    @router.get(_CONFIGS, responses={200: {"model": Page[TemplateConfig]}})
    def list_template_configs(
        request: Request, who: Who, organization_id: str | None = None
    ) -> Any:
        query = Query.parse(request, ignore=_NOT_FILTERS)
        return page_view(backend.list_configs(who.scope(organization_id), query), record_view)

    @router.get(_CONFIGS + "/{config_id}", responses=config)
    def get_template_config(config_id: str, who: Who, organization_id: str | None = None) -> Any:
        return record_view(backend.get_config(who.scope(organization_id), config_id))

    @router.put(_CONFIGS + "/{config_id}", responses=config)
    def put_template_config(
        config_id: str, body: TemplateConfigPut, who: Who, organization_id: str | None = None
    ) -> Any:
        fields = body.model_dump(exclude_none=True)
        found = backend.write_config(who.scope(organization_id), config_id, fields, True)
        return record_view(found)

    @router.patch(_CONFIGS + "/{config_id}", responses=config)
    def patch_template_config(
        config_id: str, body: TemplateConfigPatch, who: Who, organization_id: str | None = None
    ) -> Any:
        changes = body.model_dump(exclude_unset=True)
        found = backend.write_config(who.scope(organization_id), config_id, changes, False)
        return record_view(found)

    @router.delete(_CONFIGS + "/{config_id}", responses=config)
    def delete_template_config(config_id: str, who: Who, organization_id: str | None = None) -> Any:
        return record_view(backend.delete_config(who.scope(organization_id), config_id))

    refuse_other_methods(
        router,
        _CONFIGS,
        ("GET",),
        "A template configuration is created with its template (POST /widgets/notices/templates)",
    )
    refuse_other_methods(
        router,
        _CONFIGS + "/{config_id}",
        ("GET", "PUT", "PATCH", "DELETE"),
        "Template configurations are read, replaced, patched or deleted one by one",
    )

    @router.get(_TEMPLATES, responses={200: {"model": Page[Template]}})
    def list_templates(request: Request, who: Who, organization_id: str | None = None) -> Any:
        query = Query.parse(request, ignore=_NOT_FILTERS)
        return page_view(backend.list_templates(who.scope(organization_id), query), record_view)

    @router.post(_TEMPLATES, status_code=201, responses={201: one[200]})
    def create_template(body: TemplateInput, who: Who, organization_id: str | None = None) -> Any:
        scope = who.scope(organization_id or body.organization_id)
        return record_view(backend.create_template(scope, body.model_dump(exclude_none=True)))

    @router.get(_TEMPLATES + "/{template_id}", responses=one)
    def get_template(template_id: str, who: Who, organization_id: str | None = None) -> Any:
        return record_view(backend.get_template(who.scope(organization_id), template_id))

    @router.patch(_TEMPLATES + "/{template_id}", responses=one)
    def patch_template(
        template_id: str, body: TemplatePatch, who: Who, organization_id: str | None = None
    ) -> Any:
        changes = body.model_dump(exclude_unset=True)
        found = backend.patch_template(who.scope(organization_id), template_id, changes)
        return record_view(found)

    @router.delete(_TEMPLATES + "/{template_id}", responses=one)
    def delete_template(template_id: str, who: Who, organization_id: str | None = None) -> Any:
        return record_view(backend.delete_template(who.scope(organization_id), template_id))

    refuse_other_methods(router, _TEMPLATES, ("GET", "POST"), "Templates are changed one by one")
    refuse_other_methods(
        router,
        _TEMPLATES + "/{template_id}",
        ("GET", "PATCH", "DELETE"),
        "The emulator changes a template with PATCH (PUT is not emulated)",
    )
    return router
