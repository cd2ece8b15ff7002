"""Counters of one emulator instance, read through `/_emulator/stats` by tests and benchmarks."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from typing import Any


class Stats:
    """Request counts by `METHOD /route/template` and status, faults, deployments at once."""

    #: Requests the timeline keeps (the latest ones), so that a long-running emulator stays small.
    TIMELINE_SIZE = 100_000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Forget every count."""
        with self._lock:
            self.routes: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
            self.statuses: dict[str, int] = defaultdict(int)
            self.faults: dict[str, int] = defaultdict(int)
            self.total = 0
            self.max_running_deployments = 0
            self.timeline: deque[tuple[float, float, str, int]] = deque(maxlen=self.TIMELINE_SIZE)

    def record(self, route: str, status: int, started: float | None = None) -> None:
        """Count one answered request; `started` (`time.time()` on arrival) adds it to the
        timeline with its time in the emulator."""
        with self._lock:
            if started is not None:
                self.timeline.append((started, time.time() - started, route, status))
            self.routes[route][str(status)] += 1
            self.statuses[str(status)] += 1
            self.total += 1

    def fault(self, kind: str) -> None:
        """Count one injected fault (or one request refused by the rate limit)."""
        with self._lock:
            self.faults[kind] += 1

    def running_deployments(self, count: int) -> None:
        """Remember the highest number of notice deployments running at once."""
        with self._lock:
            self.max_running_deployments = max(self.max_running_deployments, count)

    def snapshot(self) -> dict[str, Any]:
        """A JSON-able copy of the counters."""
        with self._lock:
            return {
                "total": self.total,
                "by_status": dict(self.statuses),
                "routes": {r: dict(s) for r, s in sorted(self.routes.items())},
                "faults": dict(self.faults),
                "max_running_deployments": self.max_running_deployments,
            }

    def requests(self) -> list[dict[str, Any]]:
        """The requests since the last reset (the latest `TIMELINE_SIZE`), in arrival order:
        when each arrived (Unix time), how long the emulator took to answer it, route, status."""
        with self._lock:
            return [
                {"at": at, "seconds": round(took, 6), "route": route, "status": status}
                for at, took, route, status in sorted(self.timeline)
            ]
