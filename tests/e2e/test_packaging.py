"""What a user gets: the examples run in place with the README's commands, and the wheel works
outside this repository (installed into a fresh virtualenv, emulator included)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ORG_A
from tests.emulator.api import Api
from tests.helpers import REPO, EmulatorProcess, PulumiCLI

pytestmark = pytest.mark.e2e


def _configure(cli: PulumiCLI, cwd: Path, stack: str, url: str) -> None:
    """The README's commands: a stack, the emulator's URL and credentials (secret encrypted)."""
    org, key, secret = ORG_A.split(":")
    cli.run("stack", "init", stack, "--secrets-provider", "passphrase", cwd=cwd)
    cli.run("config", "set", "didomi:apiUrl", f"{url}/v1", cwd=cwd)
    cli.run("config", "set", "didomi:organizationId", org, cwd=cwd)
    cli.run("config", "set", "didomi:apiKey", key, cwd=cwd)
    cli.run("config", "set", "--secret", "didomi:apiSecret", secret, cwd=cwd)


@pytest.fixture
def in_place(pulumi_cli: PulumiCLI) -> Iterator[list[Path]]:
    """Example directories used in place: their stack config files are removed afterwards."""
    pulumi_cli.project_python = True
    used: list[Path] = []
    yield used
    for path in used:
        for config in path.glob("Pulumi.t-*.yaml"):
            config.unlink()


@pytest.mark.parametrize("example", ["multi-notice", "multi-regulation"])
def test_example_runs_in_place_from_a_checkout(
    example: str,
    emulator: EmulatorProcess,
    pulumi_cli: PulumiCLI,
    in_place: list[Path],
    tmp_path: Path,
) -> None:
    api = Api(emulator.url, ORG_A)
    cwd = REPO / "examples" / example
    in_place.append(cwd)
    stack = f"t-{tmp_path.name[-12:]}"
    _configure(pulumi_cli, cwd, stack, emulator.url)
    if example == "multi-notice":
        notices = [
            {"name": "web", "id": api.new_notice("web")["id"], "platform": "web"},
            {"name": "app", "id": api.new_notice("app")["id"], "platform": "app"},
        ]
        pulumi_cli.run("config", "set", "notices", json.dumps(notices), cwd=cwd)
    else:
        pulumi_cli.run("config", "set", "noticeId", api.new_notice()["id"], cwd=cwd)
    pulumi_cli.run("up", "--yes", cwd=cwd)
    pulumi_cli.run("preview", "--expect-no-changes", cwd=cwd)
    published = len(api.ok("GET", "/widgets/notices/deployments")["data"])
    assert published == (2 if example == "multi-notice" else 1)
    pulumi_cli.run("destroy", "--yes", cwd=cwd)
    pulumi_cli.run("stack", "rm", "--yes", cwd=cwd)
    assert len(api.ok("GET", "/widgets/notices/deployments")["data"]) == published


PROGRAM = '''"""A program outside the repository, using the installed wheel."""
import pulumi
import pulumi_didomi as didomi

config = pulumi.Config()
draft = didomi.NoticeDraftConfig(
    "banner", notice_id=config.require("noticeId"), platform="web", consent_duration=6
)
release = didomi.NoticeDeployment("release", draft=draft)
pulumi.export("module", didomi.__file__)
pulumi.export("deployment_id", release.deployment_id)
pulumi.export("draft", didomi.get_notice_draft_output(draft.notice_id))
'''


def test_wheel_works_outside_the_repository(pulumi_cli: PulumiCLI, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(REPO)],
        check=True,
        timeout=600,
    )
    [wheel] = dist.glob("pulumi_didomi-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [
            str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
            "-c", str(REPO / "constraints.txt"), f"{wheel}[emulator]",
        ],
        check=True,
        timeout=900,
        cwd=tmp_path,
    )  # fmt: skip

    emulator = EmulatorProcess(["--credential", ORG_A, "--rate-limit", "off"], str(tmp_path / "db"))
    emulator.python = str(python)
    emulator.start()
    try:
        project = tmp_path / "project"
        project.mkdir()
        (project / "__main__.py").write_text(PROGRAM)
        (project / "Pulumi.yaml").write_text(
            f"name: outside\nruntime:\n  name: python\n  options:\n    virtualenv: {venv}\n"
        )
        pulumi_cli.project_python = True
        _configure(pulumi_cli, project, "dev", emulator.url)
        notice = Api(emulator.url, ORG_A).new_notice()["id"]
        pulumi_cli.run("config", "set", "noticeId", notice, cwd=project)
        pulumi_cli.run("up", "--yes", cwd=project)
        outputs = json.loads(pulumi_cli.run("stack", "output", "--json", cwd=project).stdout)
        assert outputs["module"].startswith(str(venv)), outputs["module"]
        assert outputs["deployment_id"] and outputs["draft"]["consent_duration"] == 6
        pulumi_cli.run("preview", "--expect-no-changes", cwd=project)
        pulumi_cli.run("destroy", "--yes", cwd=project)
    finally:
        emulator.stop()
