"""The data manager's rules on the resources a stack policy sees (no engine)."""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_didomi.policy import STACK_RULES, UNKNOWN
from pulumi_didomi.policy.resources import StackResource

DRAFT, VENDOR, PURPOSE = (
    "urn:pulumi:s::p::pulumi-python:dynamic/didomi:NoticeDraftConfig::banner",
    "urn:pulumi:s::p::didomi:index:Vendor::tracker",
    "urn:pulumi:s::p::didomi:index:Purpose::analytics",
)


def _stack(vendor: dict[str, Any], languages: list[str] | None = None) -> list[StackResource]:
    config: dict[str, Any] = {"app": {"vendors": {"include": ["V1"]}}}
    if languages:
        config["languages"] = {"enabled": languages}
    return [
        StackResource(DRAFT, DRAFT.split("::")[2], {"notice_id": "N1", "config": config},
                      property_dependencies={"config": (VENDOR,)}),
        StackResource(VENDOR, "didomi:index:Vendor", vendor,
                      property_dependencies={"defaultPurposes": (PURPOSE,)}),
        StackResource(PURPOSE, "didomi:index:Purpose",
                      {"description": {"en": "A", "fr": "B"}, "details": {"en": "x"}}),
    ]  # fmt: skip


def test_cookie_lifetime() -> None:
    rule = STACK_RULES["vendor-cookie-lifetime"]
    vendor = {
        "cookieMaxDuration": 14,
        "cookieMaxDurationUnit": "months",
        "storages": [{"type": "cookie", "maxAge": 396, "maxAgeUnit": "days"}],
    }
    ((message, urn),) = rule.check(_stack(vendor))
    assert urn == VENDOR and "cookie_max_duration is 14 months; must be at most 13" in message
    assert rule.check(_stack(vendor), 24) == []
    assert rule.check(_stack({**vendor, "cookieMaxDuration": UNKNOWN})) == []
    assert rule.months({"maxMonths": 6}) == 6 and rule.months() == 13
    with pytest.raises(ValueError, match="unknown config key"):
        rule.months({"regulations": []})


def test_legal_basis_of_a_listed_vendor() -> None:
    rule = STACK_RULES["vendor-legal-basis"]
    ((message, urn),) = rule.check(_stack({"defaultPurposes": [], "spiPurposes": None}))
    assert urn == DRAFT and "notice N1 lists vendor 'tracker', which has no legal basis" in message
    assert rule.check(_stack({"legitimateInterestPurposes": ["p"]})) == []
    assert rule.check(_stack({"defaultPurposes": UNKNOWN})) == []


def test_purpose_languages() -> None:
    rule = STACK_RULES["purpose-languages"]
    found = rule.check(_stack({"defaultPurposes": ["p"]}, ["en", "fr", "de"]))
    assert [m for m, _ in found] == [
        "notice N1 enables de, and purpose 'analytics' has no description in de: add them "
        "(Didomi data manager: https://developers.didomi.io/api-and-platform/data-manager/"
        "purposes)",
        "notice N1 enables fr, de, and purpose 'analytics' has no details in fr, de: add them "
        "(Didomi data manager: https://developers.didomi.io/api-and-platform/data-manager/"
        "purposes)",
    ]
    assert rule.check(_stack({"defaultPurposes": ["p"]})) == []  # no languages enabled
