"""The client against the emulator over real HTTP: budgets, faults, tokens, secrets."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from pulumi_didomi.client import (
    ConfigurationError,
    DidomiClient,
    ForbiddenError,
    InvalidRequestError,
    NotAuthenticatedError,
    NotFoundError,
    RetryPolicy,
    TransportError,
)
from pulumi_didomi.client._session import TOKENS
from tests.conftest import ORG_A, ORG_B
from tests.helpers import EmulatorProcess, api_calls

ORG, KEY, SECRET = ORG_A.split(":")


@pytest.fixture(autouse=True)
def fresh_tokens() -> Iterator[None]:
    TOKENS.clear()
    yield
    TOKENS.clear()


def client_for(emu: EmulatorProcess, credential: str = ORG_A, **kw) -> DidomiClient:  # type: ignore[no-untyped-def]
    org, key, secret = credential.split(":")
    kw.setdefault("rate_limit", None)  # the test emulator has its rate limit off
    return DidomiClient(key, secret, base_url=emu.url + "/v1", organization_id=org, **kw)


def test_call_budgets(emulator: EmulatorProcess) -> None:
    setup = client_for(emulator)
    notices = [setup.create_notice(f"n{i}") for i in range(3)]
    emulator.reset_stats()
    TOKENS.clear()

    client = client_for(emulator)
    draft = client.current_draft(notices[0].id)
    assert draft.is_draft and draft.notice_id == notices[0].id
    assert client.calls == {"POST /sessions": 1, "GET /widgets/notices/configs": 1}

    client.calls.clear()
    updated = client.update_draft(client.current_draft(notices[1].id).id, {"platform": "app"})
    assert updated.platform == "app"
    assert client.calls == {
        "GET /widgets/notices/configs": 1,
        "PATCH /widgets/notices/configs/{id}": 1,
    }

    client.calls.clear()
    dep = client.publish_notice(notices[1].id, updated.id, "ship it")
    assert dep.status == "success" and dep.production_config_id == updated.id
    assert client.calls["POST /widgets/notices/deployments"] == 1
    polls = client.calls["GET /widgets/notices/deployments/{id}"]
    assert 1 <= polls <= 3
    assert set(client.calls) == {
        "POST /widgets/notices/deployments",
        "GET /widgets/notices/deployments/{id}",
    }
    # The emulator saw exactly what the client counted: one session in all.
    seen = api_calls(emulator.stats())
    assert seen["POST /sessions"] == 1
    assert seen["POST /widgets/notices/deployments"] == 1


def test_one_session_for_many_calls_across_threads(emulator: EmulatorProcess) -> None:
    client = client_for(emulator)
    notice = client.create_notice("n")
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: client.current_draft(notice.id), range(40)))
    other = client_for(emulator)  # another client in the same process shares the token
    other.current_draft(notice.id)
    assert api_calls(emulator.stats())["POST /sessions"] == 1


def test_250_drafts_in_three_calls(emulator: EmulatorProcess) -> None:
    client = client_for(emulator)
    with ThreadPoolExecutor(8) as pool:
        created = list(pool.map(lambda i: client.create_notice(f"n{i}"), range(250)))
    client.calls.clear()
    drafts = client.drafts()
    assert client.calls == {"GET /widgets/notices/configs": 3}
    assert set(drafts) == {n.id for n in created}
    assert all(d.is_draft for d in drafts.values())


def test_faults_30_percent_converge_with_one_deployment_per_intent(
    emulator: EmulatorProcess,
) -> None:
    client = client_for(
        emulator,
        retry=RetryPolicy(max_attempts=12, backoff_base=0.02, backoff_cap=0.2, max_retry_after=0.2),
    )
    notices = [client.create_notice(f"n{i}") for i in range(10)]
    emulator.set_faults(
        error_rate=0.1,
        rate_limit_rate=0.1,
        drop_rate=0.1,
        commit_then_fail_routes=["POST /widgets/notices/deployments"],
        commit_then_fail_rate=0.5,
    )
    expected: dict[str, int] = {}
    intents: list[str] = []
    for op in range(50):
        notice = notices[op % 10]
        draft = client.current_draft(notice.id)
        duration = op + 1
        patched = client.update_draft(draft.id, {"consent_duration": duration})
        assert patched.consent_duration == duration
        dep = client.publish_notice(notice.id, patched.id, f"op {op}", wait=False)
        assert dep.production_config_id == patched.id
        intents.append(patched.id)
        expected[notice.id] = duration
    emulator.clear_faults()
    faults = emulator.stats()["faults"]
    assert faults.get("error", 0) > 5 and faults.get("429", 0) > 5
    assert faults.get("commit_then_fail", 0) > 5
    deployments = client.list_notice_deployments()
    assert sorted(d.production_config_id for d in deployments) == sorted(intents)
    for notice in notices:
        draft = client.current_draft(notice.id)
        assert draft.consent_duration == expected[notice.id]
        published = client.list_configs(notice.id, published_only=True)
        assert len(published) == 5
    assert client.retries > 0


def test_short_lived_tokens(start_emulator) -> None:  # type: ignore[no-untyped-def]
    emu = start_emulator("--credential", ORG_A, "--token-ttl", "2", "--rate-limit", "off")
    client = client_for(emu)
    notice = client.create_notice("n")
    deadline = time.monotonic() + 10
    calls = 0
    while time.monotonic() < deadline:
        client.current_draft(notice.id)
        calls += 1
        time.sleep(0.05)
    sessions = api_calls(emu.stats())["POST /sessions"]
    assert calls > 50 and 4 <= sessions <= 12, (calls, sessions)
    assert emu.stats()["by_status"].get("401", 0) <= 1


def test_401_remints_once(start_emulator) -> None:  # type: ignore[no-untyped-def]
    emu = start_emulator("--credential", ORG_A, "--token-ttl", "1", "--rate-limit", "off")
    client = client_for(emu)
    notice = client.create_notice("n")
    # A token the cache still believes fresh but the server has expired.
    slot = next(iter(TOKENS._slots.values()))
    assert slot.token is not None
    slot.token.refresh_at = time.time() + 3600
    time.sleep(1.1)
    client.calls.clear()
    assert client.current_draft(notice.id).notice_id == notice.id
    assert client.calls == {"GET /widgets/notices/configs": 2, "POST /sessions": 1}


def test_errors_are_typed_and_name_the_route(emulator: EmulatorProcess) -> None:
    client = client_for(emulator)
    with pytest.raises(NotFoundError) as nf:
        client.get_notice("missing1")
    assert "GET /widgets/notices/missing1 failed with 404 NotFound" in str(nf.value)
    with pytest.raises(ForbiddenError):
        client.list_notices(organization_id="org-b")
    with pytest.raises(NotAuthenticatedError) as na:
        DidomiClient(KEY, "wrong-secret-value", base_url=emulator.url + "/v1").list_notices("x")
    assert "didomi:apiSecret" in str(na.value)
    with pytest.raises(ConfigurationError) as ce:
        client.update_draft("whatever", {"platform": "desktop", "colour": "red"})
    assert "platform" in str(ce.value) and "colour" in str(ce.value)
    unreachable = DidomiClient(
        KEY,
        SECRET,
        base_url="http://127.0.0.1:9/v1",
        retry=RetryPolicy(max_attempts=2, backoff_base=0.01),
    )
    with pytest.raises(TransportError) as te:
        unreachable.list_notices(ORG)
    assert "could not reach the Didomi API at http://127.0.0.1:9/v1" in str(te.value)


def test_a_draft_update_is_judged_as_a_patch_or_trusted_when_checked(
    emulator: EmulatorProcess,
) -> None:
    client = client_for(emulator)
    draft = client.current_draft(client.create_notice("n").id)
    client.update_draft(draft.id, {"ignore_consent_before": "2026-01-31"})
    # The date is on Didomi: a PATCH of the flag alone is valid (the emulator agrees).
    assert client.update_draft(draft.id, {"enable_ignore_consent_before": True}).version
    with pytest.raises(ConfigurationError, match="ignore_consent_before"):
        client.update_draft(
            draft.id, {"enable_ignore_consent_before": True, "ignore_consent_before": "soon"}
        )
    # Checked fields (the provider's, validated by `check`) are sent as they are: Didomi judges.
    client.calls.clear()
    with pytest.raises(InvalidRequestError):
        client.update_draft(draft.id, {"platform": "desktop"}, checked=True)
    assert client.calls == {"PATCH /widgets/notices/configs/{id}": 1}


def test_isolation_through_the_client(emulator: EmulatorProcess) -> None:
    a = client_for(emulator)
    b = client_for(emulator, ORG_B)
    notice = a.create_notice("a's notice")
    draft = a.current_draft(notice.id)
    with pytest.raises(NotFoundError):
        b.get_config(draft.id)
    with pytest.raises(NotFoundError):
        b.update_draft(draft.id, {"platform": "app"})
    with pytest.raises((ForbiddenError, NotFoundError)):
        b.current_draft(notice.id, organization_id=ORG)
    assert b.drafts() == {}
    assert a.current_draft(notice.id).platform == "web"


def test_no_secret_or_token_in_messages_logs_or_repr(
    emulator: EmulatorProcess, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = client_for(emulator)
    notice = client.create_notice("n")
    draft = client.current_draft(notice.id)
    token = next(iter(TOKENS._slots.values())).token
    assert token is not None
    texts = [repr(client), str(client.__dict__.get("base_url"))]
    failures = [
        lambda: client.get_notice("nope"),
        lambda: client.update_draft(draft.id, {"platform": "desktop"}),
        lambda: client.list_notices(organization_id="org-b"),
        lambda: DidomiClient(KEY, SECRET + "x", base_url=emulator.url + "/v1").list_notices(ORG),
        lambda: DidomiClient(
            KEY, SECRET, base_url="http://127.0.0.1:9", retry=RetryPolicy(max_attempts=1)
        ).list_notices(ORG),
        lambda: DidomiClient(KEY, SECRET, base_url="ftp://x"),
    ]
    for fail in failures:
        with pytest.raises(Exception) as info:
            fail()
        texts += [str(info.value), repr(info.value)]
    emulator.set_faults(drop_rate=1.0)
    with pytest.raises(Exception) as info:
        client_for(emulator, retry=RetryPolicy(max_attempts=2, backoff_base=0.01)).list_notices()
    texts += [str(info.value), repr(info.value)]
    emulator.clear_faults()
    texts += [r.getMessage() for r in caplog.records]
    assert len(caplog.records) > 5
    emulator.stop()
    texts += emulator.log
    blob = "\n".join(texts)
    assert SECRET not in blob and token.value not in blob
    assert token.value.split(".")[2] not in blob


def test_widget_deployment_reconciles_after_commit_then_fail(emulator: EmulatorProcess) -> None:
    client = client_for(emulator)
    widget = client.create_widget("Preference center")
    emulator.set_faults(commit_then_fail_routes=["POST /widgets/deployments"])
    deployment = client.deploy_widget(widget.id)
    emulator.clear_faults()
    assert [d.id for d in client.list_widget_deployments(widget.id)] == [deployment.id]
    key = emulator.public_key(ORG)
    assert client.get_remote_widget_config(key, widget.id)["name"] == "Preference center"


def test_deployments_in_flight_are_bounded(start_emulator) -> None:  # type: ignore[no-untyped-def]
    emu = start_emulator("--credential", ORG_A, "--rate-limit", "off", "--deploy-seconds", "0.5")
    client = client_for(emu)
    notices = [client.create_notice(f"n{i}") for i in range(8)]
    drafts = client.drafts()
    lock = threading.Lock()
    done: list[str] = []

    def publish(notice_id: str) -> None:
        dep = client.publish_notice(notice_id, drafts[notice_id].id, "bulk")
        with lock:
            done.append(dep.id)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(publish, [n.id for n in notices]))
    assert len(done) == 8
    stats = emu.stats()
    assert stats["max_running_deployments"] <= 3
    assert stats["by_status"].get("429", 0) == 0


def test_client_pacing_never_trips_the_rate_limit(start_emulator) -> None:  # type: ignore[no-untyped-def]
    emu = start_emulator("--credential", ORG_A, "--rate-limit", "20/2")
    client = client_for(emu, rate_limit=(20, 2.0))
    notice = client.create_notice("n")
    with ThreadPoolExecutor(6) as pool:
        list(pool.map(lambda _: client.current_draft(notice.id), range(60)))
    stats = emu.stats()
    assert stats["by_status"].get("429", 0) == 0 and client.rate_limited == 0
    assert api_calls(stats)["GET /widgets/notices/configs"] == 60


def test_pacing_follows_the_servers_remaining_budget(start_emulator) -> None:  # type: ignore[no-untyped-def]
    """Another process already spent most of the window: the server's RateLimit header says so."""
    emu = start_emulator("--credential", ORG_A, "--rate-limit", "20/3")
    other = client_for(emu)  # unpaced, like another tool sharing the organization
    notice = other.create_notice("n")
    for _ in range(14):
        other.current_draft(notice.id)
    r = httpx.get(f"{emu.url}/v1/widgets/notices", headers={"Authorization": "Bearer x"})
    assert r.status_code == 401
    fresh = client_for(emu, rate_limit=(20, 3.0))  # a new process: its own window is empty
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _: fresh.current_draft(notice.id), range(30)))
    stats = emu.stats()
    assert stats["by_status"].get("429", 0) == 0, stats["by_status"]
    headers = httpx.get(
        f"{emu.url}/v1/widgets/notices",
        headers={"Authorization": f"Bearer {next(iter(TOKENS._slots.values())).token.value}"},  # type: ignore[union-attr]
    ).headers
    assert headers["RateLimit-Policy"] == "20;w=3" and "remaining=" in headers["RateLimit"]


def test_functions_read_drafts_deployments_and_remote_widget_config(
    emulator: EmulatorProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pulumi_didomi as didomi
    from pulumi_didomi.client import NotFoundError as Missing

    client = client_for(emulator)
    notice = client.create_notice("n")
    draft = client.current_draft(notice.id)
    client.publish_notice(notice.id, draft.id, "first")
    widget = client.create_widget("Preference center")
    client.deploy_widget(widget.id)
    monkeypatch.setenv("DIDOMI_API_KEY", KEY)
    monkeypatch.setenv("DIDOMI_API_SECRET", SECRET)
    monkeypatch.setenv("DIDOMI_ORGANIZATION_ID", ORG)
    monkeypatch.setenv("DIDOMI_API_URL", emulator.url + "/v1")
    monkeypatch.setenv("DIDOMI_RATE_LIMIT", "off")
    assert didomi.get_notice_draft(notice.id).id != draft.id  # a new draft after publishing
    assert [d.message for d in didomi.get_notice_deployments(notice.id)] == ["first"]
    key = emulator.public_key(ORG)
    config = didomi.get_remote_widget_config(key, widget.id)
    assert config["name"] == "Preference center"
    with pytest.raises(Missing) as info:
        didomi.get_remote_widget_config(key, "nope1234")
    assert f"GET /configs/{key}/containers/nope1234.json failed with 404" in str(info.value)


def test_polls_learn_how_long_a_deployment_takes(start_emulator) -> None:  # type: ignore[no-untyped-def]
    """Deployments running 2.2 s: the first is found done by polls in growing steps (1 s, then a
    quarter of the time waited: 1, 1.25, 1.56, 1.95, 2.44 s), the next ones by one poll each, at
    the time the first took: 1 POST + 1 poll per publication once known, where polls at 1 and
    2.5 s took 2 per publication and held each slot 2.5 s."""
    emu = start_emulator("--credential", ORG_A, "--rate-limit", "off", "--deploy-seconds", "2.2")
    client = client_for(emu)
    notices = [client.create_notice(f"n{i}") for i in range(4)]
    drafts = client.drafts()
    started = time.monotonic()
    for notice in notices:
        client.publish_notice(notice.id, drafts[notice.id].id, "slow")
    elapsed = time.monotonic() - started
    polls = client.calls["GET /widgets/notices/deployments/{id}"]
    assert polls == 5 + 3
    assert 4 * 2.44 < elapsed < 4 * 2.44 * 1.15
