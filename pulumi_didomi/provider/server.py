"""Serving the `didomi` provider plugin to the engine (the SDK's servicer, our error reports)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import grpc
import grpc.aio
from pulumi.provider.experimental.server import ProviderServicer
from pulumi.runtime._grpc_settings import _GRPC_CHANNEL_OPTIONS
from pulumi.runtime.proto import provider_pb2_grpc

from .protocol import DidomiPlugin, ProviderError


class _Servicer(ProviderServicer):
    """The SDK's servicer, reporting a `ProviderError` as its message alone (the SDK's own
    servicer prefixes `Unexpected <class ...>:`; the engine already names the resource)."""

    def __getattribute__(self, name: str) -> Any:
        method = super().__getattribute__(name)
        if name not in _RPCS:
            return method

        async def reported(request: Any, context: Any) -> Any:
            try:
                return await method(request, context)
            except ProviderError as exc:
                await context.abort(grpc.StatusCode.UNKNOWN, str(exc))

        return reported


#: Threads running the provider's blocking work at once (started only as calls need them).
WORKER_THREADS = 256

_RPCS = frozenset({"Check", "Diff", "Create", "Read", "Update", "Delete", "Invoke", "Configure"})


def serve(args: list[str], version: str) -> None:
    """Serve `DidomiPlugin` to the engine: print the port, then answer until stopped."""
    parser = argparse.ArgumentParser(description="the didomi Pulumi provider plugin")
    parser.add_argument("engine", help="the Pulumi engine's address")
    engine = parser.parse_known_args(args)[0].engine

    async def run() -> None:
        # The lifecycle runs in worker threads (`asyncio.to_thread`), most of them waiting on
        # the API (its rate limit, a deployment slot): enough of them that every call the
        # engine makes at once is served, so that a deployment never waits behind drafts
        # queued for the rate limit (asyncio's default is 6 threads on 2 CPUs).
        asyncio.get_running_loop().set_default_executor(
            ThreadPoolExecutor(max_workers=WORKER_THREADS, thread_name_prefix="didomi")
        )
        server = grpc.aio.server(options=_GRPC_CHANNEL_OPTIONS)
        servicer = _Servicer(args, version, DidomiPlugin(engine), engine_address=engine)
        provider_pb2_grpc.add_ResourceProviderServicer_to_server(servicer, server)
        port = server.add_insecure_port(address="127.0.0.1:0")
        await server.start()
        sys.stdout.buffer.write(f"{port}\n".encode())
        sys.stdout.buffer.flush()
        await server.wait_for_termination()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())
