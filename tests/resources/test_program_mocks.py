"""Program wiring with pulumi.runtime.set_mocks: tokens, inputs, revision known at preview."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest

from pulumi_didomi.core.values import revision_of

registered: list[pulumi.runtime.MockResourceArgs] = []


class Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        registered.append(args)
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[Any]]:
        return {}, []


pulumi.runtime.set_mocks(Mocks(), preview=True)

import pulumi_didomi as didomi  # noqa: E402


@pulumi.runtime.test
def test_draft_and_deployment_wiring() -> Any:
    registered.clear()
    draft = didomi.NoticeDraftConfig(
        "banner",
        notice_id="GG2rdGfN",
        platform="web",
        consent_duration=6,
        consent_duration_unit="months",
        config={"b": 1, "a": {"y": 2, "x": 1}},
    )
    release = didomi.NoticeDeployment("release", draft=draft, message="hello")
    widget = didomi.WidgetDeployment("pc", widget_id="Wx3k9", triggers={"release": "2026-11"})

    def verify(values: list[Any]) -> None:
        revision, dep_revision, _ = values
        by_name = {r.name: r for r in registered}
        assert by_name["banner"].typ == "pulumi-python:dynamic/didomi:NoticeDraftConfig"
        assert by_name["release"].typ == "pulumi-python:dynamic/didomi:NoticeDeployment"
        assert by_name["pc"].typ == "pulumi-python:dynamic/didomi:WidgetDeployment"
        expected = revision_of(
            {
                "platform": "web",
                "consent_duration": 6,
                "consent_duration_unit": "months",
                "config": {"a": {"x": 1, "y": 2}, "b": 1},
            }
        )
        assert revision == dep_revision == expected
        banner = by_name["banner"].inputs
        # The managed fields are the inputs themselves: no bookkeeping list shows in diffs.
        assert "managed_fields" not in banner
        assert {"config", "consent_duration", "consent_duration_unit", "platform"} <= set(banner)
        assert "__provider" in banner
        dep = by_name["release"].inputs
        assert dep["notice_id"] == "GG2rdGfN" and dep["message"] == "hello"
        # The deployment's copy of the values it publishes is a secret: diffs show it as one
        # `[secret]` line instead of repeating the draft's values (issue 19).
        draft = dep["draft"]  # the publication, with the values it publishes
        sig = "4dabf18193072939515e22adb298388d"
        assert isinstance(draft, dict) and sig in draft, draft
        assert draft["value"]["managed_values"]["consent_duration"] == 6
        assert by_name["pc"].inputs["triggers"] == {"release": "2026-11"}

    return pulumi.Output.all(draft.revision, release.revision, widget.widget_id).apply(verify)


def test_constructor_errors_name_the_problem() -> None:
    with pytest.raises(TypeError, match=r"consent_durration \(did you mean 'consent_duration'"):
        didomi.NoticeDraftConfig("x", notice_id="n", consent_durration=6)
    with pytest.raises(TypeError, match="notice_id= and revision="):
        didomi.NoticeDeployment("x")


def test_plain_functions_refuse_outputs_naming_the_output_form() -> None:
    with pytest.raises(TypeError, match=r"call get_notice_draft_output\(...\) instead"):
        didomi.get_notice_draft(pulumi.Output.from_input("GG2rdGfN"))  # type: ignore[arg-type]


def test_function_results_are_json_dicts_with_attribute_access() -> None:
    from pulumi_didomi.functions import DraftRecord

    record = DraftRecord({"id": "c1", "consent_duration": 6})
    assert record.consent_duration == 6 and record["id"] == "c1"
    assert record.template_id is None  # a documented field Didomi left out (null)
    assert json.loads(json.dumps(record)) == {"id": "c1", "consent_duration": 6}
    with pytest.raises(AttributeError, match="did you mean 'consent_duration'"):
        _ = record.consent_durration


def test_constructor_errors_are_the_programs_errors_without_a_traceback() -> None:
    # pulumi.RunError: Pulumi prints the message alone; a TypeError too, for the caller.
    with pytest.raises(pulumi.RunError, match=r"custom_json.x: bytes cannot be sent to Didomi"):
        didomi.NoticeDraftConfig("x", notice_id="n", custom_json={"x": b"raw"})
    with pytest.raises(pulumi.RunError, match=r"cünsent_duration \(did you mean"):
        didomi.NoticeDraftConfig("x", notice_id="n", cünsent_duration=6)
    with pytest.raises(pulumi.RunError, match=r"timeout: nan is not a number Didomi accepts"):
        didomi.NoticeDeployment("x", notice_id="n", revision="r", timeout=float("nan"))
