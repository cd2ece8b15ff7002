"""Validation of `regulation_configurations` entries (no `pulumi` import).

Regulation ids are the ones Didomi documents
(https://developers.didomi.io/api-and-platform/data-manager/regulations); the writable keys
are those of Didomi's `NoticeRegulationConfigInput` schema (its OpenAPI document).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import Any

#: Regulations Didomi's notices support, with their default geo locations.
REGULATION_IDS: dict[str, str] = {
    "gdpr": "EU/EEA countries and GB",
    "cpra": "US_CA",
    "cpa": "US_CO",
    "ctdpa": "US_CT",
    "vcdpa": "US_VA",
}

_BOOL = (bool,)
_STR = (str,)
_OBJ = (dict,)
_NUM = (int, float)

#: The keys a program may set on a regulation configuration, with their JSON types.
REGULATION_KEYS: dict[str, tuple[type, ...]] = {
    "regulation_id": _STR,
    "is_default_regulation_config": _BOOL,
    "geo_locations": (list,),
    "regulation_settings": _OBJ,
    "config": _OBJ,
    "text_id": _STR,
    "template_id": _STR,
    "enable_ignore_consent_before": _BOOL,
    "negative_action_link_format": _STR,
    "disagree_button_style": _STR,
    "country": _STR,
    "notice_deny_applies_to_li": _BOOL,
    "preferences_deny_applies_to_li": _BOOL,
    "consent_duration": _NUM,
    "consent_duration_unit": _STR,
    "denied_consent_duration": _NUM,
    "denied_consent_duration_unit": _STR,
    "denied_consent_duration_custom": _BOOL,
    "cross_device_enabled": _BOOL,
    "cross_device_timeout": _NUM,
    "gcm_enabled": _BOOL,
    "gcm_tcf_enabled": _BOOL,
    "gcm_set_default_status": _BOOL,
    "gcm_analytics_default_status": _BOOL,
    "gcm_ads_default_status": _BOOL,
    "gcm_functionality_default_status": _BOOL,
    "gcm_personalization_default_status": _BOOL,
    "gcm_security_default_status": _BOOL,
    "gcm_ad_user_data_default_status": _BOOL,
    "gcm_ad_personalization_default_status": _BOOL,
    "microsoft_enabled": _BOOL,
    "microsoft_set_default_status": _BOOL,
    "microsoft_ad_storage_default_status": _BOOL,
    "microsoft_enable_tcf_advertiser_consent_mode": _BOOL,
    "amazon_enabled": _BOOL,
    "amazon_set_default_status": _BOOL,
    "amazon_ad_storage_default_status": _BOOL,
    "amazon_ad_user_data_default_status": _BOOL,
    "wordpress_enabled": _BOOL,
    "gcm_firebase_enabled": _BOOL,
    "gcm_airbridge_enabled": _BOOL,
    "gcm_kochava_enabled": _BOOL,
    "gcm_branch_enabled": _BOOL,
    "gcm_appsflyer_enabled": _BOOL,
    "notice_disabled": _BOOL,
}

#: Keys Didomi sets itself: a program never writes them.
READ_ONLY_KEYS = frozenset(
    {"id", "organization_id", "notice_config_id", "created_at", "updated_at", "version"}
)

_ENUMS: dict[str, tuple[str, ...]] = {
    "negative_action_link_format": ("text", "cross"),
    "disagree_button_style": ("primary", "secondary"),
    "consent_duration_unit": ("months", "days", "seconds"),
    "denied_consent_duration_unit": ("months", "days", "seconds"),
}

#: `*`, an ISO 3166-1 alpha-2 country (`FR`), or a country_region (`US_CA`).
GEO_LOCATION = re.compile(r"^(\*|[A-Z]{2}|[A-Z]{2}_[A-Z0-9]{1,3})$")


def regulation_problems(items: Any, has_unknown: Any = None) -> list[tuple[str, str]]:
    """`(field, reason)` for every invalid regulation configuration, naming item and key.

    `has_unknown(value)` tells values not known yet (preview): they are not judged.
    """
    field = "regulation_configurations"
    unknown = has_unknown or (lambda _v: False)
    if not isinstance(items, list):
        if unknown(items):
            return []
        return [
            (
                field,
                f"must be a valid list of regulation configurations, got {type(items).__name__}",
            )
        ]
    problems: list[tuple[str, str]] = []
    seen: dict[str, int] = {}
    defaults = []
    for index, item in enumerate(items):
        where = f"{field}[{index}]"
        if unknown(item) and not isinstance(item, Mapping):
            continue
        if not isinstance(item, Mapping):
            problems.append((field, f"{where}: must be an object, got {type(item).__name__}"))
            continue
        regulation_id = item.get("regulation_id")
        if isinstance(regulation_id, str):
            where = f"{where} ({regulation_id})"
        problems += _item_problems(where, item, unknown)
        if isinstance(regulation_id, str) and not unknown(regulation_id):
            if regulation_id in seen:
                problems.append(
                    (
                        field,
                        f"{where}: regulation {regulation_id!r} is already configured by item "
                        f"[{seen[regulation_id]}]; a notice has one configuration per "
                        "regulation: merge the two items",
                    )
                )
            seen.setdefault(regulation_id, index)
        if item.get("is_default_regulation_config") is True:
            defaults.append(index)
    if len(defaults) > 1:
        problems.append(
            (
                field,
                f"items {defaults} all set is_default_regulation_config=true; at most one "
                "regulation configuration can be the default",
            )
        )
    return problems


def _item_problems(where: str, item: Mapping[str, Any], unknown: Any) -> list[tuple[str, str]]:
    field = "regulation_configurations"
    problems: list[tuple[str, str]] = []
    if "regulation_id" not in item or item.get("regulation_id") is None:
        allowed = ", ".join(REGULATION_IDS)
        problems.append((field, f"{where}.regulation_id: required; one of {allowed}"))
    for key, value in item.items():
        if unknown(value):
            continue
        if key in READ_ONLY_KEYS or key == "disabled_at":
            hint = (
                "leave the regulation out of the list to disable it"
                if key == "disabled_at"
                else "remove it"
            )
            problems.append((field, f"{where}.{key}: set by Didomi, not by a program; {hint}"))
            continue
        types = REGULATION_KEYS.get(key)
        if types is None:
            match = difflib.get_close_matches(key, list(REGULATION_KEYS), n=1)
            hint = f"did you mean {match[0]!r}?" if match else "see Didomi's regulation fields"
            problems.append((field, f"{where}.{key}: not a regulation configuration key ({hint})"))
            continue
        if value is None:
            continue
        if isinstance(value, bool) and bool not in types:
            problems.append((field, f"{where}.{key}: must be {_kind(types)}, got {value!r}"))
            continue
        if not isinstance(value, types):
            problems.append((field, f"{where}.{key}: must be {_kind(types)}, got {value!r}"))
            continue
        problems += _value_problems(where, key, value, unknown)
    return problems


def _value_problems(where: str, key: str, value: Any, unknown: Any) -> list[tuple[str, str]]:
    field = "regulation_configurations"
    if key == "regulation_id" and value not in REGULATION_IDS:
        match = difflib.get_close_matches(value, list(REGULATION_IDS), n=1)
        hint = f" (did you mean {match[0]!r}?)" if match else ""
        allowed = ", ".join(REGULATION_IDS)
        return [
            (
                field,
                f"{where}.regulation_id: {value!r} is not a Didomi regulation{hint}; "
                f"one of {allowed}",
            )
        ]
    if key in _ENUMS and value not in _ENUMS[key]:
        return [
            (
                field,
                f"{where}.{key}: {value!r} is not allowed; expected one of "
                f"{', '.join(repr(v) for v in _ENUMS[key])}",
            )
        ]
    if key in ("consent_duration", "denied_consent_duration") and value <= 0:
        return [(field, f"{where}.{key}: must be greater than 0, got {value!r}")]
    if key == "geo_locations":
        problems = []
        for position, geo in enumerate(value):
            if unknown(geo):
                continue
            if not isinstance(geo, str) or not GEO_LOCATION.match(geo):
                problems.append(
                    (
                        field,
                        f"{where}.geo_locations[{position}]: {geo!r} is not a geo location; use "
                        "'*', an ISO country code such as 'FR' or a region such as 'US_CA'",
                    )
                )
        return problems
    return []


def _kind(types: tuple[type, ...]) -> str:
    names = {bool: "a boolean", str: "a string", dict: "an object", list: "a list", int: "a number"}
    return " or ".join(dict.fromkeys(names.get(t, "a number") for t in types))
