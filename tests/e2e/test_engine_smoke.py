"""The real Pulumi CLI runs a dynamic provider end to end (up, preview, refresh, destroy)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from tests.helpers import PulumiCLI

pytestmark = pytest.mark.e2e


def _project(path: Path, value: str) -> Path:
    path.mkdir(exist_ok=True)
    (path / "Pulumi.yaml").write_text("name: smoke\nruntime: python\n")
    (path / "__main__.py").write_text(
        textwrap.dedent(
            f"""
            import pulumi
            from tests.e2e.smoke_provider import Echo

            echo = Echo("greeting", {value!r})
            pulumi.export("digest", echo.digest)
            """
        )
    )
    return path


def test_up_preview_refresh_destroy_with_the_real_engine(pulumi_cli: PulumiCLI, tmp_path: Path):
    project = _project(tmp_path / "smoke", "hello")
    pulumi_cli.run("stack", "init", "dev", "--secrets-provider", "passphrase", cwd=project)

    up = pulumi_cli.run("up", "--yes", "--skip-preview", cwd=project)
    assert "+ 2 created" in up.stdout or "2 created" in up.stdout, up.stdout

    state = pulumi_cli.export(project)
    echoes = [
        r
        for r in state["deployment"]["resources"]
        if r["type"] == "pulumi-python:dynamic/smoke:Echo"
    ]
    assert len(echoes) == 1
    digest = echoes[0]["outputs"]["digest"]
    assert echoes[0]["id"] == f"echo-{digest}"
    assert echoes[0]["outputs"]["value"] == "hello"
    outputs = json.loads(pulumi_cli.run("stack", "output", "--json", cwd=project).stdout)
    assert outputs == {"digest": digest}

    pulumi_cli.run("preview", "--expect-no-changes", cwd=project)
    pulumi_cli.run("refresh", "--yes", "--skip-preview", cwd=project)
    pulumi_cli.run("preview", "--expect-no-changes", cwd=project)

    _project(project, "changed")
    preview = pulumi_cli.run("preview", "--diff", cwd=project)
    assert "replace" in preview.stdout, preview.stdout

    pulumi_cli.run("destroy", "--yes", "--skip-preview", cwd=project)
    state = pulumi_cli.export(project)
    assert state["deployment"].get("resources") in (None, [])
