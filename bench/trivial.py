"""A dynamic resource that does nothing: the baseline for the provider's own overhead."""

from __future__ import annotations

from typing import Any

from pulumi.dynamic import CreateResult, DiffResult, Resource, ResourceProvider


class NothingProvider(ResourceProvider):
    """Stores its inputs; diff compares them, like a provider with no API behind it."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(f"nothing-{props['index']}", dict(props))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return DiffResult(changes=olds.get("index") != news.get("index"))


class Nothing(Resource, module="bench", name="Nothing"):
    """One trivial resource."""

    def __init__(self, name: str, index: int) -> None:
        super().__init__(NothingProvider(), name, {"index": index})
