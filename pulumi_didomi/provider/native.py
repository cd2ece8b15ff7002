"""The `didomi` provider plugin: Pulumi's provider protocol over the Didomi core.

A thin shell, like the dynamic providers: wire values (camelCase, `PropertyValue`) become the
core's plain dicts (snake_case) through the descriptions of `pulumi_didomi.core.schema`, the
core's lifecycle functions run in a worker thread, and their results go back on the wire.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import grpc
import grpc.aio
from pulumi.provider.experimental import provider as rpc
from pulumi.provider.experimental.property_value import Computed, PropertyValue
from pulumi.provider.experimental.server import ProviderServicer
from pulumi.runtime._grpc_settings import _GRPC_CHANNEL_OPTIONS
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc, provider_pb2_grpc

from pulumi_didomi.client.errors import DidomiError, redact
from pulumi_didomi.core import notice_deployment, notice_draft, widget_deployment
from pulumi_didomi.core.schema import (
    CONFIG,
    FUNCTIONS,
    NOTICE_DEPLOYMENT,
    NOTICE_DRAFT_CONFIG,
    RESOURCES,
    WIDGET_DEPLOYMENT,
    Resource,
    to_core,
    to_wire,
)
from pulumi_didomi.core.session import SINK, client, configure_settings, remote_config_base, say
from pulumi_didomi.core.values import UNKNOWN, fingerprint, has_unknown, revision_of

SCHEMA_FILE = Path(__file__).with_name("schema.json")

#: What a NoticeDraftConfig hands to the NoticeDeployment that publishes it (`publication`).
_PUBLICATION = {
    "noticeId": "notice_id",
    "organizationId": "organization_id",
    "revision": "revision",
    "values": "draft_values",
    "writtenRevision": "written_revision",
    "fingerprint": "draft_fingerprint",
    "unreviewed": "draft_unreviewed",
}


class ProviderError(Exception):
    """A failure to report to the user as its own message (already redacted)."""


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


_RPCS = frozenset({"Check", "Diff", "Create", "Read", "Update", "Delete", "Invoke", "Configure"})


def serve(args: list[str], version: str) -> None:
    """Serve `DidomiProvider` to the engine: print the port, then answer until stopped."""
    parser = argparse.ArgumentParser(description="the didomi Pulumi provider plugin")
    parser.add_argument("engine", help="the Pulumi engine's address")
    engine = parser.parse_known_args(args)[0].engine

    async def run() -> None:
        server = grpc.aio.server(options=_GRPC_CHANNEL_OPTIONS)
        servicer = _Servicer(args, version, DidomiProvider(engine), engine_address=engine)
        provider_pb2_grpc.add_ResourceProviderServicer_to_server(servicer, server)
        port = server.add_insecure_port(address="127.0.0.1:0")
        await server.start()
        sys.stdout.buffer.write(f"{port}\n".encode())
        sys.stdout.buffer.flush()
        await server.wait_for_termination()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())


# -- wire values <-> plain values ----------------------------------------------------------------


def plain(value: PropertyValue) -> Any:
    """A wire value as plain Python (secrets unwrapped; unknown as the engine's `UNKNOWN`)."""
    inner = value.value
    if isinstance(inner, Computed):
        return UNKNOWN
    if isinstance(inner, Mapping):
        return {k: plain(v) for k, v in inner.items()}
    if isinstance(inner, tuple):
        return [plain(v) for v in inner]
    return inner


def wire(value: Any, secret: bool = False) -> PropertyValue:
    """A plain value on the wire (numbers as doubles, as the engine sends them)."""
    if isinstance(value, PropertyValue):
        return value.with_secret(True) if secret else value
    if isinstance(value, Computed):  # the SDK cannot marshal its own Computed (3.259)
        out = PropertyValue(UNKNOWN)
    elif isinstance(value, Mapping):
        out = PropertyValue({str(k): wire(v) for k, v in value.items()})
    elif isinstance(value, (list, tuple)):
        out = PropertyValue([wire(v) for v in value])
    elif isinstance(value, int) and not isinstance(value, bool):
        out = PropertyValue(float(value))
    else:
        out = PropertyValue(value)
    return out.with_secret(True) if secret else out


def _plain_map(values: Mapping[str, PropertyValue]) -> dict[str, Any]:
    return {k: plain(v) for k, v in values.items() if plain(v) is not None}


def _wire_map(values: Mapping[str, Any], described: Resource) -> dict[str, PropertyValue]:
    secret = {p.wire for p in described.props if p.secret}
    return {k: wire(v, k in secret) for k, v in values.items() if v is not None}


def _urn_parts(urn: str) -> tuple[str, str, str]:
    """Stack, project and resource name of a URN."""
    match = re.match(r"urn:pulumi:([^:]+)::([^:]+)::.*::(.*)$", urn)
    return (match.group(1), match.group(2), match.group(3)) if match else ("", "", urn)


# -- the core's view of a resource's properties -------------------------------------------------


def _core_props(described: Resource, values: Mapping[str, Any]) -> dict[str, Any]:
    """Wire properties (inputs or state) as the core's functions read them."""
    props = to_core(values, described)
    draft = props.get("draft")
    if described is NOTICE_DEPLOYMENT and draft is not None:
        for key, name in _PUBLICATION.items():
            # A draft being written in this preview: what it will publish is not known yet.
            value = draft.get(key) if isinstance(draft, Mapping) else UNKNOWN
            if value is not None and props.get(name) is None:
                props[name] = value
    return props


def _publication(outs: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """The NoticeDraftConfig's `publication` output (see `_PUBLICATION`)."""
    unmanaged = outs.get("unmanaged")
    return {
        "noticeId": outs.get("notice_id"),
        "organizationId": outs.get("organization_id"),
        "revision": outs.get("revision"),
        "values": dict(values),
        "writtenRevision": outs.get("written_revision"),
        "fingerprint": UNKNOWN if has_unknown(unmanaged) else fingerprint(unmanaged),
        "unreviewed": outs.get("unreviewed"),
    }


def _draft_state(
    outs: Mapping[str, Any], values: Mapping[str, Any], revision: str
) -> dict[str, Any]:
    state = {**outs, "revision": revision}
    state["publication"] = _publication(state, values)
    return state


# -- the provider ------------------------------------------------------------------------------


class DidomiProvider(rpc.Provider):
    """The `didomi` resource provider (schema: `schema.json`, from `core.schema`)."""

    def __init__(self, engine_address: str | None = None) -> None:
        self._engine = (
            engine_pb2_grpc.EngineStub(grpc.insecure_channel(engine_address))
            if engine_address
            else None
        )
        self._message_template: str | None = None

    # -- plumbing ----------------------------------------------------------------------------

    def _sink(self, urn: str) -> Callable[[str], None]:
        def log(message: str) -> None:
            if self._engine is None:
                return
            with contextlib.suppress(grpc.RpcError):  # the engine is going away
                self._engine.Log(
                    engine_pb2.LogRequest(severity=engine_pb2.INFO, message=message, urn=urn)
                )

        return log

    async def _run(self, urn: str, work: Callable[[], Any]) -> Any:
        """Run core code off the event loop, its messages logged on the resource; Didomi's
        errors surface as their own (redacted) messages."""

        def call() -> Any:
            SINK.set(self._sink(urn))
            return work()

        try:
            return await asyncio.to_thread(call)
        except DidomiError as exc:
            raise ProviderError(redact(str(exc))) from None

    # -- configuration -----------------------------------------------------------------------

    async def get_schema(self, request: rpc.GetSchemaRequest) -> rpc.GetSchemaResponse:
        return rpc.GetSchemaResponse(SCHEMA_FILE.read_text())

    async def configure(self, request: rpc.ConfigureRequest) -> rpc.ConfigureResponse:
        given = {k: plain(v) for k, v in request.args.items()}
        settings: dict[str, str | None] = {}
        for prop in CONFIG:
            value = given.get(prop.wire)
            if value is None:
                value = request.variables.get(f"didomi:{prop.wire}")
            settings[f"didomi:{prop.wire}"] = value if isinstance(value, str) else None
        self._message_template = settings.pop("didomi:deploymentMessage", None)
        configure_settings(settings)
        return rpc.ConfigureResponse(
            accept_secrets=True, supports_preview=True, accept_outputs=False
        )

    # -- check and diff ----------------------------------------------------------------------

    async def check(self, request: rpc.CheckRequest) -> rpc.CheckResponse:
        described = RESOURCES.get(request.type)
        if described is None:
            return rpc.CheckResponse(
                failures=[rpc.CheckFailure("", f"unknown resource type {request.type}")]
            )
        news = dict(request.new_inputs)
        props = _core_props(described, _plain_map(news))
        if described is NOTICE_DRAFT_CONFIG:
            problems = notice_draft.check_inputs(props)
            values = notice_draft.managed_values(props)
            known = not has_unknown(values)
            news["revision"] = wire(revision_of(values) if known else UNKNOWN)
        elif described is NOTICE_DEPLOYMENT:
            for name in ("notice_id", "organization_id", "revision"):
                if name in props:  # given, or taken from `draft`
                    news[_wire_name(described, name)] = wire(props[name])
            if props.get("message") is None and not has_unknown(props.get("revision")):
                stack, project, name = _urn_parts(request.urn)
                try:
                    news["message"] = wire(
                        notice_deployment.render_message(
                            self._message_template,
                            project,
                            stack,
                            name,
                            props.get("revision"),
                            notice_deployment.commit(),
                        )
                    )
                except DidomiError as exc:
                    return rpc.CheckResponse(failures=[rpc.CheckFailure("message", str(exc))])
            problems = notice_deployment.check_inputs(props)
        else:
            problems = widget_deployment.check_inputs(props)
        failures = [
            rpc.CheckFailure(_wire_name(described, name), reason) for name, reason in problems
        ]
        return rpc.CheckResponse(inputs=news, failures=failures)

    async def diff(self, request: rpc.DiffRequest) -> rpc.DiffResponse:
        described = RESOURCES[request.type]
        olds = _core_props(described, _plain_map(request.old_state))
        news = _core_props(described, _plain_map(request.new_inputs))
        changed, replaces = _lifecycle(described).changes(olds, news)
        detailed = {}
        for name in changed:
            kind = _diff_kind(name in olds, name in news, name in replaces)
            detailed[_wire_name(described, name)] = rpc.PropertyDiff(kind, input_diff=True)
        stables = [p.wire for p in described.props if p.replaces] if not replaces else []
        return rpc.DiffResponse(
            changes=bool(changed),
            replaces=[_wire_name(described, n) for n in replaces],
            stables=stables,
            delete_before_replace=False,
            diffs=list(detailed),
            detailed_diff=detailed,
        )

    # -- lifecycle ---------------------------------------------------------------------------

    async def create(self, request: rpc.CreateRequest) -> rpc.CreateResponse:
        described = RESOURCES[request.type]
        props = _core_props(described, _plain_map(request.properties))
        if described is NOTICE_DRAFT_CONFIG:
            values = notice_draft.managed_values(props)
            revision = props.get("revision") or revision_of(values)
            if request.preview:
                outs = {**props, **_pending(described, props), "written_revision": revision}
            else:
                outs = await self._run(
                    request.urn,
                    lambda: notice_draft.write_draft(
                        props["notice_id"], props.get("organization_id"), values, revision
                    ),
                )
                outs = {**props, **outs}
            state = _draft_state(outs, values, revision)
            return rpc.CreateResponse(
                props["notice_id"], _wire_map(to_wire(state, described), described)
            )
        if request.preview:
            outs = {**props, **_pending(described, props)}
            return rpc.CreateResponse("", _wire_map(to_wire(outs, described), described))
        if described is NOTICE_DEPLOYMENT:
            id_, outs = await self._run(request.urn, lambda: notice_deployment.created(props))
        else:
            id_, outs = await self._run(request.urn, lambda: widget_deployment.deploy(props))
        return rpc.CreateResponse(id_, _wire_map(to_wire(outs, described), described))

    async def update(self, request: rpc.UpdateRequest) -> rpc.UpdateResponse:
        described = RESOURCES[request.type]
        olds = _core_props(described, _plain_map(request.olds))
        news = _core_props(described, _plain_map(request.news))
        if described is not NOTICE_DRAFT_CONFIG:
            # Deployments change only by replacement: an update keeps the state (new inputs).
            kept = {**olds, **{k: v for k, v in news.items() if k in _input_names(described)}}
            return rpc.UpdateResponse(_wire_map(to_wire(kept, described), described))
        values = notice_draft.managed_values(news)
        revision = news.get("revision") or revision_of(values)
        if request.preview:
            # Only the managed fields change: what the stack reviewed of the rest stays known,
            # so that the deployment's preview shows the revision it will publish.
            pending = {"version": UNKNOWN, "updated_at": UNKNOWN, "written_revision": revision}
            outs = {**olds, **news, **pending}
        else:
            written = await self._run(
                request.urn,
                lambda: notice_draft.write_draft(
                    news["notice_id"],
                    news.get("organization_id"),
                    values,
                    revision,
                    previous=notice_draft.managed_values(olds),
                    reviewed=olds.get("unmanaged"),
                ),
            )
            outs = {**news, **written}
        state = _draft_state(outs, values, revision)
        return rpc.UpdateResponse(_wire_map(to_wire(state, described), described))

    async def read(self, request: rpc.ReadRequest) -> rpc.ReadResponse:
        described = RESOURCES[request.type]
        props = _core_props(described, _plain_map(request.properties))
        id_ = request.resource_id
        if described is NOTICE_DRAFT_CONFIG:
            state = {**props, "notice_id": props.get("notice_id") or id_}
            outs = await self._run(
                request.urn,
                lambda: notice_draft.read_draft(
                    state["notice_id"], state.get("organization_id"), state
                ),
            )
            if outs is None:
                return rpc.ReadResponse("", {}, {})
            values = notice_draft.managed_values(outs)
            revision = revision_of(values)
            inputs = {**notice_draft.inputs_of(outs), "revision": revision}
            inputs.pop("managed_fields", None)
            full = _draft_state({**outs, **inputs}, values, revision)
        elif described is NOTICE_DEPLOYMENT:
            imported = not props
            outs = await self._run(
                request.urn, lambda: notice_deployment.read_deployment(id_, props)
            )
            if outs is None:
                return rpc.ReadResponse("", {}, {})
            if imported:
                # Adopted by `pulumi import`: it published the values of a draft that manages
                # no field yet (what an imported NoticeDraftConfig holds).
                outs["revision"] = outs["published_revision"] = revision_of({})
                outs["message"] = outs.get("published_message")
            inputs = {k: outs.get(k) for k in ("notice_id", "revision", "message")}
            if props.get("draft") is not None:
                inputs["draft"] = props["draft"]
            for name in ("organization_id", "wait", "timeout"):
                if props.get(name) is not None:
                    inputs[name] = props[name]
            full = {**outs, **inputs}
        else:
            outs = await self._run(
                request.urn, lambda: widget_deployment.read_widget_deployment(id_, props)
            )
            if outs is None:
                return rpc.ReadResponse("", {}, {})
            inputs = {k: outs.get(k) for k in _input_names(described) if outs.get(k) is not None}
            full = outs
        return rpc.ReadResponse(
            id_,
            _wire_map(to_wire(full, described), described),
            _wire_map(to_wire(inputs, described), described),
        )

    async def delete(self, request: rpc.DeleteRequest) -> None:
        described = RESOURCES[request.type]
        what = {
            NOTICE_DRAFT_CONFIG.token: "the draft keeps its current values on Didomi "
            "(configurations cannot be deleted)",
            NOTICE_DEPLOYMENT.token: "the deployment stays in Didomi's audit log "
            "(deployments cannot be deleted)",
            WIDGET_DEPLOYMENT.token: "the deployment stays on Didomi (widget deployments "
            "cannot be deleted)",
        }[described.token]
        await self._run(
            request.urn,
            lambda: say(
                f"{described.name} {request.resource_id}: removed from the stack only; {what}"
            ),
        )

    # -- functions ---------------------------------------------------------------------------

    async def invoke(self, request: rpc.InvokeRequest) -> rpc.InvokeResponse:
        described = FUNCTIONS.get(request.tok)
        if described is None:
            return rpc.InvokeResponse(
                failures=[rpc.CheckFailure("", f"unknown function {request.tok}")]
            )
        args = to_core(_plain_map(request.args), described)
        missing = [p for p in described.args if p.required and not args.get(p.name)]
        if missing:
            return rpc.InvokeResponse(
                failures=[rpc.CheckFailure(p.wire, f"required: {p.doc}") for p in missing]
            )
        result = await self._run("", lambda: _invoke(described.name, args))
        return rpc.InvokeResponse(
            return_value={
                k: wire(v) for k, v in to_wire(result, described).items() if v is not None
            }
        )


def _invoke(name: str, args: Mapping[str, Any]) -> dict[str, Any]:
    if name == "getRemoteWidgetConfig":
        from pulumi_didomi.client.client import read_remote_widget_config

        base = args.get("api_url") or remote_config_base()
        return {
            "config": read_remote_widget_config(base, args["public_api_key"], args["widget_id"])
        }
    api, org = client(args.get("organization_id"))
    if name == "getNoticeDraft":
        draft = api.current_draft(args["notice_id"], org)
        values = json.loads(draft.model_dump_json(exclude_none=True))
        return {
            "config_id": draft.id,
            "notice_id": draft.notice_id,
            "organization_id": draft.organization_id,
            "version": draft.version,
            "updated_at": draft.updated_at,
            "values": values,
        }
    deployments = api.list_notice_deployments(args["notice_id"], org)
    return {"deployments": [d.model_dump(mode="json", exclude_none=True) for d in deployments]}


def _lifecycle(described: Resource) -> Any:
    return {
        NOTICE_DRAFT_CONFIG.token: notice_draft,
        NOTICE_DEPLOYMENT.token: notice_deployment,
        WIDGET_DEPLOYMENT.token: widget_deployment,
    }[described.token]


def _wire_name(described: Resource, name: str) -> str:
    prop = described.by_name.get(name)
    return prop.wire if prop else name


def _input_names(described: Resource) -> set[str]:
    return {p.name for p in described.inputs}


def _pending(described: Resource, props: Mapping[str, Any]) -> dict[str, Any]:
    """Computed outputs not known before Didomi answers (unknown in a preview)."""
    return {p.name: UNKNOWN for p in described.props if not p.input and p.name not in props}


def _diff_kind(old: bool, new: bool, replace: bool) -> rpc.PropertyDiffKind:
    kinds = rpc.PropertyDiffKind
    if not old:
        return kinds.ADD_REPLACE if replace else kinds.ADD
    if not new:
        return kinds.DELETE_REPLACE if replace else kinds.DELETE
    return kinds.UPDATE_REPLACE if replace else kinds.UPDATE
