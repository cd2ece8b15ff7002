"""The emulated Didomi API: FastAPI routes, authentication, rate limits, faults and statistics.

Behaviours documented by Didomi are reproduced as documented; where Didomi is silent the
choices listed in the README's "Emulator" section apply (marked "emulator pick" below).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import math
import random
import secrets
import threading
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from pulumi_didomi.client.models import (
    WRITABLE_CONFIG_FIELDS,
    NoticeConfigFields,
    config_rule_violations,
)

from .store import Doc, Store, new_id

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_FEATHERS_NAMES = {
    400: ("BadRequest", "bad-request"),
    401: ("NotAuthenticated", "not-authenticated"),
    403: ("Forbidden", "forbidden"),
    404: ("NotFound", "not-found"),
    405: ("MethodNotAllowed", "method-not-allowed"),
    409: ("Conflict", "conflict"),
    422: ("Unprocessable", "unprocessable"),
    429: ("TooManyRequests", "too-many-requests"),
    500: ("GeneralError", "general-error"),
    502: ("BadGateway", "bad-gateway"),
    503: ("Unavailable", "unavailable"),
    504: ("GatewayTimeout", "gateway-timeout"),
}

MAX_PARALLEL_DEPLOYMENTS = 3  # Didomi's `parallel_notices_deployments` quota
PAGE_SIZE = 100  # default and maximum `$limit` (emulator pick: silent cap)


def now_iso() -> str:
    """The current time as Didomi writes it: ISO-8601, milliseconds, `Z`."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def error_body(status: int, message: str, errors: Any = None) -> dict[str, Any]:
    """Didomi's (Feathers) error body."""
    name, class_name = _FEATHERS_NAMES.get(status, ("GeneralError", "general-error"))
    return {
        "name": name,
        "message": message,
        "code": status,
        "className": class_name,
        "errors": errors if errors is not None else {},
    }


class ApiError(Exception):
    """An error answered with Didomi's error body."""

    def __init__(
        self,
        status: int,
        message: str,
        errors: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors
        self.headers = headers or {}


# -- settings, credentials, tokens -------------------------------------------------------------


@dataclass(frozen=True)
class Credential:
    """A private API key of one organization."""

    organization_id: str
    key: str
    secret: str

    @classmethod
    def parse(cls, text: str) -> Credential:
        """Parse `ORG:KEY:SECRET`."""
        parts = text.split(":", 2)
        if len(parts) != 3 or not all(parts):
            raise ValueError(f"credential must be ORG:KEY:SECRET, got {text.split(':')[0]}:…")
        return cls(*parts)


DEMO_CREDENTIAL = Credential("demo-org", "demo-key", "demo-secret")


class FaultSettings(BaseModel):
    """Fault injection; probabilities are per request, on the routes selected by `routes`."""

    error_rate: float = Field(0.0, ge=0, le=1, description="probability of a 502/503/504")
    rate_limit_rate: float = Field(0.0, ge=0, le=1, description="probability of a 429")
    drop_rate: float = Field(
        0.0, ge=0, le=1, description="probability of closing the connection with no response"
    )
    latency_ms: float = Field(0.0, ge=0, description="extra latency added to every request")
    commit_then_fail_routes: list[str] = Field(
        default_factory=list,
        description="routes ('METHOD /path/template') whose writes commit, then answer 502",
    )
    commit_then_fail_rate: float = Field(1.0, ge=0, le=1)
    routes: list[str] | None = Field(
        None, description="routes the random faults apply to ('METHOD /template'); default all"
    )


@dataclass
class EmulatorSettings:
    """How an emulator instance behaves."""

    db: str = ":memory:"
    credentials: list[Credential] = field(default_factory=lambda: [DEMO_CREDENTIAL])
    token_ttl: float = 3600.0
    rate_limit: tuple[int, float] | None = (100, 15.0)
    deploy_seconds: float = 1.0
    faults: FaultSettings = field(default_factory=FaultSettings)
    seed: int | None = None


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Principal:
    """Who a valid token speaks for."""

    key: str
    organizations: tuple[str, ...]


class Tokens:
    """HS256 JWTs signed with a key persisted in the database (tokens survive a restart)."""

    def __init__(self, signing_key: bytes, ttl: float) -> None:
        self._key = signing_key
        self.ttl = ttl

    def mint(self, key: str, organizations: list[str]) -> str:
        """A signed token for `key` valid for the configured lifetime."""
        now = time.time()
        header = {"alg": "HS256", "typ": "JWT"}
        claims = {
            "sub": key,
            "orgs": organizations,
            "iat": int(now),
            "exp": now + self.ttl,
            "jti": secrets.token_hex(8),
        }
        signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
        sig = hmac.new(self._key, signing_input.encode(), hashlib.sha256).digest()
        return f"{signing_input}.{_b64(sig)}"

    def verify(self, token: str) -> Principal:
        """The principal of a valid token; raises `ApiError(401)` otherwise."""
        try:
            header_b64, claims_b64, sig_b64 = token.split(".")
            expected = hmac.new(
                self._key, f"{header_b64}.{claims_b64}".encode(), hashlib.sha256
            ).digest()
            if not hmac.compare_digest(expected, _unb64(sig_b64)):
                raise ValueError("signature")
            claims = json.loads(_unb64(claims_b64))
        except (ValueError, TypeError, json.JSONDecodeError):
            raise ApiError(401, "Invalid authentication token") from None
        if float(claims.get("exp", 0)) <= time.time():
            raise ApiError(401, "jwt expired")
        return Principal(str(claims["sub"]), tuple(claims.get("orgs", ())))


# -- statistics and rate limiting ---------------------------------------------------------------


class Stats:
    """Request counts by `METHOD /route/template` and status, for tests and benchmarks."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Forget every count."""
        with self._lock:
            self.routes: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
            self.statuses: dict[str, int] = defaultdict(int)
            self.faults: dict[str, int] = defaultdict(int)
            self.total = 0
            self.max_running_deployments = 0

    def record(self, route: str, status: int) -> None:
        """Count one answered request."""
        with self._lock:
            self.routes[route][str(status)] += 1
            self.statuses[str(status)] += 1
            self.total += 1

    def fault(self, kind: str) -> None:
        """Count one injected fault."""
        with self._lock:
            self.faults[kind] += 1

    def running_deployments(self, count: int) -> None:
        """Remember the highest number of notice deployments running at once."""
        with self._lock:
            self.max_running_deployments = max(self.max_running_deployments, count)

    def snapshot(self) -> dict[str, Any]:
        """A JSON-able copy of the counters."""
        with self._lock:
            return {
                "total": self.total,
                "by_status": dict(self.statuses),
                "routes": {r: dict(s) for r, s in sorted(self.routes.items())},
                "faults": dict(self.faults),
                "max_running_deployments": self.max_running_deployments,
            }


class RateLimiter:
    """A sliding window of N requests per S seconds per organization."""

    def __init__(self, limit: tuple[int, float] | None) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._hits: dict[str, deque[float]] = defaultdict(deque)

    def check(self, organization_id: str) -> tuple[bool, dict[str, str]]:
        """Count a request; return whether it may proceed and the rate-limit headers."""
        if self.limit is None:
            return True, {}
        count, window = self.limit
        now = time.monotonic()
        with self._lock:
            hits = self._hits[organization_id]
            while hits and hits[0] <= now - window:
                hits.popleft()
            reset = math.ceil(hits[0] + window - now) if hits else math.ceil(window)
            headers = {
                "RateLimit": f"limit={count}, remaining={max(count - len(hits) - 1, 0)}, "
                f"reset={reset}",
                "RateLimit-Policy": f"{count};w={math.ceil(window)}",
            }
            if len(hits) >= count:
                headers["Retry-After"] = str(max(reset, 1))
                return False, headers
            hits.append(now)
            return True, headers


# -- the application ---------------------------------------------------------------------------


class Emulator:
    """State shared by the routes of one emulator instance."""

    def __init__(self, settings: EmulatorSettings) -> None:
        self.settings = settings
        self.store = Store(settings.db)
        signing_key = self.store.meta("jwt_signing_key", lambda: secrets.token_hex(32))
        self.tokens = Tokens(bytes.fromhex(signing_key), settings.token_ttl)
        self.stats = Stats()
        self.limiter = RateLimiter(settings.rate_limit)
        self.faults = settings.faults
        self.random = random.Random(settings.seed)
        self.credentials = list(settings.credentials)

    # credentials and organizations

    def organizations(self) -> list[str]:
        """Every organization that has a credential."""
        return sorted({c.organization_id for c in self.credentials})

    @staticmethod
    def public_api_key(organization_id: str) -> str:
        """The organization's public API key (stable: derived from its id)."""
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"didomi-emulator:{organization_id}"))

    def login(self, key: str, secret: str) -> list[str]:
        """The organizations of a key/secret pair; empty when the pair is wrong."""
        return sorted(
            {
                c.organization_id
                for c in self.credentials
                if hmac.compare_digest(_utf8(c.key), _utf8(key))
                and hmac.compare_digest(_utf8(c.secret), _utf8(secret))
            }
        )

    # deployments

    def deployment_status(self, doc: Doc) -> str:
        """`running` until `deploy_seconds` after creation, then `success`."""
        if doc.get("status") in ("failure", "success"):
            return str(doc["status"])
        return "running" if float(doc.get("_running_until", 0)) > time.time() else "success"

    def running_deployments(self, organization_id: str) -> list[Doc]:
        """Notice deployments of an organization still running."""
        return [
            d
            for d in self.store.find("notice_deployments", [organization_id])
            if self.deployment_status(d) == "running"
        ]


def _public(doc: Doc) -> Doc:
    """A stored document without the emulator's private (`_`-prefixed) fields."""
    return {k: v for k, v in doc.items() if not k.startswith("_")}


# -- queries (Feathers style) ------------------------------------------------------------------

_OPERATORS = {"$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin"}


def _coerce(raw: str, like: Any) -> Any:
    if raw == "null":
        return None
    if isinstance(like, bool):
        return raw.lower() == "true"
    if isinstance(like, (int, float)):
        try:
            return float(raw)
        except ValueError:
            return raw
    return raw


def _compare(value: Any, op: str, raw: Any) -> bool:
    if op == "$in" or op == "$nin":
        options = raw if isinstance(raw, list) else [raw]
        hit = any(value == _coerce(o, value) for o in options)
        return hit if op == "$in" else not hit
    target = _coerce(raw, value)
    if op == "$eq":
        return bool(value == target)
    if op == "$ne":
        return bool(value != target)
    if value is None or target is None:
        return False
    try:
        if op == "$gt":
            return bool(value > target)
        if op == "$gte":
            return bool(value >= target)
        if op == "$lt":
            return bool(value < target)
        if op == "$lte":
            return bool(value <= target)
    except TypeError:
        return False
    raise ApiError(400, f"Invalid query operator {op}")


@dataclass
class Query:
    """A parsed Feathers query: filters, `$sort`, `$limit`, `$skip`."""

    filters: list[tuple[str, str, Any]]
    sort: list[tuple[str, int]]
    limit: int
    skip: int

    @classmethod
    def parse(cls, request: Request, ignore: frozenset[str] = frozenset()) -> Query:
        """Parse the query string of `request`."""
        filters: list[tuple[str, str, Any]] = []
        sort: list[tuple[str, int]] = []
        limit, skip = PAGE_SIZE, 0
        params = request.query_params
        for key in dict.fromkeys(params.keys()):
            values = params.getlist(key)
            if key == "$limit":
                limit = _int_param(key, values[-1], minimum=0)
            elif key == "$skip":
                skip = _int_param(key, values[-1], minimum=0)
            elif key.startswith("$sort[") and key.endswith("]"):
                direction = values[-1]
                if direction not in ("1", "-1"):
                    raise ApiError(400, f"{key} must be 1 or -1")
                sort.append((key[6:-1], int(direction)))
            elif key.startswith("$") or key in ignore:
                continue
            elif "[" in key and key.endswith("]"):
                name, op = key[:-1].split("[", 1)
                if op.rstrip("[]") not in _OPERATORS:
                    raise ApiError(400, f"Invalid query operator {op} on {name}")
                op = op.rstrip("[]")
                filters.append((name, op, values if op in ("$in", "$nin") else values[-1]))
            else:
                filters.append((key, "$eq", values[-1]))
        return cls(filters, sort, min(limit, PAGE_SIZE), skip)

    def matches(self, doc: Doc) -> bool:
        """True when `doc` passes every filter."""
        return all(_compare(doc.get(name), op, raw) for name, op, raw in self.filters)

    def page(self, docs: list[Doc]) -> dict[str, Any]:
        """Filter, sort and paginate into Didomi's envelope."""
        found = [d for d in docs if self.matches(d)]
        for name, direction in reversed(self.sort):
            found.sort(
                key=lambda d: (d.get(name) is None, d.get(name) or ""), reverse=direction == -1
            )
        return {
            "total": len(found),
            "limit": self.limit,
            "skip": self.skip,
            "data": found[self.skip : self.skip + self.limit],
        }


def _int_param(name: str, raw: str, minimum: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"{name} must be an integer") from None
    if value < minimum:
        raise ApiError(400, f"{name} must be >= {minimum}")
    return value


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
    out = _public(doc)
    if version < 2:
        out.pop("regulation_configurations", None)
    return out


def principal(request: Request, authorization: Annotated[str | None, Header()] = None) -> Principal:
    """The caller, from `Authorization: Bearer <token>`; 401 when missing or invalid."""
    if not authorization:
        raise ApiError(401, "No auth token")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "Authorization header must be 'Bearer <token>'")
    emu: Emulator = request.app.state.emulator
    return emu.tokens.verify(token.strip())


Auth = Annotated[Principal, Depends(principal)]


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
        return Query.parse(request).page([_public(d) for d in store.find("notices", orgs)])

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

        return created(_public(store.atomically(write)))

    @router.get("/widgets/notices/deployments", tags=["notice deployments"])
    def list_deployments(request: Request, who: Auth, organization_id: str | None = None) -> Any:
        orgs = allowed_orgs(who, organization_id)
        docs = [
            _public({**d, "status": emu.deployment_status(d)})
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

        return created(_public(store.atomically(write)))

    @router.get("/widgets/notices/deployments/{deployment_id}", tags=["notice deployments"])
    def get_deployment(deployment_id: str, who: Auth) -> Any:
        doc = owned("notice_deployments", deployment_id, who, "deployment")
        return _public({**doc, "status": emu.deployment_status(doc)})

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
        return _public(owned("notices", notice_id, who, "notice"))

    @router.patch("/widgets/notices/{notice_id}", tags=["notices"])
    def patch_notice(notice_id: str, body: NoticePatch, who: Auth) -> Any:
        def write() -> Doc:
            notice = owned("notices", notice_id, who, "notice")
            notice.update(body.model_dump(exclude_unset=True))
            notice["updated_at"] = now_iso()
            notice["version"] = int(notice.get("version") or 0) + 1
            return store.replace("notices", notice)

        return _public(store.atomically(write))

    @router.delete("/widgets/notices/{notice_id}", tags=["notices"])
    def delete_notice(notice_id: str, who: Auth) -> Any:
        def write() -> Doc:
            notice = owned("notices", notice_id, who, "notice")
            for config in store.find("configs", parent_id=notice_id):
                store.delete("configs", config["id"])
            store.delete("notices", notice_id)
            return notice

        return _public(store.atomically(write))

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
        return created(_public(store.insert("widgets", widget)))

    @router.get("/widgets", tags=["widgets"])
    def list_widgets(request: Request, who: Auth, organization_id: str | None = None) -> Any:
        orgs = allowed_orgs(who, organization_id)
        return Query.parse(request).page([_public(d) for d in store.find("widgets", orgs)])

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

        return created(_public(store.atomically(write)))

    @router.get("/widgets/deployments", tags=["widget deployments"])
    def list_widget_deployments(
        request: Request, who: Auth, organization_id: str | None = None
    ) -> Any:
        orgs = allowed_orgs(who, organization_id)
        page = Query.parse(request).page(
            [_public(d) for d in store.find("widget_deployments", orgs)]
        )
        return page["data"]  # a bare array, as Didomi documents this route

    @router.get("/widgets/deployments/{deployment_id}", tags=["widget deployments"])
    def get_widget_deployment(deployment_id: str, who: Auth) -> Any:
        return _public(owned("widget_deployments", deployment_id, who, "widget deployment"))

    @router.get("/widgets/{widget_id}", tags=["widgets"])
    def get_widget(widget_id: str, who: Auth) -> Any:
        return _public(owned("widgets", widget_id, who, "widget"))

    @router.patch("/widgets/{widget_id}", tags=["widgets"])
    def patch_widget(widget_id: str, body: dict[str, Any], who: Auth) -> Any:
        def write() -> Doc:
            widget = owned("widgets", widget_id, who, "widget")
            protected = {"id", "organization_id", "created_at", "updated_at", "publication_status"}
            widget.update({k: v for k, v in body.items() if k not in protected})
            widget["updated_at"] = now_iso()
            return store.replace("widgets", widget)

        return _public(store.atomically(write))

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
        docs = emu.store.all_docs(collection)
        if collection == "notice_deployments":
            docs = [{**d, "status": emu.deployment_status(d)} for d in docs]
        return [_public(d) for d in docs]

    return router


class _Dropped(Exception):
    """The connection was dropped on purpose (fault injection)."""


class FaultsAndStats:
    """ASGI middleware: counts requests, applies the rate limit and injects faults."""

    def __init__(self, app: Any, emu: Emulator, router: APIRouter) -> None:
        self.app = app
        self.emu = emu
        self.routes = [r for r in router.routes if isinstance(r, APIRoute)]

    def route_template(self, scope: Scope) -> str:
        """`METHOD /route/{template}` of a request, the same with or without `/v1`."""
        path = str(scope["path"])
        if path.startswith("/v1/"):
            path = path[3:]
        method = str(scope["method"])
        for route in self.routes:
            if route.methods and method in route.methods and route.path_regex.match(path):
                return f"{method} {route.path}"
        return f"{method} {path}"

    def organization_of(self, scope: Scope) -> str | None:
        for name, value in scope.get("headers", []):
            if name == b"authorization":
                token = value.decode(errors="replace").partition(" ")[2].strip()
                try:
                    principal = self.emu.tokens.verify(token)
                except ApiError:
                    return None
                return principal.organizations[0] if principal.organizations else None
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        route = self.route_template(scope)
        if (
            scope["path"].startswith("/_emulator")
            or scope["path"].startswith("/docs")
            or scope["path"] in ("/openapi.json",)
        ):
            await self.app(scope, receive, send)
            return

        status_holder = {"status": 0}
        emu = self.emu
        faults = emu.faults
        rng = emu.random

        limit_headers: dict[str, str] = {}

        async def send_counted(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = int(message["status"])
                if limit_headers:  # Didomi sends them on every rate-limited route
                    names = {k.lower() for k, _ in message.get("headers", [])}
                    extra = [
                        (k.lower().encode(), v.encode())
                        for k, v in limit_headers.items()
                        if k.lower().encode() not in names and k != "Retry-After"
                    ]
                    message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        async def respond(status: int, message: str, headers: dict[str, str]) -> None:
            response = JSONResponse(error_body(status, message), status, headers=headers)
            await response(scope, receive, send_counted)

        try:
            if faults.latency_ms:
                await asyncio.sleep(faults.latency_ms / 1000)
            org = self.organization_of(scope)
            if org is not None:
                ok, headers = emu.limiter.check(org)
                limit_headers.update(headers)
                if not ok:
                    emu.stats.fault("rate_limited")
                    await respond(429, "Too many requests: rate limit exceeded", headers)
                    return
            in_scope = faults.routes is None or route in faults.routes
            drop_after = False
            if in_scope:
                roll = rng.random()
                if roll < faults.error_rate:
                    emu.stats.fault("error")
                    status = rng.choice([502, 503, 504])
                    await respond(status, "Injected server error", {})
                    return
                roll -= faults.error_rate
                if roll < faults.rate_limit_rate:
                    emu.stats.fault("429")
                    await respond(429, "Too many requests", {"Retry-After": "1"})
                    return
                roll -= faults.rate_limit_rate
                if roll < faults.drop_rate:
                    if rng.random() < 0.5:
                        emu.stats.fault("drop_before")
                        self.drop(scope)
                    drop_after = True
            commit_then_fail = (
                route in faults.commit_then_fail_routes
                and rng.random() < faults.commit_then_fail_rate
            )
            if drop_after or commit_then_fail:
                await self.app(scope, receive, self._swallow(status_holder))
                if status_holder["status"] < 400:
                    if drop_after:
                        emu.stats.fault("drop_after")
                        self.drop(scope)
                    emu.stats.fault("commit_then_fail")
                    await respond(502, "Bad gateway (injected after the write committed)", {})
                    return
                await respond(status_holder["status"], "request failed", {})
                return
            await self.app(scope, receive, send_counted)
        except _Dropped:
            status_holder["status"] = 0
            return
        finally:
            emu.stats.record(route, status_holder["status"])

    @staticmethod
    def _swallow(holder: dict[str, int]) -> Send:
        async def send(message: Message) -> None:
            if message["type"] == "http.response.start":
                holder["status"] = int(message["status"])

        return send

    @staticmethod
    def drop(scope: Scope) -> None:
        abort = scope.get("extensions", {}).get("didomi.abort")
        if abort is not None:
            abort()
        raise _Dropped()


def create_app(settings: EmulatorSettings | None = None) -> FastAPI:
    """Build the emulator's ASGI application."""
    settings = settings or EmulatorSettings()
    emu = Emulator(settings)
    app = FastAPI(
        title="Didomi API emulator",
        version="1.0.0",
        description="A local emulation of the Didomi API routes used by pulumi-didomi.",
    )
    app.state.emulator = emu
    router = build_router(emu)
    app.include_router(router)
    app.include_router(router, prefix="/v1", include_in_schema=False)
    app.include_router(build_operator_router(emu))

    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> Response:
        return JSONResponse(
            error_body(exc.status, exc.message, exc.errors), exc.status, headers=exc.headers
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> Response:
        errors: dict[str, str] = {}
        for item in exc.errors():
            loc = [str(p) for p in item.get("loc", ()) if p not in ("body", "query", "header")]
            errors[".".join(loc) or "body"] = str(item.get("msg"))
        message = "; ".join(f"{k}: {v}" for k, v in errors.items())
        return JSONResponse(error_body(400, f"Invalid request: {message}", errors), 400)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> Response:
        message = "Page not found" if exc.status_code == 404 else str(exc.detail)
        return JSONResponse(error_body(exc.status_code, message), exc.status_code)

    app.add_middleware(FaultsAndStats, emu=emu, router=router)
    return app
