"""`didomi-emulator`: run the local Didomi API emulator."""

from __future__ import annotations

import argparse
import asyncio
import socket
import sys
from collections.abc import Sequence

import uvicorn
from starlette.types import Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from pulumi_didomi.limits import DIDOMI_RATE_LIMIT

from .app import create_app
from .auth import Accounts
from .settings import DEMO_CREDENTIAL, Credential, EmulatorSettings, FaultSettings


class _AbortableH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, handing the app a way to drop the connection (fault injection).

    Responses go out without Nagle's delay: h11 writes a response's head and body apart, and
    the listening socket made here (proto 0) is one asyncio does not set `TCP_NODELAY` on,
    so each body waited for the client's delayed ACK: 40 ms added to every keep-alive call.
    """

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        no_delay(transport)
        super().connection_made(transport)
        inner = self.app

        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            scope.setdefault("extensions", {})["didomi.abort"] = transport.abort
            await inner(scope, receive, send)

        self.app = app


def no_delay(transport: asyncio.BaseTransport) -> None:
    """Turn Nagle's algorithm off on a TCP connection's socket."""
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _rate_limit(text: str) -> tuple[int, float] | None:
    if text.lower() == "off":
        return None
    try:
        count, seconds = text.split("/")
        parsed = int(count), float(seconds)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--rate-limit must be N/SECONDS (e.g. 100/15) or 'off', got {text!r}"
        ) from None
    if parsed[0] < 1 or parsed[1] <= 0:
        raise argparse.ArgumentTypeError("--rate-limit needs N >= 1 and SECONDS > 0")
    return parsed


def _credential(text: str) -> Credential:
    try:
        return Credential.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _probability(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"a probability must be within 0..1, got {text}")
    return value


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    p = argparse.ArgumentParser(
        prog="didomi-emulator",
        description="A local Didomi API for pulumi-didomi demos and tests. Never use real secrets.",
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8787, help="0 picks a free port")
    p.add_argument(
        "--db",
        default="didomi-emulator.sqlite3",
        help="SQLite file (kept across restarts); ':memory:' for a throwaway run",
    )
    p.add_argument(
        "--credential",
        action="append",
        type=_credential,
        default=[],
        metavar="ORG:KEY:SECRET",
        help="an API key of an organization (repeatable); default: one demo credential",
    )
    p.add_argument("--token-ttl", type=float, default=3600.0, metavar="SECONDS")
    p.add_argument("--rate-limit", type=_rate_limit, default=DIDOMI_RATE_LIMIT, metavar="N/SECONDS")
    p.add_argument("--deploy-seconds", type=float, default=1.0, metavar="S")
    p.add_argument("--fault-error-rate", type=_probability, default=0.0)
    p.add_argument("--fault-429-rate", type=_probability, default=0.0)
    p.add_argument("--fault-drop-rate", type=_probability, default=0.0)
    p.add_argument("--fault-latency-ms", type=float, default=0.0)
    p.add_argument(
        "--fault-commit-then-fail",
        action="append",
        default=[],
        metavar="'METHOD /route'",
        help="commit the write, then answer 502 (repeatable)",
    )
    p.add_argument("--seed", type=int, default=None, help="seed of the fault dice")
    p.add_argument("--log-level", default="warning")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    """Start the emulator and serve until interrupted."""
    args = parse_args(argv)
    settings = EmulatorSettings(
        db=args.db,
        credentials=args.credential or [DEMO_CREDENTIAL],
        token_ttl=args.token_ttl,
        rate_limit=args.rate_limit,
        deploy_seconds=args.deploy_seconds,
        faults=FaultSettings(
            error_rate=args.fault_error_rate,
            rate_limit_rate=args.fault_429_rate,
            drop_rate=args.fault_drop_rate,
            latency_ms=args.fault_latency_ms,
            commit_then_fail_routes=args.fault_commit_then_fail,
        ),
        seed=args.seed,
    )
    app = create_app(settings)
    sock = socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    host, port = sock.getsockname()[:2]
    shown_host = f"[{host}]" if ":" in host else host
    print(f"Didomi emulator listening on http://{shown_host}:{port}", flush=True)
    if not args.credential:
        c = DEMO_CREDENTIAL
        print(
            f"demo credential: organization {c.organization_id}, key {c.key}, secret {c.secret}",
            flush=True,
        )
    accounts: Accounts = app.state.accounts
    for org in accounts.organizations():
        print(f"organization {org}: public API key {accounts.public_api_key(org)}", flush=True)
    config = uvicorn.Config(
        app,
        http=_AbortableH11Protocol,
        log_level=args.log_level,
        access_log=args.log_level in ("debug", "info"),
        lifespan="off",
    )
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # pragma: no cover
        pass
    finally:
        app.state.store.close()
    sys.exit(0)


if __name__ == "__main__":
    main()
