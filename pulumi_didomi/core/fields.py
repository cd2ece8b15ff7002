# ruff: noqa: E501 (Didomi's own sentences, kept whole)
"""The writable fields of a notice configuration as properties of the package (no `pulumi`
import): types and allowed values from `pulumi_didomi.client.models`, meanings from Didomi's
OpenAPI document where it has a description.

The types are read from the models once, by `make sdk`, into `field_types.py`, so that a
Pulumi program, which never validates a value, does not import pydantic (a test keeps the file
equal to the models)."""

from __future__ import annotations

import types
import typing
from typing import Any, Literal

from pulumi_didomi.core.field_types import CONFIG_FIELD_TYPES
from pulumi_didomi.core.properties import PACKAGE, ObjectType, Prop
from pulumi_didomi.core.regulations import REGULATION_KEYS

#: Properties whose value Didomi counts in whole units.
INTEGRAL = frozenset({"consent_duration", "denied_consent_duration"})
REGULATION_TYPE = f"{PACKAGE}:index:RegulationConfiguration"

#: Notice configuration fields (`NoticeConfigFields`).
CONFIG_FIELD_DOCS: dict[str, str] = {
    "platform": "Platform (web, amp, mobile or television) that this notice is running on",
    "default": "Whether the notice should be used when no other notice is available and matching the target. If `default` is set to true, `targets` must be empty.",
    "targets": "Domains (web) or app ids the notice is shown on; empty for the default notice",
    "custom_json": "Custom JSON that will be merged into the final configuration",
    "config": "Configuration of the notice",
    "full_atp": "Whether the notice uses the ATP vendors selected by Didomi (false) or if it uses the client's ATP vendor selection (true)",
    "text_mode": "Whether the notice is using a custom or an approved text. Possible values: approved, custom.",
    "text_id": 'ID of an approved notice text if this notice is configured for using an approved text in "text_mode"',
    "template_id": 'The ID of the notice template associated with this notice. "null" if this notice does not use configuration from a template.',
    "enable_ignore_consent_before": "Whether the consent must be recollected after a certain date.",
    "ignore_consent_before": 'The date after which consent must be recollected if "enable_ignore_consent_before" is set to true.',
    "negative_action": 'What negative action should be displayed in the notice: Disagree to all ("button"), Continue without agreeing ("link") or no negative action (null)',
    "negative_action_link": "Whether negative action should be a link or not.",
    "negative_action_link_format": "What format of negative action link should be displayed in the notice: Link with te text Continue without agreeing or link with the X icon.",
    "negative_action_button": "Whether negative action should be a button or not.",
    "disagree_button_style": "The style of the Disagree button",
    "country": "The country that the consent notice belongs to (two letter ISO code)",
    "notice_deny_applies_to_li": "Do not keep legitimate interest enabled when the user disagrees in the notice",
    "preferences_deny_applies_to_li": 'Do not keep legitimate interest enabled when the user clicks on "Disagree to all" in the Preferences',
    "consent_duration": "The duration that applies to collected consent. Consent is recollected after the expiration of the duration",
    "consent_duration_unit": "The unit of the consent duration",
    "denied_consent_duration": "The duration that applies to fully negative consent. Consent is recollected after the expiration of the duration",
    "denied_consent_duration_unit": "The unit of the denied consent duration",
    "denied_consent_duration_custom": "Whether the duration for denied consent is different from the generic",
    "cross_device_enabled": "Whether the cross device feature is enabled",
    "cross_device_timeout": "The timeout that applies to sync with consent notice",
    "gcm_enabled": "Whether Google consent mode is enabled",
    "gcm_tcf_enabled": "Whether the Google consent mode TCF integration is enabled",
    "gcm_set_default_status": "Whether to set the default status for analytics and ads",
    "gcm_data_layer_name": "Data layer name for Google consent mode",
    "gcm_analytics_default_status": "Default status for analytics in Google Consent Mode",
    "gcm_ads_default_status": "Default status for ads in Google Consent Mode",
    "gcm_functionality_default_status": "Default status for functionality of the website e.g. language settings in Google Consent Mode",
    "gcm_personalization_default_status": "Default status for personalization in Google Consent Mode",
    "gcm_security_default_status": "Default status for security in Google Consent Mode",
    "gcm_ad_user_data_default_status": "Default status for ad user data in Google Consent Mode",
    "gcm_ad_personalization_default_status": "Default status for ad personalization in Google Consent Mode",
    "gcm_firebase_enabled": "Whether Firebase SDK is enabled for GCM third-party SDKs",
    "gcm_airbridge_enabled": "Whether Airbridge SDK is enabled for GCM third-party SDKs",
    "gcm_kochava_enabled": "Whether Kochava SDK is enabled for GCM third-party SDKs",
    "gcm_branch_enabled": "Whether Branch SDK is enabled for GCM third-party SDKs",
    "gcm_appsflyer_enabled": "Whether AppsFlyer SDK is enabled for GCM third-party SDKs",
    "microsoft_enabled": "Whether Microsoft consent mode is enabled",
    "microsoft_set_default_status": "Whether to set the default status for ads",
    "microsoft_ad_storage_default_status": "Default status for ad storage in Microsoft Consent Mode",
    "microsoft_enable_tcf_advertiser_consent_mode": "Whether to enable TCF advertiser consent mode in Microsoft Consent Mode",
    "amazon_enabled": "Whether Amazon consent mode is enabled",
    "amazon_set_default_status": "Whether to set the default status for ads/user data in Amazon Consent Mode",
    "amazon_ad_storage_default_status": "Default status for ad storage in Amazon Consent Mode",
    "amazon_ad_user_data_default_status": "Default status for ad user data in Amazon Consent Mode",
    "wordpress_enabled": "Whether WordPress consent mode is enabled",
    "ctv_focus_on_agree_and_close": "Whether the consent notice initial focus is on the Agree and Close button",
    "secure_cookies": "Whether SDKs should create secure cookies on HTTPS websites",
    "gpp_enabled": "Whether GPP is enabled",
    "gpp_mspa_signatory": "Whether GPP MSPA signatory is enabled",
    "gpp_mspa_mode": "GPP MSPA mode (service provider or opt out)",
    "gpp_mspa_generate_usnat_string": "Whether to generate the US national string when MSPA is enabled",
    "notice_disabled": "Whether the notice is disabled",
    "consent_string_partners_encoding": 'The encoding selected for the partners section in the didomi consent string: One of "bit_field_2_bits", "ranges_u16", "ranges_fibonacci"',
    "consent_string_purposes_encoding": 'The encoding selected for the purposes section in the didomi consent string: One of "bit_field_2_bits", "ranges_u16", "ranges_fibonacci"',
    "enable_web_view": "Whether the web view is enabled",
    "notice_active_elements_order": "The order of active elements in the notice",
    "preferences_active_elements_order": "The order of active elements (buttons) in the preferences view",
    "dismiss_button_enabled": "Whether the dismiss button (Agree & Close) is enabled",
    "preferences_title_enabled": "Whether the title is enabled in the preferences view",
    "preferences_cross_button_enabled": "Whether the cross button (top right) is enabled in the preferences view",
    "preferences_view_all_partners_button_enabled": "Whether the view all partners button is enabled in the preferences view",
    "regulation_configurations": "The notice's regulation configurations, one per regulation (matched by regulation_id); the list is managed whole: regulations left out are disabled on Didomi",
}

#: What the keys of a regulation configuration (`REGULATION_KEYS`) mean: its own keys here;
#: the keys it shares with the configuration mean what they mean there.
_REGULATION_OWN_DOCS: dict[str, str] = {
    "regulation_id": "The ID of the regulation. This is a reference to the regulations service.",
    "is_default_regulation_config": "If this is the default configuration for a given regulation",
    "geo_locations": "Geographical locations that will load this SDK config",
    "regulation_settings": "Regulation specific configuration of the notice regulation configuration",
}
REGULATION_KEY_DOCS: dict[str, str] = {
    key: _REGULATION_OWN_DOCS.get(key) or CONFIG_FIELD_DOCS[key]
    for key in (
        "regulation_id",
        "is_default_regulation_config",
        "geo_locations",
        "regulation_settings",
        "config",
        "text_id",
        "template_id",
        "enable_ignore_consent_before",
        "negative_action_link_format",
        "disagree_button_style",
        "country",
        "notice_deny_applies_to_li",
        "preferences_deny_applies_to_li",
        "consent_duration",
        "consent_duration_unit",
        "denied_consent_duration",
        "denied_consent_duration_unit",
        "denied_consent_duration_custom",
        "cross_device_enabled",
        "cross_device_timeout",
        "gcm_enabled",
        "gcm_tcf_enabled",
        "gcm_set_default_status",
        "gcm_analytics_default_status",
        "gcm_ads_default_status",
        "gcm_functionality_default_status",
        "gcm_personalization_default_status",
        "gcm_security_default_status",
        "gcm_ad_user_data_default_status",
        "gcm_ad_personalization_default_status",
        "microsoft_enabled",
        "microsoft_set_default_status",
        "microsoft_ad_storage_default_status",
        "microsoft_enable_tcf_advertiser_consent_mode",
        "amazon_enabled",
        "amazon_set_default_status",
        "amazon_ad_storage_default_status",
        "amazon_ad_user_data_default_status",
        "wordpress_enabled",
        "gcm_firebase_enabled",
        "gcm_airbridge_enabled",
        "gcm_kochava_enabled",
        "gcm_branch_enabled",
        "gcm_appsflyer_enabled",
        "notice_disabled",
    )
}


def _kind(annotation: Any, name: str) -> tuple[str, str | None, tuple[str, ...]]:
    """Schema type, item type and allowed values of a model field's annotation."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and len(args) == 1:
        return _kind(args[0], name)
    if typing.get_origin(annotation) is Literal:
        return "string", None, tuple(str(a) for a in typing.get_args(annotation))
    if annotation is bool:
        return "boolean", None, ()
    if annotation is str:
        return "string", None, ()
    if set(args) == {int, float} or annotation in (int, float):
        return ("integer" if name in INTEGRAL else "number"), None, ()
    if typing.get_origin(annotation) is dict:
        return "object", None, ()
    if typing.get_origin(annotation) is list:
        (item,) = typing.get_args(annotation)
        if item is str:
            return "array", "string", ()
        return "array", f"#/types/{REGULATION_TYPE}", ()
    raise TypeError(f"no schema type for {name}: {annotation!r}")


def _doc(text: str, enum: tuple[str, ...]) -> str:
    text = text.strip().rstrip(".") + "."
    return f"{text} One of: {', '.join(enum)}." if enum else text


#: One writable field's schema type, item type (arrays) and allowed values.
FieldType = tuple[str, str, "str | None", tuple[str, ...]]


def field_types_from_models() -> tuple[FieldType, ...]:
    """`(name, type, item type, allowed values)` of every field of `NoticeConfigFields`, in
    order: what `field_types.py` holds."""
    from pulumi_didomi.client.models import NoticeConfigFields

    hints = typing.get_type_hints(NoticeConfigFields)
    return tuple((name, *_kind(hints[name], name)) for name in NoticeConfigFields.model_fields)


def field_types_text() -> str:
    """The source of `field_types.py`, generated from the models (`make sdk`)."""
    rows = "".join(f"    {row!r},\n" for row in field_types_from_models())
    return (
        '"""The writable fields of a notice configuration: `(name, schema type, item type, allowed\n'
        "values)`, generated by `make sdk` from `pulumi_didomi.client.models.NoticeConfigFields`\n"
        '(do not edit: tests/core/test_fields.py fails when it differs from the models)."""\n\n'
        "CONFIG_FIELD_TYPES: tuple[tuple[str, str, str | None, tuple[str, ...]], ...] = (\n"
        f"{rows})\n"
    )


def _config_props() -> tuple[Prop, ...]:
    return tuple(
        Prop(name, kind, _doc(CONFIG_FIELD_DOCS[name], enum), items=items, enum=enum)
        for name, kind, items, enum in CONFIG_FIELD_TYPES
    )


_REGULATION_KINDS = {bool: "boolean", str: "string", dict: "object", list: "array"}


def _regulation_props() -> tuple[Prop, ...]:
    props = []
    for name, kinds in REGULATION_KEYS.items():
        if kinds == (int, float):
            kind = "integer" if name in INTEGRAL else "number"
        else:
            kind = _REGULATION_KINDS[kinds[0]]
        items = "string" if kind == "array" else None
        props.append(
            Prop(
                name, kind, REGULATION_KEY_DOCS[name], required=name == "regulation_id", items=items
            )
        )
    return tuple(props)


#: Every writable field of a notice configuration: inputs of `NoticeDraftConfig`.
CONFIG_PROPS = _config_props()
CONFIG_NAMES = frozenset(p.name for p in CONFIG_PROPS)

REGULATION_CONFIGURATION = ObjectType(
    REGULATION_TYPE,
    "One regulation's settings in a notice configuration, matched by `regulationId` "
    "(gdpr, cpra, cpa, ctdpa, vcdpa). Objects inside are managed key by key.",
    _regulation_props(),
)
