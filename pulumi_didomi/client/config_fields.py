# ruff: noqa: E501 (Didomi's own sentences, kept whole)
"""The notice-configuration field table: every field a client may write, once.

In the shape of Didomi's OpenAPI document: `SharedSettings` are the fields of a configuration
that each of its regulation configurations can override; `NoticeConfigFields` adds the
configuration's own, `RegulationConfigFields` a regulation configuration's own. Each field
carries its type (enums as `Literal`), its range and its meaning (`description`, Didomi's
sentence where its document has one). Everything else derives from here: the provider's
properties, schema and docs, the `check` messages and the field types a Pulumi program reads
without pydantic (`pulumi_didomi.core.fields`, `make sdk`), and the client's PATCH bodies.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Platform = Literal["web", "amp", "app", "ctv"]
DurationUnit = Literal["months", "days", "seconds"]
NegativeAction = Literal["button", "link"]
NegativeActionLinkFormat = Literal["text", "cross"]
DisagreeButtonStyle = Literal["primary", "secondary"]
TextMode = Literal["approved", "custom"]
GppMspaMode = Literal["service_provider", "opt_out"]
ConsentStringEncoding = Literal["bit_field_2_bits", "ranges_u16", "ranges_fibonacci"]

Number = int | float
JSONObject = dict[str, Any]


class WholeUnits:
    """Marks a number Didomi counts in whole units: `integer` in the schema, a fraction is
    refused by `check` (a duration of 1.5 months is 45 days or so: the program says which)."""

    def __repr__(self) -> str:
        return "WholeUnits()"


#: A consent duration: positive, in whole months, days or seconds.
Duration = Annotated[Number | None, Field(gt=0), WholeUnits()]


class SharedSettings(BaseModel):
    """The fields of a notice configuration that its regulation configurations share (each
    regulation may set its own value), in the order of Didomi's regulation configuration."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    config: JSONObject | None = Field(None, description="Configuration of the notice")
    text_id: str | None = Field(
        None,
        description='ID of an approved notice text if this notice is configured for using an approved text in "text_mode"',
    )
    template_id: str | None = Field(
        None,
        description='The ID of the notice template associated with this notice. "null" if this notice does not use configuration from a template.',
    )
    enable_ignore_consent_before: bool | None = Field(
        None, description="Whether the consent must be recollected after a certain date."
    )
    negative_action_link_format: NegativeActionLinkFormat | None = Field(
        None,
        description="What format of negative action link should be displayed in the notice: Link with the text Continue without agreeing or link with the X icon.",
    )
    disagree_button_style: DisagreeButtonStyle | None = Field(
        None, description="The style of the Disagree button"
    )
    country: str | None = Field(
        None,
        min_length=2,
        max_length=2,
        description="The country that the consent notice belongs to (two letter ISO code)",
    )
    notice_deny_applies_to_li: bool | None = Field(
        None,
        description="Do not keep legitimate interest enabled when the user disagrees in the notice",
    )
    preferences_deny_applies_to_li: bool | None = Field(
        None,
        description='Do not keep legitimate interest enabled when the user clicks on "Disagree to all" in the Preferences',
    )
    consent_duration: Duration = Field(
        None,
        description="The duration that applies to collected consent. Consent is recollected after the expiration of the duration",
    )
    consent_duration_unit: DurationUnit | None = Field(
        None, description="The unit of the consent duration"
    )
    denied_consent_duration: Duration = Field(
        None,
        description="The duration that applies to fully negative consent. Consent is recollected after the expiration of the duration",
    )
    denied_consent_duration_unit: DurationUnit | None = Field(
        None, description="The unit of the denied consent duration"
    )
    denied_consent_duration_custom: bool | None = Field(
        None, description="Whether the duration for denied consent is different from the generic"
    )
    cross_device_enabled: bool | None = Field(
        None, description="Whether the cross device feature is enabled"
    )
    cross_device_timeout: Number | None = Field(
        None, ge=0, description="The timeout that applies to sync with consent notice"
    )
    gcm_enabled: bool | None = Field(None, description="Whether Google consent mode is enabled")
    gcm_tcf_enabled: bool | None = Field(
        None, description="Whether the Google consent mode TCF integration is enabled"
    )
    gcm_set_default_status: bool | None = Field(
        None, description="Whether to set the default status for analytics and ads"
    )
    gcm_analytics_default_status: bool | None = Field(
        None, description="Default status for analytics in Google Consent Mode"
    )
    gcm_ads_default_status: bool | None = Field(
        None, description="Default status for ads in Google Consent Mode"
    )
    gcm_functionality_default_status: bool | None = Field(
        None,
        description="Default status for functionality of the website e.g. language settings in Google Consent Mode",
    )
    gcm_personalization_default_status: bool | None = Field(
        None, description="Default status for personalization in Google Consent Mode"
    )
    gcm_security_default_status: bool | None = Field(
        None, description="Default status for security in Google Consent Mode"
    )
    gcm_ad_user_data_default_status: bool | None = Field(
        None, description="Default status for ad user data in Google Consent Mode"
    )
    gcm_ad_personalization_default_status: bool | None = Field(
        None, description="Default status for ad personalization in Google Consent Mode"
    )
    microsoft_enabled: bool | None = Field(
        None, description="Whether Microsoft consent mode is enabled"
    )
    microsoft_set_default_status: bool | None = Field(
        None, description="Whether to set the default status for ads"
    )
    microsoft_ad_storage_default_status: bool | None = Field(
        None, description="Default status for ad storage in Microsoft Consent Mode"
    )
    microsoft_enable_tcf_advertiser_consent_mode: bool | None = Field(
        None,
        description="Whether to enable TCF advertiser consent mode in Microsoft Consent Mode",
    )
    amazon_enabled: bool | None = Field(None, description="Whether Amazon consent mode is enabled")
    amazon_set_default_status: bool | None = Field(
        None,
        description="Whether to set the default status for ads/user data in Amazon Consent Mode",
    )
    amazon_ad_storage_default_status: bool | None = Field(
        None, description="Default status for ad storage in Amazon Consent Mode"
    )
    amazon_ad_user_data_default_status: bool | None = Field(
        None, description="Default status for ad user data in Amazon Consent Mode"
    )
    wordpress_enabled: bool | None = Field(
        None, description="Whether WordPress consent mode is enabled"
    )
    gcm_firebase_enabled: bool | None = Field(
        None, description="Whether Firebase SDK is enabled for GCM third-party SDKs"
    )
    gcm_airbridge_enabled: bool | None = Field(
        None, description="Whether Airbridge SDK is enabled for GCM third-party SDKs"
    )
    gcm_kochava_enabled: bool | None = Field(
        None, description="Whether Kochava SDK is enabled for GCM third-party SDKs"
    )
    gcm_branch_enabled: bool | None = Field(
        None, description="Whether Branch SDK is enabled for GCM third-party SDKs"
    )
    gcm_appsflyer_enabled: bool | None = Field(
        None, description="Whether AppsFlyer SDK is enabled for GCM third-party SDKs"
    )
    notice_disabled: bool | None = Field(None, description="Whether the notice is disabled")


class RegulationConfigFields(SharedSettings):
    """The keys a program sets in one regulation configuration (Didomi's
    `NoticeRegulationConfigInput`): the shared settings and the regulation's own."""

    regulation_id: str | None = Field(
        None,
        description="The ID of the regulation. This is a reference to the regulations service.",
    )
    is_default_regulation_config: bool | None = Field(
        None, description="If this is the default configuration for a given regulation"
    )
    geo_locations: list[str] | None = Field(
        None,
        description="Geographical locations that will load this SDK config: `*` (everywhere), "
        "a country (`FR`, ISO 3166-1 alpha-2) or a region (`US_CA`: country, underscore, region "
        "code)",
    )
    regulation_settings: JSONObject | None = Field(
        None,
        description="Regulation specific configuration of the notice regulation configuration",
    )


class RegulationConfig(RegulationConfigFields):
    """One regulation configuration as a PATCH sends it and Didomi returns it (header `v: 2`):
    its fields, `disabled_at` (a date disables the regulation, null enables it again) and the
    keys Didomi sets. Other keys are kept: Didomi adds fields without notice."""

    model_config = ConfigDict(extra="allow")

    disabled_at: str | None = None
    id: str | None = None
    organization_id: str | None = None
    notice_config_id: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    version: Number | None = None


class NoticeConfigFields(SharedSettings):
    """Every writable field of a notice configuration: the shared settings and the
    configuration's own. All optional: a PATCH carries only the fields it changes."""

    platform: Platform | None = Field(
        None, description="Platform (web, amp, mobile or television) that this notice is running on"
    )
    default: bool | None = Field(
        None,
        description="Whether the notice should be used when no other notice is available and matching the target. If `default` is set to true, `targets` must be empty.",
    )
    targets: list[str] | None = Field(
        None,
        description="Domains (web) or app ids the notice is shown on; empty for the default notice",
    )
    custom_json: JSONObject | None = Field(
        None, description="Custom JSON that will be merged into the final configuration"
    )
    full_atp: bool | None = Field(
        None,
        description="Whether the notice uses the ATP vendors selected by Didomi (false) or if it uses the client's ATP vendor selection (true)",
    )
    text_mode: TextMode | None = Field(
        None,
        description="Whether the notice is using a custom or an approved text. Possible values: approved, custom.",
    )
    ignore_consent_before: str | None = Field(
        None,
        description='The date after which consent must be recollected if "enable_ignore_consent_before" is set to true.',
    )
    negative_action: NegativeAction | None = Field(
        None,
        description='What negative action should be displayed in the notice: Disagree to all ("button"), Continue without agreeing ("link") or no negative action (null)',
    )
    negative_action_link: bool | None = Field(
        None, description="Whether negative action should be a link or not."
    )
    negative_action_button: bool | None = Field(
        None, description="Whether negative action should be a button or not."
    )
    gcm_data_layer_name: str | None = Field(
        None, description="Data layer name for Google consent mode"
    )
    ctv_focus_on_agree_and_close: bool | None = Field(
        None,
        description="Whether the consent notice initial focus is on the Agree and Close button",
    )
    secure_cookies: bool | None = Field(
        None, description="Whether SDKs should create secure cookies on HTTPS websites"
    )
    gpp_enabled: bool | None = Field(None, description="Whether GPP is enabled")
    gpp_mspa_signatory: bool | None = Field(
        None, description="Whether GPP MSPA signatory is enabled"
    )
    gpp_mspa_mode: GppMspaMode | None = Field(
        None, description="GPP MSPA mode (service provider or opt out)"
    )
    gpp_mspa_generate_usnat_string: bool | None = Field(
        None, description="Whether to generate the US national string when MSPA is enabled"
    )
    consent_string_partners_encoding: ConsentStringEncoding | None = Field(
        None,
        description='The encoding selected for the partners section in the didomi consent string: One of "bit_field_2_bits", "ranges_u16", "ranges_fibonacci"',
    )
    consent_string_purposes_encoding: ConsentStringEncoding | None = Field(
        None,
        description='The encoding selected for the purposes section in the didomi consent string: One of "bit_field_2_bits", "ranges_u16", "ranges_fibonacci"',
    )
    enable_web_view: bool | None = Field(None, description="Whether the web view is enabled")
    notice_active_elements_order: JSONObject | None = Field(
        None, description="The order of active elements in the notice"
    )
    preferences_active_elements_order: JSONObject | None = Field(
        None, description="The order of active elements (buttons) in the preferences view"
    )
    dismiss_button_enabled: bool | None = Field(
        None, description="Whether the dismiss button (Agree & Close) is enabled"
    )
    preferences_title_enabled: bool | None = Field(
        None, description="Whether the title is enabled in the preferences view"
    )
    preferences_cross_button_enabled: bool | None = Field(
        None, description="Whether the cross button (top right) is enabled in the preferences view"
    )
    preferences_view_all_partners_button_enabled: bool | None = Field(
        None,
        description="Whether the view all partners button is enabled in the preferences view",
    )
    regulation_configurations: list[RegulationConfig] | None = Field(
        None,
        description="The notice's regulation configurations, one per regulation (matched by regulation_id); the list is managed whole: regulations left out are disabled on Didomi",
    )


#: The fields a client may send in `PATCH /widgets/notices/configs/{id}`.
WRITABLE_CONFIG_FIELDS: frozenset[str] = frozenset(NoticeConfigFields.model_fields)
#: The keys a program may set in a regulation configuration.
WRITABLE_REGULATION_KEYS: frozenset[str] = frozenset(RegulationConfigFields.model_fields)
#: The keys of a regulation configuration that Didomi sets (ids rotate at every publish).
#: `disabled_at` is not one: the provider writes it to disable a regulation.
READ_ONLY_REGULATION_KEYS: frozenset[str] = frozenset(RegulationConfig.model_fields) - {
    *WRITABLE_REGULATION_KEYS,
    "disabled_at",
}


def _is_date(value: str) -> bool:
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def config_rule_violations(
    config: dict[str, Any], *, partial: bool = False
) -> list[tuple[str, str]]:
    """Return `(field, reason)` for each of Didomi's cross-field rules that `config` breaks.

    `config` is the configuration a program declares: a rule whose fields are all absent is
    skipped, and `enable_ignore_consent_before=true` needs its date. With `partial`, `config`
    is a PATCH body (only what changes): a field it does not carry is unchanged on Didomi, so
    only the rules the body's own fields break are reported.
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
    before = config.get("ignore_consent_before")
    if config.get("enable_ignore_consent_before") is True and not (
        partial and "ignore_consent_before" not in config
    ):
        if not isinstance(before, str) or not _is_date(before):
            problems.append(
                (
                    "ignore_consent_before",
                    "must be an ISO-8601 date such as '2026-01-31' when "
                    "enable_ignore_consent_before is true",
                )
            )
    elif isinstance(before, str) and not _is_date(before):
        problems.append(("ignore_consent_before", "must be an ISO-8601 date such as '2026-01-31'"))
    return problems
