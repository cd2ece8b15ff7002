"""A new user's first hour (issue 19), with the real CLI against the emulator: clear errors,
an audit log that says who published what, functions in both forms, secrets refused in
plain text, one notice per resource."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ORG_A
from tests.e2e.stack import ExampleStack
from tests.e2e.test_what_goes_live import SPEC, _set_spec, _spec
from tests.emulator.api import Api
from tests.helpers import EmulatorProcess, PulumiCLI, api_calls

pytestmark = pytest.mark.e2e


def _stack(
    cli: PulumiCLI, tmp_path: Path, emulator: EmulatorProcess, spec: dict[str, Any]
) -> ExampleStack:
    return ExampleStack.create(
        cli, "spec", tmp_path, emulator, ORG_A, {"spec": json.dumps(spec)}, src=SPEC
    )


def _output(result: Any) -> str:
    return str(result.stdout) + str(result.stderr)


def test_audit_log_says_what_was_published_and_from_where(
    emulator: EmulatorProcess, pulumi_cli: PulumiCLI, tmp_path: Path
) -> None:
    api = Api(emulator.url, ORG_A)
    notice = api.new_notice()["id"]
    spec = _spec(notice, platform="web")
    del spec["deployments"]["release"]["message"]
    pulumi_cli.extra_env["DIDOMI_DEPLOYMENT_COMMIT"] = "0123456789abcdef0123"
    stack = _stack(pulumi_cli, tmp_path, emulator, spec)
    stack.up()
    revision = stack.resources("NoticeDraftConfig")[0]["outputs"]["revision"]
    [deployment] = api.deployments(notice)
    assert deployment["message"] == (
        f"Published by Pulumi: didomi-spec/test release, revision {revision}, commit 0123456789ab"
    )
    out = stack.resources("NoticeDeployment")[0]["outputs"]
    assert out["published_message"] == deployment["message"]

    # The preview of a change shows what the user wrote: no bookkeeping, the deployment's copy
    # of the values as one secret line, its computed outputs as unknown (not deleted).
    _set_spec(stack, _spec(notice, platform="app") | {"deployments": spec["deployments"]})
    diff = stack.pulumi("preview", "--diff").stdout
    assert "managed_fields" not in diff, diff
    assert "managed_values  : [secret]" in diff, diff
    assert 'created_at          : "' in diff and "=> [unknown]" in diff, diff
    assert "- created_at" not in diff and "- deployment_id" not in diff, diff
    _set_spec(stack, spec)

    # A template of the user's, from stack config; a message change alone publishes nothing.
    stack.config("didomi:deploymentMessage", "{stack}: {resource} at {commit}")
    stack.pulumi("preview", "--expect-no-changes")
    _set_spec(stack, _spec(notice, platform="amp") | {"deployments": spec["deployments"]})
    stack.up()
    assert api.deployments(notice)[0]["message"] == "test: release at 0123456789ab"


def test_provider_errors_read_without_engine_noise(
    emulator: EmulatorProcess, pulumi_cli: PulumiCLI, tmp_path: Path
) -> None:
    stack = _stack(
        pulumi_cli, tmp_path, emulator, _spec("NoSuch01", deployment=False, platform="web")
    )
    result = stack.up(check=False)
    output = _output(result)
    assert result.returncode != 0
    assert "NoSuch01" in output and "no draft" in output, output
    assert "Exception calling application" not in output, output
    assert "interrupted" not in output


def test_one_notice_is_managed_by_one_resource(
    emulator: EmulatorProcess, pulumi_cli: PulumiCLI, tmp_path: Path
) -> None:
    api = Api(emulator.url, ORG_A)
    notice = api.new_notice()["id"]
    spec = {
        "drafts": {
            "banner": {"notice_id": notice, "platform": "web"},
            "banner-again": {"notice_id": notice, "platform": "app"},
        }
    }
    stack = _stack(pulumi_cli, tmp_path, emulator, spec)
    before = emulator.data("configs")
    result = stack.pulumi("preview", check=False)
    output = _output(result)
    assert result.returncode != 0
    both = "NoticeDraftConfig 'banner' and NoticeDraftConfig 'banner-again' both manage notice"
    assert both in output, output
    assert emulator.data("configs") == before
    spec = _spec(notice, platform="web")
    spec["deployments"]["second"] = {"draft": "banner"}
    _set_spec(stack, spec)
    result = stack.up(check=False)
    assert "both manage notice" in _output(result) and result.returncode != 0
    assert api.deployments(notice) == []  # the program stopped before any publication


def test_functions_in_both_forms_export_plain_json(
    emulator: EmulatorProcess, pulumi_cli: PulumiCLI, tmp_path: Path
) -> None:
    api = Api(emulator.url, ORG_A)
    notice = api.new_notice()["id"]
    spec = _spec(notice, deployment=False, platform="web")
    spec["function_outputs"] = [
        ["get_notice_draft", {"notice_id": "@banner.notice_id"}],
        ["get_notice_deployments", {"notice_id": "@banner.notice_id"}],
    ]
    stack = _stack(pulumi_cli, tmp_path, emulator, spec)
    preview = stack.pulumi("preview")  # the draft does not exist yet: the result is unknown
    assert preview.returncode == 0
    stack.up()
    outputs = stack.outputs()
    draft = outputs["get_notice_draft"]
    assert draft["notice_id"] == notice and draft["platform"] == "web"
    assert None not in draft.values() and "deployed_at" not in draft
    assert outputs["get_notice_deployments"] == []

    # The plain form, with plain values.
    spec["functions"] = [["get_notice_draft", {"notice_id": notice}]]
    del spec["function_outputs"]
    _set_spec(stack, spec)
    stack.up()
    assert "'platform': 'web'" in stack.outputs()["get_notice_draft"]


def test_plain_text_secret_is_refused_and_missing_credentials_warn(
    emulator: EmulatorProcess, pulumi_cli: PulumiCLI, tmp_path: Path
) -> None:
    api = Api(emulator.url, ORG_A)
    notice = api.new_notice()["id"]
    stack = _stack(pulumi_cli, tmp_path, emulator, _spec(notice, platform="web"))
    secret = ORG_A.split(":")[2]
    stack.config("didomi:apiSecret", secret)  # not --secret
    before = emulator.data("configs")
    result = stack.up(check=False)
    output = _output(result)
    assert result.returncode != 0
    assert "pulumi config set --secret didomi:apiSecret" in output, output
    assert secret not in output
    assert emulator.data("configs") == before

    stack.pulumi("config", "rm", "didomi:apiSecret")
    stack.pulumi("config", "rm", "didomi:apiKey")
    emulator.reset_stats()
    preview = stack.pulumi("preview")
    output = _output(preview)
    assert "missing Didomi settings: didomi:apiKey, didomi:apiSecret" in output, output
    assert api_calls(emulator.stats()) == {}


def test_a_refused_preview_ends_when_the_engine_is_done(
    emulator: EmulatorProcess, pulumi_cli: PulumiCLI, tmp_path: Path
) -> None:
    # A check failure stops the engine, which closes the Python language host while the program
    # still runs: the host stops the program at once (it used to hold the engine's pipes until
    # the engine killed it, 5 s later). Also with SIGINT ignored, as in a command a shell runs in
    # the background (many CI scripts), where each stop of the host used to take 5 s.
    # Measured against a successful preview of the same program: the engine's own time.
    notice = Api(emulator.url, ORG_A).new_notice()["id"]
    stack = _stack(pulumi_cli, tmp_path, emulator, _spec(notice, platform="web"))

    def preview(ignore_sigint: bool) -> tuple[float, str, int]:
        cmd = [str(pulumi_cli.bin_dir / "pulumi"), "--non-interactive", "preview"]
        if ignore_sigint:
            cmd = ["sh", "-c", "trap '' INT; exec \"$@\"", "sh", *cmd]
        started = time.monotonic()
        done = subprocess.run(
            cmd, cwd=stack.dir, env=pulumi_cli.env(), capture_output=True, text=True, timeout=120
        )
        return time.monotonic() - started, _output(done), done.returncode

    engine, output, code = preview(ignore_sigint=False)
    assert code == 0, output
    _set_spec(stack, _spec(notice, platform="web", consent_duration=-1))
    timings = {}
    for ignore_sigint in (False, True):
        # The best of two runs: the old wait was there every time with SIGINT ignored, and in
        # about one run in three otherwise.
        runs = [preview(ignore_sigint) for _ in range(2)]
        for _, output, code in runs:
            assert code != 0 and "consent_duration" in output, output
        timings[ignore_sigint] = min(seconds for seconds, _, _ in runs)
    print(f"preview: {engine:.2f} s; refused: {timings}")
    assert max(timings.values()) < engine + 2.0, (engine, timings)
