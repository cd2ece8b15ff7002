"""A Go program through the generated Go SDK (sdk/go/didomi) and the real engine.

examples/go-quickstart is a Go module using the SDK module
github.com/pulumi-didomi/pulumi-didomi/sdk
through a `replace` to ../../sdk; its driver (./driver) runs the program inline through the
Automation API (no Go language host), one step per invocation. Builds use the flags and
CGO_ENABLED=0 of the CLI's build (scripts/ensure-pulumi), so that the Go build cache it filled
serves the Pulumi SDK's packages.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.e2e.automation import (
    Driver,
    acceptance_cycle,
    plain_secret_refused,
    require_tool,
    run,
    write_project,
)
from tests.helpers import REPO, EmulatorProcess, PulumiCLI

pytestmark = pytest.mark.e2e

EXAMPLE = REPO / "examples" / "go-quickstart"
BUILD_FLAGS = ["-trimpath", "-tags", "osusergo,grpcnotrace"]


def _go_env() -> dict[str, str]:
    return {**os.environ, "CGO_ENABLED": "0"}


def test_the_go_sdk_vets_clean() -> None:
    go = require_tool("go")
    run([go, "vet", *BUILD_FLAGS, "./go/..."], cwd=REPO / "sdk", env=_go_env())


@pytest.fixture(scope="module")
def driver_binary(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example's driver, built (and the example vetted) once."""
    go = require_tool("go")
    binary = tmp_path_factory.mktemp("go-driver") / "driver"
    run([go, "build", *BUILD_FLAGS, "-o", str(binary), "./driver"], cwd=EXAMPLE, env=_go_env())
    run([go, "vet", *BUILD_FLAGS, "./..."], cwd=EXAMPLE, env=_go_env())
    return binary


def _driver(binary: Path, pulumi_cli: PulumiCLI, tmp_path: Path) -> Driver:
    work_dir = tmp_path / "project"
    work_dir.mkdir()
    write_project(work_dir, "didomi-go-quickstart", "go")
    return Driver([str(binary)], pulumi_cli, work_dir)


def test_acceptance_cycle_of_the_go_quickstart(
    driver_binary: Path, emulator: EmulatorProcess, pulumi_cli: PulumiCLI, tmp_path: Path
) -> None:
    driver = _driver(driver_binary, pulumi_cli, tmp_path)
    acceptance_cycle(driver, emulator)
    print("go steps (s):", driver.timings)


def test_a_plain_text_secret_is_refused_in_go(
    driver_binary: Path, emulator: EmulatorProcess, pulumi_cli: PulumiCLI, tmp_path: Path
) -> None:
    plain_secret_refused(_driver(driver_binary, pulumi_cli, tmp_path), emulator)


def test_an_allowed_value_misspelt_is_a_compile_error() -> None:
    """Allowed values are the schema's enum types: Go constants of their own type (a plain
    string does not compile either)."""
    go = require_tool("go")
    check = EXAMPLE / "enumcheck"
    check.mkdir(exist_ok=True)
    program = (
        "package main\n\n"
        "import (\n"
        '\t"github.com/pulumi-didomi/pulumi-didomi/sdk/go/didomi"\n'
        '\t"github.com/pulumi/pulumi/sdk/v3/go/pulumi"\n'
        ")\n\n"
        "var _ pulumi.StringInput\n\n"
        "func main() {{ _ = didomi.NoticeDraftConfigArgs{{Platform: {platform}}} }}\n"
    )
    build = [go, "vet", *BUILD_FLAGS, "./enumcheck"]
    try:
        (check / "main.go").write_text(program.format(platform="didomi.PlatformWeb"))
        run(build, cwd=EXAMPLE, env=_go_env())  # the allowed value compiles
        for typo, error in (
            ("didomi.PlatformWebb", "undefined: didomi.PlatformWebb"),
            ('pulumi.String("webb")', "cannot use pulumi.String"),
        ):
            (check / "main.go").write_text(program.format(platform=typo))
            failed = subprocess.run(
                build, cwd=EXAMPLE, env=_go_env(), capture_output=True, text=True
            )
            assert failed.returncode != 0 and error in failed.stderr, failed.stderr
    finally:
        shutil.rmtree(check)
