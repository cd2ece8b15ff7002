"""A native provider that does nothing (pulumi.provider.experimental, like `didomi`)."""

import sys

from pulumi.provider.experimental import provider as rpc
from pulumi.provider.experimental.server import main


class Nothing(rpc.Provider):
    """Stores its inputs; diff compares them, like a provider with no API behind it."""

    async def check(self, request: rpc.CheckRequest) -> rpc.CheckResponse:
        return rpc.CheckResponse(inputs=request.new_inputs)

    async def diff(self, request: rpc.DiffRequest) -> rpc.DiffResponse:
        changed = request.old_state.get("index") != request.new_inputs.get("index")
        return rpc.DiffResponse(changes=changed)

    async def create(self, request: rpc.CreateRequest) -> rpc.CreateResponse:
        index = request.properties["index"].value
        return rpc.CreateResponse(f"nothing-{index}", request.properties)

    async def delete(self, request: rpc.DeleteRequest) -> None:
        return None


main(sys.argv[1:], "0.0.1", Nothing())
