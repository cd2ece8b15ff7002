"""`make bench`: API calls against the minimum, 429s, wall times and memory for N notices.

Runs the real Pulumi CLI against the emulator (rate limit 100/15 on, --deploy-seconds 1),
prints a table and writes bench/results.json.
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import json
import os
import platform
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.pipelines import bench_pipelines, pipelines_table
from bench.scenarios import (
    HOSTING_PROGRAMS,
    DraftsBench,
    ProviderMemory,
    alternated_preview_seconds,
    paired_ratio,
    scale_n,
    slow_deployments,
    trivial_stack,
)
from tests.helpers import REPO, PulumiCLI, find_pulumi

#: The engine's `--parallel` of the overlapped first up: above every step a run of the bench
#: has (the engine then dispatches a deployment as soon as its draft is written).
PARALLEL = 1000


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "system": platform.platform(),
    }


@contextlib.contextmanager
def workspace(bin_dir: Path, prefix: str) -> Iterator[tuple[PulumiCLI, Path]]:
    """A temporary directory and the real CLI with its PULUMI_HOME and file backend in it."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        work = Path(tmp)
        (work / "home").mkdir()
        (work / "backend").mkdir()
        yield PulumiCLI(bin_dir, work / "home", work / "backend"), work


def bench_n(bin_dir: Path, n: int, runs: int, hosting: str = "dynamic") -> dict[str, Any]:
    program, trivial, shaped = HOSTING_PROGRAMS[hosting]
    with workspace(bin_dir, f"didomi-bench-{hosting}-{n}-") as (cli, work):
        # The baselines have as many resources as the drafts stack: N drafts + N deployments;
        # the same-shape ones as many properties, secrets and dependencies too.
        baseline = trivial_stack(cli, work, 2 * n, trivial)
        same_shape = trivial_stack(cli, work, 2 * n, shaped)
        bench = DraftsBench(cli, work, n, program=program)
        try:
            with ProviderMemory() as memory:
                timeline = bench.first_up_timeline()
            first = timeline.pop("scenario")
            drafts_times, trivial_times, shaped_times = alternated_preview_seconds(
                cli, [bench.dir, baseline, same_shape], runs
            )
            scenarios = [first, *bench.after_first_up(repeats=runs)]
        finally:
            bench.close()
    # The same first up on a fresh organization, the engine dispatching every step at once.
    with workspace(bin_dir, f"didomi-bench-{hosting}-{n}-parallel-") as (cli, work):
        again = DraftsBench(cli, work, n, program=program)
        try:
            overlapped = again.first_up_timeline(parallel=PARALLEL)
        finally:
            again.close()
        scenario = overlapped.pop("scenario")
        overlapped.update(calls=scenario.calls, seconds=round(scenario.seconds, 1))
    return {
        "n": n,
        "hosting": hosting,
        "scenarios": [s.row() for s in scenarios],
        "noop_preview_median_seconds": round(statistics.median(drafts_times), 3),
        "trivial_preview_median_seconds": round(statistics.median(trivial_times), 3),
        "overhead_ratio": round(paired_ratio(drafts_times, trivial_times), 2),
        "shaped_preview_median_seconds": round(statistics.median(shaped_times), 3),
        "shape_overhead_ratio": round(paired_ratio(drafts_times, shaped_times), 2),
        "first_up_seconds": round(first.seconds, 1),
        "first_up_timeline": timeline,
        "first_up_parallel_timeline": overlapped,
        "provider_peak_rss_mib": round(memory.peak_kib / 1024, 1),
    }


def table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| N | hosting | scenario | calls | minimum | ratio | 429s | retries | seconds |",
        "|---:|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        for s in result["scenarios"]:
            ratio = "-" if s["ratio"] is None else f"{s['ratio']:.2f}"
            lines.append(
                f"| {result['n']} | {result['hosting']} | {s['scenario']} | {s['calls']} | "
                f"{s['minimum']} | {ratio} | {s['429s']} | {s['retries']} | {s['seconds']:.1f} |"
            )
    lines += [
        "",
        "| N | hosting | no-op preview: N drafts + N deployments (median s) | 2N do-nothing "
        "resources (median s) | ratio (median of rounds) | 2N do-nothing resources of the same "
        "shape (median s) | ratio (median of rounds) | provider peak RSS (MiB) |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['n']} | {r['hosting']} | {r['noop_preview_median_seconds']:.2f} | "
            f"{r['trivial_preview_median_seconds']:.2f} | {r['overhead_ratio']:.2f} | "
            f"{r['shaped_preview_median_seconds']:.2f} | {r['shape_overhead_ratio']:.2f} | "
            f"{r['provider_peak_rss_mib']:.1f} |"
        )
    lines += [
        "",
        "| N | hosting | engine `--parallel` | first up (s) | calls | first API call (s) | "
        "first publication (s) | last publication (s) | s per publication round (3 at once) |",
        "|---:|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        for parallel, t, seconds, calls in (
            ("default (4 per CPU)", r["first_up_timeline"], r["first_up_seconds"], None),
            (
                str(PARALLEL),
                r["first_up_parallel_timeline"],
                r["first_up_parallel_timeline"]["seconds"],
                r["first_up_parallel_timeline"]["calls"],
            ),
        ):
            if calls is None:
                calls = next(s["calls"] for s in r["scenarios"] if s["scenario"] == "first up")
            lines.append(
                f"| {r['n']} | {r['hosting']} | {parallel} | {seconds:.1f} | {calls} | "
                + timeline_cells(t)
                + " |"
            )
    return "\n".join(lines)


def timeline_cells(t: dict[str, Any]) -> str:
    """First API call, first and last publication, seconds per round of 3 publications."""
    cells = [
        "-" if t[k] is None else str(t[k])
        for k in ("first_call_s", "first_publication_s", "last_publication_s")
    ]
    cells.append("-" if t["publication_round_s"] is None else f"{t['publication_round_s']:.3f}")
    return " | ".join(cells)


def scale_table(scale: list[dict[str, Any]]) -> str:
    lines = [
        "",
        "| N (limits off) | first up calls / minimum | first up (s) | provider CPU per "
        "resource, up (ms) | no-op preview (s) | provider CPU per resource, preview (ms) | "
        "provider peak RSS (MiB) |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in scale:
        lines.append(
            f"| {r['n']} | {r['first_up_calls']} / {r['first_up_minimum']} | "
            f"{r['first_up_seconds']:.1f} | {r['up_provider_cpu_ms_per_resource']:.2f} | "
            f"{r['noop_preview_seconds']:.1f} | {r['preview_provider_cpu_ms_per_resource']:.2f} | "
            f"{r['provider_peak_rss_mib']:.1f} |"
        )
    return "\n".join(lines)


def slow_table(slow: list[dict[str, Any]]) -> str:
    lines = [
        "",
        "| N | a deployment runs (s) | first up (s) | calls | minimum | ratio | polls per "
        "publication | s per publication round (3 at once) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in slow:
        lines.append(
            f"| {r['n']} | {r['deploy_seconds']} | {r['seconds']:.1f} | {r['calls']} | "
            f"{r['minimum']} | {r['calls'] / r['minimum']:.2f} | {r['polls_per_publication']} | "
            f"{r['publication_round_s']:.3f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1,10,50,200")
    parser.add_argument(
        "--scenario-hostings",
        default="dynamic,native",
        help="hostings whose scenarios run at every size (dynamic, native)",
    )
    parser.add_argument("--runs", type=int, default=5, help="previews timed per median")
    parser.add_argument("--out", default=str(REPO / "bench" / "results.json"))
    parser.add_argument(
        "--scale", default="100,1000", help="sizes run with Didomi's limits off ('' for none)"
    )
    parser.add_argument(
        "--slow", default="50", help="sizes run with deployments of 3 s ('' for none)"
    )
    parser.add_argument(
        "--pipelines",
        default="1,2,4",
        help="numbers of pipelines publishing 160 notices together, at the same moment, to one "
        "organization ('' for none)",
    )
    parser.add_argument(
        "--pipeline-runs", type=int, default=1, help="runs of each (the median is shown)"
    )
    parser.add_argument(
        "--pipeline-modes",
        default="native,dynamic",
        help="how the pipelines run (bench.pipelines.MODES): native (the plugin, `pulumi up "
        "--parallel 1000`; unsplit and shares), dynamic (the dynamic resources at the engine's "
        "default parallelism; unsplit)",
    )
    parser.add_argument(
        "--pipeline-splits",
        default="machine,alone,share",
        help="how the pipelines split the limits (bench.pipelines.SPLITS): machine (paced "
        "together through the machine's broker, the default), alone (didomi:coordination off, as "
        "on different machines), share (each its didomi:rateLimit share; the plugin only); one "
        "pipeline runs `machine` only",
    )
    args = parser.parse_args()
    bin_dir, reason = find_pulumi()
    if bin_dir is None:
        raise SystemExit(reason)
    version = subprocess.run(
        [str(bin_dir / "pulumi"), "version"], capture_output=True, text=True
    ).stdout.strip()
    # Measure what a user installs: pip compiles a wheel's modules to bytecode, while a checkout
    # is compiled at each process start where PYTHONDONTWRITEBYTECODE is set (as on the
    # project's machine: +30-45 ms per process, in the program and in the provider).
    for package in ("pulumi_didomi", "bench"):
        compileall.compile_dir(REPO / package, quiet=1)
    started = time.monotonic()
    results = []
    for n in (int(x) for x in args.sizes.split(",") if x):
        for hosting in (h for h in args.scenario_hostings.split(",") if h):
            print(f"bench: N={n} ({hosting}) ...", flush=True)
            results.append(bench_n(bin_dir, n, args.runs, hosting))
    scale = []
    for n in (int(x) for x in args.scale.split(",") if x):
        print(f"bench: scale N={n} (limits off) ...", flush=True)
        with workspace(bin_dir, f"didomi-scale-{n}-") as (cli, work):
            scale.append(scale_n(cli, work, n))
    slow = []
    for n in (int(x) for x in args.slow.split(",") if x):
        print(f"bench: N={n} (deployments of 3 s) ...", flush=True)
        with workspace(bin_dir, f"didomi-slow-{n}-") as (cli, work):
            slow.append(slow_deployments(cli, work, n, deploy_seconds=3.0))
    many = []
    for mode in (m for m in args.pipeline_modes.split(",") if m):
        for count in (int(x) for x in args.pipelines.split(",") if x):
            splits = [
                s for s in args.pipeline_splits.split(",") if s and (count > 1 or s == "machine")
            ]
            for split in splits if mode == "native" else [s for s in splits if s != "share"]:
                print(f"bench: {count} pipelines at once ({mode}, {split}) ...", flush=True)
                with workspace(bin_dir, f"didomi-pipelines-{count}-") as (cli, work):
                    runs = args.pipeline_runs
                    many.append(
                        bench_pipelines(cli, work, count, split=split, runs=runs, mode=mode)
                    )
    report = {
        "machine": machine(),
        "pulumi": version,
        "emulator": {"rate_limit": "100/15", "deploy_seconds": 1},
        "total_seconds": round(time.monotonic() - started, 1),
        "results": results,
        "scale": scale,
        "slow_deployments": slow,
        "pipelines": many,
    }
    Path(args.out).write_text(json.dumps(report, indent=2))
    if results:
        print(table(results))
    if scale:
        print(scale_table(scale))
    if slow:
        print(slow_table(slow))
    if many:
        print("\n" + pipelines_table(many))
    print(
        f"\nbench: {report['total_seconds']}s on {report['machine']['cpus']} CPUs "
        f"({report['machine']['cpu']}); written to {args.out}"
    )


if __name__ == "__main__":
    main()
