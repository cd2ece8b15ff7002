"""Didomi's deployment slots, as one process takes its turns among an organization's pipelines.

Didomi runs at most 3 notice deployments at once per organization and refuses another with a 429
until one ends. Every process publishing to the organization competes for those 3 slots, and
none sees the others: all a process learns is when its own deployments end, and the server's
refusals (with `Retry-After`). A refused request still counts in the organization's budget of
100 requests per 15 s, so trying often is paid by every pipeline. `SlotGate` is one process's
side, per organization; its rules, each measured (`tests/client/pipelines_sim.py` plays many
pipelines against one organization in simulated time with this class; README "Many pipelines,
one organization"):

- **Waiting is not failing.** A publication refused a slot waits for as long as it takes, not
  for a number of attempts. It gives up only when its own `timeout` has passed with the line
  standing still: no slot of this process won or freed since it joined the line or since the
  last one was (`deadline`). A line that moves is never given up, however long (a stack of 200
  notices publishes its last one minutes after it asked); an organization kept full by others
  for `timeout` seconds fails the waiting publications, with nothing published.
- **One line per process, longest waiting first.** The process's publications wait in the order
  they came; a refused one keeps its place. After a refusal, one try at a time
  (`ONE_AT_A_TIME`).
- **A process that holds a slot does not try for more while the organization is contended** (it
  was refused within `CONTENDED` s): it publishes on the slots it has, reusing each as soon as
  its deployment ends (it is the first to know). Only a process that holds none tries, so that
  the organization's full slots cost one refused request per waiting process per try, not one
  per waiting publication.
- **Tries honour `Retry-After`, at most one every `MIN_RETRY` s, with jitter that shrinks with
  the wait** (back off less the longer you have waited): processes refused at the same moment do
  not come back together, and the one that has waited longest comes back first.
- **No turns.** Leaving a slot to the others from time to time (every 10 to 60 s, for 3.5 to
  6.5 s) was tried in simulation: it did not shorten the longest wait for a slot (50 to 90 s
  with 3 or 4 pipelines of 10 s deployments, with or without), since a holder does not reuse
  its slot at the very moment it ends (its poll comes a little later, and its next request may
  wait for the budget) and a waiting process's tries land there; and it cost 1 to 5% of the
  wall time.
- **A share.** A process given a share of the organization (`slots` below 3, from
  `didomi:rateLimit`: `_pacing.slot_share`) never holds more. Unsplit, while other clients
  spend the budget too, it takes no more than its part of the requests the server counts, of
  the 3 slots, rounded up (`cap`: `_pacing.RateLimiter.slot_cap`), a slot of its own left to
  the others as it ends when it holds more. Simulated with 4 pipelines of 40 notices (plugin,
  `--parallel`; 16 seeds): 24 to 27 refused deployment requests instead of 32 to 44, 2.5% less
  time.

The decisions are made on the caller's clock (`try_post`), so that they can be tested and
simulated; `wait_turn` blocks on the real one.
"""

from __future__ import annotations

import collections
import itertools
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from pulumi_didomi.limits import MAX_PARALLEL_DEPLOYMENTS

#: Seconds after a refusal during which the organization counts as contended.
CONTENDED = 10.0

#: Seconds after a refusal during which a process sends one deployment POST at a time (its own
#: freed slots excepted): trying for several slots of a full organization at once is refused
#: several times. Measured in simulation: 4 pipelines of 40 notices, 39 refused requests
#: instead of 50 (10 s), 85 s instead of 89 s.
ONE_AT_A_TIME = 60.0

#: The least seconds between two tries of a process while the organization is full.
MIN_RETRY = 3.0

#: Seconds a publication that was just refused adds at most to its retry delay, at random; it
#: shrinks as the publication's wait grows (halved after `JITTER_HALVING` seconds of waiting).
JITTER = 0.5
JITTER_HALVING = 10.0

#: Longest sleep while waiting for something another thread will announce.
NAP = 0.5


_ORDER = itertools.count()


@dataclass(eq=False)
class Turn:
    """One publication's place in the line."""

    arrived: float
    #: Its order of arrival (ties in time included).
    order: int = field(default_factory=lambda: next(_ORDER))
    #: When Didomi first refused it a slot (its wait for the organization began).
    refused_at: float | None = None
    refusals: int = 0
    #: The `Retry-After` of its last refusal, as given.
    retry_after: float = 0.0
    posting: bool = False

    def waited(self, now: float) -> float:
        """Seconds since Didomi first refused it a slot (0 if it never did)."""
        return 0.0 if self.refused_at is None else now - self.refused_at


@dataclass
class SlotGate:
    """One process's turns at one organization's deployment slots (see the module)."""

    slots: int = MAX_PARALLEL_DEPLOYMENTS
    rng: random.Random = field(default_factory=random.Random)
    #: Deployments this process has running (accepted, not yet found done).
    held: int = 0
    #: Deployment POSTs in flight.
    posting: int = 0
    #: No try before this time (the server's `Retry-After`, or a slot left to the others)...
    not_before: float = 0.0
    #: ...except for as many slots as this process's own deployments freed since.
    freed: int = 0
    #: When a publication of this process was last refused a slot.
    refused_at: float = float("-inf")
    #: When a slot of this process was last won or freed (the line moved).
    moved_at: float = float("-inf")
    line: collections.deque[Turn] = field(default_factory=collections.deque)
    #: The slots this process takes at a given time, if fewer than `slots` (see the module).
    cap: Callable[[float], int] | None = None
    _cond: threading.Condition = field(default_factory=threading.Condition, repr=False)

    # -- decisions (on the caller's clock) ----------------------------------------------------

    def enter(self, now: float) -> Turn:
        """A publication joins the end of the line."""
        with self._cond:
            turn = Turn(now)
            self.line.append(turn)
            return turn

    def try_post(self, turn: Turn, now: float) -> float:
        """0: `turn` may send its POST now (it is then counted as posting); otherwise the
        seconds to wait before asking again (`NAP` when it waits for another thread)."""
        with self._cond:
            if not self.line or self.line[0] is not turn:
                return NAP
            if self.held + self.posting >= self.slots:
                return NAP
            if self.cap is not None and self.held + self.posting >= self.cap(now):
                self.freed = 0  # a slot of ours that ended is left to the others
                return NAP
            contended = now - self.refused_at < CONTENDED
            if now - self.refused_at < ONE_AT_A_TIME and self.posting and not self.freed:
                return NAP  # one try at a time while the organization is (lately) full
            if self.freed:
                self.freed -= 1  # a slot of ours just ended: it is free
            elif contended and self.held:
                return NAP  # publish on the slots we have; no try for more
            elif now < self.not_before:
                return self.not_before - now
            self.line.popleft()
            turn.posting = True
            self.posting += 1
            return 0.0

    def won(self, turn: Turn, now: float) -> None:
        """`turn`'s POST created a deployment: it holds a slot until `release`."""
        with self._cond:
            self._done_posting(turn)
            self.held += 1
            self.moved_at = max(self.moved_at, now)
            self._cond.notify_all()

    def refused(self, turn: Turn, now: float, retry_after: float | None) -> float:
        """Didomi refused `turn` a slot (429): it goes back to its place in the line; returns
        the seconds until the line's next try."""
        with self._cond:
            self._done_posting(turn)
            after = max(retry_after if retry_after is not None else 1.0, MIN_RETRY)
            if turn.refused_at is None:
                turn.refused_at = now
            turn.refusals += 1
            turn.retry_after = retry_after or 0.0
            jitter = self.rng.uniform(0, JITTER) / (1 + turn.waited(now) / JITTER_HALVING)
            self.not_before = max(self.not_before, now + after + jitter)
            self.freed = 0
            self.refused_at = now
            self._rejoin(turn)
            self._cond.notify_all()
            return self.not_before - now

    def leave(self, turn: Turn) -> None:
        """`turn` gives up (its time ran out, or its POST failed otherwise)."""
        with self._cond:
            if turn.posting:
                self._done_posting(turn)
            elif turn in self.line:
                self.line.remove(turn)
            self._cond.notify_all()

    def release(self, now: float) -> None:
        """A deployment of this process ended (found done, failed, or no longer waited for):
        its slot is free, for this process's next publication at once."""
        with self._cond:
            self.held = max(self.held - 1, 0)
            self.moved_at = max(self.moved_at, now)
            if self.line:
                self.freed += 1
            self._cond.notify_all()

    def deadline(self, turn: Turn, timeout: float) -> float:
        """When `turn` gives up: `timeout` seconds after it joined the line or after the line
        last moved, whichever is later."""
        with self._cond:
            return max(turn.arrived, self.moved_at) + timeout

    # -- blocking ------------------------------------------------------------------------------

    def wait_turn(
        self, turn: Turn, timeout: float, clock: Callable[[], float] = time.monotonic
    ) -> bool:
        """Block until `turn` may send its POST (True), or until its `deadline` (False; it has
        then left the line)."""
        while True:
            now = clock()
            wait = self.try_post(turn, now)
            if wait <= 0:
                return True
            deadline = self.deadline(turn, timeout)
            if now >= deadline:
                self.leave(turn)
                return False
            with self._cond:
                self._cond.wait(min(wait, deadline - now, NAP))

    # -- under the lock ------------------------------------------------------------------------

    def _done_posting(self, turn: Turn) -> None:
        if turn.posting:
            turn.posting = False
            self.posting = max(self.posting - 1, 0)

    def _rejoin(self, turn: Turn) -> None:
        """Back in the line, before every publication that came after it."""
        for index, other in enumerate(self.line):
            if other.order > turn.order:
                self.line.insert(index, turn)
                return
        self.line.append(turn)


_LOCK = threading.Lock()
_GATES: dict[tuple[str, str], SlotGate] = {}


def slot_gate(
    base_url: str,
    organization_id: str,
    slots: int,
    cap: Callable[[float], int] | None = None,
) -> SlotGate:
    """The process-wide gate of one organization's deployment slots (`cap`: see `SlotGate`)."""
    with _LOCK:
        gate = _GATES.setdefault((base_url, organization_id), SlotGate(slots))
        gate.slots = min(gate.slots, slots)
        gate.cap = gate.cap or cap
        return gate
