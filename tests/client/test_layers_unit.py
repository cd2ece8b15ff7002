"""Unit tests of the client's layers with httpx.MockTransport: route keys from path templates,
the auth flow, the request layer's retries, and the notice and widget endpoints."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import jwt
import pytest

from pulumi_didomi.client import (
    DidomiClient,
    NotAuthenticatedError,
    NotFoundError,
    RetryPolicy,
    TransportError,
    Widget,
)
from pulumi_didomi.client._session import TokenCache

Handler = Callable[[httpx.Request], httpx.Response]
ORG = "org-1"


def token(exp: float = 9e12) -> str:
    return jwt.encode({"exp": exp}, "not-a-secret-key-of-32-bytes-len", algorithm="HS256")


class FakeDidomi:
    """Answers `POST /sessions` with a fresh token and everything else with `handler`."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.seen: list[httpx.Request] = []
        self.tokens: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.seen.append(request)
        if request.url.path == "/v1/sessions":
            self.tokens.append(token(9e12 + len(self.tokens)))
            return httpx.Response(201, json={"access_token": self.tokens[-1]})
        return self.handler(request)

    def client(self, **kw: object) -> DidomiClient:
        kw.setdefault("tokens", TokenCache())
        return DidomiClient(
            "key",
            "s3cr3t-value",
            base_url="http://didomi.test/v1",
            organization_id=ORG,
            transport=httpx.MockTransport(self),
            rate_limit=None,
            sleep=lambda _: None,
            **kw,  # type: ignore[arg-type]
        )

    def body(self, index: int = -1) -> object:
        return json.loads(self.seen[index].content)


def notice(**fields: object) -> dict[str, object]:
    return {"id": "n1", "organization_id": ORG, "name": "Main", "version": 0, **fields}


def test_route_keys_come_from_the_path_templates() -> None:
    fake = FakeDidomi(lambda r: httpx.Response(200, json=notice()))
    client = fake.client()
    client.get_notice("n1")
    client.update_notice("n1", {"name": "Main"})
    client.delete_notice("n1")
    assert client.calls == {
        "POST /sessions": 1,
        "GET /widgets/notices/{id}": 1,
        "PATCH /widgets/notices/{id}": 1,
        "DELETE /widgets/notices/{id}": 1,
    }
    assert [f"{r.method} {r.url.path}" for r in fake.seen[1:]] == [
        "GET /v1/widgets/notices/n1",
        "PATCH /v1/widgets/notices/n1",
        "DELETE /v1/widgets/notices/n1",
    ]


def test_notice_endpoints_send_what_didomi_documents() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            skip = int(request.url.params["$skip"])
            page = [notice(id=f"n{i}") for i in range(skip, min(skip + 100, 150))]
            return httpx.Response(200, json={"total": 150, "skip": skip, "data": page})
        return httpx.Response(201 if request.method == "POST" else 200, json=notice(extra=1))

    fake = FakeDidomi(handler)
    client = fake.client()
    created = client.create_notice("Main", environment="production", external_id="x-1")
    assert created.id == "n1" and created.archived_at is None
    assert fake.body() == {
        "organization_id": ORG,
        "name": "Main",
        "environment": "production",
        "external_id": "x-1",
    }
    client.create_notice("Other", "org-2")
    assert fake.body() == {"organization_id": "org-2", "name": "Other"}
    client.update_notice("n1", {"archived_at": "2026-01-31T00:00:00.000Z"})
    assert fake.seen[-1].method == "PATCH"
    assert fake.body() == {"archived_at": "2026-01-31T00:00:00.000Z"}
    assert client.delete_notice("n1").name == "Main"
    assert len(client.list_notices()) == 150
    assert client.calls["GET /widgets/notices"] == 2
    assert fake.seen[-1].url.params["organization_id"] == ORG


def test_widget_endpoints_and_the_widget_model() -> None:
    widget = {
        "id": "w1",
        "organization_id": ORG,
        "name": "Preference center",
        "format": "embeddable",
        "headless": False,
        "template_id": "full_preference_center",
        "enabled_languages": ["en", "fr"],
        "default_language": "en",
        "theme_id": "t1",
        "layout_shape": "squared",
        "archived": True,
        "publication_status": "draft",
        "something_new": {"from": "Didomi"},
    }

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(200, json=[widget, {**widget, "id": "w2"}])
        return httpx.Response(200, json=widget)

    fake = FakeDidomi(handler)
    client = fake.client()
    widgets = client.list_widgets()
    assert [w.id for w in widgets] == ["w1", "w2"]
    assert widgets[0].enabled_languages == ["en", "fr"] and widgets[0].layout_shape == "squared"
    assert widgets[0].archived is True and widgets[0].subdomain_id is None
    assert not hasattr(widgets[0], "something_new")
    assert fake.seen[-1].url.params["$limit"] == "100"
    updated = client.update_widget("w1", {"archived": True})
    assert isinstance(updated, Widget) and fake.body() == {"archived": True}
    assert fake.seen[-1].url.params["organization_id"] == ORG
    assert client.calls == {"POST /sessions": 1, "GET /widgets": 1, "PATCH /widgets/{id}": 1}


def test_a_401_logs_in_again_once_and_replays_the_request() -> None:
    refused: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bearer = request.headers["Authorization"].removeprefix("Bearer ")
        if not refused:
            refused.append(bearer)
            return httpx.Response(401, json={"name": "NotAuthenticated", "message": "jwt expired"})
        return httpx.Response(200, json=notice())

    fake = FakeDidomi(handler)
    client = fake.client()
    client.get_notice("n1")
    assert client.calls == {"POST /sessions": 2, "GET /widgets/notices/{id}": 2}
    assert refused == [fake.tokens[0]]
    assert fake.seen[-1].headers["Authorization"] == f"Bearer {fake.tokens[1]}"
    assert client.last_attempts == 2  # the refused attempt counts


def test_a_second_401_is_an_error_and_bad_credentials_name_the_settings() -> None:
    fake = FakeDidomi(lambda r: httpx.Response(401, json={"message": "no"}))
    client = fake.client()
    with pytest.raises(NotAuthenticatedError):
        client.get_notice("n1")
    assert client.calls["GET /widgets/notices/{id}"] == 2

    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, json={"name": "BadRequest", "message": "Invalid"})

    bad = DidomiClient(
        "key", "wrong-secret", base_url="http://x/v1", transport=httpx.MockTransport(refuse)
    )
    with pytest.raises(NotAuthenticatedError) as info:
        bad.get_notice("n1")
    assert "400 BadRequest: Invalid" in str(info.value) and "didomi:apiSecret" in str(info.value)


def test_a_refused_login_is_not_tried_again_by_the_process() -> None:
    sessions: list[httpx.Request] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        sessions.append(request)
        return httpx.Response(401, json={"name": "NotAuthenticated", "message": "Invalid login"})

    tokens = TokenCache()

    def client(secret: str = "wrong-secret", url: str = "http://x/v1") -> DidomiClient:
        return DidomiClient(
            "key", secret, base_url=url, transport=httpx.MockTransport(refuse), tokens=tokens
        )

    # Four resources of one run, each with its own client, in threads at once.
    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(client().get_notice, f"n{i}") for i in range(4)]
    errors = [f.exception() for f in futures]
    assert len(sessions) == 1
    assert all(isinstance(e, NotAuthenticatedError) for e in errors), errors
    assert len({str(e) for e in errors}) == 1 and "didomi:apiSecret" in str(errors[0])
    assert len({id(e) for e in errors}) == 4  # each caller raises its own instance
    # Other credentials (or another API) are tried: the refusal is theirs alone.
    with pytest.raises(NotAuthenticatedError):
        client("another-secret").get_notice("n1")
    with pytest.raises(NotAuthenticatedError):
        client(url="http://y/v1").get_notice("n1")
    assert len(sessions) == 3
    tokens.clear()
    with pytest.raises(NotAuthenticatedError):
        client().get_notice("n1")
    assert len(sessions) == 4


def test_tokens_are_refreshed_before_they_expire() -> None:
    fake = FakeDidomi(lambda r: httpx.Response(200, json=notice()))
    tokens = TokenCache()
    lapsing = token(time.time() + 60)  # refreshed 10% of its lifetime early: not yet
    tokens.get("http://didomi.test/v1", "key", "s3cr3t-value", lambda: lapsing)
    client = fake.client(tokens=tokens)
    client.get_notice("n1")
    assert client.calls["POST /sessions"] == 0
    assert fake.seen[-1].headers["Authorization"] == f"Bearer {lapsing}"
    expired = token(time.time() - 1)
    tokens.get("http://didomi.test/v1", "key", "s3cr3t-value", lambda: expired, stale=lapsing)
    client.get_notice("n1")
    assert client.calls["POST /sessions"] == 1
    assert fake.seen[-1].headers["Authorization"] == f"Bearer {fake.tokens[0]}"


def test_reads_are_retried_and_connection_failures_become_transport_errors() -> None:
    attempts: list[int] = []

    def flaky(request: httpx.Request) -> httpx.Response:
        attempts.append(1)
        if len(attempts) < 3:
            return httpx.Response(503, headers={"Retry-After": "1"}, json={"message": "busy"})
        return httpx.Response(200, json=notice())

    client = FakeDidomi(flaky).client()
    assert client.get_notice("n1").id == "n1"
    assert client.retries == 2 and client.last_attempts == 3

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    client = FakeDidomi(down).client(retry=RetryPolicy(max_attempts=2))
    with pytest.raises(TransportError) as info:
        client.get_notice("n1")
    assert "could not reach the Didomi API at http://didomi.test/v1 (GET /widgets/notices/n1)" in (
        str(info.value)
    )


def test_a_publish_that_timed_out_is_found_not_sent_again() -> None:
    deployment = {
        "id": "d1",
        "notice_id": "n1",
        "organization_id": ORG,
        "production_config_id": "c1",
        "status": "running",
    }

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            raise httpx.ReadTimeout("sent, no answer", request=request)
        return httpx.Response(200, json={"total": 1, "data": [deployment]})

    fake = FakeDidomi(handler)
    client = fake.client()
    found = client.publish_notice("n1", "c1", "ship it", wait=False)
    assert found.id == "d1"
    assert client.calls["POST /widgets/notices/deployments"] == 1
    assert client.calls["GET /widgets/notices/deployments"] == 1


def test_the_remote_widget_config_needs_no_token() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert "Authorization" not in request.headers
        if request.url.path.endswith("/gone.json"):
            return httpx.Response(404, json={"name": "NotFound", "message": "Page not found"})
        return httpx.Response(200, json={"name": "Preference center"})

    fake = FakeDidomi(handler)
    client = fake.client()
    assert client.get_remote_widget_config("pub", "w1") == {"name": "Preference center"}
    with pytest.raises(NotFoundError) as info:
        client.get_remote_widget_config("pub", "gone")
    assert "GET /configs/pub/containers/gone.json failed with 404 NotFound" in str(info.value)
    assert client.calls == {"GET /configs/{api_key}/containers/{id}.json": 2}
