"""The compliance rules (`pulumi_didomi.policy`) as plain functions, and what the pack sees."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import pulumi_didomi
from pulumi_didomi.policy import (
    DEFAULT_PROFILE,
    MONTH_DAYS,
    PACK_DIR,
    RULES,
    UNKNOWN,
    Violation,
    check,
    limit_days,
    within,
)
from pulumi_didomi.policy.durations import describe_duration, describe_limit
from pulumi_didomi.policy.resources import (
    DYNAMIC_DEPLOYMENT,
    DYNAMIC_DRAFT,
    NATIVE_DEPLOYMENT,
    NATIVE_DRAFT,
    StackResource,
    config_values,
    published_values,
    related_drafts,
    resource_violations,
    snake,
    stack_violations,
)
from tests.helpers import REPO

CNIL = "https://www.quantic-avocats.com/2020/11/05/cookies-cnil/"

#: A configuration every rule accepts.
GOOD: dict[str, Any] = {
    "notice_id": "GG2rdGfN",
    "consent_duration": 6,
    "consent_duration_unit": "months",
    "negative_action": "button",
    "disagree_button_style": "primary",
    "notice_deny_applies_to_li": True,
    "preferences_deny_applies_to_li": True,
    "gcm_enabled": True,
    "gcm_set_default_status": True,
    "gcm_analytics_default_status": False,
    "gcm_ads_default_status": False,
    "regulation_configurations": [
        {"regulation_id": "gdpr", "is_default_regulation_config": True, "geo_locations": ["*"]}
    ],
}


def _with(**changes: Any) -> dict[str, Any]:
    return {**GOOD, **changes}


def _item(**changes: Any) -> dict[str, Any]:
    return {**GOOD, "regulation_configurations": [{"regulation_id": "gdpr", **changes}]}


def _by(found: list[Violation]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for v in found:
        out.setdefault(v.rule, []).append(v.field)
    return out


def test_a_compliant_configuration_has_no_violation() -> None:
    assert check(GOOD) == []


# -- durations: units and the conversion -----------------------------------------------------


def test_the_conversion_a_month_is_365_25_twelfths_of_a_day() -> None:
    assert MONTH_DAYS == 30.4375
    assert limit_days(6) == 183  # 182.625 rounded up
    assert limit_days(12) == 366  # 365.25
    assert limit_days(13) == 396  # 395.6875
    assert limit_days(1) == 31
    assert describe_limit(6) == "6 months (183 days, 15,811,200 seconds)"


@pytest.mark.parametrize(
    ("value", "unit", "ok"),
    [
        (6, "months", True),
        (7, "months", False),
        (13, "months", False),
        (183, "days", True),
        (184, "days", False),
        (183 * 86_400, "seconds", True),
        (183 * 86_400 + 1, "seconds", False),
        (15_811_200, "seconds", True),
        (1, "seconds", True),
    ],
)
def test_each_unit_against_six_months(value: int, unit: str, ok: bool) -> None:
    assert within(value, unit, 6) is ok
    found = check(_with(consent_duration=value, consent_duration_unit=unit))
    assert (found == []) is ok, found


def test_a_duration_without_its_unit_counts_in_months() -> None:
    config = {k: v for k, v in GOOD.items() if k != "consent_duration_unit"}
    assert check(config) == []
    (violation,) = check({**config, "consent_duration": 7})
    assert violation.value == "7 months"


def test_the_message_names_the_notice_the_field_the_limit_and_its_source() -> None:
    (violation,) = check(_with(consent_duration=13))
    assert violation.rule == "consent-duration" and violation.policy == "didomi-consent-duration"
    assert violation.notice_id == "GG2rdGfN" and violation.field == "consent_duration"
    assert violation.level == "mandatory" and violation.source == CNIL
    assert str(violation) == (
        "notice GG2rdGfN: consent_duration is 13 months; must be at most 6 months (183 days, "
        f"15,811,200 seconds) (CNIL recommendation: {CNIL})"
    )
    (in_days,) = check(_with(consent_duration=200, consent_duration_unit="days"))
    assert "consent_duration is 200 days (about 6.57 months)" in in_days.message
    assert describe_duration(16_000_000, "seconds") == "16000000 seconds (about 185.19 days)"


def test_the_notice_id_can_be_given_and_fields_named_as_the_native_provider_does() -> None:
    config = {k: v for k, v in GOOD.items() if k != "notice_id"}
    (violation,) = check({**config, "consent_duration": 13})
    assert violation.message.startswith("notice (id unknown): consent_duration is 13 months")
    (violation,) = check(
        {**config, "regulation_configurations": [{"regulation_id": "gdpr", "consent_duration": 9}]},
        notice_id="N1",
        camel=True,
    )
    assert violation.field == "regulationConfigurations[0] (gdpr).consentDuration"
    assert violation.message.startswith("notice N1: regulationConfigurations[0] (gdpr).consent")


def test_an_unset_consent_duration_is_reported_with_didomis_13_month_default() -> None:
    config = {k: v for k, v in GOOD.items() if k != "consent_duration"}
    (violation,) = check(config)
    assert violation.field == "consent_duration" and violation.value == "not set"
    assert "13 months" in violation.message and "support.didomi.io" in violation.message
    assert check(config, require_set=False) == []
    # Every checked regulation configuration sets its own: the top-level value applies nowhere.
    items = [{"regulation_id": "gdpr", "consent_duration": 6}]
    assert check({**config, "regulation_configurations": items}) == []


def test_values_not_known_yet_are_not_judged() -> None:
    assert check(_with(consent_duration=UNKNOWN)) == []
    assert check(_with(consent_duration=13, consent_duration_unit=UNKNOWN)) == []
    assert check(_with(negative_action=UNKNOWN, disagree_button_style=UNKNOWN)) == []
    assert check(_with(regulation_configurations=UNKNOWN)) == []
    assert check(_with(regulation_configurations=UNKNOWN, consent_duration=13)) != []


def test_values_the_provider_refuses_are_left_to_it() -> None:
    assert check(_with(consent_duration="13")) == []
    assert check(_with(consent_duration=13, consent_duration_unit="weeks")) == []


# -- regulation configurations ----------------------------------------------------------------


def test_each_regulation_configuration_is_checked_and_named_by_index_and_id() -> None:
    config = _with(
        regulation_configurations=[
            {"regulation_id": "gdpr", "consent_duration": 6},
            {"regulation_id": "gdpr", "consent_duration": 400, "consent_duration_unit": "days"},
        ]
    )
    (violation,) = check(config)
    assert violation.field == "regulation_configurations[1] (gdpr).consent_duration"
    assert violation.value == "400 days (about 13.14 months)"


def test_a_regulation_configuration_inherits_the_top_level_unit() -> None:
    config = _item(consent_duration=190)
    config["consent_duration_unit"] = "days"
    config["consent_duration"] = 180
    (violation,) = check(config)
    assert violation.field == "regulation_configurations[0] (gdpr).consent_duration"
    assert violation.value.startswith("190 days")


def test_only_the_configured_regulations_are_checked() -> None:
    config = _with(
        regulation_configurations=[
            {"regulation_id": "cpra", "consent_duration": 24, "disagree_button_style": "secondary"}
        ]
    )
    assert check(config) == []  # CNIL and EDPB rules: GDPR configurations only by default
    found = _by(check(config, regulations=["*"]))
    assert found == {
        "consent-duration": ["regulation_configurations[0] (cpra).consent_duration"],
        "disagree-button-style": ["regulation_configurations[0] (cpra).disagree_button_style"],
    }


def test_geo_limits_6_months_for_france_12_elsewhere() -> None:
    limits = {"max_months": 12, "max_months_by_geo": {"FR": 6}}

    def items(*entries: dict[str, Any]) -> dict[str, Any]:
        return _with(consent_duration=12, regulation_configurations=list(entries))

    # Germany only: 9 months is within 12; France too: over France's 6.
    assert (
        check(
            items({"regulation_id": "gdpr", "geo_locations": ["DE"], "consent_duration": 9}),
            **limits,
        )
        == []
    )
    (v,) = check(
        items({"regulation_id": "gdpr", "geo_locations": ["DE", "FR"], "consent_duration": 9}),
        **limits,
    )
    assert v.limit.endswith("where FR applies") and "at most 6 months" in v.limit
    # GDPR's default geos include France; `*` too.
    (v,) = check(items({"regulation_id": "gdpr", "consent_duration": 9}), **limits)
    assert "where FR applies" in v.message
    (v,) = check(
        items({"regulation_id": "gdpr", "geo_locations": ["*"], "consent_duration": 9}), **limits
    )
    assert "where FR applies" in v.message
    # The top-level value counts where a configuration inherits it.
    found = check(items({"regulation_id": "gdpr", "geo_locations": ["FR"]}), **limits)
    assert [v.field for v in found] == ["consent_duration"]
    assert check(items({"regulation_id": "gdpr", "geo_locations": ["IT"]}), **limits) == []
    # No regulation configuration: the top-level value may apply anywhere, France included.
    (v,) = check(_with(consent_duration=12, regulation_configurations=[]), **limits)
    assert "where FR applies" in v.message
    # Country prefixes match regions; `*` sets the default.
    us = items({"regulation_id": "cpra", "geo_locations": ["US_CA"], "consent_duration": 12})
    assert check(us, regulations=["*"], max_months_by_geo={"US": 11, "*": 12}) != []


# -- denied consent -------------------------------------------------------------------------------


def test_the_denied_consent_duration_is_checked_when_custom() -> None:
    assert check(_with(denied_consent_duration=13)) == []  # not custom: the generic one applies
    (v,) = check(_with(denied_consent_duration_custom=True, denied_consent_duration=13))
    assert v.rule == "denied-consent-duration" and v.field == "denied_consent_duration"
    assert v.level == "mandatory"
    config = _with(
        denied_consent_duration_custom=True,
        denied_consent_duration=200,
        denied_consent_duration_unit="days",
    )
    assert [v.value for v in check(config)] == ["200 days (about 6.57 months)"]
    (unset,) = check(_with(denied_consent_duration_custom=True))
    assert "not set although denied_consent_duration_custom is true" in unset.message


def test_the_denied_duration_of_a_regulation_configuration() -> None:
    config = _item(denied_consent_duration_custom=True, denied_consent_duration=9)
    (v,) = check(config)
    assert v.field == "regulation_configurations[0] (gdpr).denied_consent_duration"
    # Custom only in the regulation configuration: the top-level duration it inherits counts.
    config = _item(denied_consent_duration_custom=True)
    config["denied_consent_duration"] = 9
    (v,) = check(config)
    assert v.field == "regulation_configurations[0] (gdpr).denied_consent_duration"
    assert "(inherited from denied_consent_duration)" in v.message


def test_thresholds_override_the_defaults() -> None:
    config = _with(
        consent_duration=12, denied_consent_duration_custom=True, denied_consent_duration=4
    )
    assert check(config, max_months=12) == []
    (v,) = check(config, max_months=12, denied_max_months=3)
    assert v.rule == "denied-consent-duration" and "at most 3 months" in v.limit
    with pytest.raises(TypeError, match="unknown threshold"):
        check(config, max_month=12)
    with pytest.raises(ValueError, match="positive number"):
        check(config, max_months=0)


# -- the first layer ------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["link", None, "cross"])
def test_a_reject_button_on_the_first_layer(value: str | None) -> None:
    config = (
        _with(negative_action=value)
        if value
        else {k: v for k, v in GOOD.items() if k != "negative_action"}
    )
    (v,) = check(config)
    assert v.rule == "reject-button" and v.field == "negative_action" and v.level == "mandatory"
    assert "scl.org" in v.source
    if value == "link":
        assert "Continue without agreeing" in v.message
    assert check(config, disabled=["reject-button"]) == []


def test_the_reject_button_has_the_accept_buttons_weight() -> None:
    config = _item(disagree_button_style="secondary")
    config["disagree_button_style"] = "secondary"
    found = check(config)
    assert [(v.rule, v.field, v.level) for v in found] == [
        ("disagree-button-style", "disagree_button_style", "advisory"),
        (
            "disagree-button-style",
            "regulation_configurations[0] (gdpr).disagree_button_style",
            "advisory",
        ),
    ]
    unset = {k: v for k, v in GOOD.items() if k != "disagree_button_style"}
    assert check(unset) == []  # advisory rules do not ask for unset fields by default
    assert _by(check(unset, require_set=True)) == {
        "disagree-button-style": ["disagree_button_style"]
    }


def test_a_refusal_also_stops_legitimate_interest() -> None:
    config = _item(preferences_deny_applies_to_li=False)
    config["notice_deny_applies_to_li"] = False
    assert _by(check(config)) == {
        "deny-applies-to-legitimate-interest": [
            "notice_deny_applies_to_li",
            "regulation_configurations[0] (gdpr).preferences_deny_applies_to_li",
        ]
    }


def test_consent_mode_purposes_start_denied() -> None:
    config = _with(gcm_ads_default_status=True, gcm_functionality_default_status=True)
    assert _by(check(config)) == {"consent-mode-defaults": ["gcm_ads_default_status"]}
    # The integration or its default status switched off: nothing is sent before a choice.
    assert check({**config, "gcm_set_default_status": False}) == []
    assert check({**config, "gcm_enabled": False}) == []
    item = _item(amazon_ad_storage_default_status=True, microsoft_ad_storage_default_status=True)
    assert _by(check(item))["consent-mode-defaults"] == [
        "regulation_configurations[0] (gdpr).microsoft_ad_storage_default_status",
        "regulation_configurations[0] (gdpr).amazon_ad_storage_default_status",
    ]


# -- rules, profile, policy config ---------------------------------------------------------------


def test_rules_can_be_chosen_or_disabled() -> None:
    config = _with(consent_duration=13, negative_action="link")
    assert _by(check(config)).keys() == {"consent-duration", "reject-button"}
    assert _by(check(config, rules=["reject-button"])).keys() == {"reject-button"}
    assert _by(check(config, disabled=["didomi-consent-duration"])).keys() == {"reject-button"}
    with pytest.raises(ValueError, match="unknown rule"):
        check(config, disabled=["consent"])


def test_the_default_profile_and_every_description_names_its_sources() -> None:
    assert DEFAULT_PROFILE == {
        "didomi-consent-duration": "mandatory",
        "didomi-denied-consent-duration": "mandatory",
        "didomi-reject-button": "mandatory",
        "didomi-disagree-button-style": "advisory",
        "didomi-deny-applies-to-legitimate-interest": "advisory",
        "didomi-consent-mode-defaults": "advisory",
    }
    for rule in RULES.values():
        assert rule.sources and all(s.startswith("https://") for s in rule.sources), rule.id
        assert rule.sources[0] in rule.description, rule.id
        assert re.search(r"https://", rule.description), rule.id


def test_options_from_the_policy_config() -> None:
    rule = RULES["consent-duration"]
    schema = rule.config_schema()
    assert set(schema) == {
        "maxMonths",
        "maxMonthsByGeo",
        "regulations",
        "requireSet",
        "checkDrafts",
    }
    assert rule.options({}) == rule.defaults()
    # The engine fills in the schema's defaults: they must give the default options.
    defaults = {k: v["default"] for k, v in schema.items()}
    assert rule.options(defaults) == rule.defaults()
    opts = rule.options({"maxMonths": 12, "maxMonthsByGeo": {"FR": 6}, "checkDrafts": True})
    assert opts.max_months == 12 and opts.max_months_by_geo == {"FR": 6} and opts.check_drafts
    assert set(RULES["reject-button"].config_schema()) == {"requireSet", "checkDrafts"}
    for bad in ({"maxMonth": 6}, {"maxMonths": -1}, {"requireSet": "yes"}, {"regulations": "gdpr"}):
        with pytest.raises(ValueError):
            rule.options(bad)
    found = RULES["consent-duration"].check(
        _with(consent_duration=9), rule.options({"maxMonths": 9})
    )
    assert found == []


# -- what the pack sees of the resources ----------------------------------------------------------


def test_native_names_become_snake_case() -> None:
    assert snake("consentDuration") == "consent_duration"
    assert snake("gcmAdUserDataDefaultStatus") == "gcm_ad_user_data_default_status"
    assert snake("consent_duration") == "consent_duration"
    native = {
        "noticeId": "N1",
        "consentDuration": 13,
        "config": {"app": {"gdprAppliesGlobally": True}},
        "regulationConfigurations": [{"regulationId": "gdpr", "consentDuration": 9}],
        "publication": {"values": {}},
        "revision": "r1",
    }
    assert config_values(native) == {
        "consent_duration": 13,
        "config": {"app": {"gdprAppliesGlobally": True}},
        "regulation_configurations": [{"regulation_id": "gdpr", "consent_duration": 9}],
    }


def test_deployments_of_both_hostings_carry_what_they_publish() -> None:
    values = {"consent_duration": 13, "negative_action": "button"}
    dynamic = {"notice_id": "N1", "revision": "r", "draft_values": values}
    native = {"noticeId": "N1", "draft": {"noticeId": "N1", "values": values}}
    assert published_values(dynamic) == values == published_values(native)
    assert published_values({"noticeId": "N1", "draft": UNKNOWN}) is UNKNOWN
    assert published_values({"notice_id": "N1", "draft_values": UNKNOWN}) is UNKNOWN
    assert published_values({"notice_id": "N1", "revision": "r"}) is None

    rule = RULES["consent-duration"]
    opts = rule.defaults()
    (message,) = resource_violations(rule, opts, DYNAMIC_DEPLOYMENT, dynamic)
    assert message.startswith("publishing the draft of notice N1: consent_duration is 13 months")
    (message,) = resource_violations(rule, opts, NATIVE_DEPLOYMENT, native)
    assert message.startswith("publishing the draft of notice N1: consentDuration is 13 months")
    unknown = {"noticeId": UNKNOWN, "draft": UNKNOWN}
    assert resource_violations(rule, opts, NATIVE_DEPLOYMENT, unknown) == []


def test_drafts_are_reported_only_with_check_drafts() -> None:
    rule = RULES["consent-duration"]
    draft = {"notice_id": "N1", "consent_duration": 13, "revision": "r"}
    assert resource_violations(rule, rule.defaults(), DYNAMIC_DRAFT, draft) == []
    opts = rule.options({"checkDrafts": True})
    (message,) = resource_violations(rule, opts, DYNAMIC_DRAFT, draft)
    assert message.startswith("notice N1: consent_duration is 13 months")
    native = {"noticeId": "N1", "consentDuration": 13}
    (message,) = resource_violations(rule, opts, NATIVE_DRAFT, native)
    assert message.startswith("notice N1: consentDuration is 13 months")
    assert resource_violations(rule, opts, "aws:s3/bucket:Bucket", draft) == []


def test_the_stack_check_relates_a_deployment_to_the_draft_it_publishes() -> None:
    rule = RULES["consent-duration"]
    draft = StackResource(
        "urn:pulumi:s::p::didomi:index:NoticeDraftConfig::banner",
        NATIVE_DRAFT,
        {"noticeId": "N1", "consentDuration": 13, "negativeAction": "button"},
    )
    other = StackResource(
        "urn:pulumi:s::p::didomi:index:NoticeDraftConfig::other",
        NATIVE_DRAFT,
        {"noticeId": "N2", "consentDuration": 24},
    )
    # A preview rewriting the draft: the deployment's `draft` (and so its notice) is unknown.
    deployment = StackResource(
        "urn:pulumi:s::p::didomi:index:NoticeDeployment::release",
        NATIVE_DEPLOYMENT,
        {"draft": UNKNOWN, "noticeId": UNKNOWN},
        (draft.urn, other.urn),
        {"draft": (draft.urn,)},
    )
    assert related_drafts(deployment, [draft, other]) == [draft]
    found = stack_violations(rule, rule.defaults(), [draft, other, deployment])
    assert found == [
        (
            "publishing the draft 'banner' of notice N1: consentDuration is 13 months; must be at "
            f"most 6 months (183 days, 15,811,200 seconds) (CNIL recommendation: {CNIL})",
            deployment.urn,
        )
    ]
    # Known values were checked when the deployment was registered: not twice.
    known = StackResource(
        deployment.urn,
        NATIVE_DEPLOYMENT,
        {"noticeId": "N1", "draft": {"values": {"consent_duration": 13}}},
        (draft.urn,),
    )
    assert stack_violations(rule, rule.defaults(), [draft, known]) == []
    # Given notice_id and revision only: the drafts of its notice.
    by_id = StackResource(
        "urn:pulumi:s::p::pulumi-python:dynamic/didomi:NoticeDeployment::release",
        DYNAMIC_DEPLOYMENT,
        {"notice_id": "N2", "revision": "r"},
    )
    assert related_drafts(by_id, [draft, other]) == [other]
    assert [m for m, _ in stack_violations(rule, rule.defaults(), [draft, other, by_id])] == [
        "publishing the draft 'other' of notice N2: consentDuration is 24 months; must be at most "
        f"6 months (183 days, 15,811,200 seconds) (CNIL recommendation: {CNIL})"
    ]


# -- the package -------------------------------------------------------------------------------


def test_importing_the_rules_imports_neither_pulumi_nor_pulumi_policy() -> None:
    code = (
        "import sys, pulumi_didomi.policy, pulumi_didomi.policy.resources; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pulumi', 'pulumi_policy')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=REPO
    ).stdout
    assert out.strip() == "[]"


def test_the_pack_directory_and_the_command_line(tmp_path: Path) -> None:
    assert (PACK_DIR / "PulumiPolicy.yaml").is_file() and (PACK_DIR / "__main__.py").is_file()
    project = (PACK_DIR / "PulumiPolicy.yaml").read_text()
    assert "runtime: python" in project
    assert f"version: {pulumi_didomi.__version__}" in project
    run = [sys.executable, "-m", "pulumi_didomi.policy"]
    out = subprocess.run(run, check=True, capture_output=True, text=True, cwd=REPO).stdout
    assert out.strip() == str(PACK_DIR)

    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(GOOD))
    bad.write_text(json.dumps(_with(consent_duration=13, disagree_button_style="secondary")))
    ok = subprocess.run([*run, str(good)], capture_output=True, text=True, cwd=REPO)
    assert ok.returncode == 0 and ok.stdout == "", ok
    failed = subprocess.run([*run, str(bad)], capture_output=True, text=True, cwd=REPO)
    assert failed.returncode == 1, failed
    assert "[mandatory] didomi-consent-duration: notice GG2rdGfN: consent_duration" in failed.stdout
    assert "[advisory] didomi-disagree-button-style" in failed.stdout


def test_the_publication_of_either_hosting_carries_what_it_publishes() -> None:
    values = {"consent_duration": 13, "negative_action": "button"}
    dynamic = {"notice_id": "N1", "draft": {"notice_id": "N1", "managed_values": values}}
    native = {"noticeId": "N1", "draft": {"noticeId": "N1", "managedValues": values}}
    assert published_values(dynamic) == values == published_values(native)
