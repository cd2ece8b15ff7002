"""Unset fields absent or `null`: whether Didomi leaves an unset field out (as its examples do,
and the emulator now does) or answers it as `null` (as its OpenAPI document's loose schemas
allow), the client reads the same objects and the provider the same state.

The `null` form is the emulator's own answers behind a proxy that adds every field the client
knows as `null` where it is absent: both forms come from the same records, over real HTTP.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from pydantic import BaseModel

from pulumi_didomi.client import DidomiClient
from pulumi_didomi.client._session import TOKENS
from pulumi_didomi.client.models import (
    Notice,
    NoticeConfig,
    NoticeDeployment,
    RegulationConfig,
)
from tests.conftest import ORG_A
from tests.helpers import REPO, EmulatorProcess

ORG, KEY, SECRET = ORG_A.split(":")


def with_nulls(value: Any) -> Any:
    """`value` with every field the client's models know set to `null` where it is absent."""
    if isinstance(value, list):
        return [with_nulls(v) for v in value]
    if not isinstance(value, dict):
        return value
    out = {k: with_nulls(v) for k, v in value.items()}
    model: type[BaseModel] | None = None
    if "production_config_id" in out:
        model = NoticeDeployment
    elif "notice_config_id" in out:
        model = RegulationConfig
    elif "notice_id" in out and "deployed_at" in out:
        model = NoticeConfig
    elif {"id", "organization_id", "name"} <= set(out) and "archived_at" in out:
        model = Notice
    for name in model.model_fields if model else ():
        out.setdefault(name, None)
    return out


class NullingProxy:
    """A real HTTP server in front of an emulator that answers its JSON `with_nulls`."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.nulled = 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                answer = httpx.request(
                    self.command,
                    proxy.upstream + self.path,
                    content=self.rfile.read(length) if length else None,
                    headers={k: v for k, v in self.headers.items() if k.lower() != "host"},
                    timeout=30,
                )
                body = answer.content
                if answer.headers.get("content-type", "").startswith("application/json"):
                    nulled = json.dumps(with_nulls(answer.json())).encode()
                    proxy.nulled += nulled != json.dumps(answer.json()).encode()
                    body = nulled
                self.send_response(answer.status_code)
                for name in ("content-type", "retry-after", "ratelimit", "ratelimit-policy"):
                    if name in answer.headers:
                        self.send_header(name, answer.headers[name])
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> NullingProxy:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(autouse=True)
def fresh_tokens() -> Iterator[None]:
    TOKENS.clear()
    yield
    TOKENS.clear()


@pytest.fixture
def proxy(emulator: EmulatorProcess) -> Iterator[NullingProxy]:
    with NullingProxy(emulator.url) as running:
        yield running


def _client(url: str) -> DidomiClient:
    return DidomiClient(KEY, SECRET, base_url=url + "/v1", organization_id=ORG, rate_limit=None)


# -- the client ---------------------------------------------------------------------------------


def test_with_nulls_adds_what_is_absent_and_keeps_what_is_set() -> None:
    config = {"id": "c", "notice_id": "n", "organization_id": "o", "deployed_at": None}
    nulled = with_nulls(
        {"data": [{**config, "regulation_configurations": [{"id": "r", "notice_config_id": "c"}]}]}
    )
    item = nulled["data"][0]
    assert item["text_id"] is None and item["deployed_by"] is None and item["id"] == "c"
    assert item["regulation_configurations"][0]["disabled_at"] is None
    assert with_nulls({"name": "x"}) == {"name": "x"}


@pytest.mark.parametrize(
    ("model", "payload", "unset"),
    [
        (
            Notice,
            {"id": "n", "organization_id": ORG, "name": "Main", "archived_at": None},
            ("privacy_experience_id", "environment", "external_source", "external_id"),
        ),
        (
            NoticeConfig,
            {"id": "c", "organization_id": ORG, "notice_id": "n", "deployed_at": None},
            ("text_id", "deployed_by", "deployed_by_type", "deployed_by_name", "deployed_metadata"),
        ),
        (
            NoticeDeployment,
            {"id": "d", "organization_id": ORG, "notice_id": "n", "production_config_id": "c"},
            ("message", "status", "version"),
        ),
    ],
)
def test_models_read_an_absent_field_as_a_null_one(
    model: type[BaseModel], payload: dict[str, Any], unset: tuple[str, ...]
) -> None:
    absent = model.model_validate(payload)
    null = model.model_validate({**payload, **dict.fromkeys(unset)})
    assert absent == null
    assert absent.model_dump(mode="json") == null.model_dump(mode="json")


def test_the_client_reads_the_same_objects_in_both_forms(
    emulator: EmulatorProcess, proxy: NullingProxy
) -> None:
    direct, nulled = _client(emulator.url), _client(proxy.url)
    notice = direct.create_notice("Main website")
    draft = direct.current_draft(notice.id)
    cpra = {"regulation_id": "cpra", "geo_locations": ["US_CA"]}
    direct.update_draft(draft.id, {"platform": "app", "regulation_configurations": [cpra]})
    deployment = direct.publish_notice(notice.id, direct.current_draft(notice.id).id, "first")

    reads: list[Callable[[DidomiClient], Any]] = [
        lambda c: c.get_notice(notice.id),
        lambda c: c.list_notices(),
        lambda c: c.current_draft(notice.id),
        lambda c: c.drafts(),
        lambda c: c.list_configs(notice.id),
        lambda c: c.list_notice_deployments(notice.id),
        lambda c: c.get_notice_deployment(deployment.id),
        lambda c: c.get_config(deployment.production_config_id),
    ]
    for read in reads:
        assert _dump(read(nulled)) == _dump(read(direct))
    assert proxy.nulled > 0  # the null form was really served
    draft = nulled.current_draft(notice.id)
    assert draft.is_draft and draft.text_id is None and draft.deployed_by is None


def _dump(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, dict):
        return {k: _dump(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dump(v) for v in value]
    return value


# -- the provider -------------------------------------------------------------------------------

_CREATE = """
import json
from pulumi_didomi.resources import (
    NoticeDeploymentProvider, NoticeDraftConfigProvider, NoticeProvider,
)

def create(provider, inputs):
    checked = provider.check({}, inputs)
    assert not checked.failures, checked.failures
    made = provider.create(checked.inputs)
    return {"id": made.id, "outs": made.outs}

notice = create(NoticeProvider(), {"name": "Main website", "environment": "production"})
draft = create(NoticeDraftConfigProvider(), {
    "notice_id": notice["id"],
    "platform": "web",
    "consent_duration": 6,
    "config": {"app": {"name": "Example"}},
    "regulation_configurations": [
        {"regulation_id": "gdpr", "is_default_regulation_config": True, "geo_locations": ["*"]},
        {"regulation_id": "cpra", "geo_locations": ["US_CA"]},
    ],
})
deployment = create(NoticeDeploymentProvider(), {
    "notice_id": notice["id"], "revision": draft["outs"]["written_revision"], "message": "first",
})
print(json.dumps({"notice": notice, "draft": draft, "deployment": deployment}))
"""

_READ = """
import json, sys
from pulumi_didomi.resources import (
    NoticeDeploymentProvider, NoticeDraftConfigProvider, NoticeProvider,
)

state = json.loads(sys.stdin.read())
providers = {
    "notice": NoticeProvider(),
    "draft": NoticeDraftConfigProvider(),
    "deployment": NoticeDeploymentProvider(),
}
read = {}
for name, provider in providers.items():
    found = provider.read(state[name]["id"], state[name]["outs"])
    read[name] = {"id": found.id, "outs": found.outs}
print(json.dumps(read))
"""


def _provider(code: str, url: str, stdin: str = "") -> tuple[Any, str]:
    """Run the dynamic providers in a fresh process configured for `url`, as the engine does:
    the JSON it prints last, and what it told the user (stderr)."""
    env = {
        **os.environ,
        "DIDOMI_API_URL": url + "/v1",
        "DIDOMI_API_KEY": KEY,
        "DIDOMI_API_SECRET": SECRET,
        "DIDOMI_ORGANIZATION_ID": ORG,
        "DIDOMI_RATE_LIMIT": "off",
    }
    done = subprocess.run(
        [sys.executable, "-c", code],
        input=stdin,
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr


def test_the_provider_reads_the_same_state_in_both_forms(
    emulator: EmulatorProcess, proxy: NullingProxy
) -> None:
    # Created where unset fields are left out, refreshed where they are null (and the reverse):
    # the same outputs, and nothing reported as changed outside the program.
    state, _ = _provider(_CREATE, emulator.url)
    direct, told_direct = _provider(_READ, emulator.url, json.dumps(state))
    nulled, told_nulled = _provider(_READ, proxy.url, json.dumps(state))
    assert proxy.nulled > 0
    assert nulled == direct
    for name in ("notice", "draft", "deployment"):
        assert direct[name]["id"] == state[name]["id"]
    assert "outside this program" not in told_direct + told_nulled, told_direct + told_nulled

    state_nulled, _ = _provider(_READ, proxy.url, json.dumps(state))
    again, told = _provider(_READ, emulator.url, json.dumps(state_nulled))
    assert again == direct and "outside this program" not in told, told
