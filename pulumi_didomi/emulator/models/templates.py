"""Vendor-list templates, their configurations, approved texts and their contents (O1
`notices-templates*`, `notices-text*`; `shared/reference/didomi-consent-setup.md` §5-§6).

A template's configuration holds what a template sets on the regulation configurations it is
applied to: `config.app.vendors`, `config.app.essentialPurposes`,
`config.preferences.categories` (`TEMPLATE_KEYS`); its structure is O1's
(`template_config_violations`). A text's contents are approved by the Didomi team: `status`
is set by them (the emulator's operator route), never by a request.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from .common import NotNull, Number, Object, Platform, RequestBody

#: The keys of a regulation configuration's `config` a template replaces when applied, as
#: paths (`app.vendors`: `config["app"]["vendors"]`).
TEMPLATE_KEYS: tuple[tuple[str, str], ...] = (
    ("app", "vendors"),
    ("app", "essentialPurposes"),
    ("preferences", "categories"),
)

ContentStatus = Literal["submitted", "approved", "rejected"]


# -- templates (O1 notices-templates, notices-templates-input) ---------------------------------


class TemplateInput(RequestBody):
    """`POST /widgets/notices/templates`: a name (O1 `notices-templates` requires one) and the
    notices it is linked to; the organization is `organization_id` (query or body), else the
    caller's first."""

    name: str
    notices_id: list[str] | None = None
    organization_id: str | None = None


class TemplatePatch(RequestBody):
    """`PATCH /widgets/notices/templates/{id}`: the fields to change (omitted, not null)."""

    name: Annotated[str | None, NotNull] = None
    notices_id: Annotated[list[str] | None, NotNull] = None


class Template(BaseModel):
    """A vendor-list template."""

    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    organization_id: str
    notices_id: list[str]
    created_at: str
    updated_at: str
    version: Number


# -- template configurations (O1 notices-templates-configs[-input]) ----------------------------


class _Shape(BaseModel):
    """Part of O1's structure of a template configuration: typed where O1 types it (a typed
    key may be left out, not null), other keys kept."""

    model_config = ConfigDict(strict=True, extra="allow")

    @model_validator(mode="before")
    @classmethod
    def _no_nulls(cls, data: Any) -> Any:
        if isinstance(data, dict):
            nulls = [k for k in cls.model_fields if k in data and data[k] is None]
            if nulls:
                raise ValueError(f"{', '.join(nulls)}: may be omitted, but not null")
        return data


class _VendorsOfRestriction(_Shape):
    restrictionType: Literal["list", "all"] | None = None
    purposeId: list[str] | None = None


class _Restriction(_Shape):
    id: str | None = None
    purposeId: list[str] | None = None
    restrictionType: Literal["allow", "disallow", "req-consent", "req-li"] | None = None
    vendors: _VendorsOfRestriction | None = None


class _Stacks(_Shape):
    auto: bool | None = None
    ids: list[str] | None = None


class _Iab(_Shape):
    all: bool | None = None
    include: list[Number] | None = None
    exclude: list[Number] | None = None
    enabled: bool | None = None
    version: Literal[1, 2] | None = None
    restrictions: list[_Restriction] | None = None
    stacks: _Stacks | None = None


class _Vendors(_Shape):
    include: list[str] | None = None
    iab: _Iab | None = None


class _App(_Shape):
    essentialPurposes: list[str] | None = None
    vendors: _Vendors | None = None


class _Preferences(_Shape):
    categories: list[Any] | None = None


class TemplateConfigShape(_Shape):
    """O1 `notices-templates-configs.config`."""

    app: _App | None = None
    preferences: _Preferences | None = None


class _PrivacySignal(_Shape):
    namespaces: Object | None = None
    section: str | None = None
    purposes: list[str] | None = None


class RegulationSettingsShape(_Shape):
    """O1 `notices-templates-configs.regulation_settings`."""

    privacySignals: list[_PrivacySignal] | None = None


def template_config_violations(fields: Object) -> dict[str, str]:
    """`{field: reason}` when `config` or `regulation_settings` of a template configuration
    does not have O1's structure (the reason names the path inside it)."""
    problems: dict[str, str] = {}
    for name, shape in (
        ("config", TemplateConfigShape),
        ("regulation_settings", RegulationSettingsShape),
    ):
        value = fields.get(name)
        if value is None:
            continue
        try:
            shape.model_validate(value)
        except ValidationError as exc:
            problems[name] = "; ".join(
                f"{'.'.join(str(p) for p in (name, *e['loc']))}: {e['msg']}" for e in exc.errors()
            )
    return problems


class TemplateConfigPut(RequestBody):
    """`PUT /widgets/notices/templates/configs/{id}` (O1 `notices-templates-configs-input`):
    `config` replaced, `regulation_settings` replaced or removed; a template configuration
    stays its template's (`template_id` is read, never moved)."""

    template_id: str
    config: Object
    regulation_settings: Object | None = None


class TemplateConfigPatch(RequestBody):
    """`PATCH /widgets/notices/templates/configs/{id}`: the top-level fields given replace
    the stored ones."""

    config: Annotated[Object | None, NotNull] = None
    regulation_settings: Object | None = None


class TemplateConfig(BaseModel):
    """A template's configuration: what applying the template sets."""

    model_config = ConfigDict(extra="forbid")

    id: str
    template_id: str
    organization_id: str
    config: Object
    regulation_settings: Object | None = None
    created_at: str
    updated_at: str
    version: Number


# -- approved texts (O1 notices-text, notices-text-input) --------------------------------------


class TextInput(RequestBody):
    """`POST` and `PUT /widgets/notices/texts[/{id}]` (O1 `notices-text-input`; a PUT keeps the
    text's organization)."""

    organization_id: str
    name: str
    platforms: list[Platform] | None = None
    default: bool | None = None


class TextPatch(RequestBody):
    """`PATCH /widgets/notices/texts/{id}`: the fields to change (omitted, not null)."""

    name: Annotated[str | None, NotNull] = None
    platforms: Annotated[list[Platform] | None, NotNull] = None
    default: Annotated[bool | None, NotNull] = None


class Text(BaseModel):
    """A notice text: its contents are versioned under `/widgets/notices/texts-contents`."""

    model_config = ConfigDict(extra="forbid")

    id: str
    organization_id: str
    name: str
    platforms: list[str]
    default: bool
    created_at: str
    updated_at: str
    version: Number


# -- text contents (O1 notices-text-content, notices-text-content-input) -----------------------


class TextContentInput(RequestBody):
    """`POST` and `PUT /widgets/notices/texts-contents[/{id}]` (a PUT keeps the content's
    text and organization)."""

    content: str
    organization_id: str
    text_id: str
    includes_purposes: bool | None = None


class TextContentPatch(RequestBody):
    """`PATCH /widgets/notices/texts-contents/{id}`: the fields to change."""

    content: Annotated[str | None, NotNull] = None
    includes_purposes: Annotated[bool | None, NotNull] = None


class TextContent(BaseModel):
    """One version of a text's content and its approval status."""

    model_config = ConfigDict(extra="forbid")

    id: str
    content: str
    status: ContentStatus
    includes_purposes: bool
    content_version: int
    organization_id: str
    text_id: str
    created_at: str
    updated_at: str
    version: Number


class ContentStatusInput(BaseModel):
    """`POST /_emulator/texts-contents/{id}/status`: the Didomi team's decision."""

    model_config = ConfigDict(strict=True, extra="forbid")

    status: Literal["approved", "rejected"]


__all__ = [
    "TEMPLATE_KEYS",
    "ContentStatusInput",
    "Template",
    "TemplateConfig",
    "TemplateConfigPatch",
    "TemplateConfigPut",
    "TemplateInput",
    "TemplatePatch",
    "Text",
    "TextContent",
    "TextContentInput",
    "TextContentPatch",
    "TextInput",
    "TextPatch",
    "template_config_violations",
]
