"""The benchmark's same-shape baselines keep the shape of the Didomi resources they stand for
(`bench/shaped.py`): the outputs the providers compute, and for the plugin what its schema
declares. When a resource gains or loses a property, this fails until the baseline follows."""

from __future__ import annotations

from bench.shaped import (
    DEPLOYMENT_OUTPUTS,
    DRAFT_OUTPUTS,
    changed,
    deployment_inputs,
    draft_inputs,
    outputs_of,
    schema_properties,
)
from pulumi_didomi.core import notice_deployment, notice_draft
from pulumi_didomi.core.notice_deployment import NOTICE_DEPLOYMENT
from pulumi_didomi.core.notice_draft import NOTICE_DRAFT_CONFIG


def test_outputs_are_the_ones_the_providers_compute() -> None:
    assert set(DRAFT_OUTPUTS) == {*notice_draft.COMPUTED, "organization_id"}
    assert set(DEPLOYMENT_OUTPUTS) == {*notice_deployment.COMPUTED, "organization_id"}


def test_inputs_are_the_benchmark_programs_and_the_plugins_declared_ones() -> None:
    draft = draft_inputs(3)
    assert draft["kind"] == "draft" and draft["notice_id"] == "notice-00003"
    writable = {p.name for p in NOTICE_DRAFT_CONFIG.props}
    assert set(draft) - {"kind"} <= writable | {"revision"}
    deployment = deployment_inputs(3)
    assert set(deployment) - {"kind"} <= {p.name for p in NOTICE_DEPLOYMENT.props}
    # The plugin's generated SDK sends every property the schema declares for a resource.
    declared = schema_properties("didomi:index:NoticeDraftConfig")
    assert {"publication", "writtenRevision", "consentDuration"} <= set(declared)
    assert len(declared) == len(set(declared)) > 70
    assert "draft" in schema_properties("didomi:index:NoticeDeployment")


def test_the_do_nothing_provider_stores_and_compares_every_input() -> None:
    stored = outputs_of(draft_inputs(1))
    assert stored["unmanaged"] == DRAFT_OUTPUTS["unmanaged"] and stored["platform"] == "web"
    assert not changed(stored, {**draft_inputs(1), "__provider": "other pickle"})
    assert changed(stored, {**draft_inputs(1), "consent_duration": 3})
