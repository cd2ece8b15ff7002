"""Input validation before any API call: every failure names its field and how to fix it."""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_didomi.core.notice_deployment import NoticeDeployment
from pulumi_didomi.core.notice_draft import NoticeDraftConfig
from pulumi_didomi.core.values import UNKNOWN
from pulumi_didomi.core.widget_deployment import WidgetDeployment

BASE = {"notice_id": "GG2rdGfN"}

CASES: list[tuple[dict[str, Any], str, str]] = [
    ({"platform": "desktop"}, "platform", "expected one of 'web', 'amp', 'app' or 'ctv'"),
    ({"platform": 3}, "platform", "not allowed"),
    ({"consent_duration": -1}, "consent_duration", "greater than 0"),
    ({"consent_duration": 0}, "consent_duration", "greater than 0"),
    ({"consent_duration": "6"}, "consent_duration", "valid integer"),
    ({"consent_duration_unit": "weeks"}, "consent_duration_unit", "'months', 'days' or 'seconds'"),
    ({"denied_consent_duration_unit": "years"}, "denied_consent_duration_unit", "months"),
    ({"negative_action": "shout"}, "negative_action", "'button' or 'link'"),
    ({"disagree_button_style": "loud"}, "disagree_button_style", "'primary' or 'secondary'"),
    ({"text_mode": "free"}, "text_mode", "'approved' or 'custom'"),
    ({"targets": "www.example.com"}, "targets", "valid list"),
    ({"targets": [1]}, "targets", "valid string"),
    ({"default": "yes"}, "default", "valid boolean"),
    ({"default": True, "targets": ["a.com"]}, "default", "empty targets"),
    ({"enable_ignore_consent_before": True}, "ignore_consent_before", "ISO-8601 date"),
    (
        {"enable_ignore_consent_before": True, "ignore_consent_before": "last week"},
        "ignore_consent_before",
        "ISO-8601 date",
    ),
    ({"country": "France"}, "country", "at most 2 characters"),
    ({"config": "{}"}, "config", "valid dictionary"),
    ({"custom_json": [1]}, "custom_json", "valid dictionary"),
    (
        {"regulation_configurations": [{"regulation_id": "gdpr", "consent_duration": -3}]},
        "regulation_configurations",
        "greater than 0",
    ),
    ({"regulation_configurations": {"gdpr": {}}}, "regulation_configurations", "valid list"),
    ({"gpp_mspa_mode": "maybe"}, "gpp_mspa_mode", "'service_provider' or 'opt_out'"),
    ({"consent_string_purposes_encoding": "zip"}, "consent_string_purposes_encoding", "ranges"),
    ({"consent_durration": 6}, "consent_durration", "did you mean 'consent_duration'"),
    ({"notice_id": ""}, "notice_id", "required"),
    ({"notice_id": None}, "notice_id", "required"),
    ({"consent_duration": 6.5}, "consent_duration", "must be a whole number of units"),
    (
        {"denied_consent_duration": 0.5, "denied_consent_duration_unit": "months"},
        "denied_consent_duration",
        "whole number of months",
    ),
    (
        {"regulation_configurations": [{"regulation_id": "gdpr", "consent_duration": 1.5}]},
        "regulation_configurations",
        "regulation_configurations[0].consent_duration: must be a whole number",
    ),
]


@pytest.mark.parametrize(("fields", "field", "reason"), CASES)
def test_bad_draft_inputs_name_the_field(fields: dict[str, Any], field: str, reason: str) -> None:
    news = {**BASE, **fields}
    news["managed_fields"] = sorted(k for k in fields if k != "notice_id")
    problems = NoticeDraftConfig().check(news)
    assert any(f == field and reason in r for f, r in problems), problems


def test_valid_and_unknown_inputs_pass() -> None:
    news = {
        **BASE,
        "platform": "app",
        "consent_duration": 6.0,
        "default": True,
        "targets": [],
        "enable_ignore_consent_before": True,
        "ignore_consent_before": "2026-01-31",
        "regulation_configurations": [{"regulation_id": "cpra", "geo_locations": ["US_CA"]}],
        "managed_fields": [
            "consent_duration",
            "default",
            "enable_ignore_consent_before",
            "ignore_consent_before",
            "platform",
            "regulation_configurations",
            "targets",
        ],
    }
    assert NoticeDraftConfig().check(news) == []
    unknown = {**news, "platform": UNKNOWN, "targets": [UNKNOWN], "notice_id": UNKNOWN}
    assert NoticeDraftConfig().check(unknown) == []


def test_deployment_and_widget_inputs() -> None:
    assert NoticeDeployment().check({"notice_id": "n", "revision": "r"}) == []
    problems = dict(
        NoticeDeployment().check(
            {"notice_id": "", "revision": None, "timeout": -5, "wait": "yes", "message": 3}
        )
    )
    assert set(problems) == {"notice_id", "revision", "timeout", "wait", "message"}
    problems = dict(WidgetDeployment().check({"widget_id": "", "triggers": "x"}))
    assert set(problems) == {"widget_id", "triggers"}
