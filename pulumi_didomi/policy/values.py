"""Reading a Didomi notice configuration, as plain values (no `pulumi` import).

A configuration is a `NoticeDraftConfig`'s input values with snake_case names (`consent_duration`,
`regulation_configurations` = a list of dicts with snake_case keys). The top-level fields are the
notice's base configuration; each entry of `regulation_configurations` overrides them for its
regulation's geo locations (a key left out, or None, inherits the top-level value).

Values not known yet (`UNKNOWN`, in a preview) are not judged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


class _Unknown:
    """A value the engine does not know yet (a preview)."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"


#: A value not known yet: rules skip it.
UNKNOWN: Any = _Unknown()

#: Where a regulation applies when its configuration gives no `geo_locations` (Didomi's defaults,
#: https://developers.didomi.io/api-and-platform/data-manager/regulations). GDPR: the EU, the
#: EEA and GB.
REGULATION_GEOS: dict[str, tuple[str, ...]] = {
    "gdpr": (
        *("AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE"),
        *("IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"),
        *("IS", "LI", "NO", "GB"),
    ),
    "cpra": ("US_CA",),
    "cpa": ("US_CO",),
    "ctdpa": ("US_CT",),
    "vcdpa": ("US_VA",),
}


def is_set(value: Any) -> bool:
    return value is not None


def is_unknown(value: Any) -> bool:
    return value is UNKNOWN


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def shown(value: Any) -> str:
    """A value as messages show it (`13`, `'link'`, `true`, `not set`)."""
    if is_number(value):
        return str(int(value)) if float(value).is_integer() else f"{value:g}"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "not set" if value is None else repr(value)


def camel(name: str) -> str:
    """`consent_duration` -> `consentDuration` (the native provider's names)."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


@dataclass(frozen=True)
class Scope:
    """The top-level configuration (index None) or one regulation configuration."""

    values: Mapping[str, Any]
    index: int | None = None
    parent: Mapping[str, Any] | None = None

    @property
    def regulation(self) -> Any:
        return self.values.get("regulation_id")

    def own(self, key: str) -> Any:
        return self.values.get(key)

    def effective(self, key: str) -> Any:
        """The scope's value, else (an item) the top-level one it inherits."""
        value = self.values.get(key)
        if value is None and self.parent is not None:
            return self.parent.get(key)
        return value

    def geos(self) -> tuple[str, ...]:
        """Where the scope applies (`*`: anywhere)."""
        if self.index is None:
            return ("*",)
        geos = self.values.get("geo_locations")
        if isinstance(geos, list) and geos and all(isinstance(g, str) for g in geos):
            return tuple(geos)
        regulation = self.regulation
        if isinstance(regulation, str) and regulation in REGULATION_GEOS:
            return REGULATION_GEOS[regulation]
        return ("*",)


def scopes(
    config: Mapping[str, Any], regulations: tuple[str, ...]
) -> tuple[Scope, list[Scope] | None]:
    """The top-level scope and the regulation configurations of `regulations` (`*`: all; an
    entry without a regulation id is kept), or None when they are not known yet."""
    top = Scope(config)
    items = config.get("regulation_configurations")
    if items is None:
        return top, []
    if not isinstance(items, list):
        return top, None
    out = []
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            continue
        scope = Scope(item, index, config)
        regulation = scope.regulation
        if "*" in regulations or not isinstance(regulation, str) or regulation in regulations:
            out.append(scope)
    return top, out
