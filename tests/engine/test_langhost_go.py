"""The Go unit tests of pulumi-didomi's Python language host (engine/langhost).

They are built as scripts/ensure-pulumi builds the host: in a temporary Go module that requires
the Pulumi pkg and sdk modules at the release pinned in constraints.txt.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import REPO

LANGHOST = REPO / "engine" / "langhost"
TIMEOUT = 600


def pinned_pulumi() -> str:
    """The Pulumi release pinned in constraints.txt (`pulumi==X.Y.Z`)."""
    text = (REPO / "constraints.txt").read_text()
    found = re.search(r"^pulumi==([0-9.]+)", text, re.MULTILINE)
    assert found, "no pulumi==X.Y.Z pin in constraints.txt"
    return found.group(1)


def run(cmd: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cmd,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def test_langhost_go_unit_tests(tmp_path: Path) -> None:
    go = shutil.which("go")
    if go is None:
        reason = "Go is not installed: the language host's Go tests need it"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)

    env = {**os.environ, "CGO_ENABLED": "0"}
    goversion = run([go, "env", "GOVERSION"], tmp_path, env)
    assert goversion.returncode == 0, goversion.stderr
    directive = re.match(r"go(\d+\.\d+)", goversion.stdout.strip())
    assert directive, f"unexpected GOVERSION {goversion.stdout!r}"

    version = pinned_pulumi()
    (tmp_path / "go.mod").write_text(
        "module pulumididomi.local/engine\n\n"
        f"go {directive.group(1)}\n\n"
        "require (\n"
        f"\tgithub.com/pulumi/pulumi/pkg/v3 v{version}\n"
        f"\tgithub.com/pulumi/pulumi/sdk/v3 v{version}\n"
        ")\n"
    )
    dest = tmp_path / "langhost"
    dest.mkdir()
    sources = sorted(LANGHOST.glob("*.go"))
    assert sources, f"no Go source in {LANGHOST}"
    for source in sources:
        shutil.copy2(source, dest / source.name)

    for cmd in ([go, "mod", "tidy"], [go, "test", "-count=1", "./langhost"]):
        result = run(cmd, tmp_path, env)
        assert result.returncode == 0, (
            f"go {' '.join(cmd[1:])} failed ({result.returncode}):\n"
            f"{result.stdout[-8000:]}\n{result.stderr[-8000:]}"
        )
