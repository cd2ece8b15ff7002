"""Test helpers: a real emulator process on loopback and the real Pulumi CLI."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent


@dataclass
class EmulatorProcess:
    """A `didomi-emulator` subprocess listening on 127.0.0.1."""

    args: list[str]
    db: str
    proc: subprocess.Popen[str] | None = None
    python: str = sys.executable
    url: str = ""
    log: list[str] = field(default_factory=list)

    def start(self) -> EmulatorProcess:
        cmd = [self.python, "-m", "pulumi_didomi.emulator", "--port", "0", "--db", self.db]
        self.proc = subprocess.Popen(
            [*cmd, *self.args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert self.proc.stdout is not None
        first = self.proc.stdout.readline().strip()
        prefix = "Didomi emulator listening on "
        if not first.startswith(prefix):
            rest = self.proc.stdout.read() if self.proc.poll() is not None else ""
            raise RuntimeError(f"emulator did not start: {first!r} {rest}")
        self.url = first[len(prefix) :]
        self.log.append(first)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{self.url}/_emulator/stats", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        return self

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        if self.proc is not None and self.proc.stdout is not None and not self.proc.stdout.closed:
            self.log.extend(self.proc.stdout.read().splitlines())
            self.proc.stdout.close()

    def kill(self) -> None:
        self.stop(signal.SIGKILL)

    # operator routes

    def stats(self) -> dict[str, Any]:
        return dict(httpx.get(f"{self.url}/_emulator/stats", timeout=5).json())

    def requests(self) -> list[dict[str, Any]]:
        """The emulator's request timeline since the last reset (`/_emulator/requests`)."""
        return list(httpx.get(f"{self.url}/_emulator/requests", timeout=30).json())

    def reset_stats(self) -> None:
        httpx.post(f"{self.url}/_emulator/stats/reset", timeout=5).raise_for_status()

    def review_text_content(self, content_id: str, status: str) -> httpx.Response:
        """The Didomi team's decision on a text content (`approved` or `rejected`)."""
        url = f"{self.url}/_emulator/texts-contents/{content_id}/status"
        return httpx.post(url, json={"status": status}, timeout=5)

    def set_faults(self, **faults: Any) -> None:
        httpx.post(f"{self.url}/_emulator/faults", json=faults, timeout=5).raise_for_status()

    def clear_faults(self) -> None:
        httpx.delete(f"{self.url}/_emulator/faults", timeout=5).raise_for_status()

    def data(self, collection: str) -> list[dict[str, Any]]:
        return list(httpx.get(f"{self.url}/_emulator/data/{collection}", timeout=5).json())

    def public_key(self, organization_id: str) -> str:
        orgs = httpx.get(f"{self.url}/_emulator/organizations", timeout=5).json()
        return next(str(o["public_api_key"]) for o in orgs if o["id"] == organization_id)


def api_calls(stats: dict[str, Any]) -> dict[str, int]:
    """Calls per route (all statuses), operator routes excluded."""
    return {route: sum(by_status.values()) for route, by_status in stats["routes"].items()}


def find_pulumi() -> tuple[Path | None, str]:
    """The directory holding the real pulumi CLI, or None and the reason."""
    given = os.environ.get("PULUMI_DIDOMI_BIN")
    if given:
        return Path(given), ""
    script = REPO / "scripts" / "ensure-pulumi"
    try:
        out = subprocess.run(
            [str(script)], check=True, capture_output=True, text=True, timeout=3000
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        err = getattr(exc, "stderr", "") or ""
        return None, f"scripts/ensure-pulumi could not provide the engine: {err.strip()[-800:]}"
    return Path(out.stdout.strip().splitlines()[-1]), ""


@dataclass
class PulumiCLI:
    """Runs the real pulumi CLI with a file backend in an isolated PULUMI_HOME."""

    bin_dir: Path
    home: Path
    backend: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    #: True: Python comes from the project's `virtualenv` option, as for a user (no
    #: PULUMI_PYTHON_CMD, no PYTHONPATH to this repository, no test venv on PATH).
    project_python: bool = False

    def env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("PULUMI_") and not k.startswith("DIDOMI_")
        }
        venv_bin = str(Path(sys.executable).parent)
        env.update(
            PATH=f"{self.bin_dir}{os.pathsep}{venv_bin}{os.pathsep}{env.get('PATH', '')}",
            PULUMI_HOME=str(self.home),
            PULUMI_BACKEND_URL=f"file://{self.backend}",
            PULUMI_CONFIG_PASSPHRASE="pulumi-didomi-tests",
            PULUMI_SKIP_UPDATE_CHECK="true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION="true",
            PULUMI_PYTHON_CMD=sys.executable,
            PYTHONPATH=str(REPO),
        )
        if self.project_python:
            del env["PULUMI_PYTHON_CMD"], env["PYTHONPATH"]
            env["PATH"] = env["PATH"].replace(f"{venv_bin}{os.pathsep}", "", 1)
        env.update(self.extra_env)
        return env

    def run(
        self, *args: str, cwd: Path, check: bool = True, timeout: float = 600
    ) -> subprocess.CompletedProcess[str]:
        cmd = [str(self.bin_dir / "pulumi"), "--non-interactive", *args]
        result = subprocess.run(
            cmd, cwd=cwd, env=self.env(), capture_output=True, text=True, timeout=timeout
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"pulumi {' '.join(args)} failed ({result.returncode}):\n"
                f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
            )
        return result

    def remove_empty_sidecars(self) -> list[Path]:
        """The README's repair of a file backend after `kill -9`: delete empty `.attrs` files.

        gocloud.dev's fileblob (Pulumi's `file://` backend) renames a checkpoint into place
        atomically but rewrites its `.attrs` sidecar in place; a kill between the two leaves an
        empty sidecar and every later command fails with "failed to load checkpoint: EOF".
        """
        empty = [f for f in self.backend.rglob("*.attrs") if f.stat().st_size == 0]
        for f in empty:
            f.unlink()
        return empty

    def export(self, cwd: Path) -> dict[str, Any]:
        return dict(json.loads(self.run("stack", "export", cwd=cwd).stdout))


def python_json(code: str, timeout: float = 120) -> Any:
    """Run `code` in a fresh Python process of the test virtualenv (in the repository) and
    return the JSON value its last line of output prints: what a new process loads or does."""
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def copy_project(src: Path, dest: Path) -> Path:
    """A copy of a Pulumi project; its `.venv` (a link to the repository's) becomes a link to
    the virtualenv running the tests, so that `virtualenv: .venv` still resolves."""
    shutil.copytree(
        src, dest, ignore=shutil.ignore_patterns("__pycache__", "Pulumi.*.yaml", ".venv")
    )
    if (src / ".venv").is_symlink():
        (dest / ".venv").symlink_to(Path(sys.executable).parent.parent)
    return dest


def kill_processes_under(path: Path, marker: str = "pulumi.dynamic") -> int:
    """Kill the processes whose command line names `path` and `marker` (by default provider
    processes that outlived a killed `pulumi up`: the engine starts plugins in process groups
    of their own). Returns how many were killed."""
    killed = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if str(path) in cmdline and marker in cmdline:
            try:
                os.kill(int(entry.name), signal.SIGKILL)
                killed += 1
            except OSError:
                pass
    return killed
