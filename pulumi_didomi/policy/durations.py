"""Durations and their limits (no `pulumi` import).

Durations: `months`, `days` or `seconds` (Didomi's only units); a duration given without its
unit counts in months (the unit of every Didomi example and of the emulator's fresh drafts; the
API reference documents no other default). A limit of N months allows N months, or up to
ceil(N x 30.4375) days (a month is 365.25 / 12 days: 6 months = 183 days), or that many days in
seconds (6 months = 15,811,200 s).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from .model import Options
from .values import shown

UNITS = ("months", "days", "seconds")
#: The unit of a duration given without one.
DEFAULT_UNIT = "months"
#: Days in a month (365.25 / 12).
MONTH_DAYS = 365.25 / 12
DAY_SECONDS = 86_400


def limit_days(max_months: float) -> int:
    """The most days a limit of `max_months` allows (6 months -> 183 days)."""
    return math.ceil(max_months * MONTH_DAYS - 1e-9)


def within(value: float, unit: str, max_months: float) -> bool:
    """Whether `value` `unit` is at most `max_months` (see the module's conversion)."""
    if unit == "months":
        return value <= max_months
    days = limit_days(max_months)
    if unit == "days":
        return value <= days
    if unit == "seconds":
        return value <= days * DAY_SECONDS
    raise ValueError(f"unknown duration unit {unit!r}; one of {', '.join(UNITS)}")


def describe_duration(value: float, unit: str) -> str:
    """`13 months`; `200 days (about 6.57 months)`; `16000000 seconds (about 185.19 days)`."""
    text = f"{shown(value)} {unit}"
    if unit == "days":
        text += f" (about {value / MONTH_DAYS:.2f} months)"
    elif unit == "seconds":
        text += f" (about {value / DAY_SECONDS:.2f} days)"
    return text


def describe_limit(max_months: float) -> str:
    """`6 months (183 days, 15,811,200 seconds)`."""
    days = limit_days(max_months)
    return f"{shown(max_months)} months ({days} days, {days * DAY_SECONDS:,} seconds)"


def limit_for(geos: Iterable[str], options: Options) -> tuple[float, str | None]:
    """The strictest limit where `geos` apply, and the geo key that set it (None: the default)."""
    by_geo = {k: float(v) for k, v in options.max_months_by_geo.items() if k != "*"}
    default = float(options.max_months_by_geo.get("*", options.max_months))
    best: tuple[float, str | None] = (default, None)
    for geo in geos:
        if geo == "*":
            matched = list(by_geo.items())
        else:
            matched = [(k, v) for k, v in by_geo.items() if geo == k or geo.startswith(k + "_")]
        for key, months in matched:
            if months < best[0]:
                best = (months, key)
    return best
