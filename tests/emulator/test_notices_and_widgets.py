"""Notices and widgets as the Notice and Widget resources need them, over real HTTP.

Each response also validates against the emulator's own response models (`extra="forbid"`):
the emulator returns nothing its reading of Didomi does not document.
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


def test_notice_fields_archiving_and_filters(emulator: EmulatorProcess) -> None:
    api = Api(emulator.url, ORG_A)
    fields = {
        "privacy_experience_id": "pe1",
        "environment": "staging",
        "external_source": "import",
        "external_id": "x-1",
    }
    notice = _valid(
        models.Notice,
        api.ok(
            "POST",
            "/widgets/notices",
            201,
            json={"organization_id": api.org, "name": "Shop", **fields, "version": 7},
        ),
    )
    assert {k: notice[k] for k in fields} == fields
    assert (notice["archived_at"], notice["version"]) == (None, 0)
    other = api.new_notice("Blog")

    # PATCH: name and the four fields; read-only fields are ignored.
    path = f"/widgets/notices/{notice['id']}"
    patched = api.ok("PATCH", path, json={"name": "Shop 2", "environment": "prod", "id": "x"})
    assert (patched["name"], patched["environment"], patched["id"]) == (
        "Shop 2",
        "prod",
        notice["id"],
    )
    assert patched["version"] == 1 and patched["external_id"] == "x-1"

    # Archiving sets archived_at, unarchiving sets it back to null.
    archived = api.ok("PATCH", path, json={"archived_at": "2026-01-31T10:00:00.000Z"})
    assert archived["archived_at"] == "2026-01-31T10:00:00.000Z"

    def listed(**params: Any) -> list[str]:
        page = _valid(models.Page[models.Notice], api.ok("GET", "/widgets/notices", params=params))
        return [n["id"] for n in page["data"]]

    assert listed(archived_at="null") == [other["id"]]
    assert listed(**{"archived_at[$ne]": "null"}) == [notice["id"]]
    assert listed(**{"id[$in]": [notice["id"], "nope"]}) == [notice["id"]]
    assert listed(organization_id=api.org, **{"$sort[name]": 1}) == [other["id"], notice["id"]]

    # An archived notice's draft can be published (no Didomi document forbids it); unarchiving
    # sets archived_at back to null.
    draft = api.draft(notice["id"])
    _valid(models.NoticeDeployment, api.deploy(notice["id"], draft["id"]))
    assert api.draft(notice["id"])["id"] != draft["id"]
    assert api.ok("PATCH", path, json={"archived_at": None})["archived_at"] is None


def test_duplicating_a_notice_copies_its_draft(emulator: EmulatorProcess) -> None:
    # O1: `POST /widgets/notices?duplicate=<id>` creates a notice from an existing one.
    a, b = Api(emulator.url, ORG_A), Api(emulator.url, ORG_B)
    source = a.new_notice("Shop")
    draft = a.draft(source["id"])
    cpra = {"regulation_id": "cpra", "geo_locations": ["US_CA"]}
    body = {"platform": "app", "consent_duration": 6, "regulation_configurations": [cpra]}
    draft = a.ok("PATCH", f"/widgets/notices/configs/{draft['id']}", json=body)
    a.deploy(source["id"], draft["id"])  # the copy is of the current draft, published or not
    draft = a.draft(source["id"])

    body = {"organization_id": a.org, "name": "Shop copy"}
    copy = _valid(
        models.Notice,
        a.ok("POST", "/widgets/notices", 201, params={"duplicate": source["id"]}, json=body),
    )
    assert copy["id"] != source["id"] and copy["name"] == "Shop copy"
    copied = a.draft(copy["id"])
    assert copied["id"] != draft["id"] and copied["deployed_at"] is None
    assert (copied["platform"], copied["consent_duration"]) == ("app", 6)
    regulations = copied["regulation_configurations"]
    assert [r["regulation_id"] for r in regulations] == ["gdpr", "cpra"]
    assert {r["notice_config_id"] for r in regulations} == {copied["id"]}
    originals = {r["id"] for r in draft["regulation_configurations"]}
    assert not {r["id"] for r in regulations} & originals
    assert a.draft(source["id"]) == draft  # the source is untouched

    # An unknown id, or another organization's, is refused and creates nothing.
    before = a.ok("GET", "/widgets/notices")["total"]
    for unknown in ("nope", b.new_notice()["id"]):
        r = a.http.post("/widgets/notices", params={"duplicate": unknown}, json=body)
        assert r.status_code == 404 and "duplicate" in r.json()["errors"], r.text
    assert a.ok("GET", "/widgets/notices")["total"] == before


def test_notice_input_is_validated_field_by_field(emulator: EmulatorProcess) -> None:
    api = Api(emulator.url, ORG_A)
    notice = api.new_notice()
    path = f"/widgets/notices/{notice['id']}"
    api.rejected("POST", "/widgets/notices", "name", json={"organization_id": api.org})
    api.rejected(
        "POST",
        "/widgets/notices",
        "environment",
        json={"organization_id": api.org, "name": "n", "environment": 3},
    )
    api.rejected("PATCH", path, "name", json={"name": 3})
    api.rejected("PATCH", path, "name", json={"name": None})
    api.rejected("PATCH", path, "archived_at", json={"archived_at": "yesterday"})
    api.rejected("PATCH", path, "archived_at", json={"archived_at": "2026-01-31"})
    assert api.ok("GET", path) == notice  # nothing changed


def test_notices_of_another_organization(emulator: EmulatorProcess) -> None:
    a, b = Api(emulator.url, ORG_A), Api(emulator.url, ORG_B)
    notice = a.new_notice()
    path = f"/widgets/notices/{notice['id']}"
    for method, body in (("GET", None), ("PATCH", {"name": "x"}), ("DELETE", None)):
        # Naming the other organization: 403; its ids under one's own: 404 (no leak).
        r = b.http.request(method, path, params={"organization_id": a.org}, json=body)
        assert r.status_code == 403 and r.json()["name"] == "Forbidden", r.text
        r = b.http.request(method, path, params={"organization_id": b.org}, json=body)
        assert r.status_code == 404 and notice["name"] not in r.text, r.text
    body = {"organization_id": a.org, "name": "x"}
    assert b.http.post("/widgets/notices", json=body).status_code == 403
    assert a.ok("GET", path) == notice


def test_widget_create_defaults_and_rules(emulator: EmulatorProcess) -> None:
    api = Api(emulator.url, ORG_A)
    widget = _valid(models.Widget, api.new_widget("Centre", unknown_field=1, archived=True))
    assert (widget["archived"], widget["publication_status"]) == (False, "draft")
    assert (widget["format"], widget["template_id"], widget["headless"]) == (
        "embeddable",
        "full_preference_center",
        False,
    )
    assert (widget["enabled_languages"], widget["default_language"]) == (["en"], "en")
    assert "unknown_field" not in widget
    assert api.new_widget(enabled_languages=["fr", "de"])["default_language"] == "fr"
    assert api.new_widget(default_language="es")["enabled_languages"] == ["es"]
    full = {
        "format": "hosted",
        "template_id": "dsar_form",
        "theme_id": "t1",
        "custom_theme_id": "ct1",
        "subdomain_id": "s1",
        "custom_domain_id": "cd1",
        "layout_shape": "squared",
        "enabled_languages": ["en", "fr"],
        "default_language": "fr",
        "selected_purposes_ids": ["p1"],
        "selected_preferences_ids": ["q1", "q2"],
    }
    created = _valid(models.Widget, api.new_widget("DSAR", **full))
    assert {k: created[k] for k in full} == full
    assert api.new_widget(headless=True)["headless"] is True

    cases: list[tuple[dict[str, Any], str]] = [
        ({"name": ""}, "name"),
        ({"format": "popup"}, "format"),
        ({"template_id": "banner"}, "template_id"),
        ({"headless": True, "format": "hosted"}, "headless"),
        ({"headless": "yes"}, "headless"),
        ({"enabled_languages": "en"}, "enabled_languages"),
        ({"enabled_languages": []}, "enabled_languages"),
        ({"enabled_languages": ["en"], "default_language": "fr"}, "default_language"),
        ({"selected_purposes_ids": "p1"}, "selected_purposes_ids"),
    ]
    before = api.ok("GET", "/widgets")["total"]
    for fields, field in cases:
        body = {"name": "w", **fields}
        api.rejected("POST", "/widgets", field, params={"organization_id": api.org}, json=body)
    assert api.ok("GET", "/widgets")["total"] == before


def test_widget_patch_archive_and_deploy(emulator: EmulatorProcess) -> None:
    api = Api(emulator.url, ORG_A)
    widget = api.new_widget(selected_purposes_ids=["p1"])
    path = f"/widgets/{widget['id']}"
    patched = _valid(
        models.Widget,
        api.ok(
            "PATCH",
            path,
            json={"name": "Renamed", "headless": True, "layout_shape": "rounded", "id": "x"},
        ),
    )
    assert (patched["name"], patched["headless"], patched["layout_shape"]) == (
        "Renamed",
        True,
        "rounded",
    )
    # The headless/format and language rules hold on the merged result.
    api.rejected("PATCH", path, "headless", json={"format": "hosted"})
    api.rejected("PATCH", path, "default_language", json={"enabled_languages": ["fr"]})
    both = {"enabled_languages": ["fr"], "default_language": "fr"}
    assert api.ok("PATCH", path, json=both)["default_language"] == "fr"
    api.rejected("PATCH", path, "format", json={"format": None})
    # selected_*_ids are create-time only: repeating them is fine, changing them is not.
    api.rejected("PATCH", path, "selected_purposes_ids", json={"selected_purposes_ids": ["p2"]})
    api.rejected(
        "PATCH", path, "selected_preferences_ids", json={"selected_preferences_ids": ["q"]}
    )
    api.ok("PATCH", path, json={**api.ok("GET", path), "name": "Whole object back"})

    # Archived widgets are listed by `archived` and cannot be deployed.
    assert api.ok("PATCH", path, json={"archived": True})["archived"] is True
    kept = api.new_widget("kept")

    def listed(archived: str) -> list[str]:
        page = api.ok("GET", "/widgets", params={"archived": archived})
        return [w["id"] for w in _valid(models.Page[models.Widget], page)["data"]]

    assert listed("true") == [widget["id"]] and listed("false") == [kept["id"]]
    params, ref = {"organization_id": api.org}, {"widget_id": widget["id"]}
    body = api.rejected("POST", "/widgets/deployments", "widget_id", params=params, json=ref)
    assert "archived" in body["message"]
    assert api.ok("GET", "/widgets/deployments") == []
    assert api.ok("PATCH", path, json={"archived": False})["archived"] is False
    deployment = api.ok("POST", "/widgets/deployments", 201, params=params, json=ref)
    _valid(models.WidgetDeployment, deployment)
    assert deployment["config"]["name"] == "Whole object back"


def test_widgets_of_another_organization(emulator: EmulatorProcess) -> None:
    a, b = Api(emulator.url, ORG_A), Api(emulator.url, ORG_B)
    widget = a.new_widget("A's centre")
    path = f"/widgets/{widget['id']}"
    for method, body in (("GET", None), ("PATCH", {"name": "x"})):
        r = b.http.request(method, path, params={"organization_id": a.org}, json=body)
        assert r.status_code == 403, r.text
        r = b.http.request(method, path, json=body)
        assert r.status_code == 404 and "A's centre" not in r.text, r.text
    assert b.ok("GET", "/widgets", params={"archived": "false"})["total"] == 0


def test_an_organization_gives_its_public_api_key_to_its_members_only(
    emulator: EmulatorProcess,
) -> None:
    api = Api(emulator.url, ORG_A)
    org = _valid(models.Organization, api.ok("GET", f"/organizations/{api.org}"))
    assert org["id"] == api.org and org["public_api_key"] == emulator.public_key(api.org)
    other = ORG_B.split(":")[0]
    assert api.http.get(f"/organizations/{other}").status_code == 403
