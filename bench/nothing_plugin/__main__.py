"""A native provider that does nothing (pulumi.provider.experimental, like `didomi`).

`nothing:index:Nothing` stores one input; `nothing:index:Shaped` stores a Didomi resource's
inputs and outputs (`bench.shaped`), its draft-shaped resources a secret `publication` that the
deployment-shaped ones take as `draft`, like the `didomi` plugin's.
"""

import sys
from collections.abc import Mapping
from typing import Any

from pulumi.provider.experimental import provider as rpc
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.provider.experimental.server import main

from bench.shaped import changed, outputs_of

# Wire conversions of its own rather than `pulumi_didomi.provider.wire`'s: importing the
# package would add the Didomi plugin's start-up cost to the baseline it is measured against.


def _plain(value: PropertyValue) -> Any:
    inner = value.value
    if isinstance(inner, Mapping):
        return {k: _plain(v) for k, v in inner.items()}
    if isinstance(inner, tuple):
        return [_plain(v) for v in inner]
    return inner


def _wire(value: Any) -> PropertyValue:
    if isinstance(value, Mapping):
        return PropertyValue({k: _wire(v) for k, v in value.items()})
    if isinstance(value, list):
        return PropertyValue([_wire(v) for v in value])
    if isinstance(value, int) and not isinstance(value, bool):
        return PropertyValue(float(value))
    return PropertyValue(value)


def _shaped(urn: str) -> bool:
    return "::nothing:index:Shaped::" in urn


class Nothing(rpc.Provider):
    """Stores its inputs; diff compares them, like a provider with no API behind it."""

    async def check(self, request: rpc.CheckRequest) -> rpc.CheckResponse:
        return rpc.CheckResponse(inputs=request.new_inputs)

    async def diff(self, request: rpc.DiffRequest) -> rpc.DiffResponse:
        if _shaped(request.urn):
            olds = {k: _plain(v) for k, v in request.old_state.items()}
            news = {k: _plain(v) for k, v in request.new_inputs.items()}
            return rpc.DiffResponse(changes=changed(olds, news))
        changed_index = request.old_state.get("index") != request.new_inputs.get("index")
        return rpc.DiffResponse(changes=changed_index)

    async def create(self, request: rpc.CreateRequest) -> rpc.CreateResponse:
        if _shaped(request.urn):
            inputs = {k: _plain(v) for k, v in request.properties.items()}
            outputs = {k: _wire(v) for k, v in outputs_of(inputs).items()}
            if inputs["kind"] == "draft":
                outputs["publication"] = _wire(inputs).with_secret(True)
            outputs.update(request.properties)
            return rpc.CreateResponse(f"{inputs['kind']}-{inputs['notice_id']}", outputs)
        index = request.properties["index"].value
        return rpc.CreateResponse(f"nothing-{index}", request.properties)

    async def delete(self, request: rpc.DeleteRequest) -> None:
        return None


main(sys.argv[1:], "0.0.1", Nothing())
