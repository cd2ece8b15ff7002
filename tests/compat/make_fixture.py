"""Write the state-compatibility fixture: a stack state made by this checkout's dynamic providers.

Run once per release whose states must keep working (issue 12 made `v0_dynamic` with main at
9dbfa69, before the lifecycle moved into `pulumi_didomi/core`):

    PULUMI_DIDOMI_BIN=... .venv/bin/python -m tests.compat.make_fixture tests/compat/v0_dynamic

It writes `emulator.sqlite3` (the emulator's data, credential ORG_A), `stack.json` (`pulumi stack
export`), and `fixture.json` (the ids the test needs). The test imports them into a new stack.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.conftest import ORG_A
from tests.e2e.stack import ExampleStack
from tests.emulator.api import Api
from tests.helpers import REPO, EmulatorProcess, PulumiCLI, find_pulumi

SPEC = REPO / "tests" / "e2e" / "programs" / "spec"


def spec(notice_id: str, widget_id: str) -> dict[str, object]:
    return {
        "drafts": {
            "banner": {
                "notice_id": notice_id,
                "config": {"notice": {"position": "popup"}},
                "consent_duration": 6,
                "regulation_configurations": [
                    {"regulation_id": "gdpr", "is_default_regulation_config": True}
                ],
            }
        },
        "deployments": {"release": {"draft": "banner", "message": "fixture release"}},
        "widgets": {"pc": {"widget_id": widget_id}},
    }


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    db = out / "emulator.sqlite3"
    db.unlink(missing_ok=True)
    emu = EmulatorProcess(
        ["--credential", ORG_A, "--rate-limit", "off", "--deploy-seconds", "0.2"], str(db)
    ).start()
    try:
        bin_dir, reason = find_pulumi()
        assert bin_dir is not None, reason
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            (work / "home").mkdir()
            (work / "backend").mkdir()
            cli = PulumiCLI(bin_dir, work / "home", work / "backend")
            api = Api(emu.url, ORG_A)
            notice = api.new_notice("Compat website")["id"]
            widget = api.ok(
                "POST",
                "/widgets",
                201,
                params={"organization_id": api.org},
                json={"name": "Compat widget"},
            )["id"]
            stack = ExampleStack.create(
                cli, "spec", work, emu, ORG_A, {"spec": json.dumps(spec(notice, widget))}, src=SPEC
            )
            stack.up()
            state = stack.export()
            commit = subprocess.run(
                ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
            ).stdout.strip()
            (out / "stack.json").write_text(json.dumps(state, indent=1, sort_keys=True) + "\n")
            (out / "fixture.json").write_text(
                json.dumps(
                    {
                        "notice_id": notice,
                        "widget_id": widget,
                        "made_at_commit": commit,
                        "spec": spec(notice, widget),
                    },
                    indent=1,
                )
                + "\n"
            )
    finally:
        emu.stop()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
