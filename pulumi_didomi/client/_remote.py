"""What a pipeline uses in place of its own `RateLimiter` and `SlotGate` when the pipelines of
its machine are paced together (`_coordination`): the same operations, decided by the machine's
broker; each falls back on the process's own limiter and gate once the broker is gone.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from ._coordination import BrokerGone, Coordinator, coordinator
from ._pacing import RateLimiter
from ._slots import Turn


class TurnLike(Protocol):
    """What a publication reads of its place in a line (`Turn`, `RemoteTurn`)."""

    posting: bool
    refusals: int
    retry_after: float

    def waited(self, now: float) -> float: ...


TurnT = TypeVar("TurnT", bound=TurnLike)


class Gate(Protocol, Generic[TurnT]):
    """A line for an organization's deployment slots (`SlotGate`, `RemoteGate`)."""

    @property
    def held(self) -> int: ...

    def enter(self, now: float) -> TurnT: ...

    def wait_turn(self, turn: TurnT, timeout: float) -> bool: ...

    def refused(self, turn: TurnT, now: float, retry_after: float | None) -> float: ...

    def won(self, turn: TurnT, now: float) -> None: ...

    def release(self, now: float) -> None: ...

    def leave(self, turn: TurnT) -> None: ...


def paced_together(
    base_url: str, api_key: str, limit: tuple[int, float], local: RateLimiter
) -> RemoteLimiter | RateLimiter:
    """The machine's limiter for these credentials, or `local` when there is no broker."""
    link = coordinator()
    if link is None:
        return local
    # The broker's name for one organization's budget: a digest, it sees no credentials.
    key = hashlib.sha256(f"{base_url}\0{api_key}".encode()).hexdigest()[:32]
    return RemoteLimiter(link, key, limit, local)


class RemoteLimiter:
    """A `RateLimiter` kept by the broker for every pipeline of the machine (the process's own
    `local` one if the broker goes away)."""

    def __init__(
        self, link: Coordinator, key: str, limit: tuple[int, float], local: RateLimiter
    ) -> None:
        self._link = link
        self._local = local
        self._base = {"key": key, "limit": limit[0], "window": limit[1]}
        self.slots = local.slots

    def _call(self, op: str, **args: Any) -> Any:
        return self._link.call({"op": op, **self._base, **args})

    def acquire(
        self,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
        urgent: bool = False,
        draft: bool = False,
    ) -> None:
        """As `RateLimiter.acquire`, decided by the broker."""
        try:
            self._call("acquire", urgent=urgent, draft=draft)
        except BrokerGone:
            self._local.acquire(clock, sleep, urgent, draft)

    def release(self, now: float, draft: bool = False) -> None:
        """As `RateLimiter.release`."""
        try:
            self._call("release", draft=draft)
        except BrokerGone:
            self._local.release(now, draft)

    def observe(self, header: str | None, clock: Callable[[], float]) -> None:
        """As `RateLimiter.observe`."""
        try:
            self._call("observe", header=header)
        except BrokerGone:
            self._local.observe(header, clock)

    def pause(self, seconds: float, clock: Callable[[], float]) -> None:
        """As `RateLimiter.pause`: every pipeline of the machine waits."""
        try:
            self._call("pause", seconds=seconds)
        except BrokerGone:
            self._local.pause(seconds, clock)

    @contextlib.contextmanager
    def publication(self) -> Iterator[None]:
        """As `RateLimiter.publication`: the machine's other requests leave it room."""
        try:
            self._call("publication")
        except BrokerGone:
            with self._local.publication():
                yield
            return
        try:
            yield
        finally:
            with contextlib.suppress(BrokerGone):
                self._call("published")

    @property
    def deployment_seconds(self) -> float:
        return self._local.deployment_seconds

    @deployment_seconds.setter
    def deployment_seconds(self, seconds: float) -> None:
        self._local.deployment_seconds = seconds
        with contextlib.suppress(BrokerGone):
            self._call("deployment_seconds", seconds=seconds)

    def slot_cap(self, now: float) -> int:
        """As `RateLimiter.slot_cap`, for the local gate (the broker's gate has its own)."""
        return self._local.slot_cap(now)

    def gate(self, org: str, local: Gate[Any]) -> RemoteGate:
        """The machine's line for the organization's deployment slots."""
        return RemoteGate(self, org, local)


@dataclass(eq=False)
class RemoteTurn:
    """A publication's place in the machine's line, as last answered (see `Turn`)."""

    id: int
    posting: bool = False
    refused_at: float | None = None
    refusals: int = 0
    retry_after: float = 0.0
    #: Its place in the process's own line once the broker went away.
    local: Turn | None = None

    def waited(self, now: float) -> float:
        """Seconds since Didomi first refused it a slot (0 if it never did)."""
        return 0.0 if self.refused_at is None else now - self.refused_at

    def update(self, snapshot: dict[str, Any]) -> None:
        self.posting = bool(snapshot["posting"])
        self.refused_at = snapshot["refused_at"]
        self.refusals = int(snapshot["refusals"])
        self.retry_after = float(snapshot["retry_after"])


class RemoteGate:
    """A `SlotGate` kept by the broker for every pipeline of the machine (the process's own
    `local` one if the broker goes away)."""

    def __init__(self, limiter: RemoteLimiter, org: str, local: Gate[Any]) -> None:
        self._limiter = limiter
        self._org = org
        self._local = local

    def _call(self, op: str, **args: Any) -> Any:
        return self._limiter._call(op, org=self._org, **args)

    def _alone(self, turn: RemoteTurn) -> Turn:
        """`turn`'s place in the process's own line (the broker went away)."""
        if turn.local is None:
            turn.local = self._local.enter(time.monotonic())
        return turn.local

    def enter(self, now: float) -> RemoteTurn:
        """As `SlotGate.enter`."""
        try:
            answer = self._call("enter")
        except BrokerGone:
            turn = RemoteTurn(0)
            self._alone(turn)
            return turn
        turn = RemoteTurn(int(answer["id"]))
        turn.update(answer)
        return turn

    def _ask(self, turn: RemoteTurn, op: str, **args: Any) -> dict[str, Any] | None:
        """`op` on `turn` in the machine's line, the turn updated from the answer; None once
        the turn is in the process's own line (the broker went away)."""
        if turn.local is not None:
            return None
        try:
            answer: dict[str, Any] = self._call(op, turn=turn.id, **args)
        except BrokerGone:
            return None
        turn.update(answer)
        return answer

    def wait_turn(self, turn: RemoteTurn, timeout: float) -> bool:
        """As `SlotGate.wait_turn`, in the machine's line."""
        answer = self._ask(turn, "wait_turn", timeout=timeout)
        if answer is not None:
            return bool(answer["allowed"])
        allowed = self._local.wait_turn(self._alone(turn), timeout)
        turn.posting = allowed
        return allowed

    def refused(self, turn: RemoteTurn, now: float, retry_after: float | None) -> float:
        """As `SlotGate.refused`."""
        answer = self._ask(turn, "refused", retry_after=retry_after)
        if answer is not None:
            return float(answer["delay"])
        if turn.local is None:  # back in the process's own line, as a refused turn rejoins it
            turn.local = Turn(now)
        delay = self._local.refused(turn.local, now, retry_after)
        turn.refusals, turn.refused_at = turn.local.refusals, turn.local.refused_at
        turn.posting = False
        return delay

    def won(self, turn: RemoteTurn, now: float) -> None:
        """As `SlotGate.won`."""
        if self._ask(turn, "won") is None:
            self._local.won(turn.local or Turn(now), now)

    def release(self, now: float) -> None:
        """As `SlotGate.release`."""
        try:
            self._call("release_slot")
        except BrokerGone:
            self._local.release(now)

    def leave(self, turn: RemoteTurn) -> None:
        """As `SlotGate.leave`."""
        if turn.local is None:
            with contextlib.suppress(BrokerGone):
                self._call("leave", turn=turn.id)
            return
        self._local.leave(turn.local)

    @property
    def held(self) -> int:
        """Deployments the machine's pipelines have running."""
        try:
            return int(self._call("held"))
        except BrokerGone:
            return self._local.held
