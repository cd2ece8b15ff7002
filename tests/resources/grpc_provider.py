"""Drive the real dynamic-provider gRPC server (`python -m pulumi.dynamic`) like the engine does."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import grpc
from google.protobuf import struct_pb2
from pulumi.dynamic import ResourceProvider
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import proto, rpc
from pulumi.runtime._serialization import _serialize
from pulumi.runtime.proto import provider_pb2_grpc

from tests.helpers import REPO

UNKNOWN = rpc.UNKNOWN


def _struct(values: dict[str, Any]) -> struct_pb2.Struct:
    s = struct_pb2.Struct()
    s.update(values)
    return s


def _plain(s: struct_pb2.Struct) -> dict[str, Any]:
    return dict(rpc.deserialize_properties(s))


class ProviderServer:
    """One `python -m pulumi.dynamic` process and a stub connected to it."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        base = {k: v for k, v in os.environ.items() if not k.startswith("DIDOMI_")}
        base.update(PULUMI_PROJECT="test", PYTHONPATH=str(REPO), **(env or {}))
        self.proc = subprocess.Popen(
            [sys.executable, "-u", "-m", "pulumi.dynamic"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=base,
        )
        assert self.proc.stdout is not None
        port = int(self.proc.stdout.readline().strip())
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        self.stub = provider_pb2_grpc.ResourceProviderStub(self.channel)

    def close(self) -> str:
        self.channel.close()
        self.proc.terminate()
        _, err = self.proc.communicate(timeout=10)
        return err

    def configure(self, config: dict[str, str]) -> None:
        self.stub.Configure(proto.ConfigureRequest(args=_struct(config)))

    @staticmethod
    def provider_string(provider: ResourceProvider) -> str:
        value, _ = _serialize(False, serialize_provider, provider)
        return value

    def check(self, urn: str, olds: dict[str, Any], news: dict[str, Any]):  # type: ignore[no-untyped-def]
        resp = self.stub.Check(proto.CheckRequest(urn=urn, olds=_struct(olds), news=_struct(news)))
        failures = [(f.property, f.reason) for f in resp.failures]
        return _plain(resp.inputs), failures

    def diff(self, urn: str, id_: str, olds: dict[str, Any], news: dict[str, Any]):  # type: ignore[no-untyped-def]
        resp = self.stub.Diff(
            proto.DiffRequest(id=id_, urn=urn, olds=_struct(olds), news=_struct(news))
        )
        return resp.changes, list(resp.replaces)

    def create(self, urn: str, props: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        resp = self.stub.Create(proto.CreateRequest(urn=urn, properties=_struct(props)))
        return resp.id, _plain(resp.properties)

    def read(self, urn: str, id_: str, props: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        resp = self.stub.Read(proto.ReadRequest(id=id_, urn=urn, properties=_struct(props)))
        return resp.id, _plain(resp.properties)

    def update(
        self, urn: str, id_: str, olds: dict[str, Any], news: dict[str, Any]
    ) -> dict[str, Any]:
        resp = self.stub.Update(
            proto.UpdateRequest(id=id_, urn=urn, olds=_struct(olds), news=_struct(news))
        )
        return _plain(resp.properties)

    def delete(self, urn: str, id_: str, props: dict[str, Any]) -> None:
        self.stub.Delete(proto.DeleteRequest(id=id_, urn=urn, properties=_struct(props)))
