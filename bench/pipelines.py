"""Many pipelines, one organization: P `pulumi up` processes at once, each its own stack of N
notices (a draft and a deployment each), against one emulator organization with Didomi's limits
on. Used by `make bench` (the concurrent-pipeline table) and by the suite
(`tests/e2e/test_many_pipelines.py`).

What it measures, from the emulator's counters and request log: the calls of all pipelines
together against the API's minimum, the 429s the server answered (rate limit and deployment
slots apart), the most deployments that ran at once, deployments per notice, and the wall
time of the slowest pipeline against the bound that the shared limits set (`bound`).
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from bench.scenarios import CREDENTIAL, KEY, ORG, PROGRAMS, SECRET, _name_plugins
from pulumi_didomi.client import DidomiClient
from pulumi_didomi.limits import DIDOMI_RATE_LIMIT, MAX_PARALLEL_DEPLOYMENTS
from tests.helpers import EmulatorProcess, PulumiCLI, api_calls

#: A publication's status once it won a slot after refusals (`publishing._SlotTurn.won`).
SLOT_WON = re.compile(r"notice \S+: deployment slot won after (\d+) s \((\d+) refusals\)")


def minimum_calls(pipelines: int, n: int) -> int:
    """The fewest calls P first `up`s of N notices each need: per pipeline 1 session,
    ceil(N/100) draft listings, and per notice a PATCH, a POST and one status poll."""
    return pipelines * (1 + math.ceil(n / 100) + 3 * n)


def bound(
    pipelines: int,
    n: int,
    deploy_seconds: float,
    rate_limit: tuple[int, float] = DIDOMI_RATE_LIMIT,
) -> float:
    """The fewest seconds, from the first request to the last, in which the organization's
    shared limits let P pipelines of N notices make their `minimum_calls` (a lower bound: no
    client, however coordinated, can do better).

    Two limits: `limit` requests per `window` s (sliding) and `MAX_PARALLEL_DEPLOYMENTS`
    deployments running at once, each `deploy_seconds` from its POST to the poll that finds it
    done. Count the windows from the first request: each of the first k holds at most `limit`
    requests, so when the calls need k + 1 of them, the last window must hold the R calls that
    the first k could not. In that window only deployments can make calls, and only so fast:
    a deployment's PATCH, POST and poll (3 calls) all come after the window opens if its POST
    does, at most `MAX_PARALLEL_DEPLOYMENTS` such deployments every `deploy_seconds`, besides
    the polls of the deployments already running when it opened (at most 3) and the sessions
    and draft listings (2 per pipeline, if one starts that late). So R calls need at least
    `ceil((R - 3 - 2P) / 9)` rounds of `deploy_seconds` after the window opens. The slots alone
    need `ceil(P N / 3)` rounds. The bound is the later of the two.
    """
    limit, window = rate_limit
    calls = minimum_calls(pipelines, n)
    full = (calls - 1) // limit  # windows filled before the last one opens
    left = calls - full * limit
    slots = MAX_PARALLEL_DEPLOYMENTS
    rounds = max(0, math.ceil((left - slots - 2 * pipelines) / (3 * slots)))
    requests = full * window + rounds * deploy_seconds
    deployments = math.ceil(pipelines * n / slots) * deploy_seconds
    return max(requests, deployments)


@dataclass
class Pipeline:
    """One stack and its `pulumi up` process."""

    index: int
    dir: Path
    notices: list[str]
    proc: subprocess.Popen[str] | None = None
    started: float = 0.0
    seconds: float = 0.0
    returncode: int | None = None
    output: str = ""


@dataclass
class PipelinesRun:
    """The outcome of one run of P concurrent pipelines."""

    pipelines: int
    n: int
    deploy_seconds: float
    calls: int
    minimum: int
    by_route: dict[str, int]
    rate_limited: int
    slot_refused: int
    max_running: int
    deployments_per_notice: dict[int, int]
    failed: list[int]
    seconds: list[float]
    first_call_s: float | None
    bound_s: float
    outputs: list[str] = field(default_factory=list, repr=False)

    @property
    def wall_s(self) -> float:
        """The slowest pipeline's wall time: all started at once."""
        return max(self.seconds)

    @property
    def longest_slot_wait(self) -> float:
        """The longest a publication waited for a deployment slot, from its first refusal, as
        its status said (`deployment slot won after N s`)."""
        return max(
            (float(m.group(1)) for out in self.outputs for m in SLOT_WON.finditer(out)),
            default=0.0,
        )

    def row(self) -> dict[str, Any]:
        return {
            "pipelines": self.pipelines,
            "notices_per_pipeline": self.n,
            "deploy_seconds": self.deploy_seconds,
            "calls": self.calls,
            "minimum": self.minimum,
            "ratio": round(self.calls / self.minimum, 3),
            "429_rate_limit": self.rate_limited,
            "429_deployment_slots": self.slot_refused,
            "max_running_deployments": self.max_running,
            "deployments_per_notice": {str(k): v for k, v in self.deployments_per_notice.items()},
            "failed_pipelines": self.failed,
            "pipeline_seconds": [round(s, 2) for s in self.seconds],
            "wall_s": round(self.wall_s, 2),
            "first_call_s": None if self.first_call_s is None else round(self.first_call_s, 2),
            "bound_s": round(self.bound_s, 2),
            "wall_over_bound": round(self.wall_s / self.bound_s, 3) if self.bound_s else None,
            "longest_slot_wait_s": self.longest_slot_wait,
            "by_route": self.by_route,
        }


class ManyPipelines:
    """One emulator organization of P x N notices, and P stacks of N notices each, every one
    a copy of `program` (`drafts`: the dynamic resources; `native-drafts`: the plugin), in a
    file backend of their own under `workdir` (so that runs in one CLI home never meet)."""

    def __init__(
        self,
        cli: PulumiCLI,
        workdir: Path,
        pipelines: int,
        n: int,
        *,
        deploy_seconds: float = 1.0,
        rate_limit: str = "100/15",
        program: str = "drafts",
        config: dict[str, str] | None = None,
        emulator_args: tuple[str, ...] = (),
    ) -> None:
        self.n = n
        self.deploy_seconds = deploy_seconds
        self.rate_limit = rate_limit
        workdir.mkdir(parents=True, exist_ok=True)
        # The stacks are named `pipeline-<i>`: a backend per organization keeps a second run
        # (another round of the suite's test, `make bench`'s runs) from meeting the first's.
        (workdir / "backend").mkdir(exist_ok=True)
        self.cli = replace(cli, backend=workdir / "backend")
        db = str(workdir / "emulator.sqlite3")
        base = ["--credential", CREDENTIAL, "--deploy-seconds", str(deploy_seconds)]
        seeder = EmulatorProcess([*base, "--rate-limit", "off"], db).start()
        try:
            with DidomiClient(
                KEY, SECRET, base_url=seeder.url + "/v1", organization_id=ORG, rate_limit=None
            ) as api:
                ids = [api.create_notice(f"Notice {i}").id for i in range(pipelines * n)]
        finally:
            seeder.stop()
        self.emulator = EmulatorProcess(
            [*base, "--rate-limit", rate_limit, *emulator_args], db
        ).start()
        self.pipelines = [
            Pipeline(index, workdir / f"pipeline-{index}", ids[index * n : (index + 1) * n])
            for index in range(pipelines)
        ]
        settings = {
            "didomi:apiKey": KEY,
            "didomi:organizationId": ORG,
            "didomi:apiUrl": self.emulator.url + "/v1",
            **(config or {}),
        }
        with ThreadPoolExecutor(pipelines) as pool:  # each stack's set-up, side by side
            list(pool.map(lambda p: self._stack(p, program, settings), self.pipelines))

    def _stack(self, pipeline: Pipeline, program: str, settings: dict[str, str]) -> None:
        """A copy of `program` and its stack, configured (2 CLI commands)."""
        shutil.copytree(
            PROGRAMS / program, pipeline.dir, ignore=shutil.ignore_patterns("__pycache__")
        )
        _name_plugins(pipeline.dir)
        run = self._runner(pipeline.dir)
        run("stack", "init", f"pipeline-{pipeline.index}", "--secrets-provider", "passphrase")
        values = {**settings, "notices": json.dumps(pipeline.notices)}
        plain = [arg for key, value in values.items() for arg in ("--plaintext", f"{key}={value}")]
        run("config", "set-all", *plain, "--secret", f"didomi:apiSecret={SECRET}")

    def _runner(self, project: Path):  # type: ignore[no-untyped-def]
        def run(*args: str) -> subprocess.CompletedProcess[str]:
            return self.cli.run(*args, cwd=project, timeout=1800)

        return run

    def up_all(self, *args: str, timeout: float = 1800) -> PipelinesRun:
        """`pulumi up` in every stack at the same moment; wait for all; what the organization
        saw."""
        self.emulator.reset_stats()
        env = self.cli.env()
        pulumi = str(self.cli.bin_dir / "pulumi")
        started = time.time()
        logs = []
        for pipeline in self.pipelines:
            log = (pipeline.dir / "up.log").open("w+")
            logs.append(log)
            pipeline.started = time.monotonic()
            pipeline.proc = subprocess.Popen(
                [pulumi, "--non-interactive", "up", "--yes", "--skip-preview", *args],
                cwd=pipeline.dir,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                text=True,
            )
        deadline = time.monotonic() + timeout
        running = list(self.pipelines)
        while running:
            for pipeline in list(running):
                assert pipeline.proc is not None
                if pipeline.proc.poll() is not None:
                    pipeline.seconds = time.monotonic() - pipeline.started
                    pipeline.returncode = pipeline.proc.returncode
                    running.remove(pipeline)
                elif time.monotonic() > deadline:
                    pipeline.proc.kill()
            time.sleep(0.02)
        for pipeline, log in zip(self.pipelines, logs, strict=True):
            log.seek(0)
            pipeline.output = log.read()
            log.close()
        return self._outcome(started)

    def _outcome(self, started: float) -> PipelinesRun:
        stats = self.emulator.stats()
        calls = api_calls(stats)
        requests = self.emulator.requests()
        # With no fault injected, a 429 is either the rate limit's (the emulator counts those)
        # or a deployment refused a slot.
        all_429 = int(stats["by_status"].get("429", 0))
        rate_limited = int(stats["faults"].get("rate_limited", 0))
        per_notice: dict[str, int] = {}
        for deployment in self.emulator.data("notice_deployments"):
            per_notice[deployment["notice_id"]] = per_notice.get(deployment["notice_id"], 0) + 1
        histogram: dict[int, int] = {}
        for pipeline in self.pipelines:
            for notice in pipeline.notices:
                count = per_notice.get(notice, 0)
                histogram[count] = histogram.get(count, 0) + 1
        total = minimum_calls(len(self.pipelines), self.n)
        limit, window = self.rate_limit.split("/")
        return PipelinesRun(
            pipelines=len(self.pipelines),
            n=self.n,
            deploy_seconds=self.deploy_seconds,
            calls=sum(calls.values()),
            minimum=total,
            by_route=calls,
            rate_limited=rate_limited,
            slot_refused=all_429 - rate_limited,
            max_running=int(stats["max_running_deployments"]),
            deployments_per_notice=dict(sorted(histogram.items())),
            failed=[p.index for p in self.pipelines if p.returncode != 0],
            seconds=[p.seconds for p in self.pipelines],
            first_call_s=(requests[0]["at"] - started) if requests else None,
            bound_s=bound(
                len(self.pipelines), self.n, self.deploy_seconds, (int(limit), float(window))
            ),
            outputs=[p.output for p in self.pipelines],
        )

    def close(self) -> None:
        self.emulator.stop()


def run_pipelines(
    cli: PulumiCLI,
    workdir: Path,
    pipelines: int,
    n: int,
    timeout: float = 1800,
    **options: Any,
) -> PipelinesRun:
    """Set up P stacks of N notices against one organization, run their first `up` at once
    (each killed after `timeout` s)."""
    many = ManyPipelines(cli, workdir, pipelines, n, **options)
    try:
        return many.up_all(timeout=timeout)
    finally:
        many.close()


def cpu_load() -> float:
    """The machine's 1-minute load average (what else was running while measuring)."""
    return os.getloadavg()[0]


#: The concurrent-pipeline scenario of `make bench`: the same notices, published by 1, 2 or 4
#: pipelines at once.
NOTICES = 160

#: How the pipelines run: the program's hosting and the arguments of `pulumi up`. The plugin
#: with `--parallel` above the resources (the engine dispatches each deployment as soon as its
#: draft is written, and the plugin serves them all at once: what "Performance" recommends for
#: large imports); the dynamic resources at the engine's default parallelism (every draft before
#: any deployment: Pulumi's dynamic-provider host serves 4 calls at once).
MODES: dict[str, tuple[str, tuple[str, ...]]] = {
    "native": ("native-drafts", ("--parallel", "1000")),
    "dynamic": ("drafts", ()),
}
MODE_NAMES = {
    "native": "plugin, `--parallel 1000`",
    "dynamic": "dynamic, default parallelism",
}


def share(pipelines: int, rate_limit: tuple[int, float] = DIDOMI_RATE_LIMIT) -> str:
    """`didomi:rateLimit` for one of P pipelines splitting the organization's budget."""
    return f"{rate_limit[0] // pipelines}/{rate_limit[1]:g}"


#: How the pipelines split the organization's limits: unsplit and paced together through the
#: machine's broker (`didomi:coordination machine`, the default); unsplit and each alone, as
#: pipelines on different machines are (`off`); each given its share (`didomi:rateLimit`).
SPLITS: dict[str, str] = {
    "machine": "100/15, coordination machine (default)",
    "alone": "100/15, coordination off (as on different machines)",
    "share": "{share}",
}


def bench_pipelines(
    cli: PulumiCLI,
    workdir: Path,
    pipelines: int,
    notices: int = NOTICES,
    split: str = "machine",
    runs: int = 1,
    mode: str = "native",
) -> dict[str, Any]:
    """`notices` notices published by `pipelines` pipelines at once (`notices / pipelines`
    each), run as `mode` says (`MODES`), splitting the limits as `split` says (`SPLITS`): the
    median of `runs` runs' wall times, each run's counts."""
    program, args = MODES[mode]
    n = notices // pipelines
    config = {
        "machine": {},
        "alone": {"didomi:coordination": "off"},
        "share": {"didomi:rateLimit": share(pipelines)},
    }[split]
    results = []
    for index in range(runs):
        many = ManyPipelines(
            cli,
            workdir / f"{pipelines}-{split}-{index}",
            pipelines,
            n,
            config=config,
            program=program,
        )
        try:
            load = cpu_load()
            run = many.up_all(*args)
        finally:
            many.close()
        if run.failed:
            raise RuntimeError(f"pipelines {run.failed} failed:\n{run.outputs[run.failed[0]]}")
        results.append({**run.row(), "load_1min": round(load, 1)})
    walls = sorted(r["wall_s"] for r in results)
    median = results[[r["wall_s"] for r in results].index(walls[len(walls) // 2])]
    return {
        "mode": mode,
        "split": split,
        "setting": SPLITS[split].format(share=share(pipelines)),
        "median": median,
        "runs": results,
    }


def pipelines_table(rows: list[dict[str, Any]]) -> str:
    """The concurrent-pipeline table of `make bench`."""
    lines = [
        "| hosting, `pulumi up` | pipelines x notices | didomi:rateLimit, coordination | calls | "
        "minimum | "
        "ratio | 429s answered (rate limit + deployment slots) | most deployments at once | "
        "longest wait for a slot (s) | first API call (s) | pipelines done at (s) | wall (s) | "
        "API time (s) | bound (s) | wall / bound | API time / bound |",
        "|---|---|---|---:|---:|---:|---|---:|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        r = row["median"]
        times = ", ".join(f"{s:.1f}" for s in sorted(r["pipeline_seconds"]))
        api = r["wall_s"] - r["first_call_s"]
        lines.append(
            f"| {MODE_NAMES[row.get('mode', 'dynamic')]} | "
            f"{r['pipelines']} x {r['notices_per_pipeline']} | {row['setting']} | "
            f"{r['calls']} | {r['minimum']} | {r['ratio']:.2f} | "
            f"{r['429_rate_limit'] + r['429_deployment_slots']} ({r['429_rate_limit']} + "
            f"{r['429_deployment_slots']}) | {r['max_running_deployments']} | "
            f"{r['longest_slot_wait_s']:.0f} | {r['first_call_s']:.1f} | {times} | "
            f"{r['wall_s']:.1f} | {api:.1f} | {r['bound_s']:.0f} | "
            f"{r['wall_over_bound']:.2f} | {api / r['bound_s']:.2f} |"
        )
    return "\n".join(lines)
