"""The emulated Didomi routes, and the operator routes under `/_emulator`.

Behaviours documented by Didomi are reproduced as documented; where Didomi is silent the
choices listed in the README's "Emulator" section apply.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError

from pulumi_didomi.client.models import (
    WRITABLE_CONFIG_FIELDS,
    NoticeConfigFields,
    config_rule_violations,
)

from .auth import Auth, Principal
from .errors import ApiError
from .queries import Query
from .settings import FaultSettings
from .state import MAX_PARALLEL_DEPLOYMENTS, Emulator, now_iso, public_view
from .store import Doc, new_id

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


# -- request bodies ----------------------------------------------------------------------------


class SessionInput(BaseModel):
    type: str = "api-key"
    key: str
    secret: str


class NoticeInput(BaseModel):
    organization_id: str
    name: str = Field(min_length=1)
    privacy_experience_id: str | None = None
    environment: str | None = None
    external_source: str | None = None
    external_id: str | None = None
    archived_at: str | None = None


class NoticePatch(BaseModel):
    name: str | None = Field(default=None, min_length=1)
    privacy_experience_id: str | None = None
    environment: str | None = None
    external_source: str | None = None
    external_id: str | None = None
    archived_at: str | None = None


class DeploymentInput(BaseModel):
    notice_id: str
    organization_id: str
    production_config_id: str
    message: str | None = None


class WidgetInput(BaseModel):
    model_config = {"extra": "allow"}

    name: str = Field(min_length=1)
    format: str = "embeddable"
    template_id: str = "full_preference_center"
    headless: bool = False
    enabled_languages: list[str] = Field(default_factory=lambda: ["en"])
    default_language: str = "en"


class WidgetDeploymentInput(BaseModel):
    widget_id: str


def _validation_message(error: ValidationError, prefix: str = "") -> tuple[str, dict[str, str]]:
    errors: dict[str, str] = {}
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"])
        errors[prefix + where] = item["msg"]
    message = "; ".join(f"{k}: {v}" for k, v in errors.items())
    return message, errors


def _default_draft(notice: Doc) -> Doc:
    """The first draft of a new notice (values seen in Didomi's own examples)."""
    config_id = new_id()
    now = now_iso()
    return {
        "id": config_id,
        "organization_id": notice["organization_id"],
        "notice_id": notice["id"],
        "platform": "web",
        "default": False,
        "targets": [],
        "custom_json": {},
        "config": {},
        "full_atp": False,
        "text_mode": "approved",
        "text_id": None,
        "template_id": None,
        "enable_ignore_consent_before": False,
        "ignore_consent_before": None,
        "negative_action": "button",
        "disagree_button_style": "primary",
        "country": None,
        "notice_deny_applies_to_li": True,
        "preferences_deny_applies_to_li": True,
        "consent_duration": 12,
        "consent_duration_unit": "months",
        "deployed_at": None,
        "deployed_by": None,
        "deployed_by_type": None,
        "deployed_by_name": None,
        "deployed_metadata": None,
        "regulation_configurations": [
            {
                "id": new_id(),
                "regulation_id": "gdpr",
                "organization_id": notice["organization_id"],
                "notice_config_id": config_id,
                "is_default_regulation_config": True,
                "geo_locations": ["*"],
                "regulation_settings": {},
                "config": {},
                "disabled_at": None,
                "created_at": now,
                "updated_at": now,
                "version": 0,
            }
        ],
        "created_at": now,
        "updated_at": now,
        "version": 0,
    }


def _copy_as_draft(published: Doc) -> Doc:
    """The new draft created by publishing: a copy of the published config."""
    draft: Doc = json.loads(json.dumps(published))
    draft_id = new_id()
    now = now_iso()
    draft.update(
        id=draft_id,
        deployed_at=None,
        deployed_by=None,
        deployed_by_type=None,
        deployed_by_name=None,
        deployed_metadata=None,
        created_at=now,
        updated_at=now,
        version=0,
    )
    for reg in draft.get("regulation_configurations") or []:
        reg.update(
            id=new_id(), notice_config_id=draft_id, created_at=now, updated_at=now, version=0
        )
    return draft


def _merge_regulations(existing: list[Doc], patch: list[Doc], config: Doc) -> list[Doc]:
    """Items matched by `id` are updated, items without `id` are created, others kept."""
    merged = [dict(r) for r in existing]
    by_id = {r["id"]: r for r in merged}
    now = now_iso()
    for index, item in enumerate(patch):
        if item.get("id") not in by_id and not item.get("regulation_id"):
            field = f"regulation_configurations.{index}.regulation_id"
            raise ApiError(
                400,
                f"Invalid configuration: {field}: required for a new regulation configuration "
                "(items with the id of an existing one update it)",
                {field: "required"},
            )
        item = {k: v for k, v in item.items() if k not in ("organization_id", "notice_config_id")}
        item.pop("created_at", None)
        item.pop("updated_at", None)
        item.pop("version", None)
        if item.get("id") in by_id:
            target = by_id[item["id"]]
            target.update(item)
            target["updated_at"] = now
            target["version"] = int(target.get("version") or 0) + 1
        else:
            new = {
                "disabled_at": None,
                "regulation_settings": {},
                "config": {},
                "is_default_regulation_config": False,
                "geo_locations": [],
                **item,
                "id": new_id(),
                "organization_id": config["organization_id"],
                "notice_config_id": config["id"],
                "created_at": now,
                "updated_at": now,
                "version": 0,
            }
            merged.append(new)
            by_id[new["id"]] = new
    return merged


def _api_version(v: str | None) -> int:
    return 2 if (v or "").strip() == "2" else 1


def _render_config(doc: Doc, version: int) -> Doc:
    out = public_view(doc)
    if version < 2:
        out.pop("regulation_configurations", None)
    return out


def build_router(emu: Emulator) -> APIRouter:
    """All routes of the emulated API (mounted twice: with and without `/v1`)."""
    router = APIRouter()
    store = emu.store

    def allowed_orgs(who: Principal, organization_id: str | None) -> list[str]:
        if organization_id is None:
            return list(who.organizations)
        if organization_id not in who.organizations:
            raise ApiError(403, f"You do not have access to organization {organization_id}")
        return [organization_id]

    def owned(collection: str, doc_id: str, who: Principal, what: str) -> Doc:
        doc = store.get(collection, doc_id)
        if doc is None or doc["organization_id"] not in who.organizations:
            raise ApiError(404, f"No record found for id '{doc_id}'", {"type": what})
        return doc

    def created(body: Any) -> JSONResponse:
        return JSONResponse(body, status_code=201)

    # sessions

    @router.post("/sessions", status_code=201, tags=["sessions"])
    def create_session(body: SessionInput) -> dict[str, Any]:
        if body.type != "api-key":
            raise ApiError(400, "Only type 'api-key' is supported by the emulator")
        organizations = emu.login(body.key, body.secret)
        if not organizations:
            raise ApiError(400, "Invalid authentication information")
        allowed, headers = emu.limiter.check(organizations[0])  # sessions count too
        if not allowed:
            emu.stats.fault("rate_limited")
            raise ApiError(429, "Too many requests: rate limit exceeded", headers=headers)
        return {
            "access_token": emu.tokens.mint(body.key, organizations),
            "type": body.type,
            "key": body.key,
        }

    # notices

    @router.get("/widgets/notices", tags=["notices"])
    def list_notices(request: Request, who: Auth, organization_id: str | None = None) -> Any:
        orgs = allowed_orgs(who, organization_id)
        return Query.parse(request).page([public_view(d) for d in store.find("notices", orgs)])

    @router.post("/widgets/notices", status_code=201, tags=["notices"])
    def create_notice(body: NoticeInput, who: Auth) -> Any:
        allowed_orgs(who, body.organization_id)
        now = now_iso()
        notice = {
            "id": new_id(),
            **body.model_dump(),
            "created_at": now,
            "updated_at": now,
            "version": 0,
        }

        def write() -> Doc:
            store.insert("notices", notice)
            draft = _default_draft(notice)
            store.insert("configs", draft, parent_id=notice["id"])
            return notice

        return created(public_view(store.atomically(write)))

    @router.get("/widgets/notices/deployments", tags=["notice deployments"])
    def list_deployments(request: Request, who: Auth, organization_id: str | None = None) -> Any:
        orgs = allowed_orgs(who, organization_id)
        docs = [
            public_view({**d, "status": emu.deployment_status(d)})
            for d in store.find("notice_deployments", orgs)
        ]
        return Query.parse(request).page(docs)

    @router.post("/widgets/notices/deployments", status_code=201, tags=["notice deployments"])
    def create_deployment(body: DeploymentInput, who: Auth) -> Any:
        allowed_orgs(who, body.organization_id)
        owned("notices", body.notice_id, who, "notice")

        def write() -> Doc:
            config = store.get("configs", body.production_config_id)
            if (
                config is None
                or config["organization_id"] != body.organization_id
                or config["notice_id"] != body.notice_id
            ):
                raise ApiError(
                    400,
                    f"production_config_id {body.production_config_id} is not a configuration "
                    f"of notice {body.notice_id}",
                )
            if config.get("deployed_at") is not None:
                raise ApiError(
                    400,
                    f"Configuration {config['id']} is already deployed; only the notice's "
                    "current draft (deployed_at: null) can be deployed",
                )
            running = emu.running_deployments(body.organization_id)
            if len(running) >= MAX_PARALLEL_DEPLOYMENTS:
                wait = min(float(d["_running_until"]) for d in running) - time.time()
                raise ApiError(
                    429,
                    f"Too many deployments in progress: at most {MAX_PARALLEL_DEPLOYMENTS} "
                    "notice deployments may run at once for an organization",
                    headers={"Retry-After": str(max(1, math.ceil(wait)))},
                )
            now = now_iso()
            config.update(
                deployed_at=now,
                deployed_by=who.key,
                deployed_by_type="api-key",
                deployed_by_name=who.key,
                # Types as Didomi's OpenAPI document declares them (counts as string/object).
                deployed_metadata={
                    "all_iab_enabled": False,
                    "iab_vendor_count": 0,
                    "custom_vendor_count": "0",
                    "iab_purpose_count": {},
                    "custom_purpose_count": {},
                },
                updated_at=now,
            )
            store.replace("configs", config)
            store.insert("configs", _copy_as_draft(config), parent_id=body.notice_id)
            deployment = {
                "id": new_id(),
                "notice_id": body.notice_id,
                "organization_id": body.organization_id,
                "production_config_id": config["id"],
                "message": body.message or "",
                "status": "running" if emu.settings.deploy_seconds > 0 else "success",
                "created_at": now,
                "updated_at": now,
                "version": 0,
                "_running_until": time.time() + emu.settings.deploy_seconds,
            }
            store.insert("notice_deployments", deployment, parent_id=body.notice_id)
            emu.stats.running_deployments(len(running) + 1)
            return deployment

        return created(public_view(store.atomically(write)))

    @router.get("/widgets/notices/deployments/{deployment_id}", tags=["notice deployments"])
    def get_deployment(deployment_id: str, who: Auth) -> Any:
        doc = owned("notice_deployments", deployment_id, who, "deployment")
        return public_view({**doc, "status": emu.deployment_status(doc)})

    @router.api_route(
        "/widgets/notices/deployments/{deployment_id}",
        methods=["PUT", "PATCH", "DELETE"],
        include_in_schema=False,
    )
    def immutable_deployment(deployment_id: str) -> Any:
        raise ApiError(405, "Deployments are an audit log: they cannot be changed or deleted")

    # configs

    @router.get("/widgets/notices/configs", tags=["configs"])
    def list_configs(
        request: Request,
        who: Auth,
        organization_id: str | None = None,
        notice_id: str | None = None,
        v: Annotated[str | None, Header()] = None,
    ) -> Any:
        orgs = allowed_orgs(who, organization_id)
        docs = [_render_config(d, _api_version(v)) for d in store.find("configs", orgs, notice_id)]
        return Query.parse(request).page(docs)

    @router.get("/widgets/notices/configs/{config_id}", tags=["configs"])
    def get_config(config_id: str, who: Auth, v: Annotated[str | None, Header()] = None) -> Any:
        return _render_config(owned("configs", config_id, who, "config"), _api_version(v))

    @router.patch("/widgets/notices/configs/{config_id}", tags=["configs"])
    def patch_config(
        config_id: str,
        body: dict[str, Any],
        who: Auth,
        v: Annotated[str | None, Header()] = None,
    ) -> Any:
        version = _api_version(v)
        owned("configs", config_id, who, "config")
        changes = {k: val for k, val in body.items() if k in WRITABLE_CONFIG_FIELDS}
        if version < 2:
            changes.pop("regulation_configurations", None)
        try:
            NoticeConfigFields.model_validate(changes)
        except ValidationError as exc:
            message, errors = _validation_message(exc)
            raise ApiError(400, f"Invalid configuration: {message}", errors) from None

        def write() -> Doc:
            config = store.get("configs", config_id)
            assert config is not None
            if config.get("deployed_at") is not None:
                raise ApiError(
                    400,
                    f"Configuration {config_id} is already deployed and cannot be modified; "
                    "edit the notice's current draft (deployed_at: null) instead",
                )
            merged = dict(config)
            for key, value in changes.items():
                if key == "regulation_configurations":
                    merged[key] = _merge_regulations(
                        config.get(key) or [], list(value or []), config
                    )
                else:
                    merged[key] = value
            problems = config_rule_violations(merged)
            if problems:
                raise ApiError(
                    400,
                    "Invalid configuration: " + "; ".join(f"{f}: {r}" for f, r in problems),
                    dict(problems),
                )
            merged["updated_at"] = now_iso()
            merged["version"] = int(config.get("version") or 0) + 1
            return store.replace("configs", merged)

        return _render_config(store.atomically(write), version)

    @router.api_route(
        "/widgets/notices/configs/{config_id}",
        methods=["PUT", "DELETE"],
        include_in_schema=False,
    )
    def config_not_allowed(config_id: str) -> Any:
        raise ApiError(405, "Configurations cannot be replaced or deleted")

    @router.get("/widgets/notices/{notice_id}", tags=["notices"])
    def get_notice(notice_id: str, who: Auth) -> Any:
        return public_view(owned("notices", notice_id, who, "notice"))

    @router.patch("/widgets/notices/{notice_id}", tags=["notices"])
    def patch_notice(notice_id: str, body: NoticePatch, who: Auth) -> Any:
        def write() -> Doc:
            notice = owned("notices", notice_id, who, "notice")
            notice.update(body.model_dump(exclude_unset=True))
            notice["updated_at"] = now_iso()
            notice["version"] = int(notice.get("version") or 0) + 1
            return store.replace("notices", notice)

        return public_view(store.atomically(write))

    @router.delete("/widgets/notices/{notice_id}", tags=["notices"])
    def delete_notice(notice_id: str, who: Auth) -> Any:
        def write() -> Doc:
            notice = owned("notices", notice_id, who, "notice")
            for config in store.find("configs", parent_id=notice_id):
                store.delete("configs", config["id"])
            store.delete("notices", notice_id)
            return notice

        return public_view(store.atomically(write))

    # widgets

    @router.post("/widgets", status_code=201, tags=["widgets"])
    def create_widget(body: WidgetInput, who: Auth, organization_id: str) -> Any:
        allowed_orgs(who, organization_id)
        now = now_iso()
        widget = {
            **body.model_dump(),
            "id": new_id(),
            "organization_id": organization_id,
            "publication_status": "draft",
            "archived": False,
            "created_at": now,
            "updated_at": now,
        }
        return created(public_view(store.insert("widgets", widget)))

    @router.get("/widgets", tags=["widgets"])
    def list_widgets(request: Request, who: Auth, organization_id: str | None = None) -> Any:
        orgs = allowed_orgs(who, organization_id)
        return Query.parse(request).page([public_view(d) for d in store.find("widgets", orgs)])

    @router.post("/widgets/deployments", status_code=201, tags=["widget deployments"])
    def create_widget_deployment(
        body: WidgetDeploymentInput, who: Auth, organization_id: str
    ) -> Any:
        allowed_orgs(who, organization_id)

        def write() -> Doc:
            widget = owned("widgets", body.widget_id, who, "widget")
            if widget["organization_id"] != organization_id:
                raise ApiError(404, f"No record found for id '{body.widget_id}'")
            snapshot = {
                k: v
                for k, v in widget.items()
                if k not in ("created_at", "updated_at", "organization_id")
                and not k.startswith("_")
            }
            deployment_id = new_id()
            now = now_iso()
            deployment = {
                "id": deployment_id,
                "organization_id": organization_id,
                "widget_id": widget["id"],
                "deployment_id": deployment_id,
                "config": snapshot,
                "created_at": now,
                "updated_at": now,
            }
            widget["publication_status"] = "published"
            store.replace("widgets", widget)
            return store.insert("widget_deployments", deployment, parent_id=widget["id"])

        return created(public_view(store.atomically(write)))

    @router.get("/widgets/deployments", tags=["widget deployments"])
    def list_widget_deployments(
        request: Request, who: Auth, organization_id: str | None = None
    ) -> Any:
        orgs = allowed_orgs(who, organization_id)
        page = Query.parse(request).page(
            [public_view(d) for d in store.find("widget_deployments", orgs)]
        )
        return page["data"]  # a bare array, as Didomi documents this route

    @router.get("/widgets/deployments/{deployment_id}", tags=["widget deployments"])
    def get_widget_deployment(deployment_id: str, who: Auth) -> Any:
        return public_view(owned("widget_deployments", deployment_id, who, "widget deployment"))

    @router.get("/widgets/{widget_id}", tags=["widgets"])
    def get_widget(widget_id: str, who: Auth) -> Any:
        return public_view(owned("widgets", widget_id, who, "widget"))

    @router.patch("/widgets/{widget_id}", tags=["widgets"])
    def patch_widget(widget_id: str, body: dict[str, Any], who: Auth) -> Any:
        def write() -> Doc:
            widget = owned("widgets", widget_id, who, "widget")
            protected = {"id", "organization_id", "created_at", "updated_at", "publication_status"}
            widget.update({k: v for k, v in body.items() if k not in protected})
            widget["updated_at"] = now_iso()
            return store.replace("widgets", widget)

        return public_view(store.atomically(write))

    # public remote widget config (no auth)

    @router.get("/configs/{api_key}/containers/{widget_id}.json", tags=["public"])
    def remote_widget_config(api_key: str, widget_id: str) -> Any:
        org = next((o for o in emu.organizations() if emu.public_api_key(o) == api_key), None)
        widget = store.get("widgets", widget_id)
        if org is None or widget is None or widget["organization_id"] != org:
            raise ApiError(404, "Page not found")
        deployments = store.find("widget_deployments", [org], widget_id)
        if not deployments:
            raise ApiError(404, "Page not found")
        return deployments[-1]["config"]

    return router


def build_operator_router(emu: Emulator) -> APIRouter:
    """Test-only routes under `/_emulator` (no authentication)."""
    router = APIRouter(prefix="/_emulator", include_in_schema=False)

    @router.get("/stats")
    def stats() -> dict[str, Any]:
        return emu.stats.snapshot()

    @router.post("/stats/reset")
    def reset_stats() -> dict[str, Any]:
        emu.stats.reset()
        return emu.stats.snapshot()

    @router.get("/faults")
    def get_faults() -> dict[str, Any]:
        return emu.faults.model_dump()

    @router.post("/faults")
    def set_faults(body: FaultSettings) -> dict[str, Any]:
        emu.faults = body
        return body.model_dump()

    @router.delete("/faults")
    def clear_faults() -> dict[str, Any]:
        emu.faults = FaultSettings()
        return emu.faults.model_dump()

    @router.get("/organizations")
    def organizations() -> list[dict[str, str]]:
        return [{"id": o, "public_api_key": emu.public_api_key(o)} for o in emu.organizations()]

    @router.get("/data/{collection}")
    def data(collection: str) -> list[Doc]:
        if collection not in (
            "notices",
            "configs",
            "notice_deployments",
            "widgets",
            "widget_deployments",
        ):
            raise ApiError(404, f"unknown collection {collection}")
        docs = emu.store.find(collection)
        if collection == "notice_deployments":
            docs = [{**d, "status": emu.deployment_status(d)} for d in docs]
        return [public_view(d) for d in docs]

    return router
