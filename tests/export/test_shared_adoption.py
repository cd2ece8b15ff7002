"""The exported templates and texts against the emulator (a real HTTP server): what their
resources' `read` gives an import (`pulumi import --file import.json`, empty state) is exactly
what the export declares, and adopting them (`adopt_id`, the dynamic resources' way) writes
nothing; a text whose wording differs is refused, naming what to do."""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_didomi.client import DidomiClient
from pulumi_didomi.client.errors import ConfigurationError
from pulumi_didomi.core.notice_template import NoticeTemplate
from pulumi_didomi.core.notice_text import NoticeText, encode
from pulumi_didomi.core.resource import Context
from pulumi_didomi.core.session import Settings
from pulumi_didomi.export.plan import Options, Plan, make_plan
from pulumi_didomi.export.read import read_organization
from tests.conftest import ORG_A
from tests.export.test_shared import _ids, _resolved
from tests.helpers import EmulatorProcess, api_calls

ORG, KEY, SECRET = ORG_A.split(":")
CONFIG = {
    "app": {
        "vendors": {"include": ["google"], "iab": {"all": False, "include": [755]}},
        "essentialPurposes": ["cookies"],
    }
}


def _seed(emulator: EmulatorProcess) -> dict[str, str]:
    """Three notices, a template linked to two of them for GDPR (applied by Didomi), an
    approved text used by the first with a newer wording submitted since."""
    api = DidomiClient(KEY, SECRET, base_url=emulator.url + "/v1", organization_id=ORG)
    a, b, _ = (api.create_notice(name).id for name in ("Alpha", "Beta", "Gamma"))
    template = api.create_template("EU", [b, a])
    for notice_id in (a, b):
        draft = api.current_draft(notice_id)
        assert draft.regulation_configurations is not None
        gdpr = draft.regulation_configurations[0]
        items = [{"id": gdpr.id, "template_id": template.id, "config": {"theme": {"x": 1}}}]
        fields: dict[str, Any] = {"regulation_configurations": items}
        if notice_id == a:
            fields["text_id"] = "pending"
        api.update_draft(draft.id, fields)
    config = next(c for c in api.list_template_configs() if c.template_id == template.id)
    api.update_template_config(config.id, {"config": CONFIG})
    text = api.create_text({"name": "Banner", "platforms": ["web"]})
    approved = api.create_text_content(text.id, encode({"en": "We use cookies", "fr": "Oui"}))
    emulator.review_text_content(approved.id, "approved").raise_for_status()
    api.create_text_content(text.id, encode({"en": "A new wording"}))
    draft = api.current_draft(a)
    api.update_draft(draft.id, {"text_id": text.id})
    return {"a": a, "b": b, "template": template.id, "text": text.id}


def _plan(emulator: EmulatorProcess) -> Plan:
    api = DidomiClient(KEY, SECRET, base_url=emulator.url + "/v1", organization_id=ORG)
    with api:
        return make_plan(read_organization(api, ORG), Options(hosting="native"))


def _ctx(emulator: EmulatorProcess, told: list[str]) -> Context:
    settings = Settings(KEY, SECRET, ORG, emulator.url + "/v1", rate_limit=None)
    return Context(settings, tell=told.append)


def test_an_import_reads_what_the_export_declares(emulator: EmulatorProcess) -> None:
    seeded = _seed(emulator)
    plan = _plan(emulator)
    (template,) = plan.templates
    (text,) = [o for o in plan.objects if o.kind == "NoticeText"]
    declared_template = _resolved(template.obj.values, _ids(plan))
    assert declared_template["notices"] == [
        {"notice_id": seeded["b"], "regulations": ["gdpr"]},
        {"notice_id": seeded["a"], "regulations": ["gdpr"]},
    ]
    assert text.values["content"] == {"en": "We use cookies", "fr": "Oui"}  # the approved one
    ctx = _ctx(emulator, [])
    for resource, id_, declared in (
        (NoticeTemplate(), seeded["template"], declared_template),
        (NoticeText(), seeded["text"], text.values),
    ):
        found = resource.read(ctx, id_, {})
        assert found is not None
        # Its inputs are the program's (the organization is the stack's).
        read = {k: v for k, v in found.inputs.items() if k != "organization_id"}
        assert read == declared, resource
        assert resource.diff(found.outputs, declared) == ([], []), resource


def test_adopting_the_exported_template_and_text_writes_nothing(
    emulator: EmulatorProcess,
) -> None:
    seeded = _seed(emulator)
    plan = _plan(emulator)
    (template,) = plan.templates
    (text,) = [o for o in plan.objects if o.kind == "NoticeText"]
    told: list[str] = []
    ctx = _ctx(emulator, told)
    emulator.reset_stats()
    inputs = {**_resolved(template.obj.values, _ids(plan)), "adopt_id": seeded["template"]}
    id_, outs = NoticeTemplate().create(ctx, inputs)
    assert id_ == seeded["template"] and outs["written_revision"] == outs["revision"]
    id_, outs = NoticeText().create(ctx, {**text.values, "adopt_id": seeded["text"]})
    assert id_ == seeded["text"] and outs["status"] == "approved"
    calls = api_calls(emulator.stats())
    assert {r for r in calls if not r.startswith(("GET ", "POST /sessions"))} == set(), calls
    assert f"NoticeText {seeded['text']}: adopted; written: nothing" in told
    # A refresh of the adopted text keeps adopt_id (no replacement after it).
    found = NoticeText().read(ctx, seeded["text"], outs)
    assert found is not None and found.outputs["adopt_id"] == seeded["text"]

    # Another wording cannot be adopted: an approved content cannot be edited.
    other = {**text.values, "content": {"en": "Other"}, "adopt_id": seeded["text"]}
    with pytest.raises(ConfigurationError, match="shows other wording on Didomi") as refused:
        NoticeText().create(ctx, other)
    assert "leave adopt_id out to create a new text" in str(refused.value)
    with pytest.raises(ConfigurationError, match="no notice text nope"):
        NoticeText().create(ctx, {**text.values, "adopt_id": "nope"})
    # A rename is written on adoption (one PATCH), the wording kept.
    emulator.reset_stats()
    renamed = {**text.values, "name": "Banner v2", "adopt_id": seeded["text"]}
    _, outs = NoticeText().create(ctx, renamed)
    assert api_calls(emulator.stats()) == {"PATCH /widgets/notices/texts/{text_id}": 1}
    assert outs["name"] == "Banner v2"
