"""`DidomiClient`: the one way pulumi-didomi talks to the Didomi API."""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from pulumi_didomi.limits import (
    DEFAULT_API_URL,
    DIDOMI_RATE_LIMIT,
    MAX_PARALLEL_DEPLOYMENTS,
    PAGE_SIZE,
)

from ._retry import RateLimiter, RetryPolicy, _should_retry, parse_retry_after
from ._session import TOKENS, TokenCache
from .errors import (
    APIError,
    ConfigurationError,
    DeploymentError,
    DeploymentTimeoutError,
    NotAuthenticatedError,
    TransportError,
    error_for_status,
    register_secret,
)
from .models import (
    WRITABLE_CONFIG_FIELDS,
    Notice,
    NoticeConfig,
    NoticeConfigFields,
    NoticeDeployment,
    Widget,
    WidgetDeployment,
    config_rule_violations,
)

log = logging.getLogger("pulumi_didomi.client")
M = TypeVar("M", bound=BaseModel)


_LIMITERS_LOCK = threading.Lock()
_LIMITERS: dict[tuple[str, str], RateLimiter] = {}


def _limiter(base_url: str, key: str, limit: tuple[int, float]) -> RateLimiter:
    """The process-wide pacing of one set of credentials (one organization's budget)."""
    with _LIMITERS_LOCK:
        return _LIMITERS.setdefault((base_url, key), RateLimiter(*limit))


_DEPLOY_SLOTS_LOCK = threading.Lock()
_DEPLOY_SLOTS: dict[tuple[str, str], threading.BoundedSemaphore] = {}


def _deploy_slot(base_url: str, organization_id: str) -> threading.BoundedSemaphore:
    """The process-wide semaphore bounding notice deployments in flight for an organization."""
    with _DEPLOY_SLOTS_LOCK:
        return _DEPLOY_SLOTS.setdefault(
            (base_url, organization_id), threading.BoundedSemaphore(MAX_PARALLEL_DEPLOYMENTS)
        )


class _Ambiguous(Exception):
    """A write attempt whose outcome is unknown (sent, but no clear answer)."""

    def __init__(self, cause: str) -> None:
        super().__init__(cause)
        self.cause = cause


class DidomiClient:
    """A synchronous, thread-safe Didomi API client.

    No network call is made until the first request. Tokens are shared per (API URL, key)
    across the process and refreshed before they expire. Reads and PATCHes are retried on
    429/502/503/504, timeouts and connection errors; publishing is never repeated blindly
    (see `publish_notice`). `calls` counts requests per route, for budgets and benchmarks.
    """

    def __init__(
        self,
        api_key: str,
        api_secret: str,
        *,
        base_url: str = DEFAULT_API_URL,
        organization_id: str | None = None,
        retry: RetryPolicy | None = None,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
        tokens: TokenCache | None = None,
        rate_limit: tuple[int, float] | None = DIDOMI_RATE_LIMIT,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not api_key or not api_secret:
            raise ConfigurationError("a Didomi API key and secret are required")
        if not base_url.startswith(("http://", "https://")):
            raise ConfigurationError(
                f"the Didomi API URL must start with http:// or https://, got {base_url!r}"
            )
        register_secret(api_secret)
        self.base_url = base_url.rstrip("/")
        self.organization_id = organization_id
        self.retry = retry or RetryPolicy()
        self._key = api_key
        self._secret = api_secret
        self._tokens = tokens or TOKENS
        self._limiter = _limiter(self.base_url, api_key, rate_limit) if rate_limit else None
        self._sleep = sleep
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout, transport=transport)
        self._lock = threading.Lock()
        self._local = threading.local()
        self.calls: Counter[str] = Counter()
        self.retries = 0
        self.rate_limited = 0

    def __repr__(self) -> str:
        return f"DidomiClient(base_url={self.base_url!r}, organization_id={self.organization_id!r})"

    @property
    def last_attempts(self) -> int:
        """How many times this thread's last request was sent (retries included): a PATCH that
        committed before its connection dropped is applied again by the retry."""
        return int(getattr(self._local, "attempts", 1))

    def close(self) -> None:
        """Close the HTTP connections."""
        self._http.close()

    def __enter__(self) -> DidomiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing ---------------------------------------------------------------------------

    def _count(self, route: str) -> None:
        with self._lock:
            self.calls[route] += 1

    def _mint(self) -> str:
        route = "POST /sessions"
        body = {"type": "api-key", "key": self._key, "secret": self._secret}
        response = self._send("POST", "/sessions", route, json=body, auth=False, idempotent=True)
        if response.status_code in (400, 401):
            raise NotAuthenticatedError(
                "POST",
                "/sessions",
                response.status_code,
                _body(response),
                hint="Didomi refused the API key and secret: check didomi:apiKey and "
                "didomi:apiSecret (or DIDOMI_API_KEY / DIDOMI_API_SECRET)",
            )
        if response.status_code >= 400:
            raise error_for_status("POST", "/sessions", response.status_code, _body(response))
        token = response.json().get("access_token")
        if not isinstance(token, str) or not token:
            raise APIError("POST", "/sessions", response.status_code, {"message": "no token"})
        register_secret(token)
        return token

    def _token(self, stale: str | None = None) -> str:
        return self._tokens.get(self.base_url, self._key, self._secret, self._mint, stale)

    def _send(
        self,
        method: str,
        path: str,
        route: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        auth: bool = True,
        idempotent: bool = True,
        versioned: bool = False,
    ) -> httpx.Response:
        """Send with retries. Returns the final response (any status); raises TransportError.

        For non-idempotent requests an ambiguous outcome raises `_Ambiguous` instead of
        retrying: the caller reconciles.
        """
        started = time.monotonic()
        attempt = 0
        reauthenticated = False
        while True:
            attempt += 1
            headers: dict[str, str] = {}
            token = None
            if auth:
                token = self._token()
                headers["Authorization"] = f"Bearer {token}"
            if versioned:
                headers["v"] = "2"
            if self._limiter is not None:
                self._limiter.acquire(time.monotonic, self._sleep)
            self._count(route)
            t0 = time.monotonic()
            try:
                response = self._http.request(
                    method, path, params=params, json=json, headers=headers
                )
            except httpx.TransportError as exc:
                kind = type(exc).__name__
                log.debug("%s %s -> %s (attempt %d)", method, path, kind, attempt)
                if not _should_retry(error=exc, idempotent=idempotent):
                    raise _Ambiguous(f"{kind} after the request was sent") from None
                if not self._may_retry(attempt, started):
                    raise TransportError(
                        f"could not reach the Didomi API at {self.base_url} ({method} {path}): "
                        f"{kind} after {attempt} attempts; check didomi:apiUrl and the network"
                    ) from None
                self._backoff(attempt, None)
                continue
            log.debug(
                "%s %s -> %d (%.0f ms)",
                method,
                path,
                response.status_code,
                (time.monotonic() - t0) * 1000,
            )
            status = response.status_code
            if self._limiter is not None:
                self._limiter.observe(response.headers.get("RateLimit"), time.monotonic)
                if status == 429:
                    after = parse_retry_after(response.headers.get("Retry-After"))
                    self._limiter.pause(
                        min(after or 1.0, self.retry.max_retry_after), time.monotonic
                    )
            if status == 401 and auth and not reauthenticated:
                reauthenticated = True
                self._token(stale=token)
                continue
            if status == 429:
                with self._lock:
                    self.rate_limited += 1
            if _should_retry(status=status, idempotent=idempotent):
                if self._may_retry(attempt, started):
                    self._backoff(attempt, response)
                    continue
                self._local.attempts = attempt
                return response
            if not idempotent and status in (502, 503, 504):
                raise _Ambiguous(f"{status} after the request was sent")
            self._local.attempts = attempt
            return response

    def _may_retry(self, attempt: int, started: float) -> bool:
        return (
            attempt < self.retry.max_attempts
            and time.monotonic() - started < self.retry.max_elapsed
        )

    def _backoff(self, attempt: int, response: httpx.Response | None) -> None:
        delay = self.retry.backoff(attempt)
        if response is not None:
            after = parse_retry_after(response.headers.get("Retry-After"))
            if after is not None:
                delay = min(after, self.retry.max_retry_after) + self.retry.backoff(1)
        with self._lock:
            self.retries += 1
        self._sleep(delay)

    def _call(
        self,
        method: str,
        path: str,
        route: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        versioned: bool = False,
    ) -> Any:
        """One logical call: retried, then the JSON body or a typed error."""
        response = self._send(method, path, route, params=params, json=json, versioned=versioned)
        if response.status_code >= 400:
            raise error_for_status(
                method,
                path,
                response.status_code,
                _body(response),
                parse_retry_after(response.headers.get("Retry-After")),
            )
        return response.json()

    def _pages(
        self, path: str, route: str, params: dict[str, Any], versioned: bool = False
    ) -> Iterator[dict[str, Any]]:
        """Every item of a list route, page by page (`$limit`/`$skip`), envelope or array."""
        skip = 0
        while True:
            page = self._call(
                "GET",
                path,
                route,
                params={**params, "$limit": PAGE_SIZE, "$skip": skip},
                versioned=versioned,
            )
            items = page if isinstance(page, list) else page.get("data", [])
            yield from items
            skip += len(items)
            total = None if isinstance(page, list) else page.get("total")
            if not items or len(items) < PAGE_SIZE or (total is not None and skip >= total):
                return

    def _org(self, organization_id: str | None) -> str:
        org = organization_id or self.organization_id
        if not org:
            raise ConfigurationError(
                "no Didomi organization id: set didomi:organizationId (or "
                "DIDOMI_ORGANIZATION_ID), or pass organization_id"
            )
        return org

    # -- notices ------------------------------------------------------------------------------

    def get_notice(self, notice_id: str) -> Notice:
        """One notice."""
        route = "GET /widgets/notices/{id}"
        return _parse(Notice, self._call("GET", f"/widgets/notices/{notice_id}", route))

    def list_notices(self, organization_id: str | None = None) -> list[Notice]:
        """Every notice of an organization."""
        params = {"organization_id": self._org(organization_id)}
        return [
            _parse(Notice, n)
            for n in self._pages("/widgets/notices", "GET /widgets/notices", params)
        ]

    def create_notice(self, name: str, organization_id: str | None = None) -> Notice:
        """Create a notice (Didomi creates its first draft with it)."""
        body = {"organization_id": self._org(organization_id), "name": name}
        data = self._call("POST", "/widgets/notices", "POST /widgets/notices", json=body)
        return _parse(Notice, data)

    # -- configurations -----------------------------------------------------------------------

    def current_draft(self, notice_id: str, organization_id: str | None = None) -> NoticeConfig:
        """The notice's one editable configuration: one GET."""
        params: dict[str, Any] = {"notice_id": notice_id, "deployed_at": "null"}
        org = organization_id or self.organization_id
        if org:
            params["organization_id"] = org
        page = self._call(
            "GET",
            "/widgets/notices/configs",
            "GET /widgets/notices/configs",
            params=params,
            versioned=True,
        )
        items = page if isinstance(page, list) else page.get("data", [])
        if not items:
            raise APIError(
                "GET",
                "/widgets/notices/configs",
                404,
                {"name": "NotFound", "message": f"notice {notice_id} has no draft configuration"},
                hint="check that the notice id exists in this organization",
            )
        return _parse(NoticeConfig, items[0])

    def drafts(self, organization_id: str | None = None) -> dict[str, NoticeConfig]:
        """The draft of every notice of an organization, by notice id: ceil(n/100) calls."""
        params = {"organization_id": self._org(organization_id), "deployed_at": "null"}
        pages = self._pages(
            "/widgets/notices/configs", "GET /widgets/notices/configs", params, versioned=True
        )
        return {c.notice_id: c for c in (_parse(NoticeConfig, item) for item in pages)}

    def get_config(self, config_id: str) -> NoticeConfig:
        """One configuration (draft or published)."""
        data = self._call(
            "GET",
            f"/widgets/notices/configs/{config_id}",
            "GET /widgets/notices/configs/{id}",
            versioned=True,
        )
        return _parse(NoticeConfig, data)

    def list_configs(
        self, notice_id: str, organization_id: str | None = None, published_only: bool = False
    ) -> list[NoticeConfig]:
        """A notice's configurations, newest first."""
        params: dict[str, Any] = {"notice_id": notice_id, "$sort[created_at]": -1}
        org = organization_id or self.organization_id
        if org:
            params["organization_id"] = org
        if published_only:
            params["deployed_at[$ne]"] = "null"
        pages = self._pages(
            "/widgets/notices/configs", "GET /widgets/notices/configs", params, versioned=True
        )
        return [_parse(NoticeConfig, c) for c in pages]

    def update_draft(self, config_id: str, fields: dict[str, Any]) -> NoticeConfig:
        """PATCH writable fields of a draft; validated locally first (nothing sent if invalid)."""
        validate_config_fields(fields)
        data = self._call(
            "PATCH",
            f"/widgets/notices/configs/{config_id}",
            "PATCH /widgets/notices/configs/{id}",
            json=fields,
            versioned=True,
        )
        return _parse(NoticeConfig, data)

    # -- notice deployments -------------------------------------------------------------------

    def get_notice_deployment(self, deployment_id: str) -> NoticeDeployment:
        """One notice deployment."""
        data = self._call(
            "GET",
            f"/widgets/notices/deployments/{deployment_id}",
            "GET /widgets/notices/deployments/{id}",
        )
        return _parse(NoticeDeployment, data)

    def list_notice_deployments(
        self,
        notice_id: str | None = None,
        organization_id: str | None = None,
        production_config_id: str | None = None,
    ) -> list[NoticeDeployment]:
        """Deployments of an organization (optionally of one notice or config), newest first."""
        params: dict[str, Any] = {
            "organization_id": self._org(organization_id),
            "$sort[created_at]": -1,
        }
        if notice_id:
            params["notice_id"] = notice_id
        if production_config_id:
            params["production_config_id"] = production_config_id
        pages = self._pages(
            "/widgets/notices/deployments", "GET /widgets/notices/deployments", params
        )
        return [_parse(NoticeDeployment, d) for d in pages]

    def publish_notice(
        self,
        notice_id: str,
        config_id: str,
        message: str = "",
        organization_id: str | None = None,
        wait: bool = True,
        timeout: float = 300.0,
    ) -> NoticeDeployment:
        """Publish a notice's draft: exactly one deployment per call, whatever the network does.

        The POST is not idempotent. After an ambiguous failure (timeout, dropped connection,
        502/503/504 once sent) the client looks for a deployment of this configuration first
        (a configuration can only ever be deployed once) and retries only if there is none.
        At most 3 deployments per organization are in flight from this process; a 429 from
        Didomi's quota is waited out. With `wait`, returns once the deployment succeeded.
        """
        org = self._org(organization_id)
        body = {
            "notice_id": notice_id,
            "organization_id": org,
            "production_config_id": config_id,
            "message": message,
        }

        def find() -> NoticeDeployment | None:
            found = self.list_notice_deployments(notice_id, org, production_config_id=config_id)
            return found[0] if found else None

        slot = _deploy_slot(self.base_url, org)
        with slot:
            deployment = self._publish(
                "/widgets/notices/deployments",
                "POST /widgets/notices/deployments",
                body,
                None,
                find,
                NoticeDeployment,
                once_only=True,
            )
            if wait:
                deployment = self.wait_for_deployment(deployment.id, timeout, deployment)
        return deployment

    def _publish(
        self,
        path: str,
        route: str,
        body: dict[str, Any],
        params: dict[str, Any] | None,
        find: Callable[[], M | None],
        model: type[M],
        once_only: bool = False,
    ) -> M:
        """POST a publication; `find` looks for it after an ambiguous failure. `once_only`:
        the target can be published once only, so a 400 also asks `find`."""
        started = time.monotonic()
        attempt = 0
        ambiguous = False
        while True:
            attempt += 1
            try:
                response = self._send(
                    "POST", path, route, params=params, json=body, idempotent=False
                )
            except _Ambiguous as exc:
                ambiguous = True
                log.info("publish %s: %s; checking whether it took effect", path, exc.cause)
                found = find()
                if found is not None:
                    return found
                if not self._may_retry(attempt, started):
                    raise TransportError(
                        f"could not publish via {path}: {exc.cause} on each of {attempt} "
                        "attempts, and no deployment was created; run again later"
                    ) from None
                self._backoff(attempt, None)
                continue
            if response.status_code < 400:
                return _parse(model, response.json())
            if response.status_code == 400 and (ambiguous or once_only):
                # An earlier, ambiguous attempt may have published after all; and a
                # configuration deployed by a concurrent caller (e.g. the process of a killed
                # run) was published exactly once: that deployment is the one.
                found = find()
                if found is not None:
                    return found
            raise error_for_status(
                "POST",
                path,
                response.status_code,
                _body(response),
                parse_retry_after(response.headers.get("Retry-After")),
            )

    def wait_for_deployment(
        self,
        deployment_id: str,
        timeout: float = 300.0,
        current: NoticeDeployment | None = None,
    ) -> NoticeDeployment:
        """Poll with backoff until `success`; raise `DeploymentError` on `failure` or timeout."""
        deadline = time.monotonic() + timeout
        delay = 1.0
        deployment = current
        while True:
            if deployment is not None and deployment.status in ("success", "failure"):
                break
            if time.monotonic() >= deadline:
                raise DeploymentTimeoutError(
                    deployment_id,
                    f"notice deployment {deployment_id} was still "
                    f"{deployment.status if deployment else 'unknown'} after {timeout:.0f}s; "
                    "it may still finish: check it in the Didomi console",
                )
            self._sleep(min(delay, max(deadline - time.monotonic(), 0.0)))
            delay = min(delay * 1.5, 5.0)
            deployment = self.get_notice_deployment(deployment_id)
        if deployment.status == "failure":
            raise DeploymentError(
                deployment_id,
                f"notice deployment {deployment_id} failed: {deployment.message or 'no message'}",
            )
        return deployment

    # -- widgets --------------------------------------------------------------------------------

    def get_widget(self, widget_id: str, organization_id: str | None = None) -> Widget:
        """One privacy widget."""
        params = {"organization_id": self._org(organization_id)}
        data = self._call("GET", f"/widgets/{widget_id}", "GET /widgets/{id}", params=params)
        return _parse(Widget, data)

    def create_widget(self, name: str, organization_id: str | None = None, **fields: Any) -> Widget:
        """Create a privacy widget."""
        params = {"organization_id": self._org(organization_id)}
        data = self._call(
            "POST", "/widgets", "POST /widgets", params=params, json={"name": name, **fields}
        )
        return _parse(Widget, data)

    def update_widget(
        self, widget_id: str, fields: dict[str, Any], organization_id: str | None = None
    ) -> Widget:
        """PATCH a privacy widget."""
        params = {"organization_id": self._org(organization_id)}
        data = self._call(
            "PATCH", f"/widgets/{widget_id}", "PATCH /widgets/{id}", params=params, json=fields
        )
        return _parse(Widget, data)

    def list_widget_deployments(
        self, widget_id: str | None = None, organization_id: str | None = None
    ) -> list[WidgetDeployment]:
        """Deployments of an organization's widgets (optionally one widget), newest first."""
        params: dict[str, Any] = {
            "organization_id": self._org(organization_id),
            "$sort[created_at]": -1,
        }
        if widget_id:
            params["widget_id"] = widget_id
        pages = self._pages("/widgets/deployments", "GET /widgets/deployments", params)
        return [_parse(WidgetDeployment, d) for d in pages]

    def get_widget_deployment(
        self, deployment_id: str, organization_id: str | None = None
    ) -> WidgetDeployment:
        """One widget deployment."""
        params = {"organization_id": self._org(organization_id)}
        data = self._call(
            "GET",
            f"/widgets/deployments/{deployment_id}",
            "GET /widgets/deployments/{id}",
            params=params,
        )
        return _parse(WidgetDeployment, data)

    def deploy_widget(self, widget_id: str, organization_id: str | None = None) -> WidgetDeployment:
        """Deploy a widget: one deployment per call, reconciled after ambiguous failures.

        A widget may be deployed many times, so reconciliation looks for a deployment of the
        widget created since the first attempt (allowing 5 s of clock skew).
        """
        org = self._org(organization_id)
        since = datetime.now(timezone.utc) - timedelta(seconds=5)

        def find() -> WidgetDeployment | None:
            for d in self.list_widget_deployments(widget_id, org):
                if d.created_at and _parse_time(d.created_at) >= since:
                    return d
            return None

        return self._publish(
            "/widgets/deployments",
            "POST /widgets/deployments",
            {"widget_id": widget_id},
            {"organization_id": org},
            find,
            WidgetDeployment,
        )

    def get_remote_widget_config(self, public_api_key: str, widget_id: str) -> dict[str, Any]:
        """The public, deployed configuration of a widget (no authentication)."""
        path = f"/configs/{public_api_key}/containers/{widget_id}.json"
        response = self._send(
            "GET", path, "GET /configs/{api_key}/containers/{id}.json", auth=False
        )
        if response.status_code >= 400:
            raise error_for_status("GET", path, response.status_code, _body(response))
        data = response.json()
        return data if isinstance(data, dict) else {"value": data}


def read_remote_widget_config(
    base_url: str,
    public_api_key: str,
    widget_id: str,
    timeout: float = 30.0,
    transport: httpx.BaseTransport | None = None,
) -> dict[str, Any]:
    """The public configuration of a deployed widget, as websites load it (no credentials).

    `base_url` is the host serving them (`https://pmp-sdk.privacy-center.org` in production).
    """
    path = f"/configs/{public_api_key}/containers/{widget_id}.json"
    with httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout, transport=transport) as http:
        try:
            response = http.get(path)
        except httpx.TransportError as exc:
            raise TransportError(
                f"could not reach {base_url} (GET {path}): {type(exc).__name__}"
            ) from None
    if response.status_code >= 400:
        raise error_for_status("GET", path, response.status_code, _body(response))
    data = response.json()
    return data if isinstance(data, dict) else {"value": data}


def validate_config_fields(fields: dict[str, Any]) -> None:
    """Raise `ConfigurationError` naming each invalid field of a draft update."""
    unknown = sorted(set(fields) - WRITABLE_CONFIG_FIELDS)
    problems: list[str] = [f"{name}: not a writable notice configuration field" for name in unknown]
    try:
        NoticeConfigFields.model_validate(
            {k: v for k, v in fields.items() if k not in unknown}, strict=True
        )
    except ValidationError as exc:
        problems += [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
    problems += [f"{name}: {reason}" for name, reason in config_rule_violations(fields)]
    if problems:
        raise ConfigurationError("invalid notice configuration: " + "; ".join(problems))


def _body(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {"message": response.reason_phrase or f"HTTP {response.status_code}"}
    return data if isinstance(data, dict) else {"message": str(data)[:200]}


def _parse(model: type[M], data: Any) -> M:
    return model.model_validate(data)


def _parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
