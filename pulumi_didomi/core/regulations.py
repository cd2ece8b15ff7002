"""Validation of `regulation_configurations` entries (no `pulumi` import).

Regulation ids are the ones Didomi documents
(https://developers.didomi.io/api-and-platform/data-manager/regulations); the writable keys,
their types, allowed values and bounds come from the field table
(`pulumi_didomi.client.config_fields.RegulationConfigFields`, read into `field_types.py`).
"""

from __future__ import annotations

import difflib
import operator
import re
from collections.abc import Callable, Mapping
from typing import Any

from pulumi_didomi.core.field_types import (
    FIELD_LIMITS,
    READ_ONLY_REGULATION_KEYS,
    REGULATION_KEY_TYPES,
)

#: Regulations Didomi's notices support, with their default geo locations.
REGULATION_IDS: dict[str, str] = {
    "gdpr": "EU/EEA countries and GB",
    "cpra": "US_CA",
    "cpa": "US_CO",
    "ctdpa": "US_CT",
    "vcdpa": "US_VA",
}

#: The keys a program may set on a regulation configuration: `(schema type, allowed values)`.
REGULATION_KEYS: dict[str, tuple[str, tuple[str, ...]]] = {
    name: (kind, enum) for name, kind, _items, enum in REGULATION_KEY_TYPES
}

#: What a value of each schema type is in Python (a bool is not a number), and its name.
_PYTHON: dict[str, tuple[type, ...]] = {
    "boolean": (bool,),
    "string": (str,),
    "object": (dict,),
    "array": (list,),
    "integer": (int, float),  # whole units: a fraction is reported apart (`fractional`)
    "number": (int, float),
}
_KIND = {"boolean": "a boolean", "string": "a string", "object": "an object", "array": "a list"}

#: How each bound of the field table reads, and holds (of a string: of its length).
_BOUNDS: dict[str, tuple[str, Callable[[Any, Any], bool]]] = {
    "gt": ("be greater than {}", operator.gt),
    "ge": ("be greater than or equal to {}", operator.ge),
    "lt": ("be less than {}", operator.lt),
    "le": ("be less than or equal to {}", operator.le),
    "min_length": ("have at least {} characters", operator.ge),
    "max_length": ("have at most {} characters", operator.le),
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
        if key in READ_ONLY_REGULATION_KEYS or key == "disabled_at":
            hint = (
                "leave the regulation out of the list to disable it"
                if key == "disabled_at"
                else "remove it"
            )
            problems.append((field, f"{where}.{key}: set by Didomi, not by a program; {hint}"))
            continue
        described = REGULATION_KEYS.get(key)
        if described is None:
            match = difflib.get_close_matches(key, list(REGULATION_KEYS), n=1)
            hint = f"did you mean {match[0]!r}?" if match else "see Didomi's regulation fields"
            problems.append((field, f"{where}.{key}: not a regulation configuration key ({hint})"))
            continue
        if value is None:
            continue
        kind, enum = described
        types = _PYTHON[kind]
        if (isinstance(value, bool) and bool not in types) or not isinstance(value, types):
            problems.append(
                (field, f"{where}.{key}: must be {_KIND.get(kind, 'a number')}, got {value!r}")
            )
            continue
        problems += _value_problems(where, key, value, enum, unknown)
    return problems


def _value_problems(
    where: str, key: str, value: Any, enum: tuple[str, ...], unknown: Any
) -> list[tuple[str, str]]:
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
    if enum and value not in enum:
        return [
            (
                field,
                f"{where}.{key}: {value!r} is not allowed; expected one of "
                f"{', '.join(repr(v) for v in enum)}",
            )
        ]
    for bound, limit in FIELD_LIMITS.get(key, {}).items():
        text, holds = _BOUNDS[bound]
        if not holds(len(value) if bound.endswith("_length") else value, limit):
            return [(field, f"{where}.{key}: must {text.format(limit)}, got {value!r}")]
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
