"""The data manager as the Vendor and Purpose resources need it, over real HTTP: Didomi's global
vendors and purposes (read-only, every organization sees them), custom ones (their
organization's only), translations, storage disclosures, what protects what is in use.

Each response also validates against the emulator's own response models (`extra="forbid"`).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from pulumi_didomi.emulator import models
from tests.conftest import ORG_A, ORG_B
from tests.emulator.api import Api
from tests.helpers import EmulatorProcess


def _valid(model: type[BaseModel], body: Any) -> Any:
    model.model_validate(body)
    return body


def _all(api: Api, path: str, **params: Any) -> list[dict[str, Any]]:
    page = api.ok("GET", path, params={"$limit": 100, **params})
    assert page["total"] == len(page["data"]), page
    return list(page["data"])


def test_global_catalogue_is_seeded_read_only_and_shared(emulator: EmulatorProcess) -> None:
    api, other = Api(emulator.url, ORG_A), Api(emulator.url, ORG_B)
    vendors = [_valid(models.Partner, v) for v in _all(api, "/metadata/partners")]
    by_iab = {v["namespaces"].get("iab2"): v for v in vendors if "iab2" in v["namespaces"]}
    assert by_iab["755"]["id"] == "google" and "organization_id" not in by_iab["755"]
    assert len(by_iab) == 15 and len(vendors) == 18
    categories = {c["id"] for c in _all(api, "/metadata/partners-categories")}
    assert {v["category_id"] for v in vendors} <= categories
    purposes = {p["id"]: p for p in _all(api, "/metadata/purposes", **{"$translations": "true"})}
    assert purposes["cookies"]["namespaces"]["iab2"] == "1"
    assert purposes["cookies"]["description"] == {
        "en": "Store and/or access information on a device"
    }
    assert {p for v in vendors for p in v["default_purposes_id"]} <= set(purposes)
    # The other organization sees the same catalogue; nobody may change it.
    assert len(_all(other, "/metadata/partners")) == 18
    assert api.rejected("PATCH", "/metadata/partners/google", "id", 403, json={"name": "x"})
    api.rejected("DELETE", "/metadata/purposes/cookies", "id", 403)
    assert api.ok("GET", "/metadata/partners/google")["name"] == "Google Advertising Products"


def test_custom_purpose_translations_and_isolation(emulator: EmulatorProcess) -> None:
    api, other = Api(emulator.url, ORG_A), Api(emulator.url, ORG_B)
    made = _valid(models.Purpose, api.new_purpose("Analytics"))
    path = f"/metadata/purposes/{made['id']}"
    assert made["description"] == {"en": "Analytics", "fr": "Analytics (fr)"}
    # Without $translations, the default language's text.
    assert api.ok("GET", path)["description"] == "Analytics"
    texts = {"$translations": "true"}
    patched = api.ok("PATCH", path, params=texts, json={"details": {"de": "Messung"}})
    assert patched["details"] == {"de": "Messung"}  # a translatable field is replaced whole
    assert api.ok("PATCH", path, json={"description": "Audience"})["description"] == "Audience"
    assert api.ok("GET", path, params=texts)["description"] == {"en": "Audience"}
    # Another organization's purpose is answered as missing, and absent from its lists.
    other.rejected("GET", path, "type", 404)
    assert made["id"] not in {p["id"] for p in _all(other, "/metadata/purposes")}
    # Didomi's data manager page: at least `description` and `details`.
    api.rejected("POST", "/metadata/purposes", "details", json={"description": "x"})


def test_vendor_category_storages_and_url_matching(emulator: EmulatorProcess) -> None:
    api, other = Api(emulator.url, ORG_A), Api(emulator.url, ORG_B)
    purpose = api.new_purpose("Analytics")
    vendor = _valid(
        models.Partner,
        api.new_vendor(
            "Tracker",
            hosts=["tracker.example"],
            url_patterns=[r"cdn\.track\.example/t\.js"],
            default_purposes_id=[purpose["id"]],
            website="https://tracker.example",
        ),
    )
    assert vendor["organization_id"] == api.org and vendor["deprecated"] is False
    api.rejected(
        "POST", "/metadata/partners", "category_id", json={"name": "X", "category_id": "no"}
    )
    api.rejected(
        "POST",
        "/metadata/partners",
        "website",
        json={"name": "X", "category_id": "other", "website": "nope"},
    )
    cookie = _valid(models.Storage, api.new_storage(vendor["id"], purposes_id=[purpose["id"]]))
    assert cookie["organization_id"] == api.org
    api.rejected(
        "PATCH", f"/metadata/partners-storages/{cookie['id']}", "max_age", json={"max_age": None}
    )
    other.rejected(
        "POST", "/metadata/partners-storages", "partner_id", json={"partner_id": vendor["id"]}
    )
    assert _all(other, "/metadata/partners-storages") == []
    found = _all(
        api,
        "/metadata/partners",
        url=["https://a.tracker.example/x", "https://cdn.track.example/t.js?v=2", "https://x.org"],
    )
    assert [(v["id"], v["urls"]) for v in found] == [
        (vendor["id"], ["https://a.tracker.example/x", "https://cdn.track.example/t.js?v=2"])
    ]
    # Deleting a vendor deletes its storages.
    api.ok("DELETE", f"/metadata/partners/{vendor['id']}")
    assert _all(api, "/metadata/partners-storages") == []


def test_what_is_in_use_stays(emulator: EmulatorProcess) -> None:
    api = Api(emulator.url, ORG_A)
    purpose = api.new_purpose("Analytics")
    vendor = api.new_vendor("Tracker", legitimate_interest_purposes_id=[purpose["id"]])
    path = f"/metadata/purposes/{purpose['id']}"
    refused = api.rejected("DELETE", path, "id")
    assert f"vendor {vendor['id']} (Tracker: legitimate_interest_purposes_id)" in refused["message"]
    # A notice may list the vendor while it is live; once deprecated, it cannot be added.
    notice = api.new_notice()
    draft = api.draft(notice["id"])
    listing = {"config": {"app": {"vendors": {"include": [vendor["id"], "google"]}}}}
    api.ok("PATCH", f"/widgets/notices/configs/{draft['id']}", json=listing)
    api.ok("PATCH", f"/metadata/partners/{vendor['id']}", json={"deprecated": True})
    api.ok("PATCH", f"/widgets/notices/configs/{draft['id']}", json=listing)  # still listed: ok
    fresh = api.draft(api.new_notice("Other")["id"])
    refused = api.rejected(
        "PATCH", f"/widgets/notices/configs/{fresh['id']}", "config", json=listing
    )
    assert vendor["id"] in refused["errors"]["config"]
    # A deprecated vendor no longer holds its purposes: the purpose can go.
    assert api.ok("DELETE", path)["id"] == purpose["id"]
