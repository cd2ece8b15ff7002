"""Program wiring with pulumi.runtime.set_mocks: tokens, inputs, revision known at preview."""

from __future__ import annotations

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
        assert banner["managed_fields"] == [
            "config",
            "consent_duration",
            "consent_duration_unit",
            "platform",
        ]
        assert "__provider" in banner
        dep = by_name["release"].inputs
        assert dep["notice_id"] == "GG2rdGfN" and dep["message"] == "hello"
        assert dep["draft_values"]["consent_duration"] == 6
        assert by_name["pc"].inputs["triggers"] == {"release": "2026-11"}

    return pulumi.Output.all(draft.revision, release.revision, widget.widget_id).apply(verify)


def test_constructor_errors_name_the_problem() -> None:
    with pytest.raises(TypeError, match="consent_durration"):
        didomi.NoticeDraftConfig("x", notice_id="n", consent_durration=6)
    with pytest.raises(TypeError, match="notice_id= and revision="):
        didomi.NoticeDeployment("x")
