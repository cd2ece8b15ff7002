"""The Purpose and Vendor lifecycles of the core against the emulator (a real HTTP server), each
step a new run (listings forgotten): translations kept language by language, storages synced,
what is in use refused with the users named, adoption losing nothing, checks with reads only,
and the refresh budget (one bulk listing per kind, whatever the number of objects)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pulumi_didomi.client._session import TOKENS
from pulumi_didomi.client.errors import DidomiError
from pulumi_didomi.core import metadata
from pulumi_didomi.core.purpose import Purpose
from pulumi_didomi.core.resource import Context
from pulumi_didomi.core.session import Settings
from pulumi_didomi.core.vendor import Vendor
from tests.conftest import ORG_A
from tests.emulator.api import Api
from tests.helpers import EmulatorProcess, api_calls

ORG, KEY, SECRET = ORG_A.split(":")


@pytest.fixture(autouse=True)
def new_runs() -> Iterator[None]:
    TOKENS.clear()
    metadata.forget()
    yield
    TOKENS.clear()
    metadata.forget()


def _ctx(emulator: EmulatorProcess, told: list[str] | None = None) -> Context:
    settings = Settings(KEY, SECRET, ORG, emulator.url + "/v1", rate_limit=None)
    return Context(settings, tell=(told.append if told is not None else lambda _: None))


def _next_run(emulator: EmulatorProcess) -> None:
    metadata.forget()
    emulator.reset_stats()


def _purpose(**extra: Any) -> dict[str, Any]:
    return {
        "description": {"en": "Analytics", "fr": "Mesure"},
        "details": {"en": "We count", "fr": "On compte"},
        **extra,
    }


def test_translations_are_managed_language_by_language(emulator: EmulatorProcess) -> None:
    api, ctx, purpose = Api(emulator.url, ORG_A), _ctx(emulator), Purpose()
    id_, state = purpose.create(ctx, _purpose())
    path = f"/metadata/purposes/{id_}"
    texts = {"$translations": "true"}
    # German added in the console: not the stack's, not drift.
    api.ok(
        "PATCH",
        path,
        params=texts,
        json={"description": {"en": "Analytics", "fr": "Mesure", "de": "Messung"}},
    )
    _next_run(emulator)
    found = purpose.read(ctx, id_, state)
    assert found is not None and found.outputs["description"] == {"en": "Analytics", "fr": "Mesure"}
    assert purpose.diff(found.outputs, _purpose()) == ([], [])
    # The program changes English and drops French: German stays, French goes.
    news = _purpose(description={"en": "Audience"})
    changed, _ = purpose.diff(found.outputs, news)
    assert changed == ["description"]
    _next_run(emulator)
    outs = purpose.update(ctx, id_, found.outputs, news)
    assert api.ok("GET", path, params=texts)["description"] == {"de": "Messung", "en": "Audience"}
    assert outs["description"] == {"en": "Audience"}
    calls = api_calls(emulator.stats())
    assert calls["PATCH /metadata/purposes/{purpose_id}"] == 1, calls


def test_purpose_in_use_is_not_deleted_and_the_error_names_the_vendor(
    emulator: EmulatorProcess,
) -> None:
    api, ctx = Api(emulator.url, ORG_A), _ctx(emulator)
    id_, state = Purpose().create(ctx, _purpose())
    vendor = api.new_vendor("Tracker", default_purposes_id=[id_])
    with pytest.raises(
        DidomiError, match=f"vendor {vendor['id']} \\(Tracker: default_purposes_id\\)"
    ):
        Purpose().delete(ctx, id_, state)
    assert api.ok("GET", f"/metadata/purposes/{id_}")["id"] == id_
    told: list[str] = []
    api.ok("PATCH", f"/metadata/partners/{vendor['id']}", json={"deprecated": True})
    Purpose().delete(_ctx(emulator, told), id_, state)
    assert told == [f"Purpose {id_}: deleted"]


def test_vendor_storages_follow_the_program(emulator: EmulatorProcess) -> None:
    api, ctx, vendor = Api(emulator.url, ORG_A), _ctx(emulator), Vendor()
    cookie = {
        "type": "cookie",
        "identifier": "_a",
        "domain": ".t.example",
        "max_age": 6,
        "purposes": ["cookies"],
    }
    local = {"type": "web_storage", "identifier": "seen", "domain": "t.example"}
    inputs = {"name": "Tracker", "category_id": "analytics", "storages": [cookie, local]}
    id_, state = vendor.create(ctx, inputs)
    assert state["storages"] == [cookie, local] and state["deprecated"] is False

    def stored() -> list[tuple[str, Any]]:
        found = api.ok("GET", "/metadata/partners-storages")["data"]
        return sorted((s["identifier"], s.get("max_age")) for s in found)

    assert stored() == [("_a", 6), ("seen", None)]
    # Change the cookie, drop the web storage, add an app storage: PATCH, DELETE, POST.
    news = {
        **inputs,
        "storages": [{**cookie, "max_age": 13}, {"type": "app_storage", "identifier": "k"}],
    }
    assert vendor.diff(state, news)[0] == ["storages"]
    _next_run(emulator)
    outs = vendor.update(ctx, id_, state, news)
    assert stored() == [("_a", 13), ("k", None)]
    assert outs["storages"] == news["storages"]
    writes = {k: v for k, v in api_calls(emulator.stats()).items() if not k.startswith("GET")}
    assert writes == {
        "PATCH /metadata/partners-storages/{storage_id}": 1,
        "DELETE /metadata/partners-storages/{storage_id}": 1,
        "POST /metadata/partners-storages": 1,
    }
    # Deprecated on destroy; deleted with delete_on_destroy (its storages with it).
    told: list[str] = []
    vendor.delete(_ctx(emulator, told), id_, outs)
    assert api.ok("GET", f"/metadata/partners/{id_}")["deprecated"] is True
    assert told[0].startswith(f"Vendor {id_}: deprecated")
    vendor.delete(ctx, id_, {**outs, "deprecated": False, "delete_on_destroy": True})
    assert api.ok("GET", "/metadata/partners-storages")["data"] == []


def test_adopting_a_vendor_loses_nothing(emulator: EmulatorProcess) -> None:
    api, ctx, vendor = Api(emulator.url, ORG_A), _ctx(emulator), Vendor()
    made = api.new_vendor(
        "Legacy CDN",
        category_id="infrastructure",
        notes="signed 2021",
        tags=["cdn"],
        namespaces={"custom": "legacy-1"},
        website="https://cdn.example",
    )
    api.new_storage(made["id"])
    _next_run(emulator)
    inputs = {
        "name": "Legacy CDN",
        "category_id": "infrastructure",
        "website": "https://cdn.example/privacy",
        "namespaces": {"didomi": "legacy"},
        "adopt_id": made["id"],
    }
    id_, state = vendor.create(ctx, inputs)
    after = api.ok("GET", f"/metadata/partners/{id_}")
    assert id_ == made["id"] and after["website"] == "https://cdn.example/privacy"
    assert (after["notes"], after["tags"]) == ("signed 2021", ["cdn"])
    assert after["namespaces"] == {"custom": "legacy-1", "didomi": "legacy"}
    assert len(api.ok("GET", "/metadata/partners-storages")["data"]) == 1  # not the program's
    assert state["namespaces"] == {"didomi": "legacy"} and "storages" not in state
    assert vendor.diff(state, {k: v for k, v in inputs.items()}) == ([], [])
    # A global vendor cannot be adopted: the check says so, with reads only.
    problems = vendor.check_remote(ctx, {**inputs, "adopt_id": "google"}, {})
    assert problems and problems[0][0] == "adopt_id" and "global" in problems[0][1]


def test_remote_checks_name_the_field_and_write_nothing(emulator: EmulatorProcess) -> None:
    ctx, vendor = _ctx(emulator), Vendor()
    purpose_id, _ = Purpose().create(ctx, _purpose())
    _next_run(emulator)
    inputs = {
        "name": "T",
        "category_id": "analytic",
        "default_purposes": [purpose_id, "no-such-purpose"],
        "storages": [{"type": "app_storage", "identifier": "k", "purposes": ["cookies", "nope"]}],
    }
    problems = vendor.check_remote(ctx, inputs, {})
    assert [p[0] for p in problems] == ["category_id", "default_purposes", "storages"]
    assert "did you mean 'analytics'" in problems[0][1]
    assert "default_purposes[1]: no purpose 'no-such-purpose'" in problems[1][1]
    assert "storages[0].purposes[1]: no purpose 'nope'" in problems[2][1]
    calls = api_calls(emulator.stats())
    assert all(k.startswith("GET") or k == "POST /sessions" for k in calls), calls
    # What the stack applied is not read again.
    _next_run(emulator)
    assert (
        vendor.check_remote(
            ctx,
            {
                **inputs,
                "category_id": "analytics",
                "default_purposes": [purpose_id],
                "storages": [],
            },
            {"category_id": "analytics", "default_purposes": [purpose_id]},
        )
        == []
    )
    assert api_calls(emulator.stats()) == {}


def test_refresh_reads_each_kind_once(emulator: EmulatorProcess) -> None:
    """Refresh of N = 10 vendors and M = 10 purposes: 1 session + one listing per kind."""
    ctx = _ctx(emulator)
    purposes = [Purpose().create(ctx, _purpose()) for _ in range(10)]
    vendors = [
        Vendor().create(
            ctx,
            {
                "name": f"v{i}",
                "category_id": "other",
                "default_purposes": [purposes[i][0]],
                "storages": [],
            },
        )
        for i in range(10)
    ]
    _next_run(emulator)
    TOKENS.clear()
    for id_, state in [*purposes]:
        assert Purpose().read(ctx, id_, state) is not None
    for id_, state in vendors:
        found = Vendor().read(ctx, id_, state)
        assert found is not None and Vendor().diff(found.outputs, state) == ([], [])
    assert api_calls(emulator.stats()) == {
        "POST /sessions": 1,
        "GET /metadata/purposes": 1,
        "GET /metadata/partners": 1,
        "GET /metadata/partners-storages": 1,
    }


def test_lookups_answer_from_one_listing_per_run(emulator: EmulatorProcess) -> None:
    from pulumi_didomi.client.errors import ConfigurationError
    from pulumi_didomi.core.functions import GetPurpose, GetVendor

    ctx = _ctx(emulator)
    _next_run(emulator)
    google = GetVendor().call(ctx, {"iab_id": 755.0})  # numbers come as doubles on the wire
    assert (google["id"], google["iab_id"], google["organization_id"]) == ("google", 755, None)
    assert GetVendor().call(ctx, {"name": "criteo sa"})["id"] == "criteo"
    assert GetVendor().call(ctx, {"id": "hotjar"})["iab_id"] is None
    cookies = GetPurpose().call(ctx, {"iab_id": 1})
    assert cookies["id"] == "cookies" and cookies["description"]["en"].startswith("Store")
    assert GetPurpose().call(ctx, {"name": "Measure content performance"})["iab_id"] == 8
    assert api_calls(emulator.stats()) == {
        "POST /sessions": 1,
        "GET /metadata/partners": 1,
        "GET /metadata/purposes": 1,
    }
    with pytest.raises(ConfigurationError, match="did you mean 'Criteo SA'"):
        GetVendor().call(ctx, {"name": "Criteo"})
    with pytest.raises(ConfigurationError, match="give exactly one of iab_id, name, id"):
        GetVendor().call(ctx, {"iab_id": 755, "name": "Google"})
    # A purpose created meanwhile is found (one fresh listing).
    made, _ = Purpose().create(ctx, _purpose())
    assert GetPurpose().call(ctx, {"id": made})["organization_id"] == ORG
