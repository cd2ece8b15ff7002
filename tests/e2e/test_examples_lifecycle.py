"""Each example, with the real CLI, against the emulator: the whole lifecycle of issue 5."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ORG_A
from tests.e2e.stack import ExampleStack
from tests.emulator.api import Api
from tests.helpers import EmulatorProcess, PulumiCLI, api_calls

pytestmark = pytest.mark.e2e

SECRET = ORG_A.split(":")[2]


def _setup(api: Api, emulator: EmulatorProcess, example: str) -> dict[str, Any]:
    if example == "quickstart":
        notice = api.new_notice("Main website")
        widget = api.ok(
            "POST",
            "/widgets",
            201,
            params={"organization_id": api.org},
            json={"name": "Preference center"},
        )
        return {
            "noticeId": notice["id"],
            "widgetId": widget["id"],
            "publicApiKey": emulator.public_key(api.org),
        }
    if example == "multi-notice":
        notices = [
            {
                "name": "website",
                "id": api.new_notice("web")["id"],
                "platform": "web",
                "targets": ["www.example.com"],
            },
            {
                "name": "shop",
                "id": api.new_notice("shop")["id"],
                "platform": "web",
                "targets": ["shop.example.com"],
            },
            {
                "name": "mobile-app",
                "id": api.new_notice("app")["id"],
                "platform": "app",
                "targets": ["com.example.app"],
            },
        ]
        return {"notices": notices}
    return {"noticeId": api.new_notice("Global")["id"]}


def _notice_ids(config: dict[str, Any]) -> list[str]:
    if "notices" in config:
        return [n["id"] for n in config["notices"]]
    return [config["noticeId"]]


@pytest.mark.parametrize("example", ["quickstart", "multi-notice", "multi-regulation"])
def test_example_lifecycle(
    example: str, emulator: EmulatorProcess, pulumi_cli: PulumiCLI, tmp_path: Path
) -> None:
    api = Api(emulator.url, ORG_A)
    config = _setup(api, emulator, example)
    stack = ExampleStack.create(pulumi_cli, example, tmp_path, emulator, ORG_A, config)
    notices = _notice_ids(config)

    # 1. up: every draft adopted and published once.
    stack.up()
    deployments = api.ok("GET", "/widgets/notices/deployments")["data"]
    assert sorted(d["notice_id"] for d in deployments) == sorted(notices)
    for notice_id in notices:
        draft = api.draft(notice_id)
        assert draft["consent_duration"] == 6 or example == "multi-regulation"
    if example == "quickstart":
        out = stack.outputs()
        assert out["deployment_status"] == "success"
        assert out["published_config_id"] == deployments[0]["production_config_id"]
        remote = httpx.get(out["widget_remote_config_url"])
        assert remote.status_code == 200 and remote.json()["name"] == "Preference center"
    if example == "multi-regulation":
        regs = {r["regulation_id"]: r for r in api.draft(notices[0])["regulation_configurations"]}
        assert regs["cpra"]["geo_locations"] == ["US_CA"] and regs["gdpr"]["consent_duration"] == 6

    # 2. Nothing changed: preview and refresh report no changes; the preview calls nothing.
    emulator.reset_stats()
    stack.pulumi("preview", "--expect-no-changes")
    assert emulator.stats()["total"] == 0, emulator.stats()
    stack.pulumi("refresh", "--yes", "--expect-no-changes")
    stack.pulumi("preview", "--expect-no-changes")
    # A pipeline's drift gate shows nothing when nothing changed (no refreshed input differs
    # from the program's).
    for flags in ((), ("--diff",)):
        gate = stack.pulumi("preview", "--refresh", "--expect-no-changes", *flags).stdout
        assert "[diff:" not in gate and "organization_id" not in gate, gate

    # 3. Change one field: the preview shows the draft update and the deployment
    #    replacement, with concrete values, and nothing else.
    stack.config("consentDuration", "3")
    preview = stack.pulumi("preview", "--diff").stdout
    assert "~ pulumi-python:dynamic/didomi:NoticeDraftConfig" in preview, preview
    assert "+-pulumi-python:dynamic/didomi:NoticeDeployment" in preview, preview
    widget_lines = [line for line in preview.splitlines() if "WidgetDeployment" in line]
    assert all(not line.lstrip().startswith(("~", "+", "-")) for line in widget_lines), preview
    assert "6 => 3" in preview, preview
    # multi-notice shares consentDuration across its notices: every notice changes.
    changed_notices = notices if example == "multi-notice" else notices[:1]
    changed = len(changed_notices)
    summary = preview.split("Resources:")[1]
    assert f"{changed} to update" in summary and f"{changed} to replace" in summary, summary
    before = {d["id"] for d in api.ok("GET", "/widgets/notices/deployments")["data"]}
    old_draft = api.draft(notices[0])
    stack.up()
    after = api.ok("GET", "/widgets/notices/deployments")["data"]
    new = [d for d in after if d["id"] not in before]
    assert sorted(d["notice_id"] for d in new) == sorted(changed_notices), new
    new_draft = api.draft(notices[0])
    assert new_draft["id"] != old_draft["id"]
    for deployment in new:
        published = api.ok("GET", f"/widgets/notices/configs/{deployment['production_config_id']}")
        duration = (
            {r["regulation_id"]: r for r in published["regulation_configurations"]}["gdpr"][
                "consent_duration"
            ]
            if example == "multi-regulation"
            else published["consent_duration"]
        )
        assert duration == 3
    stack.pulumi("preview", "--expect-no-changes")

    # 4. Someone edits the draft in the console: refresh shows the drift, up restores it.
    drifted = api.draft(notices[0])
    api.ok("PATCH", f"/widgets/notices/configs/{drifted['id']}", json={"platform": "amp"})
    refresh = stack.pulumi("refresh", "--yes").stdout
    assert "NoticeDraftConfig" in refresh and "updated" in refresh, refresh
    preview = stack.pulumi("preview", "--diff").stdout
    assert "amp" in preview, preview
    stack.up()
    assert api.draft(notices[0])["platform"] == _platform(config, notices[0])
    stack.pulumi("preview", "--expect-no-changes")

    # 5. The state holds neither the API secret nor a token.
    exported = json.dumps(stack.export())
    assert SECRET not in exported and api.token.split(".")[2] not in exported
    # No JWT at all (a bare "eyJ" can occur by chance inside encrypted values).
    assert re.search(r"eyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}", exported) is None

    # 6. destroy leaves every deployment in Didomi's audit log.
    all_deployments = api.ok("GET", "/widgets/notices/deployments")["total"]
    out = stack.pulumi("destroy", "--yes", "--skip-preview")
    assert "audit log" in out.stdout + out.stderr
    assert api.ok("GET", "/widgets/notices/deployments")["total"] == all_deployments
    assert api.draft(notices[0])["platform"] == _platform(config, notices[0])


def _platform(config: dict[str, Any], notice_id: str) -> str:
    for notice in config.get("notices", []):
        if notice["id"] == notice_id:
            return str(notice["platform"])
    return "web"


def test_no_op_up_makes_no_call(
    emulator: EmulatorProcess, pulumi_cli: PulumiCLI, tmp_path: Path
) -> None:
    api = Api(emulator.url, ORG_A)
    config = _setup(api, emulator, "quickstart")
    stack = ExampleStack.create(pulumi_cli, "quickstart", tmp_path, emulator, ORG_A, config)
    stack.up()
    emulator.reset_stats()
    stack.up()
    stack.pulumi("preview")
    assert api_calls(emulator.stats()) == {}
