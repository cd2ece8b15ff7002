"""Pipelines of one machine paced together: the client's side of the machine's broker (`_broker`).

Each `pulumi up` is a process of its own, and Didomi's limits are the organization's: 100
requests per 15 s and 3 deployments running at once. Pipelines on different machines only
learn of each other from the server's answers (`_pacing`, `_slots`); pipelines on the same
machine (the setting `didomi:coordination`, `machine` by default) share one limiter and one
line for the slots through a broker that the first of them starts, so that they spend the budget
as the threads of one process would: no reserve kept for requests they cannot see, no
deployment POST sent into a full organization by one of them, the oldest publication first.

`_remote.RemoteLimiter` and `_remote.RemoteGate` stand for `RateLimiter` and `SlotGate`; each
thread talks to the broker on a connection of its own, and what a process holds is given back
when its last connection closes. If the broker cannot be started or reached, or goes away, the
process paces itself alone, as with `didomi:coordination off`: coordination saves time, it is
never needed for correctness.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from ._broker import answers

log = logging.getLogger("pulumi_didomi.client")

#: The broker protocol's version, in the socket's name (an older broker is not spoken to).
PROTOCOL = 1

#: Seconds the broker has to answer an operation that does not wait for the budget or a slot.
ANSWER_TIMEOUT = 30.0
#: The operations that wait (for room in the window, for a turn at the slots).
WAITING_OPERATIONS = frozenset({"acquire", "wait_turn"})

#: Seconds a process waits for the broker it started to answer.
START_TIMEOUT = 5.0


class BrokerGone(Exception):
    """The broker could not be reached."""


def socket_dir() -> Path:
    """Where the broker's socket lives: `DIDOMI_COORDINATION_DIR`, else the user's runtime
    directory, else `/tmp/pulumi-didomi-<uid>`; private to the user."""
    chosen = os.environ.get("DIDOMI_COORDINATION_DIR")
    if chosen:
        return Path(chosen)
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and Path(runtime).is_dir():
        return Path(runtime) / "pulumi-didomi"
    return Path(f"/tmp/pulumi-didomi-{os.getuid()}")


def _private(directory: Path) -> bool:
    """Make `directory` (mode 0700) and check it is the user's own and no one else's."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = directory.stat()
    return info.st_uid == os.getuid() and not info.st_mode & 0o077


class Coordinator:
    """This process's link to the machine's broker (one per process: `coordinator`)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        #: This process, as the broker knows it: what it holds is given back when it is gone.
        self.pipeline = f"{os.getpid()}-{os.urandom(6).hex()}"
        self._local = threading.local()
        self._lock = threading.Lock()
        self._gone = False

    @property
    def gone(self) -> bool:
        return self._gone

    def call(self, message: dict[str, Any]) -> Any:
        """Send one operation on this thread's connection; its result. `BrokerGone` if the
        broker cannot be reached, does not answer an operation that does not wait within
        `ANSWER_TIMEOUT` s, or refuses one: from then on this process paces itself."""
        if self._gone:
            raise BrokerGone()
        try:
            stream = self._stream()
            waits = message["op"] in WAITING_OPERATIONS
            self._local.conn.settimeout(None if waits else ANSWER_TIMEOUT)
            stream.write(json.dumps({**message, "pipeline": self.pipeline}).encode() + b"\n")
            stream.flush()
            line = stream.readline()
            answer = json.loads(line) if line else {"error": "connection closed"}
        except (OSError, ValueError) as exc:
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        if "error" in answer:
            self._lose(str(answer["error"]))
            raise BrokerGone()
        return answer["ok"]

    def _stream(self) -> Any:
        stream = getattr(self._local, "stream", None)
        if stream is None:
            conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            conn.connect(str(self.path))
            stream = self._local.stream = conn.makefile("rwb")
            self._local.conn = conn
        return stream

    def _lose(self, why: str) -> None:
        if not self._gone:
            self._gone = True
            log.warning(
                "the machine's pacing broker is gone (%s); this pipeline paces itself alone now",
                why,
            )

    def start(self) -> bool:
        """Reach the broker, starting it if none serves; whether it answers."""
        if answers(self.path):
            return True
        env = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("DIDOMI_API", "PULUMI_"))  # no secrets in the broker
        }
        try:
            subprocess.Popen(
                [sys.executable, "-m", "pulumi_didomi.client._broker", str(self.path)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
                close_fds=True,
                env=env,
            )
        except OSError as exc:
            log.info("could not start the pacing broker (%s): pacing alone", exc)
            return False
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if answers(self.path):
                return True
            time.sleep(0.02)
        log.info("the pacing broker did not answer within %.0f s: pacing alone", START_TIMEOUT)
        return False


_LOCK = threading.Lock()
_COORDINATORS: dict[Path, Coordinator | None] = {}


def coordinator() -> Coordinator | None:
    """The process's link to the machine's broker, started if needed (None: pace alone)."""
    directory = socket_dir()
    path = directory / f"pacing-v{PROTOCOL}.sock"
    with _LOCK:
        if path not in _COORDINATORS:
            link: Coordinator | None = None
            try:
                if _private(directory):
                    link = Coordinator(path)
                    if not link.start():
                        link = None
                else:
                    log.info("%s is not private to this user: pacing alone", directory)
            except OSError as exc:
                log.info("no pacing broker (%s): pacing alone", exc)
            _COORDINATORS[path] = link
        return _COORDINATORS[path]
