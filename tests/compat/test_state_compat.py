"""Old stacks keep working: a state written by an earlier release's dynamic providers.

`v0_dynamic/` was written by `make_fixture.py` with main at 9dbfa69, before the lifecycle moved
into `pulumi_didomi/core` (issue 12). Its `stack.json` pickles the providers by reference
(`pulumi_didomi.resources.notice_draft_config.NoticeDraftConfigProvider`...), and
`emulator.sqlite3` holds the emulator's data at that moment. The test imports both and runs
refresh, a change and destroy with the providers of this checkout.
"""

from __future__ import annotations

import base64
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import ORG_A
from tests.e2e.stack import ExampleStack
from tests.emulator.api import Api
from tests.helpers import REPO, EmulatorProcess, PulumiCLI

pytestmark = pytest.mark.e2e

FIXTURE = Path(__file__).parent / "v0_dynamic"
SPEC = REPO / "tests" / "e2e" / "programs" / "spec"
PICKLED = (
    "pulumi_didomi.resources.notice_draft_config",
    "pulumi_didomi.resources.notice_deployment",
    "pulumi_didomi.resources.widget_deployment",
)


def test_a_stack_written_by_the_previous_release_refreshes_changes_and_destroys(
    start_emulator: Callable[..., EmulatorProcess], pulumi_cli: PulumiCLI, tmp_path: Path
) -> None:
    fixture = json.loads((FIXTURE / "fixture.json").read_text())
    state_text = (FIXTURE / "stack.json").read_text()
    db = tmp_path / "emulator.sqlite3"
    shutil.copy(FIXTURE / "emulator.sqlite3", db)
    emu = start_emulator(
        "--credential", ORG_A, "--rate-limit", "off", "--deploy-seconds", "0.2", db=str(db)
    )
    api = Api(emu.url, ORG_A)
    notice = fixture["notice_id"]
    assert len(api.deployments(notice)) == 1

    stack = ExampleStack.create(
        pulumi_cli, "spec", tmp_path, emu, ORG_A, {"spec": json.dumps(fixture["spec"])}, src=SPEC
    )
    # The same API at another port: the default provider recorded the old URL.
    state = json.loads(state_text)
    for resource in state["deployment"]["resources"]:
        for key in ("inputs", "outputs"):
            props = resource.get(key) or {}
            if "didomi:apiUrl" in props:
                props["didomi:apiUrl"] = emu.url + "/v1"
    (tmp_path / "state.json").write_text(json.dumps(state))
    stack.pulumi("stack", "import", "--file", str(tmp_path / "state.json"))
    # The state names its providers by module path (pickled by reference, as secrets).
    shown = json.loads(stack.pulumi("stack", "export", "--show-secrets").stdout)
    pickles = b"".join(
        base64.b64decode(json.loads(r["inputs"]["__provider"]["plaintext"]))
        for r in shown["deployment"]["resources"]
        if "__provider" in (r.get("inputs") or {})
    )
    for module in PICKLED:
        assert module.encode() in pickles, module

    stack.pulumi("refresh", "--yes", "--expect-no-changes")
    stack.pulumi("preview", "--expect-no-changes")

    spec = fixture["spec"]
    spec["drafts"]["banner"]["consent_duration"] = 3
    stack.config("spec", json.dumps(spec))
    diff = stack.pulumi("preview", "--diff").stdout
    assert "6 => 3" in diff, diff
    stack.up()
    deployments = api.deployments(notice)
    assert len(deployments) == 2, deployments
    live = api.ok("GET", f"/widgets/notices/configs/{deployments[0]['production_config_id']}")
    assert live["consent_duration"] == 3
    stack.pulumi("preview", "--expect-no-changes")

    stack.pulumi("destroy", "--yes")
    assert len(api.deployments(notice)) == 2  # deployments are an audit log
    assert stack.export()["deployment"].get("resources") in (None, [])
