"""The emulator's operator side: its request timeline, and how its connections send."""

from __future__ import annotations

import socket
import time
from typing import Any

from pulumi_didomi.emulator.__main__ import no_delay
from tests.conftest import ORG_A
from tests.emulator.api import Api
from tests.helpers import EmulatorProcess


class _Transport:
    """What `no_delay` reads of an asyncio transport: its socket."""

    def __init__(self, sock: socket.socket | None) -> None:
        self.sock = sock

    def get_extra_info(self, name: str) -> Any:
        return self.sock if name == "socket" else None


def test_connections_send_without_nagle_delay() -> None:
    # A listening socket made like the emulator's (proto 0), on which asyncio does not turn
    # Nagle off: a response's body then waited for the client's delayed ACK (40 ms a call).
    listener = socket.socket(socket.AF_INET)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    client = socket.create_connection(listener.getsockname())
    accepted, _ = listener.accept()
    try:
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
        no_delay(_Transport(accepted))  # type: ignore[arg-type]
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
        no_delay(_Transport(None))  # type: ignore[arg-type]  # not a socket: nothing to do
    finally:
        for s in (client, accepted, listener):
            s.close()


def test_request_timeline_lists_each_request_in_arrival_order(emulator: EmulatorProcess) -> None:
    emulator.reset_stats()
    before = time.time()
    api = Api(emulator.url, ORG_A)
    notice = api.new_notice("Timeline")
    api.draft(notice["id"])
    api.http.get("/widgets/notices/nope")
    after = time.time()
    timeline = emulator.requests()
    assert [(r["route"], r["status"]) for r in timeline] == [
        ("POST /sessions", 201),
        ("POST /widgets/notices", 201),
        ("GET /widgets/notices/configs", 200),
        ("GET /widgets/notices/{notice_id}", 404),
    ]
    assert [r["at"] for r in timeline] == sorted(r["at"] for r in timeline)
    assert all(before <= r["at"] <= after and 0 <= r["seconds"] < after - before for r in timeline)
    emulator.reset_stats()
    assert emulator.requests() == []


def test_request_timeline_keeps_the_latest_requests_only() -> None:
    from pulumi_didomi.emulator.stats import Stats

    stats = Stats()
    stats.timeline = type(stats.timeline)(maxlen=3)
    for i in range(5):
        stats.record(f"GET /r{i}", 200, started=float(i))
    stats.record("GET /uncounted-in-timeline", 200)
    assert [r["route"] for r in stats.requests()] == ["GET /r2", "GET /r3", "GET /r4"]
    assert stats.snapshot()["total"] == 6
