"""What a change does to consent already collected: the warnings of the preview."""

from __future__ import annotations

from pulumi_didomi.core.consent_impact import listed, publication_impact
from pulumi_didomi.core.notice_deployment import NoticeDeployment
from pulumi_didomi.core.purpose import Purpose
from pulumi_didomi.core.values import UNKNOWN
from pulumi_didomi.core.vendor import Vendor


def _values(vendors: list[object], purposes: tuple[str, ...] = ()) -> dict[str, object]:
    return {
        "config": {"app": {"vendors": {"include": vendors}, "essentialPurposes": list(purposes)}},
        "regulation_configurations": [
            {
                "regulation_id": "cpra",
                "config": {"app": {"vendors": {"iab": {"include": ["iab-1"]}}}},
            }
        ],
    }


def test_what_a_notice_lists() -> None:
    values = _values(["a", UNKNOWN], ("p",))
    values["config"]["preferences"] = {  # type: ignore[index]
        "categories": [{"children": [{"purposeId": "q"}, {"vendorId": "x"}]}]
    }
    vendors, purposes = listed(values)
    assert vendors == {"a", "iab-1", "(an id not known yet: created in this run)"}
    assert purposes == {"p", "q"}


def test_a_publication_adding_and_removing_vendors_warns_naming_the_notice() -> None:
    warnings = publication_impact("N1", _values(["a", "b"]), _values(["b", "c"], ("p",)))
    assert len(warnings) == 3
    assert warnings[0].startswith("consent impact: notice N1 is published with vendors added (c)")
    assert "daysBeforeShowingAgain" in warnings[0]
    assert "vendors removed (a)" in warnings[1] and "purposes added (p)" in warnings[2]
    assert publication_impact("N1", _values(["a"]), _values(["a"])) == []


def test_the_deployment_warns_only_when_it_publishes_again() -> None:
    olds = {"notice_id": "N1", "revision": "r1", "draft": {"managed_values": _values(["a"])}}
    news = {
        "notice_id": "N1",
        "revision": "r2",
        "draft": {"notice_id": "N1", "managed_values": _values([])},
    }
    (warning,) = NoticeDeployment().impact(olds, news)
    assert "notice N1 is published with vendors removed (a)" in warning
    assert NoticeDeployment().impact(olds, {**news, "revision": "r1"}) == []


def test_legal_bases_and_replacements() -> None:
    olds = {"name": "T", "category_id": "c", "default_purposes": ["p"], "organization_id": "o"}
    news = {**olds, "default_purposes": [], "legitimate_interest_purposes": ["p"]}
    (warning,) = Vendor().impact(olds, news)
    assert "vendor T's legal bases change (consent - p; legitimate interest + p)" in warning
    (replaced,) = Vendor().impact(olds, {**olds, "organization_id": "other"})
    assert replaced.startswith("consent impact: vendor T is replaced by a new one")
    purpose = {"description": {"en": "Analytics"}, "details": {"en": "x"}, "organization_id": "o"}
    (replaced,) = Purpose().impact(purpose, {**purpose, "organization_id": "p"})
    assert "purpose Analytics is replaced" in replaced and "numeric id" in replaced
    assert Purpose().impact(purpose, {**purpose, "details": {"en": "y"}}) == []
