"""Content shared across notices (issue 33), with the real CLI against the emulator, in both
hostings: one vendor-list template linked to three notices (GDPR) and an approved text used by
two of them. A text not approved yet blocks publication with the documented message; a template
change updates the three drafts and publishes exactly three deployments, the preview naming the
three notices; a console edit of the template is restored; a draft that also sets the
template's keys fails in check naming them and the template, while its own keys keep working;
a text change replaces the text and republishes both notices once approved."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ORG_A
from tests.e2e.test_consent_setup import HOSTINGS, _stack, _writes
from tests.emulator.api import Api
from tests.helpers import REPO, EmulatorProcess, PulumiCLI, api_calls

pytestmark = pytest.mark.e2e

PROGRAM = REPO / "tests" / "e2e" / "programs" / "shared_content"


def _approve(emulator: EmulatorProcess, api: Api, text_id: str) -> None:
    """Didomi's team approves the text's newest content (the emulator's operator route)."""
    contents = api.ok("GET", "/widgets/notices/texts-contents", params={"text_id": text_id})
    items = contents["data"] if isinstance(contents, dict) else contents
    newest = max(items, key=lambda c: c["content_version"])
    r = httpx.post(
        f"{emulator.url}/_emulator/texts-contents/{newest['id']}/status",
        json={"status": "approved"},
    )
    assert r.status_code == 200, r.text


def _published(api: Api, notice_id: str) -> dict[str, Any]:
    latest = api.deployments(notice_id)[0]
    return dict(api.ok("GET", f"/widgets/notices/configs/{latest['production_config_id']}"))


def _gdpr(config: dict[str, Any]) -> dict[str, Any]:
    (item,) = [
        r
        for r in config["regulation_configurations"]
        if r["regulation_id"] == "gdpr" and not r.get("disabled_at")
    ]
    return dict(item)


@pytest.mark.parametrize("hosting", HOSTINGS)
def test_a_template_and_an_approved_text_shared_by_notices(
    hosting: str, emulator: EmulatorProcess, pulumi_cli: PulumiCLI, tmp_path: Path
) -> None:
    api = Api(emulator.url, ORG_A)
    stack = _stack(pulumi_cli, tmp_path, emulator, hosting, src=PROGRAM)

    # First up: the text is submitted, not approved: the two notices using it are refused
    # with the documented message; the third is published.
    emulator.reset_stats()
    failed = stack.up(check=False)
    text = failed.stdout + failed.stderr
    assert failed.returncode != 0 and "Traceback" not in text, text
    assert "uses approved texts that Didomi's team has not approved" in text, text
    assert "(submitted)" in text, text
    first_up = api_calls(emulator.stats())
    notices = [n["id"] for n in api.ok("GET", "/widgets/notices")["data"]]
    assert len(notices) == 3
    deployed = {n: len(api.deployments(n)) for n in notices}
    assert sorted(deployed.values()) == [0, 0, 1], deployed
    print("first up (text not approved yet):", first_up)
    assert first_up["POST /widgets/notices/deployments"] == 1, first_up
    assert first_up["POST /widgets/notices/texts-contents"] == 1, first_up

    # Didomi's team approves the text: the next up publishes the two notices, once each.
    (text_record,) = api.ok("GET", "/widgets/notices/texts")  # Didomi answers a plain list
    _approve(emulator, api, text_record["id"])
    stack.up("--refresh")  # the refresh reads the text's status
    out = stack.outputs()
    ids = [out[f"notice_{i}"] for i in range(3)]
    assert out["text_status"] == "approved"
    for index, notice_id in enumerate(ids):
        assert len(api.deployments(notice_id)) == 1, notice_id
        live = _published(api, notice_id)
        gdpr = _gdpr(live)
        assert gdpr["template_id"] == out["template_id"]
        assert gdpr["config"]["app"]["vendors"] == {"include": ["google", "criteo"]}
        assert gdpr["config"]["app"]["essentialPurposes"] == ["cookies"]
        assert live.get("text_id") == (out["text_id"] if index < 2 else None)
    template = api.ok("GET", f"/widgets/notices/templates/{out['template_id']}")
    assert sorted(template["notices_id"]) == sorted(ids)

    # No-op preview: no call at all.
    emulator.reset_stats()
    stack.pulumi("preview", "--expect-no-changes")
    assert api_calls(emulator.stats()) == {}

    # Refresh: 1 session and one bulk listing per kind (the template reads the linked drafts
    # from the drafts' listing); the Notice resources read their notice each, as before.
    emulator.reset_stats()
    stack.pulumi("refresh", "--yes", "--skip-preview")
    refresh = api_calls(emulator.stats())
    assert refresh == {
        "POST /sessions": 1,
        "GET /widgets/notices/configs": 1,
        "GET /widgets/notices/deployments": 1,
        "GET /widgets/notices/templates": 1,
        "GET /widgets/notices/templates/configs": 1,
        "GET /widgets/notices/texts": 1,
        "GET /widgets/notices/texts-contents": 1,
        "GET /widgets/notices/{notice_id}": 3,
    }, refresh
    stack.pulumi("preview", "--expect-no-changes")

    # The template's vendor list changes: the preview names the three notices; up updates the
    # three drafts and publishes exactly three deployments.
    stack.config("templateVendors", ["google", "criteo", "taboola"])
    preview = stack.pulumi("preview").stdout
    for notice_id in ids:
        assert f"{notice_id} (gdpr)" in preview, preview
    assert "3 notice(s)" in preview and "3 to replace" in preview, preview
    emulator.reset_stats()
    stack.up()
    calls = _writes(api_calls(emulator.stats()))
    assert calls.get("POST /widgets/notices/deployments") == 3, calls
    for notice_id in ids:
        assert len(api.deployments(notice_id)) == 2
        vendors = _gdpr(_published(api, notice_id))["config"]["app"]["vendors"]
        assert vendors == {"include": ["google", "criteo", "taboola"]}
    stack.pulumi("preview", "--expect-no-changes")

    # The template edited in the console: refresh shows it, up restores it (and its notices'
    # drafts), publishing nothing (what is live is the stack's).
    configs = api.ok(
        "GET", "/widgets/notices/templates/configs", params={"template_id": out["template_id"]}
    )
    (config,) = configs["data"] if isinstance(configs, dict) else configs
    api.ok(
        "PATCH",
        f"/widgets/notices/templates/configs/{config['id']}",
        json={"config": {"app": {"vendors": {"include": ["google"]}}}},
    )
    refresh_out = stack.pulumi("refresh", "--yes").stdout
    assert "vendors" in refresh_out, refresh_out
    stack.up()
    restored = api.ok("GET", f"/widgets/notices/templates/configs/{config['id']}")
    assert restored["config"]["app"]["vendors"] == {"include": ["google", "criteo", "taboola"]}
    for notice_id in ids:
        draft_vendors = _gdpr(api.draft(notice_id))["config"]["app"]["vendors"]
        assert draft_vendors == {"include": ["google", "criteo", "taboola"]}
        assert len(api.deployments(notice_id)) == 2
    stack.pulumi("preview", "--expect-no-changes")

    # One notice's draft also sets the template's keys: check fails naming them and the
    # template, nothing is written.
    stack.config(
        "draftExtra",
        {
            "regulation_configurations": [
                {"regulation_id": "gdpr", "config": {"app": {"vendors": {"include": ["x"]}}}}
            ]
        },
    )
    emulator.reset_stats()
    failed = stack.pulumi("preview", check=False)
    text = failed.stdout + failed.stderr
    field = "regulation_configurations" if hosting == "dynamic" else "regulationConfigurations"
    assert failed.returncode != 0 and "Traceback" not in text, text
    assert f"{field}[0].config.app.vendors: owned by NoticeTemplate 'EU vendor list'" in text, text
    assert _writes(api_calls(emulator.stats())) == {}

    # Its own keys outside the template keep working: one draft written, one notice published.
    stack.config(
        "draftExtra",
        {
            "regulation_configurations": [
                {"regulation_id": "gdpr", "config": {"theme": {"color": "#0a0"}}}
            ]
        },
    )
    stack.up()
    first = _gdpr(_published(api, ids[0]))
    assert first["config"]["theme"] == {"color": "#0a0"}
    assert first["config"]["app"]["vendors"] == {"include": ["google", "criteo", "taboola"]}
    assert [len(api.deployments(n)) for n in ids] == [3, 2, 2]
    stack.pulumi("preview", "--expect-no-changes")

    # New wording: a new text (replacement), submitted; both notices using it wait for its
    # approval, then are published once each.
    stack.config("textContent", {"en": "We use cookies, with our partners."})
    failed = stack.up(check=False)
    text = failed.stdout + failed.stderr
    assert failed.returncode != 0 and "not approved" in text, text
    new_text = stack.outputs()["text_id"]
    assert new_text != out["text_id"]
    _approve(emulator, api, new_text)
    stack.up()
    assert [len(api.deployments(n)) for n in ids] == [4, 3, 2]
    for notice_id in ids[:2]:
        assert _published(api, notice_id)["text_id"] == new_text
    stack.pulumi("preview", "--expect-no-changes")
