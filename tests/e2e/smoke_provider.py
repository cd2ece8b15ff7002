"""A tiny dynamic resource for the engine smoke test (importable, so pickled by reference)."""

from __future__ import annotations

import hashlib
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, Resource, ResourceProvider


class EchoProvider(ResourceProvider):
    """Stores its input and a digest of it; nothing leaves the process."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        digest = hashlib.sha256(str(props["value"]).encode()).hexdigest()[:12]
        return CreateResult(f"echo-{digest}", {"value": props["value"], "digest": digest})

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = olds.get("value") != news.get("value")
        return DiffResult(changes=changed, replaces=["value"] if changed else [])

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_, {"value": props["value"], "digest": props["digest"]})


class Echo(Resource, module="smoke", name="Echo"):
    """A resource whose output `digest` is computed by the provider."""

    value: pulumi.Output[str]
    digest: pulumi.Output[str]

    def __init__(self, name: str, value: pulumi.Input[str]) -> None:
        super().__init__(EchoProvider(), name, {"value": value, "digest": None})
