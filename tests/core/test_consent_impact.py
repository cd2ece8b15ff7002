"""What a change does to consent already collected: the warnings of the preview, and the reads
they take (the notices listing a vendor whose legal bases change, from the run's one listing of
the organization's drafts, against the emulator as a real HTTP server)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pulumi_didomi.client._session import TOKENS
from pulumi_didomi.core import drafts
from pulumi_didomi.core.consent_impact import (
    legal_basis_impact,
    listed,
    notices_listing,
    publication_impact,
)
from pulumi_didomi.core.notice_deployment import NoticeDeployment
from pulumi_didomi.core.purpose import Purpose
from pulumi_didomi.core.resource import Context
from pulumi_didomi.core.session import Settings
from pulumi_didomi.core.values import UNKNOWN
from pulumi_didomi.core.vendor import Vendor
from tests.conftest import ORG_A
from tests.emulator.api import Api
from tests.helpers import EmulatorProcess, api_calls

ORG, KEY, SECRET = ORG_A.split(":")
#: No settings to call Didomi with: a hook that reads must not try.
OFFLINE = Context(Settings(None, None, None, "http://127.0.0.1:9/v1"), tell=lambda _: None)


@pytest.fixture(autouse=True)
def new_run(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test a run of its own: a new draft book, no session."""
    monkeypatch.setattr("pulumi_didomi.core.consent_impact.BOOK", drafts.DraftBook())
    TOKENS.clear()
    yield
    TOKENS.clear()


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
    (warning,) = NoticeDeployment().impact(OFFLINE, "d1", olds, news)
    assert "notice N1 is published with vendors removed (a)" in warning
    assert NoticeDeployment().impact(OFFLINE, "d1", olds, {**news, "revision": "r1"}) == []


def test_legal_bases_and_replacements() -> None:
    olds = {"name": "T", "category_id": "c", "default_purposes": ["p"], "organization_id": "o"}
    news = {**olds, "default_purposes": [], "legitimate_interest_purposes": ["p"]}
    (warning,) = Vendor().impact(OFFLINE, "v1", olds, news)
    assert "vendor T's legal bases change (consent - p; legitimate interest + p)" in warning
    assert "the notices listing it (not read: no Didomi settings to read them with)" in warning
    (replaced,) = Vendor().impact(OFFLINE, "v1", olds, {**olds, "organization_id": "other"})
    assert replaced.startswith("consent impact: vendor T is replaced by a new one")
    purpose = {"description": {"en": "Analytics"}, "details": {"en": "x"}, "organization_id": "o"}
    (replaced,) = Purpose().impact(OFFLINE, "p1", purpose, {**purpose, "organization_id": "p"})
    assert "purpose Analytics is replaced" in replaced and "numeric id" in replaced
    assert Purpose().impact(OFFLINE, "p1", purpose, {**purpose, "details": {"en": "y"}}) == []


def test_the_legal_basis_warning_names_the_notices_listing_the_vendor() -> None:
    olds = {"name": "T", "default_purposes": ["p"]}
    news = {"name": "T", "default_purposes": ["p", "q"]}
    (warning,) = legal_basis_impact("T", olds, news, ["N2", "N1"])
    assert warning == (
        "consent impact: vendor T's legal bases change (consent + q): the notices listing it in "
        "their draft (N1, N2) ask for, and apply, consent accordingly at their next "
        "publication; consent users already gave was given for the old legal bases"
    )
    (none,) = legal_basis_impact("T", olds, news, [])
    assert "no notice's draft lists it" in none
    assert legal_basis_impact("T", olds, olds, ["N1"]) == []
    drafts_by_notice = {"N1": _values(["v"]), "N2": _values(["w"]), "N3": _values([])}
    drafts_by_notice["N3"]["regulation_configurations"][0]["config"]["app"]["vendors"] = {
        "iab": {"include": ["v"]}
    }
    assert notices_listing("v", drafts_by_notice) == ["N1", "N3"]
    assert notices_listing("iab-1", drafts_by_notice) == ["N1", "N2"]  # N3: iab v instead


def _online(emulator: EmulatorProcess, secret: str = SECRET) -> Context:
    settings = Settings(KEY, secret, ORG, emulator.url + "/v1", rate_limit=None)
    return Context(settings, tell=lambda _: None)


def _vendor_listed_by_one_notice(api: Api) -> tuple[dict[str, Any], str]:
    vendor = api.new_vendor("Tracker", default_purposes_id=["cookies"])
    listing, other = api.new_notice("Shop"), api.new_notice("Blog")
    for notice, include in ((listing, [vendor["id"], "google"]), (other, ["google"])):
        draft = api.draft(notice["id"])
        api.ok(
            "PATCH",
            f"/widgets/notices/configs/{draft['id']}",
            json={"config": {"app": {"vendors": {"include": include}}}},
        )
    return vendor, str(listing["id"])


def test_a_legal_basis_change_reads_the_drafts_once_per_run(emulator: EmulatorProcess) -> None:
    """The warning names the notice whose draft lists the vendor, from one listing of the
    organization's drafts (1 session + 1 page), reused by the run; a change that moves no
    legal basis reads nothing."""
    api = Api(emulator.url, ORG_A)
    vendor, notice = _vendor_listed_by_one_notice(api)
    ctx, olds = _online(emulator), {"name": "Tracker", "default_purposes": ["cookies"]}
    moved = {**olds, "default_purposes": [], "legitimate_interest_purposes": ["cookies"]}
    emulator.reset_stats()
    (warning,) = Vendor().impact(ctx, vendor["id"], olds, moved)
    assert f"the notices listing it in their draft ({notice}) ask for" in warning, warning
    calls = api_calls(emulator.stats())
    assert calls == {"POST /sessions": 1, "GET /widgets/notices/configs": 1}, calls
    emulator.reset_stats()
    assert len(Vendor().impact(ctx, vendor["id"], olds, {**moved, "spi_purposes": []})) == 1
    assert Vendor().impact(ctx, vendor["id"], olds, {**olds, "name": "Tracker 2"}) == []
    assert api_calls(emulator.stats()) == {}
    (unlisted,) = Vendor().impact(ctx, "not-listed", olds, moved)
    assert "no notice's draft lists it" in unlisted


def test_a_failed_listing_warns_without_the_names(emulator: EmulatorProcess) -> None:
    api = Api(emulator.url, ORG_A)
    vendor, _ = _vendor_listed_by_one_notice(api)
    olds = {"name": "Tracker", "default_purposes": ["cookies"]}
    refused = _online(emulator, secret="not-the-secret-of-key-a")
    (warning,) = Vendor().impact(refused, vendor["id"], olds, {**olds, "default_purposes": []})
    assert warning.startswith("consent impact: vendor Tracker's legal bases change (consent - ")
    assert "the notices listing it (not read: " in warning, warning
    assert "not-the-secret" not in warning


def test_a_vendor_to_be_deleted_warns_of_orphaned_consent() -> None:
    olds = {"name": "T", "category_id": "c", "organization_id": "o"}
    (warning,) = Vendor().impact(OFFLINE, "v1", olds, {**olds, "delete_on_destroy": True})
    assert warning.startswith("consent impact: vendor T (v1) is deleted from Didomi when it ")
    assert "orphaned" in warning
    deleting = {**olds, "delete_on_destroy": True}
    assert Vendor().impact(OFFLINE, "v1", deleting, deleting) == []
    replaced, deleted = Vendor().impact(
        OFFLINE, "v1", deleting, {**deleting, "organization_id": "p"}
    )
    assert (
        "replaced by a new one" in replaced and "deleted from Didomi as it is replaced" in deleted
    )
