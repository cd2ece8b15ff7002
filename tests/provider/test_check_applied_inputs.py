"""`check` validates what the program changes, not inputs the stack already applied as they are:
a no-op preview loads no validation (pydantic's models), in either hosting."""

from __future__ import annotations

from tests.helpers import python_json

CHECKS = """
import asyncio, json, sys
from pulumi.provider.experimental import provider as rpc
from pulumi_didomi.provider.protocol import DidomiPlugin
from pulumi_didomi.provider.wire import wire
from pulumi_didomi.resources.notice_draft_config import NoticeDraftConfigProvider

applied = {"notice_id": "n1", "platform": "web", "consent_duration": 6, "revision": "r1"}
dynamic = NoticeDraftConfigProvider()
same = dynamic.check(applied, dict(applied))
urn = "urn:pulumi:dev::site::didomi:index:NoticeDraftConfig::banner"
olds = {"noticeId": wire("n1"), "platform": wire("web"), "consentDuration": wire(6.0),
        "revision": wire("r1")}
news = {k: v for k, v in olds.items() if k != "revision"}  # the SDK sends no revision
native = asyncio.new_event_loop().run_until_complete(
    DidomiPlugin().check(rpc.CheckRequest(urn, olds, news, b""))
)
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("pydantic", "httpx"))
changed = dynamic.check(applied, {**applied, "consent_duration": -1})
print(json.dumps({
    "same": [f.property for f in same.failures or []],
    "native": [f.property for f in native.failures or []],
    "loaded_before_a_change": loaded,
    "changed": [f.property for f in changed.failures or []],
}))
"""


def test_inputs_already_applied_are_not_validated_again() -> None:
    result = python_json(CHECKS)
    assert result["same"] == [] and result["native"] == []
    assert result["loaded_before_a_change"] == []
    # A changed input is checked, as always.
    assert result["changed"] == ["consent_duration"]


def test_inputs_not_known_yet_are_never_taken_as_applied() -> None:
    from pulumi.output import Unknown

    import pulumi_didomi.resources._dynamic  # noqa: F401  (registers the SDK's Unknown)
    from pulumi_didomi.core.values import UNKNOWN, already_applied

    applied = {"notice_id": "n1", "revision": "r1"}
    assert already_applied(applied, {"notice_id": "n1", "revision": "r2"})  # derived
    assert not already_applied(applied, {"notice_id": UNKNOWN, "revision": "r1"})
    assert not already_applied(applied, {"notice_id": Unknown(), "revision": "r1"})
    assert not already_applied({}, {})
