"""A TypeScript program through the generated Node.js SDK (sdk/nodejs) and the real engine.

examples/typescript-quickstart is an npm project (package-lock.json: @pulumi/pulumi, typescript);
`npm run build` compiles the SDK into build/node_modules/@pulumi-didomi/didomi and the program and
its Automation API driver into build/. The driver runs the program inline (no Node.js language
host), one step per invocation. node_modules is installed by `npm ci` once per lock file (also
by scripts/bootstrap).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
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

EXAMPLE = REPO / "examples" / "typescript-quickstart"


@pytest.fixture(scope="module")
def npm_project() -> Path:
    """The example with its node_modules, installed by `npm ci` unless it is already current."""
    npm = require_tool("npm")
    require_tool("node")
    installed = EXAMPLE / "node_modules" / ".package-lock.json"  # written by npm at the end
    lock = EXAMPLE / "package-lock.json"
    if not installed.exists() or installed.stat().st_mtime < lock.stat().st_mtime:
        run([npm, "ci", "--no-audit", "--no-fund"], cwd=EXAMPLE)
    return EXAMPLE


def _tsc(project: Path) -> Callable[..., str]:
    return lambda *args: run([str(project / "node_modules" / ".bin" / "tsc"), *args], cwd=project)


def test_the_typescript_sdk_compiles(npm_project: Path) -> None:
    _tsc(npm_project)("--noEmit", "-p", "tsconfig.sdk.json")


@pytest.fixture(scope="module")
def driver_js(npm_project: Path) -> Path:
    """The compiled driver (`npm run build`: the SDK, the program and the driver)."""
    run([require_tool("npm"), "run", "--silent", "build"], cwd=npm_project)
    return npm_project / "build" / "driver.js"


def _driver(driver_js: Path, pulumi_cli: PulumiCLI, tmp_path: Path) -> Driver:
    work_dir = tmp_path / "project"
    work_dir.mkdir()
    write_project(work_dir, "didomi-typescript-quickstart", "nodejs")
    return Driver(["node", str(driver_js)], pulumi_cli, work_dir)


def test_acceptance_cycle_of_the_typescript_quickstart(
    driver_js: Path, emulator: EmulatorProcess, pulumi_cli: PulumiCLI, tmp_path: Path
) -> None:
    driver = _driver(driver_js, pulumi_cli, tmp_path)
    acceptance_cycle(driver, emulator)
    print("typescript steps (s):", driver.timings)


def test_a_plain_text_secret_is_refused_in_typescript(
    driver_js: Path, emulator: EmulatorProcess, pulumi_cli: PulumiCLI, tmp_path: Path
) -> None:
    plain_secret_refused(_driver(driver_js, pulumi_cli, tmp_path), emulator)


def test_an_allowed_value_misspelt_is_a_compile_error(driver_js: Path) -> None:
    """Allowed values are the schema's enum types: TypeScript literal unions."""
    check = EXAMPLE / ".enum-check"
    check.mkdir(exist_ok=True)
    try:
        (check / "tsconfig.json").write_text(
            '{"extends": "../tsconfig.json", "compilerOptions": {"noEmit": true, '
            '"rootDir": "."}, "files": ["program.ts"]}'
        )
        program = (
            'import * as didomi from "@pulumi-didomi/didomi";\n'
            'new didomi.NoticeDraftConfig("x", {{ noticeId: "n", platform: "{platform}" }});\n'
        )
        tsc = [str(EXAMPLE / "node_modules" / ".bin" / "tsc"), "-p", str(check)]
        (check / "program.ts").write_text(program.format(platform="web"))
        run(tsc, cwd=EXAMPLE)  # the allowed value compiles
        (check / "program.ts").write_text(program.format(platform="webb"))
        failed = subprocess.run(tsc, cwd=EXAMPLE, capture_output=True, text=True)
        assert failed.returncode != 0, failed.stdout
        assert "is not assignable" in failed.stdout and '"webb"' in failed.stdout, failed.stdout
    finally:
        shutil.rmtree(check)
