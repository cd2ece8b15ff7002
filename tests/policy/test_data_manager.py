"""The data manager's rules on the resources a stack policy sees (no engine)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from pulumi_didomi.policy import STACK_RULES, UNKNOWN
from pulumi_didomi.policy.resources import StackResource
from pulumi_didomi.policy.values import camel

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


#: The resource types of each hosting, and how it names a property.
HOSTINGS = {
    "dynamic": ("pulumi-python:dynamic/didomi:", lambda name: name),
    "native": ("didomi:index:", camel),
}
LEGAL_BASES = (
    "which has no legal basis: list its purposes in default_purposes (consent), "
    "legitimate_interest_purposes or spi_purposes (Didomi: legal bases of vendors: "
    "https://support.didomi.io/create-a-vendor)"
)


def _template_stack(
    hosting: str, vendor: dict[str, Any], template: dict[str, Any], drafts: dict[str, Any]
) -> list[StackResource]:
    """A vendor, a template listing it (its `vendors` take its id) with `template`'s inputs, and
    drafts taking the template (`templates`), by resource name: their notice ids; all in one
    hosting's shape."""
    prefix, name = HOSTINGS[hosting]
    urn = f"urn:pulumi:s::p::{prefix}"
    template_urn = f"{urn}NoticeTemplate::eu-vendors"
    out = [
        StackResource(f"{urn}Vendor::tracker", f"{prefix}Vendor",
                      {name(k): v for k, v in vendor.items()}),
        StackResource(template_urn, f"{prefix}NoticeTemplate",
                      {"vendors": ["V1", "google"], **{name(k): v for k, v in template.items()}},
                      property_dependencies={"vendors": (f"{urn}Vendor::tracker",)}),
    ]  # fmt: skip
    for draft, notice in drafts.items():
        out.append(
            StackResource(f"{urn}NoticeDraftConfig::{draft}", f"{prefix}NoticeDraftConfig",
                          {name("notice_id"): notice, "config": {"app": {"name": draft}}},
                          property_dependencies={"templates": (template_urn,)})
        )  # fmt: skip
    return out


def _entries(hosting: str, *notices: Any) -> list[dict[str, Any]]:
    """A template's `notices` in the hosting's shape (GDPR)."""
    name = HOSTINGS[hosting][1]
    return [{name("notice_id"): n, "regulations": ["gdpr"]} for n in notices]


@pytest.mark.parametrize("hosting", ["dynamic", "native"])
def test_legal_basis_of_a_vendor_a_template_lists(hosting: str) -> None:
    rule = STACK_RULES["vendor-legal-basis"]
    template = {"name": "EU vendor list", "notices": _entries(hosting, "N1", "N2", UNKNOWN)}
    drafts = {"site-1-draft": "N2", "site-3-draft": UNKNOWN}
    stack = _template_stack(hosting, {"default_purposes": []}, template, drafts)

    ((message, urn),) = rule.check(stack)
    assert urn == stack[1].urn, urn  # reported on the template
    # Named by resource name and `name`; its notices: those of the drafts taking it, then the
    # known ids of its `notices`, each once.
    assert message == (
        "template 'eu-vendors' ('EU vendor list'; linked to notice N2, the notice of "
        f"'site-3-draft', notice N1) lists vendor 'tracker', {LEGAL_BASES}"
    ), message

    # Linked to nothing known yet, its name not known: the resource name alone.
    template = {"name": UNKNOWN, "notices": _entries(hosting, UNKNOWN)}
    ((message, _),) = rule.check(_template_stack(hosting, {"spi_purposes": None}, template, {}))
    assert message == f"template 'eu-vendors' lists vendor 'tracker', {LEGAL_BASES}", message
    template["notices"] = UNKNOWN  # none of its notices known
    ((message, _),) = rule.check(_template_stack(hosting, {}, template, {}))
    assert message == f"template 'eu-vendors' lists vendor 'tracker', {LEGAL_BASES}", message


@pytest.mark.parametrize("hosting", ["dynamic", "native"])
def test_a_template_vendor_with_a_legal_basis_or_not_known_yet_passes(hosting: str) -> None:
    rule = STACK_RULES["vendor-legal-basis"]
    template = {"name": "EU vendor list", "notices": _entries(hosting, "N1")}
    for vendor in (
        {"default_purposes": ["analytics"]},
        {"legitimate_interest_purposes": ["p"], "default_purposes": []},
        {"spi_purposes": ["health"]},
        {"default_purposes": UNKNOWN},  # a preview that does not know it yet
    ):
        assert rule.check(_template_stack(hosting, vendor, template, {"site": "N1"})) == [], vendor
    # A vendor of the stack the template does not list (its `vendors` are literal ids only).
    vendor, listing = _template_stack(hosting, {"default_purposes": []}, template, {})
    assert rule.check([vendor, listing]) != []
    assert rule.check([vendor, replace(listing, property_dependencies={})]) == []


def test_a_vendor_listed_by_a_notice_and_a_template_is_reported_on_each() -> None:
    rule = STACK_RULES["vendor-legal-basis"]
    stack = _stack({"defaultPurposes": []})  # a notice listing the native vendor 'tracker'
    template = StackResource(
        "urn:pulumi:s::p::didomi:index:NoticeTemplate::eu-vendors",
        "didomi:index:NoticeTemplate",
        {"name": "EU vendor list", "vendors": ["V1"], "notices": [{"noticeId": "N1"}]},
        property_dependencies={"vendors": (VENDOR,)},
    )
    found = rule.check([*stack, template])
    assert [urn for _, urn in found] == [DRAFT, template.urn], found
    assert found[1][0].startswith(
        "template 'eu-vendors' ('EU vendor list'; linked to notice N1) lists vendor 'tracker'"
    ), found
