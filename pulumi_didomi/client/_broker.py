"""The machine's pacing broker: one `RateLimiter` and one `SlotGate` per organization for every
pipeline of a user on this machine (see `_coordination`, which starts it and talks to it).

Pipelines that share a machine (Automation API fan-out, a CI runner's matrix, one stack per
website run side by side) spend one organization's budget and its 3 deployment slots. Each
process alone sees only its own requests; through the broker they are paced by one limiter and
take their turns at the slots in one line, longest waiting first, as the threads of one process
do. It is a small server on a Unix socket in a private directory: one thread per connection,
newline-delimited JSON, each request an operation of the limiter or of the gate, decided on
this machine's monotonic clock (the same in every process). What a connection holds (requests
in flight, publications under way, turns in line, slots) is given back when it closes, so a
pipeline killed mid-run leaves nothing behind. It exits once no pipeline has been connected for
`IDLE_EXIT` seconds. It knows no credentials: organizations are keyed by a digest.

Run as `python -m pulumi_didomi.client._broker SOCKET`.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import socketserver
import sys
import threading
import time
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from typing import Any

from ._pacing import RateLimiter
from ._slots import SlotGate, Turn

#: Seconds without any connected pipeline after which the broker exits.
IDLE_EXIT = 60.0

#: Seconds a starting broker waits for an exiting one to let go of the socket.
TAKEOVER = 5.0


@dataclass
class _Held:
    """What one pipeline (a process: its threads' connections) holds, given back when its last
    connection closes."""

    connections: int = 0
    in_flight: list[tuple[RateLimiter, bool]] = field(default_factory=list)
    publications: list[tuple[RateLimiter, contextlib.ExitStack]] = field(default_factory=list)
    turns: dict[int, tuple[SlotGate, Turn]] = field(default_factory=dict)
    slots: list[SlotGate] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, items: list[Any], item: Any) -> None:
        with self.lock:
            items.append(item)

    def take(self, items: list[Any], item: Any) -> bool:
        """Remove one `item` from `items` (whether there was one)."""
        with self.lock:
            if item not in items:
                return False
            items.remove(item)
            return True


class Broker:
    """The limiters and gates of the machine's pipelines, by organization key."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._limiters: dict[str, RateLimiter] = {}
        self._gates: dict[tuple[str, str], SlotGate] = {}
        self._turn_ids = count(1)
        self._pipelines: dict[str, _Held] = {}
        #: When the last pipeline left (or the broker started).
        self._idle_since = time.monotonic()

    def joined(self, pipeline: str) -> _Held:
        """A connection of `pipeline` opened: what the pipeline holds."""
        with self._lock:
            held = self._pipelines.setdefault(pipeline, _Held())
            held.connections += 1
            return held

    def left(self, pipeline: str) -> None:
        """A connection of `pipeline` closed: the last one gives back what it held."""
        with self._lock:
            held = self._pipelines[pipeline]
            held.connections -= 1
            if held.connections:
                return
            del self._pipelines[pipeline]
            if not self._pipelines:
                self._idle_since = time.monotonic()
        self.give_back(held)

    def limiter(self, key: str, limit: int, window: float) -> RateLimiter:
        """The organization's limiter (made on first use, with the first pipeline's limit)."""
        with self._lock:
            return self._limiters.setdefault(key, RateLimiter(limit, window))

    def gate(self, limiter: RateLimiter, key: str, org: str) -> SlotGate:
        """The organization's line for its deployment slots, capped as its limiter says."""
        with self._lock:
            gate = self._gates.get((key, org))
            if gate is None:
                gate = self._gates[(key, org)] = SlotGate(limiter.slots, cap=limiter.slot_cap)
            return gate

    def idle_for(self) -> float:
        """Seconds since no pipeline has been connected (0 while one is)."""
        with self._lock:
            return 0.0 if self._pipelines else time.monotonic() - self._idle_since

    def serve(self, held: _Held, message: dict[str, Any]) -> Any:
        """Carry out one operation for a connection; its result."""
        op = message["op"]
        now = time.monotonic
        key = str(message["key"])
        limiter = self.limiter(key, int(message["limit"]), float(message["window"]))
        if op == "acquire":
            draft = bool(message.get("draft"))
            limiter.acquire(now, time.sleep, urgent=bool(message.get("urgent")), draft=draft)
            held.add(held.in_flight, (limiter, draft))
            return True
        if op == "release":
            draft = bool(message.get("draft"))
            if held.take(held.in_flight, (limiter, draft)):
                limiter.release(now(), draft=draft)
            return True
        if op == "observe":
            limiter.observe(message.get("header"), now)
            return True
        if op == "pause":
            limiter.pause(float(message["seconds"]), now)
            return True
        if op == "publication":
            stack = contextlib.ExitStack()
            stack.enter_context(limiter.publication())
            held.add(held.publications, (limiter, stack))
            return True
        if op == "published":
            with held.lock:
                mine = [pair for pair in held.publications if pair[0] is limiter][:1]
            if mine and held.take(held.publications, mine[0]):
                mine[0][1].close()
            return True
        if op == "deployment_seconds":
            limiter.deployment_seconds = float(message["seconds"])
            return True
        return self._gate_op(op, held, self.gate(limiter, key, str(message["org"])), message)

    def _gate_op(self, op: str, held: _Held, gate: SlotGate, message: dict[str, Any]) -> Any:
        now = time.monotonic()
        if op == "held":
            return gate.held
        if op == "release_slot":
            if held.take(held.slots, gate):
                gate.release(now)
            return True
        if op == "enter":
            turn = gate.enter(now)
            turn_id = next(self._turn_ids)
            held.turns[turn_id] = (gate, turn)
            return {"id": turn_id, **_snapshot(turn)}
        gate, turn = held.turns[int(message["turn"])]
        if op == "wait_turn":
            allowed = gate.wait_turn(turn, float(message["timeout"]))
            if not allowed:
                held.turns.pop(int(message["turn"]), None)
            return {"allowed": allowed, **_snapshot(turn)}
        if op == "refused":
            after = message.get("retry_after")
            delay = gate.refused(turn, now, None if after is None else float(after))
            return {"delay": delay, **_snapshot(turn)}
        if op == "won":
            gate.won(turn, now)
            held.turns.pop(int(message["turn"]), None)
            held.add(held.slots, gate)
            return _snapshot(turn)
        if op == "leave":
            gate.leave(turn)
            held.turns.pop(int(message["turn"]), None)
            return True
        raise ValueError(f"unknown operation {op!r}")

    def give_back(self, held: _Held) -> None:
        """A connection closed: what it held is free again."""
        now = time.monotonic()
        for limiter, draft in held.in_flight:
            limiter.release(now, draft=draft)
        for _, stack in held.publications:
            stack.close()
        for gate, turn in held.turns.values():
            gate.leave(turn)
        for gate in held.slots:
            gate.release(now)
        held.in_flight.clear()
        held.publications.clear()
        held.turns.clear()
        held.slots.clear()


def _snapshot(turn: Turn) -> dict[str, Any]:
    """What a pipeline reads of its turn (`_coordination.RemoteTurn`)."""
    return {
        "posting": turn.posting,
        "refused_at": turn.refused_at,
        "refusals": turn.refusals,
        "retry_after": turn.retry_after,
    }


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def handle(self) -> None:
        broker = self.server.broker
        pipeline: str | None = None
        try:
            for line in self.rfile:
                try:
                    message = json.loads(line)
                    if pipeline is None:  # a connection serves one pipeline (one process)
                        pipeline = str(message["pipeline"])
                        held = broker.joined(pipeline)
                    answer: dict[str, Any] = {"ok": broker.serve(held, message)}
                except Exception as exc:  # a malformed request: say so, keep serving
                    answer = {"error": f"{type(exc).__name__}: {exc}"}
                self.wfile.write(json.dumps(answer).encode() + b"\n")
                self.wfile.flush()
        except OSError:
            pass  # the pipeline went away
        finally:
            if pipeline is not None:
                broker.left(pipeline)


class _Server(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True

    def __init__(self, path: str) -> None:
        self.broker = Broker()
        super().__init__(path, _Handler)


def answers(path: Path) -> bool:
    """Whether a broker answers on `path`."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        try:
            probe.connect(str(path))
        except OSError:
            return False
    return True


def main(argv: list[str]) -> int:
    """Serve on the socket `argv[0]` until idle; exit at once if a broker already serves."""
    path = Path(argv[0])
    lock = open(path.with_name(path.name + ".lock"), "w")  # noqa: SIM115 (held until exit)
    deadline = time.monotonic() + TAKEOVER
    while True:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if answers(path) or time.monotonic() > deadline:
                return 0  # another broker serves (or will not let go): nothing to do
            time.sleep(0.05)
    with contextlib.suppress(FileNotFoundError):
        path.unlink()  # a socket left by a broker that died
    old = os.umask(0o077)
    try:
        server = _Server(str(path))
    finally:
        os.umask(old)

    def watch() -> None:
        while server.broker.idle_for() < IDLE_EXIT:
            time.sleep(1.0)
        server.shutdown()

    threading.Thread(target=watch, daemon=True).start()
    try:
        server.serve_forever(poll_interval=0.5)
    finally:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        server.server_close()
        lock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
