"""The machine's pacing broker (`_coordination`, `_broker`), a real broker process on a Unix
socket in a private temporary directory: pipelines of one machine share one limiter and one line
for the slots; what a pipeline held is given back when it goes; without a broker, or once it is
gone, a pipeline paces itself alone."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pulumi_didomi.client import DidomiClient, _coordination
from pulumi_didomi.client._coordination import Coordinator, coordinator
from pulumi_didomi.client._pacing import RateLimiter
from pulumi_didomi.client._remote import RemoteGate, RemoteLimiter
from pulumi_didomi.client._slots import SlotGate
from pulumi_didomi.client.errors import ConfigurationError
from pulumi_didomi.core.session import Settings, parse_coordination

KEY = "org-key"


@pytest.fixture
def broker_dir(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    # A short path: a Unix socket's is limited to 107 bytes.
    directory = Path(f"/tmp/didomi-coord-test-{os.getpid()}-{time.monotonic_ns()}")
    monkeypatch.setenv("DIDOMI_COORDINATION_DIR", str(directory))
    _coordination._COORDINATORS.clear()
    yield directory
    _coordination._COORDINATORS.clear()
    for pid in _broker_pids(directory):
        os.kill(pid, signal.SIGTERM)
    for child in directory.glob("*"):
        child.unlink(missing_ok=True)
    directory.rmdir()


def _broker_pids(directory: Path) -> list[int]:
    found = subprocess.run(
        ["pgrep", "-f", f"pulumi_didomi.client._broker {directory}"],
        capture_output=True,
        text=True,
    )
    return [int(pid) for pid in found.stdout.split()]


def _pipeline(link: Coordinator, limit: tuple[int, float] = (5, 1.0)) -> RemoteLimiter:
    """One pipeline's limiter: its own connection to the broker, its own local fallback."""
    return RemoteLimiter(link, KEY, limit, RateLimiter(*limit, margin=0.0))


def _gate(limiter: RemoteLimiter) -> RemoteGate:
    return limiter.gate("org", SlotGate())


def test_the_first_pipeline_starts_the_broker_in_a_private_directory(broker_dir: Path) -> None:
    link = coordinator()
    assert link is not None and link.path.parent == broker_dir
    assert broker_dir.stat().st_mode & 0o777 == 0o700
    assert len(_broker_pids(broker_dir)) == 1
    # A second process (a new link) finds it serving and starts no other.
    assert Coordinator(link.path).start()
    time.sleep(0.3)
    assert len(_broker_pids(broker_dir)) == 1


def test_a_directory_others_may_write_is_not_used(broker_dir: Path) -> None:
    broker_dir.mkdir(mode=0o700)
    broker_dir.chmod(0o777)
    assert coordinator() is None
    assert not _broker_pids(broker_dir)


def test_two_pipelines_share_one_budget(broker_dir: Path) -> None:
    link = coordinator()
    assert link is not None
    first, second = _pipeline(Coordinator(link.path)), _pipeline(Coordinator(link.path))
    started = time.monotonic()
    for limiter in (first, second, first, second, first):
        limiter.acquire(time.monotonic, time.sleep)
        limiter.release(time.monotonic())
    assert time.monotonic() - started < 0.5  # 5 of the window's 5
    done = threading.Event()

    def sixth() -> None:
        second.acquire(time.monotonic, time.sleep)
        done.set()

    threading.Thread(target=sixth, daemon=True).start()
    assert not done.wait(0.5)  # each alone would have room: together the window is full
    assert done.wait(2.0)
    assert time.monotonic() - started >= 1.0


def test_one_line_for_the_slots(broker_dir: Path) -> None:
    link = coordinator()
    assert link is not None
    first, second = (
        _gate(_pipeline(Coordinator(link.path))),
        _gate(_pipeline(Coordinator(link.path))),
    )
    for _ in range(3):
        turn = first.enter(time.monotonic())
        assert first.wait_turn(turn, 5.0)
        first.won(turn, time.monotonic())
    assert second.held == 3  # the other pipeline's deployments, seen by this one
    waiting = second.enter(time.monotonic())
    allowed: list[bool] = []
    thread = threading.Thread(target=lambda: allowed.append(second.wait_turn(waiting, 30.0)))
    thread.start()
    time.sleep(0.5)
    assert not allowed  # no POST into a full organization
    first.release(time.monotonic())
    thread.join(5.0)
    assert allowed == [True] and waiting.posting
    second.won(waiting, time.monotonic())
    assert first.held == 3


def test_what_a_pipeline_held_is_given_back_when_it_goes(broker_dir: Path) -> None:
    link = coordinator()
    assert link is not None
    script = f"""
import sys, time
from pulumi_didomi.client._coordination import Coordinator
from pulumi_didomi.client._remote import RemoteLimiter
from pulumi_didomi.client._pacing import RateLimiter
from pulumi_didomi.client._slots import SlotGate
limiter = RemoteLimiter(Coordinator({str(link.path)!r}), {KEY!r}, (5, 1.0), RateLimiter(5, 1.0))
gate = limiter.gate("org", SlotGate())
for _ in range(3):
    turn = gate.enter(time.monotonic())
    gate.wait_turn(turn, 5.0)
    gate.won(turn, time.monotonic())
for _ in range(5):
    limiter.acquire(time.monotonic, time.sleep)
print("holding", flush=True)
time.sleep(60)
"""
    held = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert held.stdout is not None and held.stdout.readline().strip() == "holding"
    other = _pipeline(Coordinator(link.path))
    gate = _gate(other)
    assert gate.held == 3
    held.kill()  # e.g. `kill -9` of a `pulumi up`
    held.wait()
    turn = gate.enter(time.monotonic())
    assert gate.wait_turn(turn, 5.0)  # its slots are free again...
    started = time.monotonic()
    # ...and its 5 requests in flight count as answered then: they leave the window 1 s later.
    other.acquire(time.monotonic, time.sleep)
    assert time.monotonic() - started < 2.0


def test_a_pipeline_paces_itself_once_the_broker_is_gone(broker_dir: Path) -> None:
    link = coordinator()
    assert link is not None
    limiter = _pipeline(Coordinator(link.path), (3, 1.0))
    gate = _gate(limiter)
    limiter.acquire(time.monotonic, time.sleep)
    limiter.release(time.monotonic())
    for pid in _broker_pids(broker_dir):
        os.kill(pid, signal.SIGKILL)
    time.sleep(0.2)
    started = time.monotonic()
    for _ in range(4):  # the local limiter: 3 per second
        limiter.acquire(time.monotonic, time.sleep)
        limiter.release(time.monotonic())
    assert time.monotonic() - started >= 0.9
    turn = gate.enter(time.monotonic())
    assert gate.wait_turn(turn, 1.0)
    gate.won(turn, time.monotonic())
    assert gate.held == 1
    gate.release(time.monotonic())
    assert gate.held == 0


def test_the_setting() -> None:
    assert parse_coordination(None) and parse_coordination("machine")
    assert not parse_coordination("OFF")
    with pytest.raises(ConfigurationError, match=r"didomi:coordination must be 'machine'"):
        parse_coordination("cluster")
    settings = Settings.resolve({"didomi:coordination": "off"})
    assert not settings.coordinate


def test_a_share_or_coordination_off_paces_alone(broker_dir: Path) -> None:
    url, secret = "http://127.0.0.1:9/v1", "coordination-test-secret"
    assert isinstance(
        DidomiClient("k", secret, base_url=url, coordinate=True)._limiter, RemoteLimiter
    )
    off = DidomiClient("k", secret, base_url=url + "/off", coordinate=False)
    share = DidomiClient(
        "k", secret, base_url=url + "/share", rate_limit=(50, 15.0), coordinate=True
    )
    assert isinstance(off._limiter, RateLimiter) and isinstance(share._limiter, RateLimiter)


def test_an_operation_the_broker_refuses_makes_the_pipeline_pace_alone(broker_dir: Path) -> None:
    link = coordinator()
    assert link is not None
    mine = Coordinator(link.path)
    with pytest.raises(_coordination.BrokerGone):
        mine.call({"op": "no-such-operation", "key": KEY, "limit": 5, "window": 1.0})
    assert mine.gone
    limiter = _pipeline(mine)
    limiter.acquire(time.monotonic, time.sleep)  # its own limiter now
    assert limiter._local._count(time.monotonic()) == 1
