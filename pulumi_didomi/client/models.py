"""Pydantic models of the Didomi API objects the provider touches.

This module is the single description of Didomi's data: the notice-configuration field table
(`NoticeConfigFields`), which of those fields a client may write (`WRITABLE_CONFIG_FIELDS`),
the cross-field rules Didomi documents (`config_rule_violations`), and the response models.
Response models ignore unknown fields: Didomi adds fields without notice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Platform = Literal["web", "amp", "app", "ctv"]
DurationUnit = Literal["months", "days", "seconds"]
NegativeAction = Literal["button", "link"]
NegativeActionLinkFormat = Literal["text", "cross"]
DisagreeButtonStyle = Literal["primary", "secondary"]
TextMode = Literal["approved", "custom"]
GppMspaMode = Literal["service_provider", "opt_out"]
ConsentStringEncoding = Literal["bit_field_2_bits", "ranges_u16", "ranges_fibonacci"]
DeploymentStatus = Literal["ready", "running", "failure", "success"]

Number = int | float
JSONObject = dict[str, Any]


class _Response(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True, defer_build=True)


class RegulationConfig(BaseModel):
    """One regulation's overrides inside a notice configuration (header `v: 2`)."""

    model_config = ConfigDict(extra="allow", defer_build=True)

    id: str | None = None
    regulation_id: str | None = None
    organization_id: str | None = None
    notice_config_id: str | None = None
    is_default_regulation_config: bool | None = None
    geo_locations: list[str] | None = None
    regulation_settings: JSONObject | None = None
    config: JSONObject | None = None
    template_id: str | None = None
    disagree_button_style: DisagreeButtonStyle | None = None
    consent_duration: Number | None = Field(default=None, gt=0)
    consent_duration_unit: DurationUnit | None = None
    denied_consent_duration: Number | None = Field(default=None, gt=0)
    denied_consent_duration_unit: DurationUnit | None = None
    disabled_at: str | None = None


class NoticeConfigFields(BaseModel):
    """Every writable field of a notice configuration, with Didomi's documented types and enums.

    All fields are optional: a PATCH carries only the fields it changes.
    """

    model_config = ConfigDict(extra="forbid", defer_build=True)

    platform: Platform | None = None
    default: bool | None = None
    targets: list[str] | None = None
    custom_json: JSONObject | None = None
    config: JSONObject | None = None
    full_atp: bool | None = None
    text_mode: TextMode | None = None
    text_id: str | None = None
    template_id: str | None = None
    enable_ignore_consent_before: bool | None = None
    ignore_consent_before: str | None = None
    negative_action: NegativeAction | None = None
    negative_action_link: bool | None = None
    negative_action_link_format: NegativeActionLinkFormat | None = None
    negative_action_button: bool | None = None
    disagree_button_style: DisagreeButtonStyle | None = None
    country: str | None = Field(default=None, min_length=2, max_length=2)
    notice_deny_applies_to_li: bool | None = None
    preferences_deny_applies_to_li: bool | None = None
    consent_duration: Number | None = Field(default=None, gt=0)
    consent_duration_unit: DurationUnit | None = None
    denied_consent_duration: Number | None = Field(default=None, gt=0)
    denied_consent_duration_unit: DurationUnit | None = None
    denied_consent_duration_custom: bool | None = None
    cross_device_enabled: bool | None = None
    cross_device_timeout: Number | None = Field(default=None, ge=0)
    gcm_enabled: bool | None = None
    gcm_tcf_enabled: bool | None = None
    gcm_set_default_status: bool | None = None
    gcm_data_layer_name: str | None = None
    gcm_analytics_default_status: bool | None = None
    gcm_ads_default_status: bool | None = None
    gcm_functionality_default_status: bool | None = None
    gcm_personalization_default_status: bool | None = None
    gcm_security_default_status: bool | None = None
    gcm_ad_user_data_default_status: bool | None = None
    gcm_ad_personalization_default_status: bool | None = None
    gcm_firebase_enabled: bool | None = None
    gcm_airbridge_enabled: bool | None = None
    gcm_kochava_enabled: bool | None = None
    gcm_branch_enabled: bool | None = None
    gcm_appsflyer_enabled: bool | None = None
    microsoft_enabled: bool | None = None
    microsoft_set_default_status: bool | None = None
    microsoft_ad_storage_default_status: bool | None = None
    microsoft_enable_tcf_advertiser_consent_mode: bool | None = None
    amazon_enabled: bool | None = None
    amazon_set_default_status: bool | None = None
    amazon_ad_storage_default_status: bool | None = None
    amazon_ad_user_data_default_status: bool | None = None
    wordpress_enabled: bool | None = None
    ctv_focus_on_agree_and_close: bool | None = None
    secure_cookies: bool | None = None
    gpp_enabled: bool | None = None
    gpp_mspa_signatory: bool | None = None
    gpp_mspa_mode: GppMspaMode | None = None
    gpp_mspa_generate_usnat_string: bool | None = None
    notice_disabled: bool | None = None
    consent_string_partners_encoding: ConsentStringEncoding | None = None
    consent_string_purposes_encoding: ConsentStringEncoding | None = None
    enable_web_view: bool | None = None
    notice_active_elements_order: JSONObject | None = None
    preferences_active_elements_order: JSONObject | None = None
    dismiss_button_enabled: bool | None = None
    preferences_title_enabled: bool | None = None
    preferences_cross_button_enabled: bool | None = None
    preferences_view_all_partners_button_enabled: bool | None = None
    regulation_configurations: list[RegulationConfig] | None = None


#: The fields a client may send in `PATCH /widgets/notices/configs/{id}`.
WRITABLE_CONFIG_FIELDS: frozenset[str] = frozenset(NoticeConfigFields.model_fields)


def _is_date(value: str) -> bool:
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def config_rule_violations(config: dict[str, Any]) -> list[tuple[str, str]]:
    """Return `(field, reason)` for each of Didomi's cross-field rules that `config` breaks.

    `config` is a (possibly partial) configuration: rules whose fields are absent are skipped.
    """
    problems: list[tuple[str, str]] = []
    if config.get("default") is True and config.get("targets"):
        problems.append(
            (
                "default",
                "a default notice (default=true) applies to every domain and must have empty "
                "targets: remove the targets or set default=false",
            )
        )
    if config.get("enable_ignore_consent_before") is True:
        before = config.get("ignore_consent_before")
        if not isinstance(before, str) or not _is_date(before):
            problems.append(
                (
                    "ignore_consent_before",
                    "must be an ISO-8601 date such as '2026-01-31' when "
                    "enable_ignore_consent_before is true",
                )
            )
    elif isinstance(config.get("ignore_consent_before"), str) and not _is_date(
        config["ignore_consent_before"]
    ):
        problems.append(("ignore_consent_before", "must be an ISO-8601 date such as '2026-01-31'"))
    return problems


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
