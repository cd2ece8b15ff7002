"""A dynamic resource that does nothing: the baseline for the provider's own overhead."""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, Resource, ResourceProvider

from bench.shaped import changed, deployment_inputs, draft_inputs, outputs_of


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


class ShapedProvider(ResourceProvider):
    """Stores its inputs and a Didomi resource's outputs; diff compares every input."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(f"{props['kind']}-{props['notice_id']}", outputs_of(props))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return DiffResult(changes=changed(olds, news))


class Shaped(Resource, module="bench", name="Shaped"):
    """A do-nothing resource of a Didomi resource's shape (`bench.shaped`)."""

    written_revision: pulumi.Output[str]
    unmanaged: pulumi.Output[dict[str, Any]]

    def __init__(
        self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions | None = None
    ) -> None:
        outputs = dict.fromkeys(outputs_of(props))  # the outputs declared, unknown until created
        super().__init__(ShapedProvider(), name, {**outputs, **props}, opts)


def shaped_pair(index: int) -> None:
    """A draft-shaped and a deployment-shaped do-nothing resource, the second taking values
    from the first's outputs (as a `NoticeDeployment` does from its draft)."""
    draft = Shaped(f"notice-{index}", draft_inputs(index))
    deployment = {
        **deployment_inputs(index),
        "draft": {  # the draft's publication: its values secret, parts from its outputs
            "notice_id": draft_inputs(index)["notice_id"],
            "revision": draft_inputs(index)["revision"],
            "managed_values": pulumi.Output.secret(draft_inputs(index)),
            "written_revision": draft.written_revision,
            "fingerprint": draft.unmanaged.apply(lambda _: "4ee43446c1ea98b1"),
            "unreviewed": draft.unmanaged.apply(lambda _: None),
        },
    }
    Shaped(f"notice-{index}-release", deployment, pulumi.ResourceOptions(depends_on=[draft]))
