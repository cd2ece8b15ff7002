"""The Didomi lifecycle (reference §5.1 and §6) end to end over real HTTP."""

from __future__ import annotations

import csv
import io
import json
import time

import httpx

from tests.conftest import ORG_A
from tests.emulator.api import Api
from tests.helpers import EmulatorProcess


def test_notice_draft_publish_lifecycle(emulator: EmulatorProcess) -> None:
    api = Api(emulator.url, ORG_A)
    notice = api.new_notice()
    assert notice["version"] == 0 and notice["archived_at"] is None

    # Creating a notice created its draft, found with deployed_at=null.
    draft = api.draft(notice["id"])
    assert draft["deployed_at"] is None and draft["notice_id"] == notice["id"]
    regs = draft["regulation_configurations"]
    assert [
        (r["regulation_id"], r["is_default_regulation_config"], r["geo_locations"]) for r in regs
    ] == [("gdpr", True, ["*"])]

    # PATCH the draft: platform app, 6 months. Read-only and unknown fields are ignored.
    patched = api.ok(
        "PATCH",
        f"/widgets/notices/configs/{draft['id']}",
        json={
            **draft,
            "platform": "app",
            "consent_duration": 6,
            "consent_duration_unit": "months",
            "id": "ignored",
            "version": 99,
            "some_future_field": 1,
        },
    )
    assert patched["id"] == draft["id"]
    assert (patched["platform"], patched["consent_duration"]) == ("app", 6)
    assert patched["version"] == 1 and "some_future_field" not in patched

    # Deploy with a message.
    dep = api.deploy(notice["id"], draft["id"], "shorter consent")
    assert dep["status"] == "running" and dep["message"] == "shorter consent"
    assert dep["production_config_id"] == draft["id"]

    published = api.ok("GET", f"/widgets/notices/configs/{draft['id']}")
    assert published["deployed_at"] is not None and published["deployed_by"] == "key-a"

    new_draft = api.draft(notice["id"])
    assert new_draft["id"] != draft["id"]
    assert (new_draft["platform"], new_draft["consent_duration"]) == ("app", 6)
    assert new_draft["regulation_configurations"][0]["id"] != regs[0]["id"]

    # The published config is immutable and cannot be deployed again.
    r = api.http.patch(f"/widgets/notices/configs/{draft['id']}", json={"platform": "web"})
    assert r.status_code == 400 and r.json()["name"] == "BadRequest"
    assert "already deployed" in r.json()["message"]
    assert api.ok("GET", f"/widgets/notices/configs/{draft['id']}")["platform"] == "app"
    r = api.post_deployment(notice["id"], draft["id"])
    assert r.status_code == 400
    assert len(api.ok("GET", "/widgets/notices/deployments")["data"]) == 1

    # Status goes running -> success after --deploy-seconds.
    time.sleep(0.3)
    assert api.ok("GET", f"/widgets/notices/deployments/{dep['id']}")["status"] == "success"

    # Deployments are an audit log.
    assert api.http.delete(f"/widgets/notices/deployments/{dep['id']}").status_code == 405

    # Two configs now: one published, one draft; Feathers operators on deployed_at.
    assert (
        api.ok("GET", "/widgets/notices/configs", params={"notice_id": notice["id"]})["total"] == 2
    )
    published_only = api.ok(
        "GET",
        "/widgets/notices/configs",
        params={"notice_id": notice["id"], "deployed_at[$ne]": "null"},
    )
    assert [c["id"] for c in published_only["data"]] == [draft["id"]]


def test_header_v1_omits_regulations_and_prefixless_routes(emulator: EmulatorProcess) -> None:
    api = Api(emulator.url, ORG_A, prefix="")
    notice = api.new_notice()
    draft = api.draft(notice["id"])
    v1 = api.ok("GET", f"/widgets/notices/configs/{draft['id']}", headers={"v": "1"})
    assert "regulation_configurations" not in v1
    # v1 PATCH ignores regulation_configurations; v2 PATCH edits them by id, adds new ones.
    api.ok(
        "PATCH",
        f"/widgets/notices/configs/{draft['id']}",
        headers={"v": "1"},
        json={"regulation_configurations": []},
    )
    gdpr = draft["regulation_configurations"][0]
    body = {
        "regulation_configurations": [
            {"id": gdpr["id"], "geo_locations": ["FR", "DE"]},
            {"regulation_id": "cpra", "geo_locations": ["US_CA"], "consent_duration": 12},
        ]
    }
    out = api.ok("PATCH", f"/widgets/notices/configs/{draft['id']}", json=body)
    regs = {r["regulation_id"]: r for r in out["regulation_configurations"]}
    assert regs["gdpr"]["id"] == gdpr["id"] and regs["gdpr"]["geo_locations"] == ["FR", "DE"]
    assert regs["cpra"]["notice_config_id"] == draft["id"] and len(regs["cpra"]["id"]) == 8


def test_values_didomis_document_allows_are_accepted(emulator: EmulatorProcess) -> None:
    # Didomi's OpenAPI document types these as plain strings and numbers: no emulator rule of
    # its own (non-empty names, positive durations) refuses them.
    api = Api(emulator.url, ORG_A)
    notice = api.ok("POST", "/widgets/notices", 201, json={"organization_id": api.org, "name": ""})
    assert notice["name"] == ""
    draft = api.draft(notice["id"])
    gdpr = draft["regulation_configurations"][0]["id"]
    body = {
        "consent_duration": 0,
        "denied_consent_duration": -1,
        "cross_device_timeout": -5,
        "regulation_configurations": [{"id": gdpr, "consent_duration": 0}],
    }
    patched = api.ok("PATCH", f"/widgets/notices/configs/{draft['id']}", json=body)
    assert (patched["consent_duration"], patched["denied_consent_duration"]) == (0, -1)
    assert patched["cross_device_timeout"] == -5
    assert patched["regulation_configurations"][0]["consent_duration"] == 0
    # A new regulation configuration needs a `regulation_id`: a string, as O1 types it.
    body = {"regulation_configurations": [{"regulation_id": ""}]}
    patched = api.ok("PATCH", f"/widgets/notices/configs/{draft['id']}", json=body)
    assert [r["regulation_id"] for r in patched["regulation_configurations"]] == ["gdpr", ""]
    # RFC 3339 date-times (OpenAPI's `format: date-time`), lowercase, leap second included.
    path = f"/widgets/notices/{notice['id']}"
    for stamp in (
        "2026-01-31T10:00:00Z",
        "2026-01-31t10:00:00.123456789+02:00",
        "2016-12-31T23:59:60z",
    ):
        assert api.ok("PATCH", path, json={"archived_at": stamp})["archived_at"] == stamp


def test_methods_a_path_does_not_take_answer_405_with_allow(emulator: EmulatorProcess) -> None:
    # Feathers' MethodNotAllowed with `Allow` (RFC 9110); a fixed path is never read as the id
    # of a broader route (`PATCH /widgets/notices` is not a PATCH of a widget "notices").
    api = Api(emulator.url, ORG_A)
    notice = api.new_notice()
    draft = api.draft(notice["id"])
    deployment = api.deploy(notice["id"], draft["id"])
    cases = {
        "/sessions": "POST",
        "/organizations/org-a": "GET",
        "/widgets/notices": "GET, POST",
        f"/widgets/notices/{notice['id']}": "GET, PATCH, DELETE",
        "/widgets/notices/configs": "GET",
        f"/widgets/notices/configs/{draft['id']}": "GET, PATCH",
        "/widgets/notices/deployments": "GET, POST",
        f"/widgets/notices/deployments/{deployment['id']}": "GET",
        "/widgets/deployments": "GET, POST",
    }
    before = api.ok("GET", "/widgets/notices")
    for path, allow in cases.items():
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            if method in allow:
                continue
            r = api.http.request(method, path, json={"name": "x"})
            assert r.status_code == 405, (method, path, r.text)
            assert r.json()["name"] == "MethodNotAllowed", (method, path, r.text)
            assert sorted(r.headers["allow"].split(", ")) == sorted(allow.split(", ")), path
    assert api.ok("GET", "/widgets/notices") == before


def test_download_exports_configurations(emulator: EmulatorProcess) -> None:
    # O1 `download`: "interpreted as true if present regardless of value"; on the list, "a CSV
    # extract of the items or Not Found if no items match the query".
    api = Api(emulator.url, ORG_A)
    notice = api.new_notice()
    draft = api.draft(notice["id"])
    path = "/widgets/notices/configs"
    for query in (
        f"?notice_id={notice['id']}&download=true",
        f"?download&notice_id={notice['id']}",
    ):
        r = api.http.get(path + query)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv"), r.text
        assert r.headers["content-disposition"].startswith("attachment")
        rows = list(csv.DictReader(io.StringIO(r.text)))
        assert [row["id"] for row in rows] == [draft["id"]]
        assert rows[0]["deployed_at"] == "" and rows[0]["consent_duration"] == "12"
        assert (
            json.loads(rows[0]["regulation_configurations"]) == draft["regulation_configurations"]
        )
    r = api.http.get(path, params={"notice_id": "nope", "download": ""})
    assert r.status_code == 404 and r.json()["name"] == "NotFound", r.text
    one = api.http.get(f"{path}/{draft['id']}", params={"download": "1"})
    assert one.headers["content-disposition"].startswith("attachment")
    assert one.json() == api.ok("GET", f"{path}/{draft['id']}")


def test_patch_validation_names_the_field_and_changes_nothing(emulator: EmulatorProcess) -> None:
    api = Api(emulator.url, ORG_A)
    notice = api.new_notice()
    draft = api.draft(notice["id"])
    cases = [
        ({"platform": "desktop"}, "platform"),
        ({"consent_duration_unit": "weeks"}, "consent_duration_unit"),
        ({"consent_duration": "6"}, "consent_duration"),
        ({"targets": "example.com"}, "targets"),
        ({"default": True, "targets": ["a.com"]}, "default"),
        (
            {"enable_ignore_consent_before": True, "ignore_consent_before": "yesterday"},
            "ignore_consent_before",
        ),
        ({"negative_action": "shout"}, "negative_action"),
    ]
    for body, field in cases:
        r = api.http.patch(f"/widgets/notices/configs/{draft['id']}", json=body)
        assert r.status_code == 400, (body, r.text)
        err = r.json()
        assert err["name"] == "BadRequest" and err["code"] == 400
        assert field in err["message"] and field in str(err["errors"]), (body, err)
    assert api.draft(notice["id"]) == draft


def test_widgets_deployments_pagination_and_public_config(emulator: EmulatorProcess) -> None:
    api = Api(emulator.url, ORG_A)
    widget = api.ok(
        "POST",
        "/widgets",
        201,
        params={"organization_id": api.org},
        json={"name": "Preference center"},
    )
    key = emulator.public_key(api.org)
    public = httpx.get(f"{emulator.url}/configs/{key}/containers/{widget['id']}.json")
    assert public.status_code == 404  # nothing deployed yet

    ids = []
    for i in range(5):
        api.ok("PATCH", f"/widgets/{widget['id']}", json={"name": f"Preference center {i}"})
        dep = api.ok(
            "POST",
            "/widgets/deployments",
            201,
            params={"organization_id": api.org},
            json={"widget_id": widget["id"]},
        )
        assert dep["config"]["name"] == f"Preference center {i}"
        assert dep["deployment_id"] == dep["id"]
        ids.append(dep["id"])
        time.sleep(0.005)

    listed = api.ok("GET", "/widgets/deployments", params={"organization_id": api.org})
    assert isinstance(listed, list) and [d["id"] for d in listed] == ids
    page = api.ok(
        "GET",
        "/widgets/deployments",
        params={"$limit": 2, "$skip": 1, "$sort[created_at]": -1, "widget_id": widget["id"]},
    )
    assert [d["id"] for d in page] == list(reversed(ids))[1:3]
    assert api.ok("GET", f"/widgets/deployments/{ids[0]}")["widget_id"] == widget["id"]

    public = httpx.get(f"{emulator.url}/configs/{key}/containers/{widget['id']}.json")
    assert public.status_code == 200 and public.json()["name"] == "Preference center 4"


def test_pagination_caps_limit_and_counts_total(emulator: EmulatorProcess) -> None:
    api = Api(emulator.url, ORG_A)
    for i in range(120):
        api.new_notice(f"n{i:03}")
    first = api.ok("GET", "/widgets/notices/configs", params={"$limit": 500})
    assert (first["total"], first["limit"], len(first["data"])) == (120, 100, 100)
    second = api.ok("GET", "/widgets/notices/configs", params={"$skip": 100})
    assert len(second["data"]) == 20
    names = api.ok("GET", "/widgets/notices", params={"$sort[name]": -1, "$limit": 3})
    assert [n["name"] for n in names["data"]] == ["n119", "n118", "n117"]


def test_parallel_deployment_quota(start_emulator) -> None:  # type: ignore[no-untyped-def]
    emu = start_emulator("--credential", ORG_A, "--rate-limit", "off", "--deploy-seconds", "30")
    api = Api(emu.url, ORG_A)
    notices = [api.new_notice(f"n{i}") for i in range(4)]
    for n in notices[:3]:
        api.deploy(n["id"], api.draft(n["id"])["id"])
    draft = api.draft(notices[3]["id"])
    r = api.post_deployment(notices[3]["id"], draft["id"])
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
    assert api.draft(notices[3]["id"])["id"] == draft["id"]  # nothing changed
    assert emu.stats()["max_running_deployments"] == 3
