"""Provider hooks through the real dynamic-provider gRPC server, against the emulator."""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import pytest

from pulumi_didomi.resources import NoticeDeploymentProvider, NoticeDraftConfigProvider
from tests.conftest import ORG_A
from tests.emulator.api import Api
from tests.helpers import EmulatorProcess, api_calls
from tests.resources.grpc_provider import UNKNOWN, ProviderServer

URN = "urn:pulumi:test::proj::pulumi-python:dynamic/didomi:NoticeDraftConfig::banner"
DEP_URN = "urn:pulumi:test::proj::pulumi-python:dynamic/didomi:NoticeDeployment::release"
ORG, KEY, SECRET = ORG_A.split(":")
DIFF_NONE, DIFF_SOME = 1, 2


_servers: list[ProviderServer] = []


def next_run(previous: ProviderServer | None, emulator: EmulatorProcess) -> ProviderServer:
    """A new provider process, configured as the engine does at the start of a command."""
    if previous is not None:
        previous.close()
    srv = ProviderServer()
    srv.configure(
        {
            "didomi:apiKey": KEY,
            "didomi:apiSecret": SECRET,
            "didomi:organizationId": ORG,
            "didomi:apiUrl": emulator.url + "/v1",
        }
    )
    _servers.append(srv)
    return srv


@pytest.fixture
def server(emulator: EmulatorProcess) -> Iterator[ProviderServer]:
    yield next_run(None, emulator)
    while _servers:
        srv = _servers.pop()
        if srv.proc.poll() is None:
            srv.close()


def test_draft_lifecycle_through_grpc(server: ProviderServer, emulator: EmulatorProcess) -> None:
    api = Api(emulator.url, ORG_A)
    notice = api.new_notice()
    prov = server.provider_string(NoticeDraftConfigProvider())
    news = {
        "__provider": prov,
        "notice_id": notice["id"],
        "platform": "app",
        "consent_duration": 6,
        "consent_duration_unit": "months",
        "managed_fields": ["consent_duration", "consent_duration_unit", "platform"],
        "revision": "r1",
    }

    inputs, failures = server.check(URN, {}, news)
    assert failures == []
    # Unknowns during preview are accepted.
    _, failures = server.check(URN, {}, {**news, "platform": UNKNOWN})
    assert failures == []
    # Bad input: every failure names its field; nothing is called.
    emulator.reset_stats()
    _, failures = server.check(
        URN,
        {},
        {
            **news,
            "platform": "desktop",
            "consent_duration": -1,
            "colour": "red",
            "managed_fields": ["consent_duration", "platform"],
        },
    )
    fields = {f for f, _ in failures}
    assert {"platform", "consent_duration", "colour"} <= fields, failures
    assert emulator.stats()["total"] == 0

    emulator.reset_stats()
    id_, outs = server.create(URN, inputs)
    assert id_ == notice["id"]
    assert outs["platform"] == "app" and outs["consent_duration"] == 6
    assert api_calls(emulator.stats()) == {
        "POST /sessions": 1,
        "GET /widgets/notices/configs": 1,
        "PATCH /widgets/notices/configs/{config_id}": 1,
    }
    draft = api.draft(notice["id"])
    assert outs["config_id"] == draft["id"] and draft["platform"] == "app"

    assert server.diff(URN, id_, outs, inputs) == (DIFF_NONE, [])
    assert server.diff(URN, id_, outs, {**inputs, "consent_duration": 6.0})[0] == DIFF_NONE
    changes, replaces = server.diff(URN, id_, outs, {**inputs, "platform": "web"})
    assert changes == DIFF_SOME and replaces == []
    changes, replaces = server.diff(URN, id_, outs, {**inputs, "notice_id": "other123"})
    assert changes == DIFF_SOME and replaces == ["notice_id"]

    # Read: no drift returns the state as it is.
    assert server.read(URN, id_, outs) == (id_, outs)
    # Someone changes the draft in the console: the next refresh (a new provider process, as
    # for every pulumi command) shows it, and update restores it.
    api.ok("PATCH", f"/widgets/notices/configs/{draft['id']}", json={"platform": "amp"})
    server = next_run(server, emulator)
    _, drifted = server.read(URN, id_, outs)
    assert drifted["platform"] == "amp"
    assert server.diff(URN, id_, drifted, inputs)[0] == DIFF_SOME
    restored = server.update(URN, id_, drifted, inputs)
    assert restored["platform"] == "app" and api.draft(notice["id"])["platform"] == "app"

    server.delete(URN, id_, restored)
    assert api.draft(notice["id"])["platform"] == "app"  # nothing deleted


def test_deployment_refuses_unreviewed_draft(
    server: ProviderServer, emulator: EmulatorProcess
) -> None:
    api = Api(emulator.url, ORG_A)
    notice = api.new_notice()
    draft = api.draft(notice["id"])
    api.ok("PATCH", f"/widgets/notices/configs/{draft['id']}", json={"platform": "amp"})
    prov = server.provider_string(NoticeDeploymentProvider())
    props = {
        "__provider": prov,
        "notice_id": notice["id"],
        "revision": "r1",
        "message": "m",
        "wait": True,
        "timeout": 30,
        "draft_values": {"platform": "app"},
    }
    with pytest.raises(grpc.RpcError) as info:
        server.create(DEP_URN, props)
    assert "no longer holds the values this program set" in str(info.value.details())
    assert "platform" in str(info.value.details())
    assert api.ok("GET", "/widgets/notices/deployments")["total"] == 0

    # message-only change publishes nothing; a new revision replaces.
    olds = {**props, "deployment_id": "x"}
    assert server.diff(DEP_URN, "x", olds, {**props, "message": "other"}) == (DIFF_NONE, [])
    assert server.diff(DEP_URN, "x", olds, {**props, "revision": "r2"}) == (DIFF_SOME, ["revision"])


def test_missing_credentials_name_the_settings(emulator: EmulatorProcess) -> None:
    srv = ProviderServer()
    try:
        srv.configure({})
        prov = srv.provider_string(NoticeDraftConfigProvider())
        with pytest.raises(grpc.RpcError) as info:
            srv.create(
                URN,
                {
                    "__provider": prov,
                    "notice_id": "abc12345",
                    "platform": "web",
                    "managed_fields": ["platform"],
                },
            )
        details = str(info.value.details())
        assert "didomi:apiKey" in details and "didomi:apiSecret" in details
        assert "DIDOMI_API_KEY" in details
    finally:
        srv.close()


def test_a_patch_is_not_judged_as_a_whole_configuration(
    server: ProviderServer, emulator: EmulatorProcess
) -> None:
    """The program sets `enable_ignore_consent_before` and its date; the draft already has the
    date, so the PATCH carries the flag alone: the date it needs is on Didomi (check judged the
    whole declared configuration; the PATCH is not validated again)."""
    api = Api(emulator.url, ORG_A)
    notice = api.new_notice()
    draft = api.draft(notice["id"])
    date = {"ignore_consent_before": "2026-01-31"}
    api.ok("PATCH", f"/widgets/notices/configs/{draft['id']}", json=date)
    news = {
        "__provider": server.provider_string(NoticeDraftConfigProvider()),
        "notice_id": notice["id"],
        "enable_ignore_consent_before": True,
        **date,
        "managed_fields": ["enable_ignore_consent_before", "ignore_consent_before"],
        "revision": "r1",
    }
    inputs, failures = server.check(URN, {}, news)
    assert failures == []
    _, outs = server.create(URN, inputs)
    assert outs["enable_ignore_consent_before"] is True
    assert api.draft(notice["id"])["enable_ignore_consent_before"] is True
