"""Reliability with the real CLI: faults, interruptions, expiring tokens, concurrency.

After every test the emulator's data is checked: no published configuration was modified.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ORG_A
from tests.e2e.stack import ExampleStack
from tests.emulator.api import Api
from tests.helpers import EmulatorProcess, PulumiCLI, kill_processes_under

pytestmark = pytest.mark.e2e

DEPLOY_ROUTES = ["POST /widgets/notices/deployments", "POST /widgets/deployments"]


def assert_published_configs_untouched(emulator: EmulatorProcess) -> None:
    """A published configuration is never modified after `deployed_at`."""
    published = [c for c in emulator.data("configs") if c["deployed_at"]]
    for config in published:
        assert config["updated_at"] == config["deployed_at"], config


@pytest.fixture
def guarded(start_emulator: Callable[..., EmulatorProcess]) -> Iterator[list[EmulatorProcess]]:
    """Emulators started through this list are checked for immutability at the end."""
    started: list[EmulatorProcess] = []
    yield started
    for emu in started:
        if emu.proc is not None and emu.proc.poll() is None:
            assert_published_configs_untouched(emu)


def _multi_notice(api: Api, count: int, platform: str = "web") -> list[dict[str, Any]]:
    return [
        {
            "name": f"notice-{i}",
            "id": api.new_notice(f"n{i}")["id"],
            "platform": platform,
            "targets": [f"site-{i}.example.com"],
        }
        for i in range(count)
    ]


def _converged(emu: EmulatorProcess, notices: list[dict[str, Any]], duration: int) -> None:
    """Every draft holds the declared values (read through the operator route: no rate limit)."""
    drafts = {c["notice_id"]: c for c in emu.data("configs") if c["deployed_at"] is None}
    for notice in notices:
        draft = drafts[notice["id"]]
        assert draft["consent_duration"] == duration and draft["platform"] == notice["platform"]
        assert draft["targets"] == notice["targets"]


def _deployments_by_notice(emu: EmulatorProcess) -> dict[str, int]:
    counts: dict[str, int] = {}
    for deployment in emu.data("notice_deployments"):
        counts[deployment["notice_id"]] = counts.get(deployment["notice_id"], 0) + 1
    return counts


def _notices_stack(
    start_emulator: Callable[..., EmulatorProcess],
    guarded: list[EmulatorProcess],
    cli: PulumiCLI,
    tmp_path: Path,
    count: int,
    *flags: str,
) -> tuple[EmulatorProcess, Api, list[dict[str, Any]], ExampleStack]:
    """An emulator (checked for immutability), `count` notices and a multi-notice stack."""
    emu = start_emulator(*flags)
    guarded.append(emu)
    api = Api(emu.url, ORG_A)
    notices = _multi_notice(api, count)
    stack = ExampleStack.create(cli, "multi-notice", tmp_path, emu, ORG_A, {"notices": notices})
    return emu, api, notices, stack


def test_faults_converge_with_one_deployment_per_change(
    start_emulator, guarded, pulumi_cli: PulumiCLI, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    emu, _, notices, stack = _notices_stack(
        start_emulator,
        guarded,
        pulumi_cli,
        tmp_path,
        20,
        "--credential",
        ORG_A,
        "--rate-limit",
        "off",
        "--deploy-seconds",
        "0.5",
        "--seed",
        "7",
    )
    stack.config("didomi:rateLimit", "off")
    emu.set_faults(
        error_rate=0.2,
        rate_limit_rate=0.1,
        drop_rate=0.05,
        commit_then_fail_routes=DEPLOY_ROUTES,
        commit_then_fail_rate=1.0,
    )
    stack.up()
    faults = emu.stats()["faults"]
    emu.clear_faults()
    assert faults.get("error", 0) > 10 and faults.get("commit_then_fail", 0) >= 10, faults
    _converged(emu, notices, 6)
    assert _deployments_by_notice(emu) == {n["id"]: 1 for n in notices}

    # A change under the same faults: one more deployment per changed notice, no more.
    stack.config("consentDuration", "4")
    emu.set_faults(
        error_rate=0.2, rate_limit_rate=0.1, drop_rate=0.05, commit_then_fail_routes=DEPLOY_ROUTES
    )
    stack.up()
    emu.clear_faults()
    _converged(emu, notices, 4)
    assert _deployments_by_notice(emu) == {n["id"]: 2 for n in notices}
    emu.reset_stats()
    stack.pulumi("preview", "--expect-no-changes")
    stack.up()
    assert emu.stats()["total"] == 0
    assert _deployments_by_notice(emu) == {n["id"]: 2 for n in notices}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_up(
    cli: PulumiCLI, stack: ExampleStack, emu: EmulatorProcess, running: int, **popen: Any
) -> subprocess.Popen[Any]:
    """Start `pulumi up` in the background; return once `running` deployments run at once."""
    popen.setdefault("stdout", subprocess.DEVNULL)
    popen.setdefault("stderr", subprocess.DEVNULL)
    cmd = [str(cli.bin_dir / "pulumi"), "--non-interactive", "up", "--yes", "--skip-preview"]
    proc = subprocess.Popen(cmd, cwd=stack.dir, env=cli.env(), **popen)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and emu.stats()["max_running_deployments"] < running:
        time.sleep(0.05)
    return proc


def _recover(stack: ExampleStack) -> None:
    """What a user does after an interrupted `pulumi up` (see the README)."""
    stack.cli.remove_empty_sidecars()
    stack.pulumi("cancel", "--yes", check=False)
    stack.pulumi("refresh", "--yes", "--clear-pending-creates", "--skip-preview")


def test_sigkill_during_deployments_then_up_converges(
    start_emulator, guarded, pulumi_cli: PulumiCLI, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    emu, _, notices, stack = _notices_stack(
        start_emulator,
        guarded,
        pulumi_cli,
        tmp_path,
        9,
        "--credential",
        ORG_A,
        "--rate-limit",
        "off",
        "--deploy-seconds",
        "2",
    )
    proc = _start_up(pulumi_cli, stack, emu, running=3, start_new_session=True)
    assert emu.stats()["max_running_deployments"] >= 1, "no deployment started"
    os.killpg(proc.pid, signal.SIGKILL)  # the CLI, its language host and provider process
    proc.wait(10)
    published_before = sum(_deployments_by_notice(emu).values())
    assert 0 < published_before < len(notices)

    try:
        _recover(stack)
        stack.up()
        _converged(emu, notices, 6)
        assert _deployments_by_notice(emu) == {n["id"]: 1 for n in notices}
        stack.pulumi("preview", "--expect-no-changes")

        # What a kill can leave in a file backend (the README's repair, deterministically): the
        # checkpoint's sidecar emptied between its truncation and its write.
        (sidecar,) = pulumi_cli.backend.rglob("stacks/**/test.json.attrs")
        sidecar.write_bytes(b"")
        broken = stack.pulumi("preview", check=False)
        assert broken.returncode != 0
        assert "failed to load checkpoint: EOF" in broken.stdout + broken.stderr
        assert pulumi_cli.remove_empty_sidecars() == [sidecar]
        stack.pulumi("preview", "--expect-no-changes")
    finally:
        # The killed run's provider process lives on in its own process group: end it.
        kill_processes_under(tmp_path)


def test_emulator_killed_and_restarted_mid_run(
    start_emulator, guarded, pulumi_cli: PulumiCLI, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    port = str(_free_port())
    db = str(tmp_path / "restart.sqlite3")
    flags = ["--credential", ORG_A, "--rate-limit", "off", "--deploy-seconds", "1", "--port", port]
    emu = start_emulator(*flags, db=db)
    api = Api(emu.url, ORG_A)
    notices = _multi_notice(api, 9)
    stack = ExampleStack.create(
        pulumi_cli, "multi-notice", tmp_path, emu, ORG_A, {"notices": notices}
    )
    proc = _start_up(
        pulumi_cli,
        stack,
        emu,
        running=1,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    emu.kill()
    time.sleep(2)
    emu2 = start_emulator(*flags, db=db)
    guarded.append(emu2)
    out, _ = proc.communicate(timeout=600)
    if proc.returncode != 0:  # the run may fail; the next one must converge
        _recover(stack)
        stack.up()
    _converged(emu2, notices, 6)
    assert _deployments_by_notice(emu2) == {n["id"]: 1 for n in notices}, out[-3000:]
    stack.pulumi("preview", "--expect-no-changes")


def test_three_second_tokens_across_a_long_run(
    start_emulator, guarded, pulumi_cli: PulumiCLI, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    emu, _, notices, stack = _notices_stack(
        start_emulator,
        guarded,
        pulumi_cli,
        tmp_path,
        30,
        "--credential",
        ORG_A,
        "--rate-limit",
        "off",
        "--deploy-seconds",
        "3",
        "--token-ttl",
        "3",
    )
    emu.reset_stats()
    started = time.monotonic()
    stack.up()
    elapsed = time.monotonic() - started
    stats = emu.stats()
    assert elapsed >= 30, elapsed
    assert stats["routes"]["POST /sessions"]["201"] >= 8
    _converged(emu, notices, 6)
    assert _deployments_by_notice(emu) == {n["id"]: 1 for n in notices}


def test_parallel_16_with_50_notices(
    start_emulator, guarded, pulumi_cli: PulumiCLI, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    # Didomi's limits on: 100 requests per 15 s, 3 deployments at once.
    emu, _, notices, stack = _notices_stack(
        start_emulator,
        guarded,
        pulumi_cli,
        tmp_path,
        50,
        "--credential",
        ORG_A,
        "--deploy-seconds",
        "1",
    )
    emu.reset_stats()
    out = stack.pulumi("up", "--yes", "--skip-preview", "--parallel", "16")
    stats = emu.stats()
    assert stats["max_running_deployments"] <= 3
    assert stats["by_status"].get("429", 0) == 0, stats["by_status"]
    assert "failed with 429" not in out.stdout + out.stderr
    assert "TooManyRequests" not in out.stdout + out.stderr
    _converged(emu, notices, 6)
    assert _deployments_by_notice(emu) == {n["id"]: 1 for n in notices}


def test_state_and_output_hold_no_secret(
    start_emulator, guarded, pulumi_cli: PulumiCLI, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    emu = start_emulator(
        "--credential",
        ORG_A,
        "--rate-limit",
        "off",
        "--deploy-seconds",
        "0.2",
        "--log-level",
        "info",
    )
    guarded.append(emu)
    api = Api(emu.url, ORG_A)
    notice = api.new_notice()
    widget = api.ok(
        "POST", "/widgets", 201, params={"organization_id": api.org}, json={"name": "pc"}
    )
    config = {
        "noticeId": notice["id"],
        "widgetId": widget["id"],
        "publicApiKey": emu.public_key(api.org),
    }
    stack = ExampleStack.create(pulumi_cli, "quickstart", tmp_path, emu, ORG_A, config)
    outputs = []
    for args in (
        ("preview",),
        ("preview", "--debug"),
        ("up", "--yes"),
        ("refresh", "--yes"),
        ("refresh", "--yes", "--debug"),
        ("up", "--yes", "--debug"),
        ("destroy", "--yes", "--debug"),
    ):
        result = stack.pulumi(*args)
        outputs += [result.stdout, result.stderr]
    stack.config("consentDuration", "5")
    result = stack.pulumi("up", "--yes", "--debug")
    outputs += [result.stdout, result.stderr]
    outputs.append(json.dumps(stack.export()))
    emu.stop()
    outputs += emu.log
    blob = "\n".join(outputs)
    secret = ORG_A.split(":")[2]
    assert secret not in blob
    import re

    assert re.search(r"eyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}", blob) is None
    assert "Authorization" not in blob
