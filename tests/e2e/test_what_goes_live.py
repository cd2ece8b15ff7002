"""What goes live is exactly what was reviewed (issue 11), with the real CLI and the emulator.

Each test drives the `spec` program (a JSON description of drafts and deployments in stack
config) through preview/up/refresh and edits the notice "in the console" with raw API calls.
They use the `target` fixture: with DIDOMI_ACCEPTANCE=1 they run against a real Didomi
organization (tests/target.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.stack import ExampleStack
from tests.emulator.api import Api
from tests.helpers import REPO, PulumiCLI
from tests.target import Target

pytestmark = pytest.mark.e2e

SPEC = REPO / "tests" / "e2e" / "programs" / "spec"
DRAFT_TYPE = "NoticeDraftConfig"
DEPLOYMENT_TYPE = "NoticeDeployment"


def _stack(cli: PulumiCLI, tmp_path: Path, target: Target, spec: dict[str, Any]) -> ExampleStack:
    return ExampleStack.create(
        cli, "spec", tmp_path, target, target.credential, {"spec": json.dumps(spec)}, src=SPEC
    )


def _notice_stack(
    cli: PulumiCLI, tmp_path: Path, target: Target, **fields: Any
) -> tuple[Api, str, ExampleStack]:
    """A new notice and a stack of its draft and deployment (`fields` set on the draft)."""
    api = target.api()
    notice = api.new_notice()["id"]
    return api, notice, _stack(cli, tmp_path, target, _spec(notice, **fields))


def _spec(notice_id: str, deployment: bool = True, **fields: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"drafts": {"banner": {"notice_id": notice_id, **fields}}}
    if deployment:
        spec["deployments"] = {"release": {"draft": "banner", "message": "from the stack"}}
    return spec


def _set_spec(stack: ExampleStack, spec: dict[str, Any]) -> None:
    stack.config("spec", json.dumps(spec))


def _config(api: Api, config_id: str) -> dict[str, Any]:
    return dict(api.ok("GET", f"/widgets/notices/configs/{config_id}"))


def _console_publish(api: Api, notice_id: str, message: str, **fields: Any) -> dict[str, Any]:
    """Edit the draft and publish it, as someone in the Didomi console would."""
    draft = api.draft(notice_id)
    if fields:
        api.ok("PATCH", f"/widgets/notices/configs/{draft['id']}", json=fields)
    return api.deploy(notice_id, draft["id"], message)


def _regulations(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["regulation_id"]: r for r in config["regulation_configurations"]}


def _output(result: Any) -> str:
    return str(result.stdout) + str(result.stderr)


def test_live_drift_published_elsewhere_is_detected_and_corrected(
    target: Target, pulumi_cli: PulumiCLI, tmp_path: Path
) -> None:
    api, notice, stack = _notice_stack(
        pulumi_cli, tmp_path, target, platform="web", consent_duration=6
    )
    stack.up()
    assert len(api.deployments(notice)) == 1
    stack.pulumi("refresh", "--yes", "--expect-no-changes")

    # Someone changes a managed value and publishes it from the console.
    foreign = _console_publish(api, notice, "console edit", consent_duration=13)
    refresh = _output(stack.pulumi("refresh", "--yes"))
    assert foreign["id"] in refresh and "no longer live" in refresh, refresh
    preview = stack.pulumi("preview", "--expect-no-changes", check=False)
    assert preview.returncode != 0, _output(preview)
    diff = stack.pulumi("preview", "--diff").stdout
    assert f"+-pulumi-python:dynamic/didomi:{DEPLOYMENT_TYPE}" in diff, diff
    assert f"~ pulumi-python:dynamic/didomi:{DRAFT_TYPE}" in diff and "13 => 6" in diff, diff

    # The next up publishes the stack's values again: exactly one deployment.
    stack.up()
    deployments = api.deployments(notice)
    assert len(deployments) == 3, deployments
    live = _config(api, deployments[0]["production_config_id"])
    assert live["consent_duration"] == 6 and deployments[0]["id"] != foreign["id"]
    stack.pulumi("refresh", "--yes", "--expect-no-changes")
    stack.pulumi("preview", "--expect-no-changes")

    # A publication elsewhere that leaves every managed value as the stack set it is not drift
    # for the deployment (the draft records the unmanaged change it carries).
    _console_publish(api, notice, "gcm only", gcm_enabled=True)
    stack.pulumi("refresh", "--yes")
    stack.pulumi("preview", "--expect-no-changes")
    assert len(api.deployments(notice)) == 4


def test_regulation_removed_from_the_program_is_disabled(
    target: Target, pulumi_cli: PulumiCLI, tmp_path: Path
) -> None:
    api = target.api()
    notice = api.new_notice()["id"]
    gdpr = {
        "regulation_id": "gdpr",
        "is_default_regulation_config": True,
        "geo_locations": ["*"],
        "consent_duration": 6,
        "consent_duration_unit": "months",
    }
    cpra = {"regulation_id": "cpra", "geo_locations": ["US_CA"], "consent_duration": 12}
    both = _spec(notice, platform="web", regulation_configurations=[gdpr, cpra])
    stack = _stack(pulumi_cli, tmp_path, target, both)
    stack.up()
    assert _regulations(api.draft(notice))["cpra"]["disabled_at"] is None

    _set_spec(stack, _spec(notice, platform="web", regulation_configurations=[gdpr]))
    preview = stack.pulumi("preview", "--diff").stdout
    assert "cpra" in preview and f"+-pulumi-python:dynamic/didomi:{DEPLOYMENT_TYPE}" in preview
    stack.up()
    published = _config(api, api.deployments(notice)[0]["production_config_id"])
    assert _regulations(published)["cpra"]["disabled_at"], published
    assert _regulations(api.draft(notice))["cpra"]["disabled_at"]
    stack.pulumi("refresh", "--yes", "--expect-no-changes")
    stack.pulumi("preview", "--expect-no-changes")
    count = len(api.deployments(notice))
    stack.up()
    assert len(api.deployments(notice)) == count
    assert _regulations(api.draft(notice))["cpra"]["disabled_at"]

    # Someone enables it again in the console: drift, and the next up disables it again.
    draft = api.draft(notice)
    item = _regulations(draft)["cpra"]
    api.ok(
        "PATCH",
        f"/widgets/notices/configs/{draft['id']}",
        json={"regulation_configurations": [{"id": item["id"], "disabled_at": None}]},
    )
    refresh = _output(stack.pulumi("refresh", "--yes"))
    assert "cpra" in refresh or "updated" in refresh, refresh
    stack.up()
    assert _regulations(api.draft(notice))["cpra"]["disabled_at"]

    # Listing it again enables the same item: no stray duplicates accumulate.
    _set_spec(stack, both)
    stack.up()
    draft = api.draft(notice)
    assert [r["regulation_id"] for r in draft["regulation_configurations"]].count("cpra") == 1
    assert _regulations(draft)["cpra"]["disabled_at"] is None


def test_bad_regulation_entries_fail_in_check_naming_item_and_field(
    target: Target, pulumi_cli: PulumiCLI, tmp_path: Path
) -> None:
    api = target.api()
    notice = api.new_notice()["id"]
    bad = [
        {"regulation_id": "gdpr", "consent_durration": 6},
        {"geo_locations": ["*"]},
        {"regulation_id": "ccpa"},
        {"regulation_id": "gdpr"},
        {"regulation_id": "cpra", "geo_locations": ["California"]},
        {"regulation_id": "cpa", "id": "abc", "disabled_at": "2026-01-01"},
    ]
    stack = _stack(pulumi_cli, tmp_path, target, _spec(notice, regulation_configurations=bad))
    before = target.snapshot()
    for command in (("preview",), ("up", "--yes", "--skip-preview")):
        result = stack.pulumi(*command, check=False)
        output = _output(result)
        assert result.returncode != 0, output
        for text in (
            "regulation_configurations[0] (gdpr).consent_durration",
            "did you mean 'consent_duration'",
            "regulation_configurations[1].regulation_id: required",
            "regulation_configurations[2] (ccpa).regulation_id: 'ccpa' is not a Didomi regulation",
            "regulation_configurations[3] (gdpr): regulation 'gdpr' is already configured",
            "regulation_configurations[4] (cpra).geo_locations[0]: 'California'",
            "regulation_configurations[5] (cpa).id: set by Didomi",
            "regulation_configurations[5] (cpa).disabled_at",
        ):
            assert text in output, f"{text!r} not in:\n{output[-4000:]}"
    assert target.snapshot() == before


def test_adoption_keeps_console_config_keys_and_key_removal_shows_in_preview(
    target: Target, pulumi_cli: PulumiCLI, tmp_path: Path
) -> None:
    api = target.api()
    notice = api.new_notice()["id"]
    console = {
        "app": {"name": "Console", "vendors": {"iab": {"all": True}}},
        "theme": {"color": "#123456"},
    }
    draft = api.draft(notice)
    api.ok(
        "PATCH",
        f"/widgets/notices/configs/{draft['id']}",
        json={"config": console, "custom_json": {"kept": 1}},
    )
    managed = {"app": {"name": "Example", "privacyPolicyURL": "https://example.com/privacy"}}
    stack = _stack(pulumi_cli, tmp_path, target, _spec(notice, False, config=managed))
    stack.up()
    config = api.draft(notice)["config"]
    assert config == {
        "app": {
            "name": "Example",
            "privacyPolicyURL": "https://example.com/privacy",
            "vendors": {"iab": {"all": True}},
        },
        "theme": {"color": "#123456"},
    }, config
    assert api.draft(notice)["custom_json"] == {"kept": 1}
    stack.pulumi("refresh", "--yes", "--expect-no-changes")

    # A console edit of a managed key is drift on that key; up restores it, keeps the rest.
    draft = api.draft(notice)
    edited = json.loads(json.dumps(draft["config"]))
    edited["app"]["name"] = "Hacked"
    edited["theme"]["color"] = "#654321"
    api.ok("PATCH", f"/widgets/notices/configs/{draft['id']}", json={"config": edited})
    stack.pulumi("refresh", "--yes")
    preview = stack.pulumi("preview", "--diff").stdout
    assert "Hacked" in preview and "#654321" not in preview.split("unmanaged")[0], preview
    stack.up()
    config = api.draft(notice)["config"]
    assert config["app"]["name"] == "Example" and config["theme"] == {"color": "#654321"}

    # A key the stack managed and the program no longer sets is removed, visibly.
    _set_spec(
        stack,
        _spec(notice, False, config={"app": {"name": "Example"}, "notice": {"position": "popup"}}),
    )
    preview = stack.pulumi("preview", "--diff").stdout
    assert "privacyPolicyURL" in preview, preview
    stack.up()
    config = api.draft(notice)["config"]
    assert "privacyPolicyURL" not in config["app"], config
    assert config["app"]["vendors"] == {"iab": {"all": True}} and config["notice"] == {
        "position": "popup"
    }
    stack.pulumi("preview", "--expect-no-changes")


def test_unmanaged_console_edit_blocks_publication_until_reviewed(
    target: Target, pulumi_cli: PulumiCLI, tmp_path: Path
) -> None:
    api, notice, stack = _notice_stack(
        pulumi_cli, tmp_path, target, platform="web", consent_duration=6
    )
    stack.up()
    draft = api.draft(notice)
    api.ok("PATCH", f"/widgets/notices/configs/{draft['id']}", json={"gcm_enabled": True})

    _set_spec(stack, _spec(notice, platform="web", consent_duration=3))
    for _ in range(2):  # the same true cause each time, until reviewed
        result = stack.up(check=False)
        output = _output(result)
        assert result.returncode != 0, output
        assert "gcm_enabled" in output and "pulumi up --refresh" in output, output
        assert "Nothing was published" in output or "nothing was published" in output
        assert len(api.deployments(notice)) == 1

    # The refresh shows the unmanaged change in the diff, then the update publishes.
    preview = stack.pulumi("preview", "--refresh", "--diff").stdout
    diff_lines = [line for line in preview.splitlines() if "gcm_enabled" in line]
    assert any(("=>" in line or line.strip().startswith(("+", "-", "~"))) for line in diff_lines), (
        preview
    )
    stack.up("--refresh")
    deployments = api.deployments(notice)
    assert len(deployments) == 2
    live = _config(api, deployments[0]["production_config_id"])
    assert live["consent_duration"] == 3 and live["gcm_enabled"] is True
    stack.pulumi("preview", "--expect-no-changes")


def test_partial_runs_succeed_or_name_the_true_cause(
    target: Target, pulumi_cli: PulumiCLI, tmp_path: Path
) -> None:
    api, notice, stack = _notice_stack(pulumi_cli, tmp_path, target, platform="web")
    stack.up()
    assert len(api.deployments(notice)) == 1

    # --target of the deployment alone: the draft was not written, and the message says so.
    _set_spec(stack, _spec(notice, platform="amp"))
    result = stack.up("--target", stack.urn(DEPLOYMENT_TYPE, "release"), check=False)
    output = _output(result)
    assert result.returncode != 0, output
    assert "was not updated in this run" in output and "--target" in output, output
    assert "someone edited" not in output
    assert len(api.deployments(notice)) == 1 and api.draft(notice)["platform"] == "web"

    # --target of the draft alone (like a run interrupted between the PATCH and the POST),
    # then a plain up: exactly one deployment of the new values.
    stack.up("--target", stack.urn(DRAFT_TYPE, "banner"))
    assert api.draft(notice)["platform"] == "amp" and len(api.deployments(notice)) == 1
    stack.up()
    deployments = api.deployments(notice)
    assert len(deployments) == 2
    assert _config(api, deployments[0]["production_config_id"])["platform"] == "amp"
    stack.pulumi("preview", "--expect-no-changes")

    # A draft-only stack that later gains a deployment publishes once.
    other = api.new_notice("second")["id"]
    draft_only = _spec(other, deployment=False, platform="app")
    _set_spec(stack, draft_only)
    stack.up()
    assert api.deployments(other) == []
    _set_spec(stack, _spec(other, platform="app"))
    result = stack.up()
    assert "interrupted" not in _output(result)
    deployments = api.deployments(other)
    assert len(deployments) == 1
    assert _config(api, deployments[0]["production_config_id"])["platform"] == "app"
