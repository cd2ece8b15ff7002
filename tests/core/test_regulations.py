"""Validation of regulation configurations: each problem names the item and the key."""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_didomi.core.notice_draft import check_inputs
from pulumi_didomi.core.regulations import regulation_problems

GOOD = [
    {"regulation_id": "gdpr", "is_default_regulation_config": True, "geo_locations": ["*"]},
    {"regulation_id": "cpra", "geo_locations": ["US_CA"], "consent_duration": 12},
]

CASES: list[tuple[Any, str]] = [
    ({"gdpr": {}}, "valid list"),
    (["gdpr"], "regulation_configurations[0]: must be an object"),
    ([{"geo_locations": ["*"]}], "[0].regulation_id: required; one of gdpr, cpra"),
    ([{"regulation_id": "ccpa"}], "'ccpa' is not a Didomi regulation (did you mean 'cpa'?)"),
    ([{"regulation_id": "gdpr", "consent_durration": 6}], "did you mean 'consent_duration'"),
    ([{"regulation_id": "gdpr"}, {"regulation_id": "gdpr"}], "[1] (gdpr): regulation 'gdpr'"),
    (
        [{"regulation_id": "cpra", "geo_locations": ["California"]}],
        "geo_locations[0]: 'California'",
    ),
    ([{"regulation_id": "cpra", "geo_locations": "US_CA"}], "geo_locations: must be a list"),
    (
        [{"regulation_id": "gdpr", "consent_duration": 0}],
        "consent_duration: must be greater than 0",
    ),
    ([{"regulation_id": "gdpr", "consent_duration": "6"}], "consent_duration: must be a number"),
    ([{"regulation_id": "gdpr", "consent_duration_unit": "weeks"}], "'weeks' is not allowed"),
    ([{"regulation_id": "gdpr", "gcm_enabled": "yes"}], "gcm_enabled: must be a boolean"),
    ([{"regulation_id": "gdpr", "config": []}], "config: must be an object"),
    ([{"regulation_id": "gdpr", "id": "x"}], "(gdpr).id: set by Didomi"),
    ([{"regulation_id": "gdpr", "disabled_at": "2026-01-01"}], "leave the regulation out"),
    (
        [
            {"regulation_id": "gdpr", "is_default_regulation_config": True},
            {"regulation_id": "cpra", "is_default_regulation_config": True},
        ],
        "at most one regulation configuration can be the default",
    ),
]


def test_a_good_list_passes() -> None:
    assert regulation_problems(GOOD) == []


@pytest.mark.parametrize(("items", "text"), CASES)
def test_each_bad_entry_is_named(items: Any, text: str) -> None:
    problems = regulation_problems(items)
    assert problems and all(field == "regulation_configurations" for field, _ in problems)
    assert any(text in reason for _, reason in problems), problems


def test_check_reports_regulation_problems_and_skips_unknowns() -> None:
    from pulumi_didomi.core.values import UNKNOWN

    base = {"notice_id": "n1", "managed_fields": ["regulation_configurations"]}
    bad = {**base, "regulation_configurations": [{"regulation_id": "nope"}]}
    assert any("nope" in r for _, r in check_inputs(bad))
    pending = {
        **base,
        "regulation_configurations": [{"regulation_id": UNKNOWN, "geo_locations": UNKNOWN}],
    }
    assert check_inputs(pending) == []
