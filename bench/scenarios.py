"""Benchmark scenarios: the real Pulumi CLI against the emulator, counted by the emulator."""

from __future__ import annotations

import json
import math
import os
import shutil
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pulumi_didomi.client import DidomiClient
from pulumi_didomi.limits import MAX_PARALLEL_DEPLOYMENTS
from pulumi_didomi.provider import PLUGIN_DIR
from tests.helpers import REPO, EmulatorProcess, PulumiCLI, api_calls

CREDENTIAL = "bench-org:bench-key:bench-secret-0123456789"
ORG, KEY, SECRET = CREDENTIAL.split(":")
PROGRAMS = REPO / "bench" / "programs"
PUBLISH_ROUTE = "POST /widgets/notices/deployments"
POLL_ROUTE = "GET /widgets/notices/deployments/{deployment_id}"


def minimums(n: int, deployments_async: bool = True, changes: int = 1) -> dict[str, int]:
    """The fewest API calls Didomi allows for each scenario with N notices, after `changes`
    one-field changes.

    Status polls: one per deployment when deployments are asynchronous, none otherwise.
    """
    polls = 1 if deployments_async else 0
    listings = math.ceil(n / 100)
    return {
        # 1 session + the drafts listed in bulk + per notice 1 PATCH, 1 POST (+ 1 poll).
        "first up": 1 + listings + 2 * n + n * polls,
        "no-op preview": 0,
        "no-op up": 0,
        "change one field": 1 + 1 + 1 + 1 + polls,
        # D = the organization's deployments at refresh time: N, plus one per "change one
        # field" made before.
        "refresh": 1 + math.ceil(n / 100) + math.ceil((n + changes) / 100),
        "destroy": 0,
    }


@dataclass
class Scenario:
    name: str
    calls: int
    minimum: int
    status_429: int
    retries: int
    seconds: float
    by_route: dict[str, int] = field(default_factory=dict)

    def row(self) -> dict[str, Any]:
        ratio = (self.calls / self.minimum) if self.minimum else (1.0 if self.calls == 0 else None)
        return {
            "scenario": self.name,
            "calls": self.calls,
            "minimum": self.minimum,
            "ratio": None if ratio is None else round(ratio, 2),
            "429s": self.status_429,
            "retries": self.retries,
            "seconds": round(self.seconds, 2),
            "by_route": self.by_route,
        }


#: What the command line of a provider process of each hosting holds: the dynamic providers'
#: `python -m pulumi.dynamic`, the plugin's directory or console script.
PROVIDER_PROCESSES = (b"pulumi.dynamic", b"provider/plugin", b"pulumi-resource-didomi")

#: The benchmark programs of each hosting: N drafts + N deployments, and the do-nothing one.
#: Per hosting: the Didomi program, its do-nothing baseline, its same-shape baseline.
HOSTING_PROGRAMS = {
    "dynamic": ("drafts", "trivial", "shaped"),
    "native": ("native-drafts", "trivial-native", "shaped-native"),
}


class ProviderMemory:
    """Peak resident memory and CPU time of the provider processes of either hosting
    (`PROVIDER_PROCESSES`), sampled every 0.1 s."""

    def __init__(self) -> None:
        self.peak_kib = 0
        self._cpu_ticks: dict[str, int] = {}
        self._baseline: dict[str, int] = {}
        self._first_pass = True
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> ProviderMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)

    def _watch(self) -> None:
        proc = Path("/proc")
        while not self._stop.is_set():
            for entry in proc.iterdir():
                if not entry.name.isdigit():
                    continue
                try:
                    cmdline = (entry / "cmdline").read_bytes()
                    if not any(marker in cmdline for marker in PROVIDER_PROCESSES):
                        continue
                    for line in (entry / "status").read_text().splitlines():
                        if line.startswith("VmHWM:"):
                            self.peak_kib = max(self.peak_kib, int(line.split()[1]))
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                    ticks = int(fields[11]) + int(fields[12])
                    if self._first_pass:  # CPU spent before the window does not count
                        self._baseline[entry.name] = ticks
                    self._cpu_ticks[entry.name] = ticks
                except OSError:
                    continue
            self._first_pass = False
            self._stop.wait(0.1)

    @property
    def cpu_seconds(self) -> float:
        """User + system CPU time the provider processes used in the window (last samples)."""
        used = sum(t - self._baseline.get(pid, 0) for pid, t in self._cpu_ticks.items())
        return used / os.sysconf("SC_CLK_TCK")


class DraftsBench:
    """One organization with N notices, each with a draft and a deployment in a stack."""

    def __init__(
        self,
        cli: PulumiCLI,
        workdir: Path,
        n: int,
        deploy_seconds: float = 1.0,
        rate_limit: str = "100/15",
        client_rate_limit: str | None = None,
        program: str = "drafts",
    ) -> None:
        self.cli = cli
        self.n = n
        self.workdir = workdir
        db = str(workdir / "emulator.sqlite3")
        base = ["--credential", CREDENTIAL, "--deploy-seconds", str(deploy_seconds)]
        # Seed with the rate limit off, then serve the benchmark with it on (same database).
        seeder = EmulatorProcess([*base, "--rate-limit", "off"], db).start()
        with DidomiClient(
            KEY, SECRET, base_url=seeder.url + "/v1", organization_id=ORG, rate_limit=None
        ) as api:
            self.notices = [api.create_notice(f"Notice {i}").id for i in range(n)]
        seeder.stop()
        self.emulator = EmulatorProcess([*base, "--rate-limit", rate_limit], db).start()
        self.deployments_async = deploy_seconds > 0
        #: One-field changes published so far (each adds a deployment).
        self.changes = 0
        self.dir = workdir / program
        shutil.copytree(PROGRAMS / program, self.dir, ignore=shutil.ignore_patterns("__pycache__"))
        _name_plugins(self.dir)
        run = self.pulumi
        run("stack", "init", "bench", "--secrets-provider", "passphrase")
        for key, value in (
            ("didomi:apiKey", KEY),
            ("didomi:organizationId", ORG),
            ("didomi:apiUrl", self.emulator.url + "/v1"),
        ):
            run("config", "set", key, value)
        run("config", "set", "--secret", "didomi:apiSecret", SECRET)
        if client_rate_limit is not None:
            run("config", "set", "didomi:rateLimit", client_rate_limit)
        run("config", "set", "notices", "--", json.dumps(self.notices))

    def pulumi(self, *args: str) -> Any:
        return self.cli.run(*args, cwd=self.dir, timeout=1800)

    def measure(
        self,
        name: str,
        *args: str,
        repeats: int = 1,
        before: Callable[[int], None] | None = None,
    ) -> Scenario:
        """Run `pulumi *args` `repeats` times (`before(i)` first, if given): the most calls
        and the 429s and retries of all runs, the median wall time."""
        runs: list[Scenario] = []
        for i in range(repeats):
            if before is not None:
                before(i)
            self.emulator.reset_stats()
            started = time.monotonic()
            self.pulumi(*args)
            seconds = time.monotonic() - started
            stats = self.emulator.stats()
            calls = api_calls(stats)
            by_status = stats["by_status"]
            status_429 = int(by_status.get("429", 0))
            retries = status_429 + sum(int(v) for k, v in by_status.items() if k.startswith("5"))
            minimum = minimums(self.n, self.deployments_async, self.changes)[name]
            runs.append(
                Scenario(name, sum(calls.values()), minimum, status_429, retries, seconds, calls)
            )
        most = max(runs, key=lambda run: run.calls)
        return Scenario(
            name,
            most.calls,
            most.minimum,
            sum(run.status_429 for run in runs),
            sum(run.retries for run in runs),
            statistics.median(run.seconds for run in runs),
            most.by_route,
        )

    def first_up(self, parallel: int | None = None) -> Scenario:
        """The first `up`; `parallel`: the engine's `--parallel` (its default: 4 per CPU)."""
        args = ["up", "--yes", "--skip-preview"]
        if parallel is not None:
            args += ["--parallel", str(parallel)]
        return self.measure("first up", *args)

    def first_up_timeline(self, parallel: int | None = None) -> dict[str, Any]:
        """When, in the first `up`, the API was first called and the publications ran (s
        from the command's start), from the emulator's request timeline."""
        started = time.time()
        scenario = self.first_up(parallel)  # counts from a reset of the emulator's statistics
        requests = self.emulator.requests()
        posts = [r["at"] - started for r in requests if r["route"] == PUBLISH_ROUTE]
        polls = sum(1 for r in requests if r["route"] == POLL_ROUTE)
        rounds = math.ceil(len(posts) / MAX_PARALLEL_DEPLOYMENTS)
        return {
            "scenario": scenario,
            "first_call_s": round(requests[0]["at"] - started, 2) if requests else None,
            "first_publication_s": round(posts[0], 2) if posts else None,
            "last_publication_s": round(posts[-1], 2) if posts else None,
            # Seconds per publication in each of the 3 slots Didomi allows at once.
            "publication_round_s": (
                round((posts[-1] - posts[0]) / (rounds - 1), 3) if rounds > 1 else None
            ),
            "polls_per_publication": round(polls / len(posts), 2) if posts else None,
        }

    def after_first_up(self, repeats: int = 1) -> list[Scenario]:
        """Every scenario that follows the first `up`, in order; each but `destroy` run
        `repeats` times (its median time, its most calls)."""
        results = [self.measure("no-op preview", "preview", "--expect-no-changes", repeats=repeats)]
        results.append(self.measure("no-op up", "up", "--yes", "--skip-preview", repeats=repeats))

        def change(i: int) -> None:
            # The first notice's consent duration, 6 months <-> 3: one field of one notice.
            if i % 2 == 0:
                self.pulumi("config", "set", "changed", "0")
            else:
                self.pulumi("config", "rm", "changed")
            self.changes += 1

        results.append(
            self.measure(
                "change one field", "up", "--yes", "--skip-preview", repeats=repeats, before=change
            )
        )
        results.append(
            self.measure("refresh", "refresh", "--yes", "--skip-preview", repeats=repeats)
        )
        results.append(self.measure("destroy", "destroy", "--yes", "--skip-preview"))
        return results

    def close(self) -> None:
        self.emulator.stop()


def alternated_preview_seconds(
    cli: PulumiCLI, projects: list[Path], runs: int = 5
) -> list[list[float]]:
    """Wall times of `pulumi preview --expect-no-changes` in each project, the projects
    previewed in turn `runs` times: round i of each project is measured back to back, so that
    the machine's drift weighs on each alike."""
    times: list[list[float]] = [[] for _ in projects]
    for _ in range(runs):
        for project, measured in zip(projects, times, strict=True):
            started = time.monotonic()
            cli.run("preview", "--expect-no-changes", cwd=project, timeout=1800)
            measured.append(time.monotonic() - started)
    return times


def paired_ratio(times: list[float], baseline: list[float]) -> float:
    """The median over rounds of one round's time against the baseline's in the same round."""
    return statistics.median(t / b for t, b in zip(times, baseline, strict=True))


#: Provider plugin directories the native programs name in their `Pulumi.yaml` (started
#: through the language host's RunPlugin, both in the same way).
PLUGINS = {"didomi": PLUGIN_DIR, "nothing": REPO / "bench" / "nothing_plugin"}


def _name_plugins(project: Path) -> None:
    """Point `{didomi}`/`{nothing}` in a copied program's Pulumi.yaml at the plugin dirs."""
    manifest = project / "Pulumi.yaml"
    text = manifest.read_text()
    for name, path in PLUGINS.items():
        text = text.replace("{" + name + "}", str(path))
    manifest.write_text(text)


def trivial_stack(cli: PulumiCLI, workdir: Path, n: int, program: str = "trivial") -> Path:
    """A stack of N do-nothing resources (dynamic, or native with `trivial-native`), created."""
    project = workdir / program
    shutil.copytree(PROGRAMS / program, project, ignore=shutil.ignore_patterns("__pycache__"))
    _name_plugins(project)
    cli.run("stack", "init", "bench", "--secrets-provider", "passphrase", cwd=project)
    cli.run("config", "set", "count", str(n), cwd=project)
    cli.run("up", "--yes", "--skip-preview", cwd=project, timeout=1800)
    return project


def scale_n(cli: PulumiCLI, workdir: Path, n: int) -> dict[str, Any]:
    """N notices with Didomi's limits off (no rate limit, instant deployments), so that the
    provider's own cost shows: first `up` and a no-op preview, with the provider processes'
    CPU time and peak memory, per resource (2N resources)."""
    bench = DraftsBench(
        cli, workdir, n, deploy_seconds=0, rate_limit="off", client_rate_limit="off"
    )
    try:
        with ProviderMemory() as up_watch:
            first = bench.first_up()
        with ProviderMemory() as preview_watch:
            started = time.monotonic()
            bench.pulumi("preview", "--expect-no-changes")
            preview_seconds = time.monotonic() - started
    finally:
        bench.close()
    resources = 2 * n
    return {
        "n": n,
        "first_up_calls": first.calls,
        "first_up_minimum": 1 + math.ceil(n / 100) + 2 * n,
        "first_up_seconds": round(first.seconds, 1),
        "up_provider_cpu_ms_per_resource": round(up_watch.cpu_seconds * 1000 / resources, 2),
        "noop_preview_seconds": round(preview_seconds, 1),
        "preview_provider_cpu_ms_per_resource": round(
            preview_watch.cpu_seconds * 1000 / resources, 2
        ),
        "provider_peak_rss_mib": round(max(up_watch.peak_kib, preview_watch.peak_kib) / 1024, 1),
    }


def slow_deployments(
    cli: PulumiCLI, workdir: Path, n: int, deploy_seconds: float
) -> dict[str, Any]:
    """The first `up` of N notices whose deployments run `deploy_seconds` (Didomi's rate limit
    on): how many polls a publication needs, and how long each holds its slot."""
    bench = DraftsBench(cli, workdir, n, deploy_seconds=deploy_seconds)
    try:
        timeline = bench.first_up_timeline()
    finally:
        bench.close()
    scenario = timeline.pop("scenario")
    return {
        "n": n,
        "deploy_seconds": deploy_seconds,
        "calls": scenario.calls,
        "minimum": scenario.minimum,
        "seconds": round(scenario.seconds, 1),
        **timeline,
    }
