"""The native provider's check and diff on wire values (no engine, no API call)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pulumi.provider.experimental import provider as rpc
from pulumi.provider.experimental.property_value import PropertyValue

from pulumi_didomi.core.values import UNKNOWN
from pulumi_didomi.provider.protocol import DidomiPlugin, ProviderError, refuse_plain_secrets
from pulumi_didomi.provider.wire import plain, wire


def _run(coroutine: Any) -> Any:
    """Run a provider call on a loop of its own (not `asyncio.run`, which leaves the thread
    without an event loop for the Pulumi SDK's mocks in later tests)."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coroutine)
    finally:
        loop.close()


DRAFT = "urn:pulumi:dev::site::didomi:index:NoticeDraftConfig::banner"
DEPLOYMENT = "urn:pulumi:dev::site::didomi:index:NoticeDeployment::release"


def _check(urn: str, news: dict[str, Any]) -> rpc.CheckResponse:
    request = rpc.CheckRequest(urn, {}, {k: wire(v) for k, v in news.items()}, b"")
    return _run(DidomiPlugin().check(request))


def test_failures_name_the_wire_property_with_the_core_message() -> None:
    response = _check(DRAFT, {"noticeId": "", "consentDuration": -1, "platform": "tv"})
    failures = {f.property: f.reason for f in response.failures or []}
    assert failures["noticeId"].startswith("required: the id of the Didomi notice")
    assert "greater than 0" in failures["consentDuration"]
    assert "'web', 'amp', 'app' or 'ctv'" in failures["platform"]
    response = _check(DEPLOYMENT, {"timeout": -5.0, "wait": "yes"})
    failures = {f.property: f.reason for f in response.failures or []}
    assert set(failures) == {"noticeId", "revision", "timeout", "wait"}
    assert failures["timeout"] == "must be a positive number of seconds, got -5.0"


def test_check_computes_the_revision_and_the_deployment_takes_it_from_the_draft() -> None:
    response = _check(DRAFT, {"noticeId": "n1", "consentDuration": 6.0})
    assert not response.failures
    assert response.inputs is not None
    revision = plain(response.inputs["revision"])
    publication = {"noticeId": "n1", "revision": revision, "values": {"consent_duration": 6}}
    response = _check(DEPLOYMENT, {"draft": publication})
    assert not response.failures and response.inputs is not None
    assert plain(response.inputs["noticeId"]) == "n1"
    assert plain(response.inputs["revision"]) == revision
    assert "Published by Pulumi: site/dev release" in str(plain(response.inputs["message"]))
    # Unknown in a preview: nothing to complain about yet.
    response = _check(DEPLOYMENT, {"draft": UNKNOWN})
    assert not response.failures


def test_diff_is_field_level_and_replaces_come_from_the_descriptions() -> None:
    olds = {"noticeId": "n1", "organizationId": "o", "consentDuration": 6.0, "revision": "a"}
    news = {"noticeId": "n1", "consentDuration": 3.0, "revision": "b"}
    request = rpc.DiffRequest(
        DRAFT,
        "n1",
        {k: wire(v) for k, v in olds.items()},
        {k: wire(v) for k, v in news.items()},
        [],
    )
    response = _run(DidomiPlugin().diff(request))
    assert response.changes is True and response.replaces == []
    assert set(response.detailed_diff) == {"consentDuration"}
    assert response.detailed_diff["consentDuration"].kind == rpc.PropertyDiffKind.UPDATE
    news["noticeId"] = "n2"
    request = rpc.DiffRequest(
        DRAFT,
        "n1",
        {k: wire(v) for k, v in olds.items()},
        {k: wire(v) for k, v in news.items()},
        [],
    )
    response = _run(DidomiPlugin().diff(request))
    assert response.replaces == ["noticeId"]
    assert response.detailed_diff["noticeId"].kind == rpc.PropertyDiffKind.UPDATE_REPLACE


def test_wire_values_round_trip() -> None:
    value = {"a": [1, 2.5, True, None, "x"], "b": {"c": UNKNOWN}}
    assert plain(wire(value)) == {"a": [1.0, 2.5, True, None, "x"], "b": {"c": UNKNOWN}}
    assert wire("s", secret=True).is_secret
    assert isinstance(wire(wire(3)), PropertyValue)


def test_configure_refuses_a_plain_text_api_secret() -> None:
    # The engine marks the secrets of the stack config in Configure's args (and only there).
    args = {"apiKey": wire("key"), "apiSecret": wire("s3cr3t-value")}
    with pytest.raises(ProviderError) as info:
        _run(DidomiPlugin().configure(rpc.ConfigureRequest({}, args, True, True)))
    message = str(info.value)
    assert message.startswith("didomi:apiSecret is stored in plain text in the stack config")
    assert "`pulumi config set --secret didomi:apiSecret <secret>`" in message
    assert "DIDOMI_API_SECRET" in message and "s3cr3t-value" not in message
    refuse_plain_secrets({**args, "apiSecret": wire("s3cr3t-value", secret=True)})
    refuse_plain_secrets({"apiKey": wire("key")})  # the secret from DIDOMI_API_SECRET
