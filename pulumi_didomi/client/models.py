"""Pydantic models of the Didomi API objects the provider touches.

The notice-configuration field table (what a client may write, with Didomi's types, enums,
ranges and meanings) is `config_fields`; this module adds the response models around it.
Response models ignore unknown fields: Didomi adds fields without notice.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .config_fields import (
    WRITABLE_CONFIG_FIELDS,
    NoticeConfigFields,
    Number,
    RegulationConfig,
    config_rule_violations,
)

__all__ = [
    "WRITABLE_CONFIG_FIELDS",
    "Notice",
    "NoticeConfig",
    "NoticeConfigFields",
    "NoticeDeployment",
    "NoticeTemplate",
    "NoticeTemplateConfig",
    "NoticeText",
    "NoticeTextContent",
    "Purpose",
    "RegulationConfig",
    "Vendor",
    "VendorCategory",
    "VendorStorage",
    "Widget",
    "WidgetDeployment",
    "config_rule_violations",
]

DeploymentStatus = Literal["ready", "running", "failure", "success"]
JSONObject = dict[str, Any]


class _Response(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True, defer_build=True)


class Notice(_Response):
    """A consent notice (`/widgets/notices`)."""

    id: str
    organization_id: str
    name: str
    archived_at: str | None = None
    privacy_experience_id: str | None = None
    environment: str | None = None
    external_source: str | None = None
    external_id: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    version: Number | None = None


class NoticeConfig(NoticeConfigFields):
    """A notice configuration: the draft when `deployed_at` is null, else a published config."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    id: str
    organization_id: str
    notice_id: str
    deployed_at: str | None = None
    deployed_by: str | None = None
    deployed_by_type: str | None = None
    deployed_by_name: str | None = None
    deployed_metadata: JSONObject | None = None
    created_at: str | None = None
    updated_at: str | None = None
    version: Number | None = None

    @property
    def is_draft(self) -> bool:
        """True for the notice's one editable configuration."""
        return self.deployed_at is None


class NoticeDeployment(_Response):
    """A publication of a notice's draft (`/widgets/notices/deployments`); never deleted."""

    id: str
    notice_id: str
    organization_id: str
    production_config_id: str
    message: str | None = None
    status: DeploymentStatus | None = None
    created_at: str | None = None
    updated_at: str | None = None
    version: Number | None = None


class Widget(_Response):
    """A privacy widget (preference centre, DSAR form) at `/widgets`."""

    id: str
    organization_id: str
    name: str | None = None
    format: str | None = None
    headless: bool | None = None
    template_id: str | None = None
    enabled_languages: list[str] | None = None
    default_language: str | None = None
    theme_id: str | None = None
    custom_theme_id: str | None = None
    domain: str | None = None
    subdomain_id: str | None = None
    custom_domain_id: str | None = None
    layout_shape: str | None = None
    configuration_tree_id: str | None = None
    meta_tags_id: str | None = None
    auth: JSONObject | None = None
    archived: bool | None = None
    publication_status: str | None = None
    created_at: str | None = None
    updated_at: str | None = None


class WidgetDeployment(_Response):
    """A deployment of a privacy widget: a snapshot of its configuration; never deleted."""

    id: str
    organization_id: str
    widget_id: str
    deployment_id: str | None = None
    config: JSONObject = Field(default_factory=dict)
    created_at: str | None = None
    updated_at: str | None = None


# -- the data manager (`/metadata/*`) -------------------------------------------------------------


class Vendor(_Response):
    """A vendor (Didomi's "partner"): global (Didomi's, no `organization_id`) or custom."""

    id: str
    name: str
    category_id: str | None = None
    organization_id: str | None = None
    website: str | None = None
    website_optout: str | None = None
    contact: str | None = None
    country: str | None = None
    tags: list[str] | None = None
    notes: str | None = None
    hosts: list[str] | None = None
    url_patterns: list[str] | None = None
    namespaces: dict[str, str] | None = None
    default_purposes_id: list[str] | None = None
    legitimate_interest_purposes_id: list[str] | None = None
    spi_purposes_id: list[str] | None = None
    cookie_max_duration: Number | None = None
    cookie_max_duration_unit: str | None = None
    uses_non_cookie_access: bool | None = None
    deprecated: bool | None = None
    created_at: str | None = None
    updated_at: str | None = None
    version: Number | None = None


class VendorCategory(_Response):
    """A vendor category (Didomi's)."""

    id: str
    name: str | None = None


class VendorStorage(_Response):
    """A storage (cookie, web storage, app storage) a vendor discloses."""

    id: str
    partner_id: str
    organization_id: str | None = None
    type: str | None = None
    identifier: str | None = None
    domain: str | None = None
    max_age: Number | None = None
    max_age_unit: str | None = None
    purposes_id: list[str] | None = None


#: A translatable field as Didomi answers it with `$translations=true`: `{language: text}`
#: (a text when Didomi has no translations for it).
Translatable = dict[str, str] | str


class Purpose(_Response):
    """A purpose: global (Didomi's, no `organization_id`) or custom."""

    id: str
    description: Translatable | None = None
    details: Translatable | None = None
    enabled_status_description: Translatable | None = None
    disabled_status_description: Translatable | None = None
    reference: Translatable | None = None
    organization_id: str | None = None
    namespaces: dict[str, str] | None = None
    regulations_id: list[str] | None = None
    type: str | None = None
    metadata: JSONObject | None = None
    created_at: str | None = None
    updated_at: str | None = None


# -- vendor-list templates and approved texts (`/widgets/notices/templates*`, `texts*`) ------------


class NoticeTemplate(_Response):
    """A vendor-list template: what it sets is its configuration (`NoticeTemplateConfig`); it
    applies to the regulation configurations of `notices_id` whose `template_id` is its id."""

    id: str
    name: str
    organization_id: str | None = None
    version: Number | None = None
    notices_id: list[str] = Field(default_factory=list)
    created_at: str | None = None
    updated_at: str | None = None


class NoticeTemplateConfig(_Response):
    """A template's configuration: `config.app.vendors`, `config.app.essentialPurposes`,
    `config.preferences.categories` (what applying the template sets), and
    `regulation_settings` (`privacySignals`)."""

    id: str
    template_id: str
    config: JSONObject = Field(default_factory=dict)
    regulation_settings: JSONObject | None = None
    organization_id: str | None = None
    version: Number | None = None
    created_at: str | None = None
    updated_at: str | None = None


class NoticeText(_Response):
    """An approved text: a name and the platforms it serves; its wording is versioned as
    `NoticeTextContent`s."""

    id: str
    organization_id: str | None = None
    name: str
    platforms: list[str] = Field(default_factory=list)
    default: bool = False
    version: Number | None = None
    created_at: str | None = None
    updated_at: str | None = None


class NoticeTextContent(_Response):
    """One version of a text's wording; `status` (submitted, approved, rejected) is set by the
    Didomi team, and an approved content cannot change (a change is a new content)."""

    id: str
    content: str
    status: str | None = None
    includes_purposes: bool = False
    content_version: int | None = None
    organization_id: str | None = None
    text_id: str
    version: Number | None = None
    created_at: str | None = None
    updated_at: str | None = None
