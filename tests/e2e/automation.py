"""The acceptance cycle of a quickstart program run inline through the Automation API (issue 16).

Each language's example has a driver (examples/typescript-quickstart/driver.ts,
examples/go-quickstart/driver) that runs the program in its own process, one step per invocation,
and prints the step's result as JSON; this module runs the steps against the emulator and checks
the emulator between them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ORG_A
from tests.emulator.api import Api
from tests.helpers import EmulatorProcess, PulumiCLI, api_calls

SECRET = ORG_A.split(":")[2]
STACK = "test"


def require_tool(name: str) -> str:
    """The path of a command on PATH; skip without it (fail on CI, where CI is set)."""
    found = shutil.which(name)
    if found is None:
        reason = f"{name} is not installed"
        if os.environ.get("CI"):
            pytest.fail(f"CI needs {name}: {reason}")
        pytest.skip(reason)
    return found


def run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 900) -> str:
    """Run a command; its stdout, or a failure showing both streams."""
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        pytest.fail(
            f"{' '.join(cmd)} failed ({result.returncode}):\n"
            f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        )
    return result.stdout


def write_project(work_dir: Path, name: str, runtime: str) -> None:
    """The Pulumi.yaml of a driver's project, as the documented set-up has it: the plugin named
    in `plugins: providers:` (the bin directory of the virtualenv with pulumi-didomi, here the
    tests'), so that the engine does not look for it on PATH."""
    (work_dir / "Pulumi.yaml").write_text(
        f"name: {name}\nruntime: {runtime}\n"
        f"plugins:\n  providers:\n    - name: didomi\n      path: {Path(sys.executable).parent}\n"
    )


@dataclass
class Driver:
    """A quickstart driver: `cmd STEP --stack test --work-dir DIR [--config K=V]...`."""

    cmd: list[str]
    cli: PulumiCLI
    work_dir: Path
    #: Seconds per step, in order: (step, seconds).
    timings: list[tuple[str, float]] = field(default_factory=list)
    #: The engine's output (the driver's stderr) of every step, in order.
    logs: list[str] = field(default_factory=list)

    def step(
        self, step: str, config: dict[str, str] | None = None, secrets: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run one step; its process, whatever the outcome."""
        args = [*self.cmd, step, "--stack", STACK, "--work-dir", str(self.work_dir)]
        for flag, values in (("--config", config or {}), ("--secret", secrets or {})):
            for key, value in values.items():
                args += [flag, f"{key}={value}"]
        started = time.monotonic()
        done = subprocess.run(
            args, cwd=self.work_dir, env=self.cli.env(), capture_output=True, text=True, timeout=600
        )
        self.timings.append((step, round(time.monotonic() - started, 1)))
        self.logs.append(done.stderr)
        return done

    def __call__(
        self, step: str, config: dict[str, str] | None = None, secrets: dict[str, str] | None = None
    ) -> dict[str, Any]:
        """Run one step, which must succeed; the result it prints."""
        done = self.step(step, config, secrets)
        if done.returncode != 0:
            pytest.fail(
                f"driver {step} failed ({done.returncode}):\n"
                f"{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
            )
        result = dict(json.loads(done.stdout.strip().splitlines()[-1]))
        assert result["step"] == step, result
        return result

    def fails(self, step: str, config: dict[str, str] | None = None) -> str:
        """Run one step, which must fail; its output."""
        done = self.step(step, config)
        assert done.returncode != 0, done.stdout[-4000:]
        return done.stdout + done.stderr


def _world(api: Api, emulator: EmulatorProcess) -> dict[str, str]:
    """A notice and a widget to manage, and the stack config naming them and the emulator."""
    notice = api.new_notice()["id"]
    widget = api.ok(
        "POST", "/widgets", 201, params={"organization_id": api.org}, json={"name": "Centre"}
    )["id"]
    org, key, _ = ORG_A.split(":", 2)
    return {
        "notice": notice,
        "widget": widget,
        "didomi:apiKey": key,
        "didomi:organizationId": org,
        "didomi:apiUrl": emulator.url + "/v1",
    }


def plain_secret_refused(driver: Driver, emulator: EmulatorProcess) -> None:
    """`didomi:apiSecret` set without `--secret`: preview and up fail, saying how to store it
    encrypted, before any API call; nothing changes on Didomi."""
    api = Api(emulator.url, ORG_A)
    config = {**_world(api, emulator), "didomi:apiSecret": SECRET}
    before = {c: emulator.data(c) for c in ("configs", "notice_deployments", "widget_deployments")}
    emulator.reset_stats()
    for step in ("preview", "up"):
        output = driver.fails(step, config if step == "preview" else None)
        assert "didomi:apiSecret is stored in plain text" in output, output[-4000:]
        assert "pulumi config set --secret didomi:apiSecret <secret>" in output, output[-4000:]
        assert SECRET not in output
    assert api_calls(emulator.stats()) == {}
    assert {c: emulator.data(c) for c in before} == before


def acceptance_cycle(driver: Driver, emulator: EmulatorProcess) -> None:
    """up (a purpose, a vendor using it and listed by the notice) → no-op preview calling no
    API → a one-field change → exactly one new deployment → refresh → destroy, which keeps
    Didomi's audit log, deprecates the vendor and deletes the purpose."""
    api = Api(emulator.url, ORG_A)
    config = _world(api, emulator)
    notice = config["notice"]

    # up: the purpose, the vendor, the draft listing it, its deployment, the widget's deployment.
    up = driver("up", config, {"didomi:apiSecret": SECRET})
    assert up["changes"] == {"create": 6}, up
    deployments = api.deployments(notice)
    assert [d["id"] for d in deployments] == [up["outputs"]["deploymentId"]], (deployments, up)
    assert up["outputs"]["draftConsentDuration"] == 6, up
    assert len(emulator.data("widget_deployments")) == 1
    purpose, vendor = up["outputs"]["purposeId"], up["outputs"]["vendorId"]
    found = api.ok("GET", f"/metadata/partners/{vendor}")
    assert found["default_purposes_id"] == [purpose] and found["deprecated"] is False
    texts = api.ok("GET", f"/metadata/purposes/{purpose}", params={"$translations": "true"})
    assert texts["description"] == {"en": "Audience measurement", "fr": "Mesure d'audience"}
    (cookie,) = emulator.data("partners_storages")
    assert (cookie["partner_id"], cookie["purposes_id"]) == (vendor, [purpose])
    live = api.ok("GET", f"/widgets/notices/configs/{deployments[0]['production_config_id']}")
    assert live["config"]["app"]["vendors"]["include"] == [vendor], live

    # A no-op preview calls no API.
    emulator.reset_stats()
    preview = driver("preview")
    assert preview["changes"] == {"same": 6}, preview
    assert api_calls(emulator.stats()) == {}

    # A one-field change: the draft is updated and published once; the widget is left alone.
    up = driver("up", {"consentDuration": "3"})
    assert up["changes"] == {"update": 1, "replace": 1, "same": 4}, up
    deployments = api.deployments(notice)
    assert len(deployments) == 2 and deployments[0]["id"] == up["outputs"]["deploymentId"]
    live = api.ok("GET", f"/widgets/notices/configs/{deployments[0]['production_config_id']}")
    assert live["consent_duration"] == 3 and up["outputs"]["draftConsentDuration"] == 3, up
    assert len(emulator.data("widget_deployments")) == 1

    refresh = driver("refresh")
    assert refresh["changes"] == {"same": 6}, refresh

    # Destroy: every deployment stays in the audit log; the vendor is deprecated, the purpose
    # it used deleted.
    states = [p.read_text() for p in driver.cli.backend.rglob("*.json")]
    assert states, f"no stack state under {driver.cli.backend}"
    state = json.dumps(states)
    destroy = driver("destroy")
    assert destroy["changes"] == {"delete": 6}, destroy
    assert len(api.deployments(notice)) == 2
    assert len(emulator.data("widget_deployments")) == 1
    assert api.ok("GET", f"/metadata/partners/{vendor}")["deprecated"] is True
    assert [p["id"] for p in emulator.data("purposes") if p["id"] == purpose] == []
    assert SECRET not in state and api.token not in state
    # The plugin named in the project: the engine did not take one from PATH.
    assert not [log for log in driver.logs if "from $PATH" in log], driver.logs
