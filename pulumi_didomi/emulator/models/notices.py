"""Notices, configurations and notice deployments (O1 `notices*` schemas; reference §4-§6)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from .common import (
    ConsentStringEncoding,
    DateTime,
    DeploymentStatus,
    DisagreeButtonStyle,
    DurationUnit,
    GppMspaMode,
    NegativeAction,
    NegativeActionLinkFormat,
    NotNull,
    Number,
    Object,
    Platform,
    RequestBody,
    TextMode,
    is_iso_date,
)

#: Fields answered as `null` while unset, as Didomi's examples show them (N1: a created notice's
#: `archived_at`); every other unset field is left out of answers, like the other unset fields of
#: Didomi's examples (its create example has none of `privacy_experience_id`, `environment`,
#: `external_source`, `external_id`).
NOTICE_NULL_FIELDS = frozenset({"archived_at"})
#: The same for a configuration (N2, N4 examples; O1: `negative_action` null for none).
#: Regulation configurations keep their nulls: their properties "are nullable by default" (N6).
CONFIG_NULL_FIELDS = frozenset(
    {"deployed_at", "ignore_consent_before", "negative_action", "template_id", "country"}
)

# -- notices (O1 notices-input, notices; reference §4) -----------------------------------------


class _NoticeFields(RequestBody):
    privacy_experience_id: str | None = None
    environment: str | None = None
    external_source: str | None = None
    external_id: str | None = None


class NoticeInput(_NoticeFields):
    """`POST /widgets/notices`."""

    organization_id: str
    name: str
    archived_at: DateTime | None = None


class NoticePatch(_NoticeFields):
    """`PATCH /widgets/notices/{id}`: `archived_at` archives (a date-time) or unarchives (null)."""

    name: Annotated[str | None, NotNull] = None
    archived_at: DateTime | None = None


class Notice(NoticeInput):
    """A consent notice."""

    model_config = ConfigDict(extra="forbid")

    id: str
    created_at: str
    updated_at: str
    version: Number


# -- notice configurations (O1 notices-config[-input], notices-regulation[s]-config) ----------


class _SharedSettings(RequestBody):
    """Fields of both a configuration and its regulation configurations (O1)."""

    config: Object | None = None
    template_id: str | None = None
    text_id: str | None = None
    enable_ignore_consent_before: bool | None = None
    negative_action_link_format: NegativeActionLinkFormat | None = None
    disagree_button_style: DisagreeButtonStyle | None = None
    country: str | None = Field(None, min_length=2, max_length=2)
    notice_deny_applies_to_li: bool | None = None
    preferences_deny_applies_to_li: bool | None = None
    consent_duration: Number | None = None
    consent_duration_unit: DurationUnit | None = None
    denied_consent_duration: Number | None = None
    denied_consent_duration_unit: DurationUnit | None = None
    denied_consent_duration_custom: bool | None = None
    cross_device_enabled: bool | None = None
    cross_device_timeout: Number | None = None
    gcm_enabled: bool | None = None
    gcm_tcf_enabled: bool | None = None
    gcm_set_default_status: bool | None = None
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
    gpp_mspa_generate_usnat_string: bool | None = None
    notice_disabled: bool | None = None
    notice_active_elements_order: Object | None = None
    dismiss_button_enabled: bool | None = None
    preferences_title_enabled: bool | None = None
    preferences_cross_button_enabled: bool | None = None
    preferences_view_all_partners_button_enabled: bool | None = None
    preferences_active_elements_order: Object | None = None


class RegulationConfigInput(_SharedSettings):
    """One item of `regulation_configurations` in a PATCH (header `v: 2`); other keys are kept."""

    model_config = ConfigDict(extra="allow")

    id: str | None = None
    regulation_id: str | None = None
    is_default_regulation_config: bool | None = None
    geo_locations: list[str] | None = None
    regulation_settings: Object | None = None
    disabled_at: str | None = None


class NoticeConfigPatch(_SharedSettings):
    """`PATCH /widgets/notices/configs/{id}`: every writable field, all optional.

    O1's response-only fields (`negative_action_link*`, `negative_action_button`, `gpp_*`,
    `cross_device_*`) are accepted and stored (reference §12.6); `sdk_version` is ignored.
    """

    platform: Platform | None = None
    default: bool | None = None
    targets: list[str] | None = None
    custom_json: Object | None = None
    full_atp: bool | None = None
    text_mode: TextMode | None = None
    ignore_consent_before: str | None = None
    negative_action: NegativeAction | None = None
    negative_action_link: bool | None = None
    negative_action_button: bool | None = None
    gcm_data_layer_name: str | None = None
    ctv_focus_on_agree_and_close: bool | None = None
    secure_cookies: bool | None = None
    gpp_enabled: bool | None = None
    gpp_mspa_signatory: bool | None = None
    gpp_mspa_mode: GppMspaMode | None = None
    consent_string_partners_encoding: ConsentStringEncoding | None = None
    consent_string_purposes_encoding: ConsentStringEncoding | None = None
    enable_web_view: bool | None = None
    regulation_configurations: list[RegulationConfigInput] | None = None


#: The fields `PATCH /widgets/notices/configs/{id}` writes.
WRITABLE_CONFIG_FIELDS: frozenset[str] = frozenset(NoticeConfigPatch.model_fields)


def config_rule_violations(config: Object) -> dict[str, str]:
    """`{field: reason}` for each cross-field rule of O1 that a (merged) configuration breaks."""
    problems: dict[str, str] = {}
    if config.get("default") is True and config.get("targets"):
        problems["default"] = (
            "a default notice (default=true) must have empty targets (O1: if `default` is set "
            "to true, `targets` must be empty)"
        )
    before = config.get("ignore_consent_before")
    if config.get("enable_ignore_consent_before") is True and not is_iso_date(before):
        problems["ignore_consent_before"] = (
            "must be an ISO-8601 date such as '2026-01-31' when enable_ignore_consent_before "
            "is true"
        )
    elif isinstance(before, str) and not is_iso_date(before):
        problems["ignore_consent_before"] = "must be an ISO-8601 date such as '2026-01-31'"
    return problems


class RegulationConfiguration(RegulationConfigInput):
    """A stored regulation configuration."""

    id: str
    regulation_id: str
    organization_id: str
    notice_config_id: str
    created_at: str
    updated_at: str
    version: Number


class NoticeConfig(NoticeConfigPatch):
    """A notice configuration: the draft when `deployed_at` is null, else published."""

    model_config = ConfigDict(extra="forbid")

    id: str
    organization_id: str
    notice_id: str
    deployed_at: str | None = None
    deployed_by: str | None = None
    deployed_by_type: str | None = None
    deployed_by_name: str | None = None
    deployed_metadata: Object | None = None
    regulation_configurations: list[RegulationConfiguration] | None = None  # type: ignore[assignment]
    created_at: str
    updated_at: str
    version: Number


# -- notice deployments (O1 notices-deployments[-input]; reference §6) -------------------------


class DeploymentInput(RequestBody):
    """`POST /widgets/notices/deployments`: publish the notice's draft."""

    notice_id: str
    organization_id: str
    production_config_id: str
    message: str | None = None


class NoticeDeployment(BaseModel):
    """A publication of a draft; never changed nor deleted."""

    model_config = ConfigDict(extra="forbid")

    id: str
    notice_id: str
    organization_id: str
    production_config_id: str
    message: str
    status: DeploymentStatus
    created_at: str
    updated_at: str
    version: Number
