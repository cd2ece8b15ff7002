"""Sessions, tokens, and the isolation of organizations on every route."""

from __future__ import annotations

import base64
import json
import time

import httpx
import pytest

from tests.conftest import ORG_A, ORG_B
from tests.emulator.api import Api
from tests.helpers import EmulatorProcess


def test_sessions_and_tokens(start_emulator) -> None:  # type: ignore[no-untyped-def]
    emu: EmulatorProcess = start_emulator("--credential", ORG_A, "--token-ttl", "1")
    http = httpx.Client(base_url=emu.url + "/v1", timeout=5)
    bad = http.post("/sessions", json={"type": "api-key", "key": "key-a", "secret": "nope"})
    assert bad.status_code == 400 and bad.json()["message"] == "Invalid authentication information"
    # `type` is required (O1 sessions-input); an e-mail session fails like bad credentials (the
    # emulator has no users), another type names the field.
    untyped = http.post("/sessions", json={"key": "key-a", "secret": "secret-aaaaaaaaaaaaaaaa"})
    assert untyped.status_code == 400 and "type" in untyped.json()["errors"], untyped.text
    email = {"type": "email", "key": "a@example.com", "secret": "pw"}
    assert http.post("/sessions", json=email).json()["message"] == bad.json()["message"]
    other = http.post("/sessions", json={**email, "type": "oauth"})
    assert other.status_code == 400 and "type" in other.json()["errors"], other.text

    api = Api(emu.url, ORG_A)
    header, claims, sig = api.token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
    assert payload["sub"] == "key-a" and payload["exp"] > time.time()

    assert http.get("/widgets/notices").status_code == 401  # missing
    assert http.get("/widgets/notices", headers={"Authorization": "Token x"}).status_code == 401
    assert http.get("/widgets/notices", headers={"Authorization": "Bearer abc"}).status_code == 401
    forged_claims = (
        base64.urlsafe_b64encode(json.dumps({**payload, "orgs": ["org-b"]}).encode())
        .rstrip(b"=")
        .decode()
    )
    forged = f"{header}.{forged_claims}.{sig}"
    r = http.get("/widgets/notices", headers={"Authorization": f"Bearer {forged}"})
    assert r.status_code == 401 and r.json()["name"] == "NotAuthenticated"

    assert api.http.get("/widgets/notices").status_code == 200
    time.sleep(1.1)
    expired = api.http.get("/widgets/notices")
    assert expired.status_code == 401 and "expired" in expired.json()["message"]


def test_tokens_survive_an_emulator_restart(start_emulator, tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "restart.sqlite3")
    emu = start_emulator("--credential", ORG_A, db=db)
    api = Api(emu.url, ORG_A)
    notice = api.new_notice()
    emu.stop()
    emu2 = start_emulator("--credential", ORG_A, db=db)
    r = httpx.get(
        f"{emu2.url}/v1/widgets/notices/{notice['id']}",
        headers={"Authorization": f"Bearer {api.token}"},
    )
    assert r.status_code == 200 and r.json()["name"] == notice["name"]


def test_rate_limit_per_organization(start_emulator) -> None:  # type: ignore[no-untyped-def]
    emu = start_emulator("--credential", ORG_A, "--credential", ORG_B, "--rate-limit", "5/2")
    a = Api(emu.url, ORG_A)  # the session counts too: 1 of 5
    statuses = [a.http.get("/widgets/notices").status_code for _ in range(6)]
    assert statuses == [200, 200, 200, 200, 429, 429]
    r = a.http.get("/widgets/notices")
    assert r.status_code == 429 and 1 <= int(r.headers["Retry-After"]) <= 2
    assert r.json()["name"] == "TooManyRequests"
    assert r.headers["RateLimit-Policy"] == "5;w=2"
    b = Api(emu.url, ORG_B)  # another organization has its own budget
    assert b.http.get("/widgets/notices").status_code == 200
    time.sleep(2.1)
    assert a.http.get("/widgets/notices").status_code == 200


@pytest.fixture
def two_orgs(emulator: EmulatorProcess):  # type: ignore[no-untyped-def]
    a = Api(emulator.url, ORG_A)
    b = Api(emulator.url, ORG_B)
    notice = a.new_notice("secret notice")
    draft = a.draft(notice["id"])
    dep = a.deploy(notice["id"], draft["id"], "confidential message")
    widget = a.ok(
        "POST", "/widgets", 201, params={"organization_id": a.org}, json={"name": "A widget"}
    )
    wdep = a.ok(
        "POST",
        "/widgets/deployments",
        201,
        params={"organization_id": a.org},
        json={"widget_id": widget["id"]},
    )
    return (
        a,
        b,
        {
            "notice": notice,
            "draft": a.draft(notice["id"]),
            "published": draft,
            "deployment": dep,
            "widget": widget,
            "widget_deployment": wdep,
        },
    )


def test_isolation_matrix(two_orgs, emulator: EmulatorProcess) -> None:  # type: ignore[no-untyped-def]
    a, b, ids = two_orgs
    org_a = a.org
    n, d, p = ids["notice"]["id"], ids["draft"]["id"], ids["published"]["id"]
    dep, w, wd = ids["deployment"]["id"], ids["widget"]["id"], ids["widget_deployment"]["id"]
    # (method, path, params, body, allowed statuses)
    matrix = [
        ("GET", "/widgets/notices", {"organization_id": org_a}, None, {403}),
        ("POST", "/widgets/notices", None, {"organization_id": org_a, "name": "x"}, {403}),
        ("GET", f"/widgets/notices/{n}", None, None, {404}),
        ("PATCH", f"/widgets/notices/{n}", None, {"name": "pwned"}, {404}),
        ("DELETE", f"/widgets/notices/{n}", None, None, {404}),
        ("GET", "/widgets/notices/configs", {"organization_id": org_a}, None, {403}),
        ("GET", f"/widgets/notices/configs/{d}", None, None, {404}),
        ("GET", f"/widgets/notices/configs/{p}", None, None, {404}),
        ("PATCH", f"/widgets/notices/configs/{d}", None, {"platform": "app"}, {404}),
        ("GET", "/widgets/notices/deployments", {"organization_id": org_a}, None, {403}),
        (
            "POST",
            "/widgets/notices/deployments",
            None,
            {"notice_id": n, "organization_id": org_a, "production_config_id": d},
            {403},
        ),
        (
            "POST",
            "/widgets/notices/deployments",
            None,
            {"notice_id": n, "organization_id": b.org, "production_config_id": d},
            {404},
        ),
        ("GET", f"/widgets/notices/deployments/{dep}", None, None, {404}),
        ("GET", "/widgets", {"organization_id": org_a}, None, {403}),
        ("POST", "/widgets", {"organization_id": org_a}, {"name": "x"}, {403}),
        ("GET", f"/widgets/{w}", None, None, {404}),
        ("PATCH", f"/widgets/{w}", None, {"name": "pwned"}, {404}),
        ("POST", "/widgets/deployments", {"organization_id": org_a}, {"widget_id": w}, {403}),
        ("POST", "/widgets/deployments", {"organization_id": b.org}, {"widget_id": w}, {404}),
        ("GET", "/widgets/deployments", {"organization_id": org_a}, None, {403}),
        ("GET", f"/widgets/deployments/{wd}", None, None, {404}),
    ]
    secrets_of_a = [n, d, p, dep, w, wd, "secret notice", "confidential message", "A widget"]
    for method, path, params, body, allowed in matrix:
        r = b.http.request(method, path, params=params, json=body)
        assert r.status_code in allowed, (method, path, r.status_code, r.text)
        assert r.json()["code"] == r.status_code
        for leaked in secrets_of_a:
            if leaked not in path and leaked not in json.dumps(body or {}):
                assert leaked not in r.text, (method, path, leaked)
    # Listing without organization_id returns only B's own (empty) data.
    for path in (
        "/widgets/notices",
        "/widgets/notices/configs",
        "/widgets/notices/deployments",
        "/widgets",
    ):
        assert b.ok("GET", path)["total"] == 0
    assert b.ok("GET", "/widgets/deployments") == []
    # And A's data is untouched.
    assert a.ok("GET", f"/widgets/notices/{n}")["name"] == "secret notice"
    assert a.draft(n)["id"] == d
    assert a.ok("GET", f"/widgets/{w}")["name"] == "A widget"
    assert len(a.ok("GET", "/widgets/notices/deployments")["data"]) == 1
