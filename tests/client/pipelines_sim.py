"""Many pipelines against one organization, in simulated time.

P processes, each with the client's real `RateLimiter` and `SlotGate`, publish N notices each to
one simulated Didomi organization, which answers as the emulator does: a sliding window of
`limit` requests per `window` s (refused requests not counted), 3 deployments running at once
for `deploy_seconds` each (a fourth refused with 429, `Retry-After` the whole seconds until the
first one ends, the request counted), a `RateLimit` header on every answer.

Each process runs its stack as the engine hands it over: `workers` operations at once (the
dynamic providers' host serves 4; the plugin with `pulumi up --parallel` above the resources,
all), the N drafts first (a PATCH each, told to the limiter as a draft's write), then each
deployment once its draft is written (`turnaround` s later: the program's and the engine's
time to register it, 0.8 s measured with the plugin): its turn at the slots (`SlotGate`), its
POST, then polls when the process expects it done (as `wait_for_deployment`: the longest wait
seen so far, then steps of a quarter of the time waited). Every request takes `latency` s;
the server sees it arrive at a random moment in between. A run is deterministic for its seed,
and takes milliseconds.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
from collections import deque
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field

from pulumi_didomi.client._pacing import RateLimiter, slot_share
from pulumi_didomi.client._slots import SlotGate, Turn
from pulumi_didomi.limits import MAX_PARALLEL_DEPLOYMENTS


@dataclass
class Answer:
    status: int
    rate_limit: str
    retry_after: float | None = None
    #: A poll's: the deployment is done.
    done: bool = False
    #: A 429's cause: "rate" (the request budget) or "slot" (3 deployments running).
    refusal: str = ""
    arrival: float = 0.0


Then = Callable[[float, Answer], None]


@dataclass(order=True)
class _Event:
    at: float
    seq: int
    action: Callable[[float], None] = field(compare=False)


class Organization:
    """The simulated server."""

    def __init__(self, limit: int, window: float, deploy_seconds: float) -> None:
        self.limit = limit
        self.window = window
        self.deploy_seconds = deploy_seconds
        self.arrivals: deque[float] = deque()
        #: Every request counted, when it arrived.
        self.counted: list[float] = []
        #: When each running deployment ends.
        self.running: list[float] = []
        self.most_running = 0
        self.deployments = 0
        self.rate_limited = 0
        self.slot_refused = 0

    def answer(self, at: float, kind: str, ends_at: float = 0.0) -> Answer:
        while self.arrivals and self.arrivals[0] <= at - self.window:
            self.arrivals.popleft()
        reset = math.ceil(self.arrivals[0] + self.window - at if self.arrivals else self.window)
        if len(self.arrivals) >= self.limit:
            self.rate_limited += 1
            header = f"limit={self.limit}, remaining=0, reset={reset}"
            return Answer(429, header, float(max(reset, 1)), refusal="rate", arrival=at)
        self.arrivals.append(at)
        self.counted.append(at)
        remaining = self.limit - len(self.arrivals)
        header = f"limit={self.limit}, remaining={remaining}, reset={reset}"
        if kind == "post":
            self.running = [end for end in self.running if end > at]
            if len(self.running) >= MAX_PARALLEL_DEPLOYMENTS:
                self.slot_refused += 1
                wait = float(max(1, math.ceil(min(self.running) - at)))
                return Answer(429, header, wait, refusal="slot", arrival=at)
            self.running.append(at + self.deploy_seconds)
            self.deployments += 1
            self.most_running = max(self.most_running, len(self.running))
            return Answer(201, header, arrival=at)
        return Answer(200, header, done=kind == "poll" and at >= ends_at, arrival=at)

    def most_in_a_window(self) -> int:
        """The most requests the server counted in any `window` s."""
        arrivals = sorted(self.counted)
        most, start = 0, 0
        for end, at in enumerate(arrivals):
            while arrivals[start] <= at - self.window:
                start += 1
            most = max(most, end - start + 1)
        return most


class Simulation:
    """The event loop shared by the processes and the organization."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.now = 0.0
        self._events: list[_Event] = []
        self._seq = itertools.count()

    def at(self, t: float, action: Callable[[float], None]) -> None:
        heapq.heappush(self._events, _Event(t, next(self._seq), action))

    def run(self, until: float) -> None:
        while self._events and self._events[0].at <= until:
            event = heapq.heappop(self._events)
            self.now = event.at
            event.action(event.at)


@dataclass
class Publication:
    """One NoticeDeployment's publication, as the process saw it."""

    index: int
    registered: float
    turn: Turn | None = None
    first_refused: float | None = None
    won_at: float | None = None
    done_at: float | None = None
    ends_at: float = 0.0
    failed: bool = False


class Pipeline:
    """One `pulumi up` process: its client's pacing and slot gate, its engine's workers."""

    def __init__(
        self,
        sim: Simulation,
        org: Organization,
        index: int,
        n: int,
        *,
        rate_limit: tuple[int, float],
        workers: int,
        turnaround: float,
        latency: float,
        timeout: float,
        start: float,
    ) -> None:
        self.sim = sim
        self.org = org
        self.index = index
        self.n = n
        self.latency = latency
        self.timeout = timeout
        self.workers = workers
        self.turnaround = turnaround
        self.limiter = RateLimiter(*rate_limit)
        self.gate = SlotGate(slot_share(rate_limit), rng=random.Random(sim.random.random()))
        self.gate.cap = self.limiter.slot_cap
        #: `DeploymentTiming`: the longest a deployment of this process took to be found done.
        self.expected = 1.0
        self.requests = 0
        self.publications: list[Publication] = []
        self.finished: float | None = None
        self._busy = 0
        self._ops: deque[Callable[[float], None]] = deque()
        self._left = n
        self._urgent: deque[tuple[Callable[[float], None], ExitStack]] = deque()
        self._ordinary: deque[tuple[Callable[[float], None], bool]] = deque()
        self._pump_at: float | None = None
        self._gate_at: float | None = None
        self._waiting: list[tuple[Publication, ExitStack]] = []
        sim.at(start, self._start)

    # -- the engine ---------------------------------------------------------------------------

    def _start(self, t: float) -> None:
        def listed(t: float, _: Answer) -> None:
            for i in range(self.n):
                self._ops.append(lambda t, i=i: self._write(t, i))
            self._dispatch(t)

        self._request(t, "session", False, lambda t, _: self._request(t, "list", False, listed))

    def _dispatch(self, t: float) -> None:
        while self._busy < self.workers and self._ops:
            self._busy += 1
            self._ops.popleft()(t)

    def _op_done(self, t: float) -> None:
        self._busy -= 1
        self._dispatch(t)

    def _write(self, t: float, i: int) -> None:
        def written(t: float, _: Answer) -> None:
            if self.turnaround:
                self.sim.at(t + self.turnaround, lambda t: self._registered(t, i))
            else:
                self._ops.append(lambda t: self._publish(t, i))
            self._op_done(t)

        self._request(t, "patch", False, written)

    def _registered(self, t: float, i: int) -> None:
        """The program registered draft `i`'s deployment (its draft's outputs resolved)."""
        self._ops.append(lambda t: self._publish(t, i))
        self._dispatch(t)

    # -- a publication, as `publish_notice` makes it --------------------------------------------

    def _publish(self, t: float, i: int) -> None:
        pub = Publication(i, t)
        self.publications.append(pub)
        stack = ExitStack()
        stack.enter_context(self.limiter.publication())
        pub.turn = self.gate.enter(t)
        self._try(t, pub, stack)

    def _try(self, t: float, pub: Publication, stack: ExitStack) -> None:
        assert pub.turn is not None
        wait = self.gate.try_post(pub.turn, t)
        if wait > 0:
            if t >= self.gate.deadline(pub.turn, self.timeout):
                self.gate.leave(pub.turn)
                pub.failed = True
                self._finish(t, pub, stack)
                return
            self._waiting.append((pub, stack))
            self._wake_gate(t + min(wait, 0.5))
            return

        def posted(t: float, answer: Answer) -> None:
            assert pub.turn is not None
            if answer.status == 429:  # a slot refusal: the rate limit's are retried below
                pub.first_refused = pub.first_refused if pub.first_refused is not None else t
                self.gate.refused(pub.turn, t, answer.retry_after)
                self._gate_changed(t)
                self._try(t, pub, stack)
                return
            self.gate.won(pub.turn, t)
            pub.won_at = t
            pub.ends_at = answer.arrival + self.org.deploy_seconds
            self._gate_changed(t)
            self.sim.at(t + self.expected, lambda t: self._poll(t, pub, stack, self.expected))

        self._request(t, "post", True, posted)

    def _poll(self, t: float, pub: Publication, stack: ExitStack, waited: float) -> None:
        def answered(t: float, answer: Answer) -> None:
            if not answer.done:
                step = min(max(waited * 0.25, 0.25), 5.0)
                self.sim.at(t + step, lambda t: self._poll(t, pub, stack, waited + step))
                return
            self.expected = max(self.expected, waited)
            self.limiter.deployment_seconds = waited
            self.gate.release(t)
            self._gate_changed(t)
            self._finish(t, pub, stack)

        self._request(t, "poll", True, answered, ends_at=pub.ends_at)

    def _finish(self, t: float, pub: Publication, stack: ExitStack) -> None:
        pub.done_at = t
        stack.close()
        self._left -= 1
        if self._left == 0:
            self.finished = t
        self._op_done(t)

    def _wake_gate(self, at: float) -> None:
        if self._gate_at is None or at < self._gate_at or self._gate_at <= self.sim.now:
            self._gate_at = at
            self.sim.at(at, self._gate_changed)

    def _gate_changed(self, t: float) -> None:
        waiting, self._waiting = self._waiting, []
        for pub, stack in waiting:
            self._try(t, pub, stack)

    # -- requests through the limiter, as `Sender` sends them ---------------------------------

    def _request(self, t: float, kind: str, urgent: bool, then: Then, ends_at: float = 0.0) -> None:
        def send(t: float) -> None:
            arrival = t + self.sim.random.uniform(0, self.latency)
            self.requests += 1

            def at_server(_: float) -> None:
                answer = self.org.answer(arrival, kind, ends_at)

                def answered(t: float) -> None:
                    self.limiter.release(t, draft=kind == "patch")
                    self.limiter.observe(answer.rate_limit, lambda: t)
                    if answer.refusal == "rate":  # pause every request, send this one again
                        jitter = self.sim.random.uniform(0, 0.5)
                        self.limiter.pause((answer.retry_after or 1.0) + jitter, lambda: t)
                        self._request(t, kind, urgent, then, ends_at)
                    else:
                        then(t, answer)
                    self._pump(t)

                self.sim.at(t + self.latency, answered)

            self.sim.at(arrival, at_server)

        if urgent:
            stack = ExitStack()
            stack.enter_context(self.limiter._waiting(urgent=True))
            self._urgent.append((send, stack))
        else:
            self._ordinary.append((send, kind == "patch"))
        self._pump(t)

    def _pump(self, t: float) -> None:
        waits: list[float] = []
        while self._urgent:
            wait = self.limiter.try_acquire(t, urgent=True)
            if wait > 0:
                waits.append(wait)
                break
            send, stack = self._urgent.popleft()
            stack.close()
            send(t)
        while self._ordinary:
            wait = self.limiter.try_acquire(t, draft=self._ordinary[0][1])
            if wait > 0:
                waits.append(wait)
                break
            self._ordinary.popleft()[0](t)
        if waits:
            wake = t + min(waits)
            if self._pump_at is None or wake < self._pump_at or self._pump_at <= t:
                self._pump_at = wake
                self.sim.at(wake, self._pump)


@dataclass
class Outcome:
    """What a run of many pipelines did."""

    pipelines: list[Pipeline]
    org: Organization

    @property
    def finished(self) -> list[float]:
        """When each pipeline's last publication was done (inf if one never was)."""
        return [math.inf if p.finished is None else p.finished for p in self.pipelines]

    @property
    def failed(self) -> int:
        """Publications that gave up waiting for a slot."""
        return sum(pub.failed for p in self.pipelines for pub in p.publications)

    @property
    def published(self) -> int:
        return sum(pub.won_at is not None for p in self.pipelines for pub in p.publications)

    @property
    def requests(self) -> int:
        return sum(p.requests for p in self.pipelines)

    def longest_slot_wait(self) -> float:
        """The longest a publication waited for a slot after its first refusal."""
        return max(
            (
                pub.won_at - pub.first_refused
                for p in self.pipelines
                for pub in p.publications
                if pub.first_refused is not None and pub.won_at is not None
            ),
            default=0.0,
        )


def run(
    pipelines: int,
    n: int,
    *,
    seed: int = 0,
    rate_limit: tuple[int, float] = (100, 15.0),
    server: tuple[int, float] = (100, 15.0),
    deploy_seconds: float = 1.0,
    workers: int = 4,
    turnaround: float = 0.0,
    latency: float = 0.003,
    timeout: float = 300.0,
    stagger: float = 0.5,
    until: float = 3600.0,
    together: bool = False,
) -> Outcome:
    """P pipelines of N notices, started within `stagger` s of each other, each pacing itself at
    `rate_limit`, against an organization allowing `server` requests per window. `together`:
    the pipelines share one limiter and one line for the slots, as the pipelines of one
    machine do through its broker (`didomi:coordination machine`)."""
    sim = Simulation(seed)
    org = Organization(*server, deploy_seconds)
    procs = [
        Pipeline(
            sim,
            org,
            i,
            n,
            rate_limit=rate_limit,
            workers=workers,
            turnaround=turnaround,
            latency=latency,
            timeout=timeout,
            start=sim.random.uniform(0, stagger),
        )
        for i in range(pipelines)
    ]
    if together:
        for proc in procs[1:]:
            proc.limiter, proc.gate = procs[0].limiter, procs[0].gate
    sim.run(until)
    return Outcome(procs, org)
