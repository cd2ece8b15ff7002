"""The `didomi` provider plugin: Pulumi's provider protocol over the core's registry.

A generic adapter that names no resource: wire values (camelCase `PropertyValue`s) become the
core's plain values (snake_case) at the door, and the core's messages speak camelCase on the way
out, each call goes to `RESOURCES[type].<method>` (or
`FUNCTIONS[token].call`) in a worker thread with a `Context` (the stack's settings, whether this
is a preview, messages logged on the resource through the engine), and the results go back on
the wire.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import grpc
from pulumi.provider.experimental import provider as rpc
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc

from pulumi_didomi.client.errors import DidomiError, redact
from pulumi_didomi.core.properties import Description, Naming
from pulumi_didomi.core.registry import FUNCTIONS, RESOURCES
from pulumi_didomi.core.resource import Context, DerivationError, Resource
from pulumi_didomi.core.schema import CONFIG, to_core, to_wire
from pulumi_didomi.core.session import Settings
from pulumi_didomi.core.values import already_applied

from .wire import camel_words, plain, plain_map, urn_parts, wire, wire_map, wire_name

SCHEMA_FILE = Path(__file__).with_name("schema.json")


class ProviderError(Exception):
    """A failure to report to the user as its own message (already redacted)."""


class DidomiPlugin(rpc.Provider):
    """The `didomi` resource provider (schema: `schema.json`, from `core.schema`)."""

    def __init__(self, engine_address: str | None = None) -> None:
        self._engine = (
            engine_pb2_grpc.EngineStub(grpc.insecure_channel(engine_address))
            if engine_address
            else None
        )
        self._settings = Settings.resolve()
        self._message_template: str | None = None

    # -- plumbing ----------------------------------------------------------------------------

    def _context(self, urn: str, preview: bool = False) -> Context:
        def log(message: str) -> None:
            if self._engine is None:
                return
            with contextlib.suppress(grpc.RpcError):  # the engine is going away
                self._engine.Log(
                    engine_pb2.LogRequest(
                        severity=engine_pb2.INFO, message=camel_words(message), urn=urn
                    )
                )

        return Context(self._settings, preview, log)

    def _warn(self, urn: str, messages: list[str]) -> None:
        """Warnings on the resource (the consent impact of a change)."""
        for message in messages:
            if self._engine is None:
                return
            with contextlib.suppress(grpc.RpcError):
                self._engine.Log(
                    engine_pb2.LogRequest(
                        severity=engine_pb2.WARNING, message=camel_words(message), urn=urn
                    )
                )

    async def _run(self, work: Callable[[], Any]) -> Any:
        """Run core code off the event loop; Didomi's errors surface as their own (redacted)
        messages."""
        try:
            return await asyncio.to_thread(work)
        except DidomiError as exc:
            raise ProviderError(camel_words(redact(str(exc)))) from None

    @staticmethod
    def _resource(token: str) -> tuple[Resource, Description]:
        resource = RESOURCES[token]
        return resource, resource.description

    @staticmethod
    def _wire(values: Mapping[str, Any], described: Description) -> dict[str, Any]:
        return wire_map(to_wire(values, described), described)

    # -- configuration -----------------------------------------------------------------------

    async def get_schema(self, request: rpc.GetSchemaRequest) -> rpc.GetSchemaResponse:
        return rpc.GetSchemaResponse(SCHEMA_FILE.read_text())

    async def configure(self, request: rpc.ConfigureRequest) -> rpc.ConfigureResponse:
        refuse_plain_secrets(request.args)
        given = {k: plain(v) for k, v in request.args.items()}
        settings: dict[str, str | None] = {}
        for prop in CONFIG:
            value = given.get(prop.wire)
            if value is None:
                value = request.variables.get(f"didomi:{prop.wire}")
            settings[f"didomi:{prop.wire}"] = value if isinstance(value, str) else None
        self._message_template = settings.pop("didomi:deploymentMessage", None)
        self._settings = Settings.resolve(settings)
        return rpc.ConfigureResponse(
            accept_secrets=True, supports_preview=True, accept_outputs=False
        )

    # -- check and diff ----------------------------------------------------------------------

    async def check(self, request: rpc.CheckRequest) -> rpc.CheckResponse:
        if request.type not in RESOURCES:
            return rpc.CheckResponse(
                failures=[rpc.CheckFailure("", f"unknown resource type {request.type}")]
            )
        resource, described = self._resource(request.type)
        news = dict(request.new_inputs)
        props = to_core(plain_map(news), described)
        stack, project, name = urn_parts(request.urn)
        try:
            derived = resource.derive(props, Naming(project, stack, name, self._message_template))
        except DerivationError as exc:  # e.g. a message template the stack's settings break
            failure = rpc.CheckFailure(wire_name(described, exc.field), camel_words(str(exc)))
            return rpc.CheckResponse(failures=[failure])
        props.update(derived)
        news.update({wire_name(described, k): wire(v) for k, v in derived.items()})
        # Inputs the stack applied as they are were checked then (a no-op preview validates
        # nothing, and loads no validation).
        olds = to_core(plain_map(request.old_inputs), described)
        applied = already_applied(olds, props, described.derived)
        problems = [] if applied else resource.check(props)
        if (
            not applied
            and not problems
            and not self._settings.missing(props.get("organization_id"))
        ):
            ctx = self._context(request.urn, preview=True)
            problems = await self._run(lambda: resource.check_remote(ctx, props, olds))
        failures = [
            rpc.CheckFailure(wire_name(described, name), camel_words(reason))
            for name, reason in problems
        ]
        return rpc.CheckResponse(inputs=news, failures=failures)

    async def diff(self, request: rpc.DiffRequest) -> rpc.DiffResponse:
        resource, described = self._resource(request.type)
        olds = to_core(plain_map(request.old_state), described)
        news = to_core(plain_map(request.new_inputs), described)
        changed, replaces = resource.diff(olds, news)
        if changed:  # what the change does to consent already collected (reads, if any, aside)
            ctx, id_ = self._context(request.urn), request.resource_id
            self._warn(request.urn, await self._run(lambda: resource.impact(ctx, id_, olds, news)))
        detailed = {}
        for name in changed:
            kind = _diff_kind(name in olds, name in news, name in replaces)
            detailed[wire_name(described, name)] = rpc.PropertyDiff(kind, input_diff=True)
        stables = [p.wire for p in described.props if p.replaces] if not replaces else []
        return rpc.DiffResponse(
            changes=bool(changed),
            replaces=[wire_name(described, n) for n in replaces],
            stables=stables,
            delete_before_replace=False,
            diffs=list(detailed),
            detailed_diff=detailed,
        )

    # -- lifecycle ---------------------------------------------------------------------------

    async def create(self, request: rpc.CreateRequest) -> rpc.CreateResponse:
        resource, described = self._resource(request.type)
        inputs = to_core(plain_map(request.properties), described)
        if request.preview:
            id_, outs = resource.preview_create(inputs)
            return rpc.CreateResponse(id_, self._wire(outs, described))
        ctx = self._context(request.urn)
        id_, outs = await self._run(lambda: resource.create(ctx, inputs))
        return rpc.CreateResponse(id_, self._wire(outs, described))

    async def update(self, request: rpc.UpdateRequest) -> rpc.UpdateResponse:
        resource, described = self._resource(request.type)
        olds = to_core(plain_map(request.olds), described)
        news = to_core(plain_map(request.news), described)
        if request.preview:
            return rpc.UpdateResponse(self._wire(resource.preview_update(olds, news), described))
        ctx = self._context(request.urn)
        id_ = request.resource_id
        outs = await self._run(lambda: resource.update(ctx, id_, olds, news))
        return rpc.UpdateResponse(self._wire(outs, described))

    async def read(self, request: rpc.ReadRequest) -> rpc.ReadResponse:
        resource, described = self._resource(request.type)
        state = to_core(plain_map(request.properties), described)
        id_, ctx = request.resource_id, self._context(request.urn)
        found = await self._run(lambda: resource.read(ctx, id_, state))
        if found is None:
            return rpc.ReadResponse("", {}, {})
        return rpc.ReadResponse(
            id_, self._wire(found.outputs, described), self._wire(found.inputs, described)
        )

    async def delete(self, request: rpc.DeleteRequest) -> None:
        resource, described = self._resource(request.type)
        state = to_core(plain_map(request.properties), described)
        id_, ctx = request.resource_id, self._context(request.urn)
        await self._run(lambda: resource.delete(ctx, id_, state))

    # -- functions ---------------------------------------------------------------------------

    async def invoke(self, request: rpc.InvokeRequest) -> rpc.InvokeResponse:
        function = FUNCTIONS.get(request.tok)
        if function is None:
            return rpc.InvokeResponse(
                failures=[rpc.CheckFailure("", f"unknown function {request.tok}")]
            )
        described = function.description
        args = to_core(plain_map(request.args), described)
        missing = [p for p in described.args if p.required and not args.get(p.name)]
        if missing:
            return rpc.InvokeResponse(
                failures=[rpc.CheckFailure(p.wire, f"required: {p.doc}") for p in missing]
            )
        ctx = self._context("")
        result = await self._run(lambda: function.call(ctx, args))
        return rpc.InvokeResponse(
            return_value={
                k: wire(v) for k, v in to_wire(result, described).items() if v is not None
            }
        )


def refuse_plain_secrets(args: Mapping[str, PropertyValue]) -> None:
    """Fail (`ProviderError`) when a secret setting (`didomi:apiSecret`) is given in plain text.

    The engine keeps the provider's inputs in the state, and sends them to `Configure` with the
    secrets of the stack config (`pulumi config set --secret`) marked as such; a plain value
    would sit in clear in the state and the stack's config file. `CheckConfig` cannot tell: the
    engine sends it no secret markers. The SDKs mark an explicit provider's `apiSecret` secret.
    """
    for prop in (p for p in CONFIG if p.secret):
        value = args.get(prop.wire)
        if value is not None and isinstance(value.value, str) and not value.is_secret:
            key, env = f"didomi:{prop.wire}", f"DIDOMI_{prop.name.upper()}"
            raise ProviderError(
                f"{key} is stored in plain text in the stack config, and so it would be in the "
                f"state. Store it encrypted: `pulumi config set --secret {key} <secret>` (or "
                f"use the {env} environment variable instead, and `pulumi config rm {key}`)"
            )


def _diff_kind(old: bool, new: bool, replace: bool) -> rpc.PropertyDiffKind:
    kinds = rpc.PropertyDiffKind
    if not old:
        return kinds.ADD_REPLACE if replace else kinds.ADD
    if not new:
        return kinds.DELETE_REPLACE if replace else kinds.DELETE
    return kinds.UPDATE_REPLACE if replace else kinds.UPDATE
