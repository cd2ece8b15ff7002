"""Vendor-list templates and approved texts over real HTTP: CRUD, organization isolation, the
emulator's rules for applying a template to the notices linked to it (erase and replace of
`app.vendors`, `app.essentialPurposes`, `preferences.categories`; only drafts; only linked
regulation configurations), and the approval flow of text contents.

Each response also validates against the emulator's own response models (`extra="forbid"`).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from pulumi_didomi.emulator import models
from tests.conftest import ORG_A, ORG_B
from tests.emulator.api import Api
from tests.helpers import EmulatorProcess

TEMPLATES = "/widgets/notices/templates"
CONFIGS = "/widgets/notices/templates/configs"
TEXTS = "/widgets/notices/texts"
CONTENTS = "/widgets/notices/texts-contents"

#: What a template sets: vendors, essential purposes, purpose categories.
VENDORS = {"include": ["google"], "iab": {"all": False, "include": [755]}}
CATEGORIES = [{"id": "ads", "type": "category", "children": [{"purposeId": "cookies"}]}]
TEMPLATE_CONFIG = {
    "app": {"vendors": VENDORS, "essentialPurposes": ["cookies"]},
    "preferences": {"categories": CATEGORIES},
}
#: A draft's own settings: the template's keys, and others a template never touches.
OWN = {
    "app": {
        "vendors": {"include": ["criteo"]},
        "essentialPurposes": ["x"],
        "privacyPolicyURL": "u",
    },
    "preferences": {"categories": [{"id": "own"}], "canCloseWhenConsentIsMissing": False},
    "theme": {"color": "#123456"},
}


def _valid(model: type[BaseModel], body: Any) -> Any:
    model.model_validate(body)
    return body


def _template(api: Api, name: str, notices: list[str]) -> dict[str, Any]:
    body = {"name": name, "notices_id": notices}
    return dict(_valid(models.Template, api.ok("POST", TEMPLATES, 201, json=body)))


def _config_of(api: Api, template_id: str) -> dict[str, Any]:
    page = api.ok("GET", CONFIGS, params={"template_id": template_id})
    assert page["total"] == 1, page
    return dict(_valid(models.TemplateConfig, page["data"][0]))


def _gdpr(config: dict[str, Any]) -> dict[str, Any]:
    found = [r for r in config["regulation_configurations"] if r["regulation_id"] == "gdpr"]
    return dict(found[0])


def _link(api: Api, notice_id: str, template_id: str | None, **item: Any) -> dict[str, Any]:
    """PATCH the notice's draft: its GDPR regulation configuration linked to `template_id`."""
    draft = api.draft(notice_id)
    body = {"id": _gdpr(draft)["id"], "template_id": template_id, **item}
    path = f"/widgets/notices/configs/{draft['id']}"
    return dict(api.ok("PATCH", path, json={"regulation_configurations": [body]}))


def test_template_crud_creates_its_config_and_is_isolated(emulator: EmulatorProcess) -> None:
    api, other = Api(emulator.url, ORG_A), Api(emulator.url, ORG_B)
    notice = api.new_notice()
    made = _template(api, "Europe", [notice["id"]])
    assert (made["organization_id"], made["notices_id"], made["version"]) == (
        api.org,
        [notice["id"]],
        0,
    )
    # The template's configuration comes with it, empty (O1 has no POST for configurations).
    config = _config_of(api, made["id"])
    assert (config["config"], config["version"]) == ({}, 0)
    assert api.ok("GET", f"{CONFIGS}/{config['id']}") == config
    path = f"{TEMPLATES}/{made['id']}"
    assert api.ok("GET", path) == made
    renamed = _valid(models.Template, api.ok("PATCH", path, json={"name": "EU"}))
    assert (renamed["name"], renamed["version"]) == ("EU", 1)
    page = api.ok("GET", TEMPLATES, params={"$limit": 10})
    assert [t["id"] for t in page["data"]] == [made["id"]] and page["total"] == 1
    # Another organization's templates and configurations are answered as missing.
    other.rejected("GET", path, "type", 404)
    other.rejected("PATCH", f"{CONFIGS}/{config['id']}", "type", 404, json={"config": {}})
    assert other.ok("GET", TEMPLATES)["total"] == 0 and other.ok("GET", CONFIGS)["total"] == 0
    assert api.http.get(TEMPLATES, params={"organization_id": "org-b"}).status_code == 403
    # Notices must be the organization's; a name is required; PUT and POST configs are not served.
    theirs = other.new_notice()
    api.rejected("POST", TEMPLATES, "notices_id", json={"name": "x", "notices_id": [theirs["id"]]})
    api.rejected("PATCH", path, "notices_id", json={"notices_id": ["nope"]})
    api.rejected("POST", TEMPLATES, "name", json={"notices_id": []})
    assert api.http.put(path, json={"name": "x"}).status_code == 405
    refused = api.http.post(CONFIGS, json={"template_id": made["id"], "config": {}})
    assert (refused.status_code, refused.headers["allow"]) == (405, "GET")
    # A template configuration keeps O1's structure.
    api.rejected(
        "PUT",
        f"{CONFIGS}/{config['id']}",
        "config",
        json={"template_id": made["id"], "config": {"app": {"vendors": {"include": "google"}}}},
    )
    # Deleting the template deletes its configuration.
    assert api.ok("DELETE", path)["id"] == made["id"]
    api.rejected("GET", path, "type", 404)
    api.rejected("GET", f"{CONFIGS}/{config['id']}", "type", 404)


def test_linking_a_draft_applies_the_template_and_writes_reapply_it(
    emulator: EmulatorProcess,
) -> None:
    api = Api(emulator.url, ORG_A)
    notice, outside = api.new_notice("linked"), api.new_notice("not in notices_id")
    for n in (notice, outside):
        _link(api, n["id"], None, config=OWN)
    template = _template(api, "Europe", [notice["id"]])
    config = _config_of(api, template["id"])
    # (c) A draft PATCH linking the regulation configuration applies the (empty) template in
    # that PATCH: the template's keys are erased, nothing else changes.
    linked = _link(api, notice["id"], template["id"])
    gdpr = _gdpr(linked)
    assert gdpr["template_id"] == template["id"]
    assert gdpr["config"] == {
        "app": {"privacyPolicyURL": "u"},
        "preferences": {"canCloseWhenConsentIsMissing": False},
        "theme": {"color": "#123456"},
    }
    # A notice not in `notices_id` keeps its values: not linked.
    assert _gdpr(_link(api, outside["id"], template["id"]))["config"] == OWN
    # (a) Writing the template's configuration applies it to every linked regulation
    # configuration: the draft's version moves, its other settings stay.
    before = api.draft(notice["id"])
    written = api.ok("PUT", f"{CONFIGS}/{config['id']}", json={**config, "config": TEMPLATE_CONFIG})
    assert (_valid(models.TemplateConfig, written)["version"], written["config"]) == (
        1,
        TEMPLATE_CONFIG,
    )
    after = api.draft(notice["id"])
    assert after["version"] == before["version"] + 1 and after["updated_at"] >= before["updated_at"]
    assert _gdpr(after)["config"] == {
        "app": {"vendors": VENDORS, "essentialPurposes": ["cookies"], "privacyPolicyURL": "u"},
        "preferences": {"categories": CATEGORIES, "canCloseWhenConsentIsMissing": False},
        "theme": {"color": "#123456"},
    }
    assert _gdpr(api.draft(outside["id"]))["config"] == OWN
    # A key the template's configuration lacks is removed (erase and replace).
    only_vendors = {"config": {"app": {"vendors": {"include": ["criteo"]}}}}
    patched = api.ok("PATCH", f"{CONFIGS}/{config['id']}", json=only_vendors)
    assert patched["config"] == only_vendors["config"] and patched["version"] == 2
    assert _gdpr(api.draft(notice["id"]))["config"] == {
        "app": {"vendors": {"include": ["criteo"]}, "privacyPolicyURL": "u"},
        "preferences": {"canCloseWhenConsentIsMissing": False},
        "theme": {"color": "#123456"},
    }
    # A published configuration is never touched; its new draft keeps the link.
    published = api.draft(notice["id"])
    api.deploy(notice["id"], published["id"])
    api.ok("PATCH", f"{CONFIGS}/{config['id']}", json={"config": TEMPLATE_CONFIG})
    frozen = api.ok("GET", f"/widgets/notices/configs/{published['id']}")
    assert _gdpr(frozen)["config"] == _gdpr(published)["config"]
    assert _gdpr(api.draft(notice["id"]))["config"]["app"]["vendors"] == VENDORS


def test_disabled_and_other_regulations_are_not_applied(emulator: EmulatorProcess) -> None:
    api = Api(emulator.url, ORG_A)
    notice = api.new_notice()
    template = _template(api, "Europe", [notice["id"]])
    config = _config_of(api, template["id"])
    api.ok("PATCH", f"{CONFIGS}/{config['id']}", json={"config": TEMPLATE_CONFIG})
    draft = api.draft(notice["id"])
    items = [
        {"regulation_id": "ccpa", "config": OWN, "geo_locations": ["US"]},
        {
            "regulation_id": "lgpd",
            "config": OWN,
            "template_id": template["id"],
            "disabled_at": "2026-01-01T00:00:00.000Z",
        },
    ]
    path = f"/widgets/notices/configs/{draft['id']}"
    patched = api.ok("PATCH", path, json={"regulation_configurations": items})
    by_regulation = {r["regulation_id"]: r for r in patched["regulation_configurations"]}
    assert by_regulation["ccpa"]["config"] == OWN and by_regulation["lgpd"]["config"] == OWN
    # A new enabled item linked in the PATCH gets the template at once.
    new = {"regulation_id": "cpra", "config": OWN, "template_id": template["id"]}
    patched = api.ok("PATCH", path, json={"regulation_configurations": [new]})
    cpra = next(r for r in patched["regulation_configurations"] if r["regulation_id"] == "cpra")
    assert cpra["config"]["app"]["vendors"] == VENDORS and cpra["config"]["theme"] == OWN["theme"]
    # Writing the template reaches the enabled linked items only.
    api.ok("PATCH", f"{CONFIGS}/{config['id']}", json={"config": {}})
    after = {r["regulation_id"]: r for r in api.draft(notice["id"])["regulation_configurations"]}
    assert "vendors" not in after["cpra"]["config"]["app"]
    assert after["lgpd"]["config"] == OWN and after["ccpa"]["config"] == OWN


def test_notices_added_to_a_template_get_it_and_deleting_it_unlinks(
    emulator: EmulatorProcess,
) -> None:
    api = Api(emulator.url, ORG_A)
    first, second = api.new_notice("first"), api.new_notice("second")
    template = _template(api, "Europe", [first["id"]])
    config = _config_of(api, template["id"])
    api.ok("PATCH", f"{CONFIGS}/{config['id']}", json={"config": TEMPLATE_CONFIG})
    _link(api, first["id"], template["id"])
    _link(api, second["id"], template["id"], config=OWN)  # not in notices_id: kept
    assert _gdpr(api.draft(second["id"]))["config"] == OWN
    untouched = api.draft(first["id"])
    # (b) PATCHing the template with more notices applies it to the new ones only.
    path = f"{TEMPLATES}/{template['id']}"
    patched = api.ok("PATCH", path, json={"notices_id": [first["id"], second["id"]]})
    assert patched["notices_id"] == [first["id"], second["id"]] and patched["version"] == 1
    assert _gdpr(api.draft(second["id"]))["config"]["app"]["vendors"] == VENDORS
    assert api.draft(first["id"])["version"] == untouched["version"]
    # Deleting the template unlinks the drafts' regulation configurations; values stay.
    values = _gdpr(api.draft(second["id"]))["config"]
    api.ok("DELETE", path)
    for notice in (first, second):
        gdpr = _gdpr(api.draft(notice["id"]))
        assert gdpr["template_id"] is None
    assert _gdpr(api.draft(second["id"]))["config"] == values
    assert api.ok("GET", CONFIGS, params={"template_id": template["id"]})["total"] == 0


def test_texts_and_the_approval_of_their_contents(emulator: EmulatorProcess) -> None:
    api, other = Api(emulator.url, ORG_A), Api(emulator.url, ORG_B)
    body = {"organization_id": api.org, "name": "Main", "platforms": ["web", "amp"]}
    text = _valid(models.Text, api.ok("POST", TEXTS, 201, json=body))
    assert (text["default"], text["version"], text["platforms"]) == (False, 0, ["web", "amp"])
    path = f"{TEXTS}/{text['id']}"
    patched = api.ok("PATCH", path, json={"default": True})
    assert (patched["default"], patched["version"], patched["platforms"]) == (
        True,
        1,
        ["web", "amp"],
    )
    replaced = api.ok("PUT", path, json={"organization_id": api.org, "name": "Main v2"})
    assert (replaced["name"], replaced["platforms"], replaced["default"]) == ("Main v2", [], False)
    assert api.ok("GET", path) == replaced
    listed = api.ok("GET", TEXTS)
    assert isinstance(listed, list) and [t["id"] for t in listed] == [text["id"]]
    api.rejected("POST", TEXTS, "platforms.0", json={**body, "platforms": ["tv"]})
    assert api.http.delete(path).status_code == 405  # O1: texts are not deleted
    other.rejected("GET", path, "type", 404)
    assert other.ok("GET", TEXTS) == []
    # Contents: submitted, numbered per text; another organization's text is refused.
    new = {"organization_id": api.org, "text_id": text["id"], "content": "We use cookies"}
    first = _valid(models.TextContent, api.ok("POST", CONTENTS, 201, json=new))
    assert (first["status"], first["content_version"], first["version"]) == ("submitted", 1, 0)
    assert first["includes_purposes"] is False
    second = api.ok("POST", CONTENTS, 201, json={**new, "includes_purposes": True})
    assert (second["content_version"], second["includes_purposes"]) == (2, True)
    theirs = other.ok("POST", TEXTS, 201, json={**body, "organization_id": other.org})
    api.rejected("POST", CONTENTS, "text_id", json={**new, "text_id": theirs["id"]})
    by_text = api.ok("GET", CONTENTS, params={"text_id": text["id"], "$limit": 1, "$skip": 1})
    assert [c["id"] for c in by_text] == [second["id"]]
    # Before approval a content may change; a change submits it again.
    one = f"{CONTENTS}/{first['id']}"
    edited = api.ok("PATCH", one, json={"content": "We use a few cookies"})
    assert (edited["version"], edited["status"]) == (1, "submitted")
    approved = emulator.review_text_content(first["id"], "approved").json()
    assert approved["status"] == "approved"
    # Once approved: not modified, not deleted (O1); a change is a new content.
    put = {**new, "content": "changed"}
    for method, kw in (("PATCH", {"json": {"content": "x"}}), ("PUT", {"json": put})):
        refused = api.rejected(method, one, "status", **kw)
        assert (
            refused["message"] == "Text contents cannot be modified once their status is approved"
        )
    assert api.rejected("DELETE", one, "status")["message"].startswith(
        "Text contents cannot be deleted"
    )
    assert api.ok("GET", one)["content"] == "We use a few cookies"
    assert emulator.review_text_content(second["id"], "rejected").json()["status"] == "rejected"
    resubmitted = api.ok("PUT", f"{CONTENTS}/{second['id']}", json=put)
    assert (resubmitted["status"], resubmitted["includes_purposes"]) == ("submitted", False)
    assert api.ok("DELETE", f"{CONTENTS}/{second['id']}")["id"] == second["id"]
    other.rejected("GET", one, "type", 404)
    assert [c["id"] for c in api.ok("GET", CONTENTS)] == [first["id"]]
    # The Didomi team's decision: an approved content stays approved; unknown ids are 404.
    assert emulator.review_text_content(first["id"], "rejected").status_code == 400
    assert emulator.review_text_content("nope", "approved").status_code == 404
