"""Privacy widgets and widget deployments (reference §9: W1 deploy, W2 create, W3, W4)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from .common import NotNull, Object, RequestBody, WidgetFormat, WidgetTemplate

# -- widgets (reference §9: W2 create, W3 fields, W4 PATCH) -------------------------------------


class _WidgetSettings(RequestBody):
    theme_id: str | None = None
    custom_theme_id: str | None = None
    subdomain_id: str | None = None
    custom_domain_id: str | None = None
    layout_shape: str | None = None


class WidgetInput(_WidgetSettings):
    """`POST /widgets?organization_id=`; `selected_*_ids` are create-time only ([] = all)."""

    name: str = Field(min_length=1)
    format: WidgetFormat = "embeddable"
    template_id: WidgetTemplate = "full_preference_center"
    headless: bool = False
    enabled_languages: list[str] | None = Field(None, min_length=1)
    default_language: str | None = Field(None, min_length=1)
    selected_purposes_ids: list[str] = Field(default_factory=list)
    selected_preferences_ids: list[str] = Field(default_factory=list)


class WidgetPatch(_WidgetSettings):
    """`PATCH /widgets/{id}`; fields marked `NotNull` may be omitted, never null."""

    name: Annotated[str | None, Field(min_length=1), NotNull] = None
    format: Annotated[WidgetFormat | None, NotNull] = None
    template_id: Annotated[WidgetTemplate | None, NotNull] = None
    headless: Annotated[bool | None, NotNull] = None
    enabled_languages: Annotated[list[str] | None, Field(min_length=1), NotNull] = None
    default_language: Annotated[str | None, Field(min_length=1), NotNull] = None
    archived: Annotated[bool | None, NotNull] = None
    selected_purposes_ids: Annotated[list[str] | None, NotNull] = None
    selected_preferences_ids: Annotated[list[str] | None, NotNull] = None


#: Widget fields fixed at creation (W2): a PATCH may repeat them, not change them.
CREATE_ONLY_WIDGET_FIELDS = ("selected_purposes_ids", "selected_preferences_ids")


def widget_rule_violations(widget: Object) -> dict[str, str]:
    """`{field: reason}` for each cross-field rule of W2/W4 that a (merged) widget breaks."""
    problems: dict[str, str] = {}
    if widget.get("headless") is True and widget.get("format") != "embeddable":
        problems["headless"] = "a headless widget needs format 'embeddable' (W4)"
    enabled = widget.get("enabled_languages") or []
    if widget.get("default_language") not in enabled:
        problems["default_language"] = f"must be one of enabled_languages {enabled}"
    return problems


class Widget(_WidgetSettings):
    """A privacy widget (preference centre, DSAR form)."""

    model_config = ConfigDict(extra="forbid")

    id: str
    organization_id: str
    name: str
    format: WidgetFormat
    template_id: WidgetTemplate
    headless: bool
    enabled_languages: list[str]
    default_language: str
    selected_purposes_ids: list[str]
    selected_preferences_ids: list[str]
    archived: bool
    publication_status: str
    created_at: str
    updated_at: str


class WidgetDeploymentInput(RequestBody):
    """`POST /widgets/deployments?organization_id=`."""

    widget_id: str


class WidgetDeployment(BaseModel):
    """A deployment of a widget: a snapshot of its configuration (W1); never deleted."""

    model_config = ConfigDict(extra="forbid")

    id: str
    organization_id: str
    widget_id: str
    deployment_id: str
    config: Object
    created_at: str
    updated_at: str
