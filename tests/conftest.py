"""Shared fixtures: the emulator as a real HTTP server, the real Pulumi CLI."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.helpers import EmulatorProcess, PulumiCLI, find_pulumi
from tests.target import Target, acceptance, acceptance_credential

ORG_A = "org-a:key-a:secret-aaaaaaaaaaaaaaaa"
ORG_B = "org-b:key-b:secret-bbbbbbbbbbbbbbbb"


@pytest.fixture
def start_emulator(tmp_path: Path) -> Iterator[Callable[..., EmulatorProcess]]:
    """Start emulators with given flags; all are stopped at the end of the test."""
    started: list[EmulatorProcess] = []

    def start(*args: str, db: str | None = None) -> EmulatorProcess:
        path = db or str(tmp_path / f"emulator-{len(started)}.sqlite3")
        emu = EmulatorProcess(list(args), path).start()
        started.append(emu)
        return emu

    yield start
    for emu in started:
        try:
            emu.stop()
        except Exception:  # keep stopping the others
            if emu.proc is not None:
                emu.proc.kill()


@pytest.fixture
def emulator(start_emulator: Callable[..., EmulatorProcess]) -> EmulatorProcess:
    """An emulator with two organizations, rate limit off, instant deployments."""
    return start_emulator(
        "--credential",
        ORG_A,
        "--credential",
        ORG_B,
        "--rate-limit",
        "off",
        "--deploy-seconds",
        "0.2",
    )


@pytest.fixture
def target(start_emulator: Callable[..., EmulatorProcess]) -> Iterator[Target]:
    """The Didomi API of lifecycle tests: the emulator (as `emulator`), or with
    DIDOMI_ACCEPTANCE=1 the real organization of the DIDOMI_* environment (tests/target.py)."""
    if acceptance():
        url, credential = acceptance_credential()
        found = Target(url, credential)
    else:
        emu = start_emulator(
            "--credential", ORG_A, "--rate-limit", "off", "--deploy-seconds", "0.2"
        )
        found = Target(emu.url, ORG_A, emu)
    try:
        yield found
    finally:
        found.close()


@pytest.fixture(scope="session")
def pulumi_bin() -> Path:
    """The directory of the real pulumi CLI (built by scripts/ensure-pulumi when needed)."""
    path, reason = find_pulumi()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs the real Pulumi engine: {reason}")
        pytest.skip(reason)
    return path


@pytest.fixture
def pulumi_cli(pulumi_bin: Path, tmp_path: Path) -> PulumiCLI:
    """The real CLI with a file backend and a PULUMI_HOME of its own."""
    home = tmp_path / "pulumi-home"
    backend = tmp_path / "backend"
    home.mkdir()
    backend.mkdir()
    return PulumiCLI(pulumi_bin, home, backend)
