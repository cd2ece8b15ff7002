"""The `didomi` provider plugin: Pulumi's provider protocol over the Didomi core.

A thin shell, like the dynamic providers: wire values (camelCase, `PropertyValue`) become the
core's plain dicts (snake_case) through the descriptions of `pulumi_didomi.core.schema`, the
core's lifecycle functions run in a worker thread, and their results go back on the wire.
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
from pulumi_didomi.core import notice, notice_deployment, notice_draft, widget, widget_deployment
from pulumi_didomi.core.objects import ObjectLifecycle
from pulumi_didomi.core.schema import (
    CONFIG,
    FUNCTIONS,
    NOTICE_DEPLOYMENT,
    NOTICE_DRAFT_CONFIG,
    RESOURCES,
    to_core,
    to_wire,
)
from pulumi_didomi.core.session import SINK, client, configure_settings, remote_config_base, say
from pulumi_didomi.core.values import UNKNOWN, already_applied, has_unknown, revision_of

from .wire import (
    core_props,
    draft_state,
    input_names,
    pending,
    plain,
    plain_map,
    urn_parts,
    wire,
    wire_map,
    wire_name,
)

SCHEMA_FILE = Path(__file__).with_name("schema.json")

#: The resources whose lifecycle has the plain create/read/update/delete shape.
OBJECTS: dict[str, ObjectLifecycle] = {
    lc.resource.token: lc
    for lc in (notice.LIFECYCLE, widget.LIFECYCLE, widget_deployment.LIFECYCLE)
}
#: What gives each resource's changes (`changes(olds, news)`), by type token.
CHANGES: dict[
    str, Callable[[Mapping[str, Any], Mapping[str, Any]], tuple[list[str], list[str]]]
] = {
    NOTICE_DRAFT_CONFIG.token: notice_draft.changes,
    NOTICE_DEPLOYMENT.token: notice_deployment.changes,
    **{token: lc.changes for token, lc in OBJECTS.items()},
}


class ProviderError(Exception):
    """A failure to report to the user as its own message (already redacted)."""


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
        refuse_plain_secrets(request.args)
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
        props = core_props(described, plain_map(news))
        # Inputs the stack applied as they are were checked then (a no-op preview validates
        # nothing, and loads no validation).
        applied = already_applied(core_props(described, plain_map(request.old_inputs)), props)
        if described is NOTICE_DRAFT_CONFIG:
            problems = [] if applied else notice_draft.check_inputs(props)
            values = notice_draft.managed_values(props)
            known = not has_unknown(values)
            news["revision"] = wire(revision_of(values) if known else UNKNOWN)
        elif described is NOTICE_DEPLOYMENT:
            for name in ("notice_id", "organization_id", "revision"):
                if name in props:  # given, or taken from `draft`
                    news[wire_name(described, name)] = wire(props[name])
            if props.get("message") is None and not has_unknown(props.get("revision")):
                stack, project, name = urn_parts(request.urn)
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
            problems = [] if applied else notice_deployment.check_inputs(props)
        else:
            problems = [] if applied else OBJECTS[described.token].check_inputs(props)
        failures = [
            rpc.CheckFailure(wire_name(described, name), reason) for name, reason in problems
        ]
        return rpc.CheckResponse(inputs=news, failures=failures)

    async def diff(self, request: rpc.DiffRequest) -> rpc.DiffResponse:
        described = RESOURCES[request.type]
        olds = core_props(described, plain_map(request.old_state))
        news = core_props(described, plain_map(request.new_inputs))
        changed, replaces = CHANGES[request.type](olds, news)
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
        described = RESOURCES[request.type]
        props = core_props(described, plain_map(request.properties))
        if described is NOTICE_DRAFT_CONFIG:
            values = notice_draft.managed_values(props)
            revision = props.get("revision") or revision_of(values)
            if request.preview:
                outs = {**props, **pending(described, props), "written_revision": revision}
            else:
                outs = await self._run(
                    request.urn,
                    lambda: notice_draft.write_draft(
                        props["notice_id"], props.get("organization_id"), values, revision
                    ),
                )
                outs = {**props, **outs}
            state = draft_state(outs, values, revision)
            return rpc.CreateResponse(
                props["notice_id"], wire_map(to_wire(state, described), described)
            )
        if request.preview:
            outs = {**props, **pending(described, props)}
            return rpc.CreateResponse("", wire_map(to_wire(outs, described), described))
        if described is NOTICE_DEPLOYMENT:
            id_, outs = await self._run(request.urn, lambda: notice_deployment.created(props))
        else:
            id_, outs = await self._run(request.urn, lambda: OBJECTS[request.type].create(props))
        return rpc.CreateResponse(id_, wire_map(to_wire(outs, described), described))

    async def update(self, request: rpc.UpdateRequest) -> rpc.UpdateResponse:
        described = RESOURCES[request.type]
        olds = core_props(described, plain_map(request.olds))
        news = core_props(described, plain_map(request.news))
        if described is NOTICE_DEPLOYMENT or (
            request.preview and described is not NOTICE_DRAFT_CONFIG
        ):
            # A deployment changes only by replacement: an update keeps the state (new inputs).
            # The preview of an object's update: what Didomi computes is not known yet (a
            # `WidgetDeployment` triggered by `widget.updated_at` shows its redeployment).
            kept = {**olds, **{k: v for k, v in news.items() if k in input_names(described)}}
            if described is not NOTICE_DEPLOYMENT:
                kept.update({p.name: UNKNOWN for p in described.props if not p.input})
                kept["created_at"] = olds.get("created_at")
            return rpc.UpdateResponse(wire_map(to_wire(kept, described), described))
        if described is not NOTICE_DRAFT_CONFIG:
            id_ = request.resource_id
            outs = await self._run(
                request.urn, lambda: OBJECTS[request.type].update(id_, olds, news)
            )
            return rpc.UpdateResponse(wire_map(to_wire(outs, described), described))
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
        state = draft_state(outs, values, revision)
        return rpc.UpdateResponse(wire_map(to_wire(state, described), described))

    async def read(self, request: rpc.ReadRequest) -> rpc.ReadResponse:
        described = RESOURCES[request.type]
        props = core_props(described, plain_map(request.properties))
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
            full = draft_state({**outs, **inputs}, values, revision)
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
            lifecycle = OBJECTS[request.type]
            outs = await self._run(request.urn, lambda: lifecycle.read(id_, props))
            if outs is None:
                return rpc.ReadResponse("", {}, {})
            inputs, full = lifecycle.inputs_of(outs), outs
        return rpc.ReadResponse(
            id_,
            wire_map(to_wire(full, described), described),
            wire_map(to_wire(inputs, described), described),
        )

    async def delete(self, request: rpc.DeleteRequest) -> None:
        described = RESOURCES[request.type]
        id_ = request.resource_id
        lifecycle = OBJECTS.get(request.type)
        if lifecycle is not None:
            props = core_props(described, plain_map(request.properties))
            await self._run(request.urn, lambda: lifecycle.delete(id_, props))
            return
        what = {
            NOTICE_DRAFT_CONFIG.token: "the draft keeps its current values on Didomi "
            "(configurations cannot be deleted)",
            NOTICE_DEPLOYMENT.token: "the deployment stays in Didomi's audit log "
            "(deployments cannot be deleted)",
        }[described.token]
        await self._run(
            request.urn, lambda: say(f"{described.name} {id_}: removed from the stack only; {what}")
        )

    # -- functions ---------------------------------------------------------------------------

    async def invoke(self, request: rpc.InvokeRequest) -> rpc.InvokeResponse:
        described = FUNCTIONS.get(request.tok)
        if described is None:
            return rpc.InvokeResponse(
                failures=[rpc.CheckFailure("", f"unknown function {request.tok}")]
            )
        args = to_core(plain_map(request.args), described)
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
        values = draft.model_dump(mode="json", exclude_none=True)
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


def _diff_kind(old: bool, new: bool, replace: bool) -> rpc.PropertyDiffKind:
    kinds = rpc.PropertyDiffKind
    if not old:
        return kinds.ADD_REPLACE if replace else kinds.ADD
    if not new:
        return kinds.DELETE_REPLACE if replace else kinds.DELETE
    return kinds.UPDATE_REPLACE if replace else kinds.UPDATE
