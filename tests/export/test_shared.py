"""What the export declares of vendor-list templates and approved texts (no server): the
template's values and links, the drafts taking it and leaving out the keys it owns (their
check passes, their values are Didomi's), the texts referred to by output, the programs."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pulumi_didomi.core.notice_draft import check_inputs
from pulumi_didomi.core.template_links import OWNED_ITEM_PATHS
from pulumi_didomi.core.values import differing, managed_view, unmanaged_view
from pulumi_didomi.export.layout import Atom
from pulumi_didomi.export.plan import NoticePlan, Options, Plan, make_plan
from pulumi_didomi.export.project import import_spec, project_files
from pulumi_didomi.export.render import python_program, typescript_program
from pulumi_didomi.export.shared import text_values, without_owned
from tests.export.sample import EU_CONFIG, shared_organization
from tests.export.test_render import _run, ruff_formatted


def _resolved(value: Any, ids: dict[str, str]) -> Any:
    """`value` with references to resources (`shop.id`) replaced by their ids."""
    if isinstance(value, Atom):
        return ids[value.text]
    if isinstance(value, dict):
        return {k: _resolved(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolved(v, ids) for v in value]
    return value


def _ids(plan: Plan) -> dict[str, str]:
    """Each reference of the plan (`var.id`) and the id it stands for."""
    ids = {f"{o.var}.id": o.id for o in plan.objects}
    ids.update({f"{n.var}.id": n.found.id for n in plan.notices})
    return ids


def _link(plan: Plan) -> dict[str, Any]:
    """The exported template's `link`, as its resource hands it to the drafts."""
    (template, _) = plan.templates
    notices = _resolved(template.obj.values["notices"], _ids(plan))
    return {"template_id": template.id, "name": template.obj.values["name"], "notices": notices}


def _notice(plan: Plan, notice_id: str) -> NoticePlan:
    return next(n for n in plan.notices if n.found.id == notice_id)


def test_a_template_declares_its_config_and_the_regulations_linked_to_it() -> None:
    plan = make_plan(shared_organization(), Options())
    eu, spare = plan.templates
    assert (eu.obj.kind, eu.obj.base, eu.obj.var) == ("NoticeTemplate", "eu-vendors", "eu_vendors")
    assert eu.obj.values == {
        "name": "EU vendors",
        "vendors": [Atom("tracker.id"), "google"],  # the exported vendor by output
        "essential_purposes": ["cookies"],
        # Didomi's order (what its read gives an import); the archived notice, not exported,
        # by id: leaving it out would unlink it.
        "notices": [
            {"notice_id": Atom("shop_2.id"), "regulations": ["gdpr"]},
            {"notice_id": Atom("shop.id"), "regulations": ["gdpr"]},
            {"notice_id": "n5", "regulations": ["gdpr"]},
        ],
    }
    assert eu.notes == ()  # the first up writes nothing for it
    assert spare.obj.values == {"name": "Spare", "notices": []}
    assert [n.templates for n in plan.notices if n.templates] == [("eu_vendors",), ("eu_vendors",)]


def test_linked_drafts_leave_out_what_the_template_owns_and_pass_their_check() -> None:
    org = shared_organization()
    owned = {"gdpr": OWNED_ITEM_PATHS}
    for fields in ("changed", "all"):
        plan = make_plan(org, Options(fields=fields, include_archived=True))  # type: ignore[arg-type]
        link = _link(plan)
        for notice_id in ("n1", "n2", "n5"):
            item = _notice(plan, notice_id)
            assert item.found.draft is not None
            values = _resolved(item.values, _ids(plan))
            gdpr = values["regulation_configurations"][0]
            assert "template_id" not in gdpr
            assert not any(k in json.dumps(gdpr) for k in ("vendors", "essentialPurposes"))
            # The draft's check with the template's link: nothing owned by it is set.
            inputs = {"notice_id": notice_id, "templates": [link], **values}
            assert check_inputs(inputs) == [], (fields, notice_id)
            # Its values are Didomi's (adopting writes nothing) and the template's keys are
            # out of its unmanaged view (nothing to review).
            assert differing(values, managed_view(values, item.found.draft)) == []
            view = unmanaged_view(item.found.draft, values, list(values), owned)
            assert "vendors" not in json.dumps(view) and "T1" not in json.dumps(view)
    shop = _notice(make_plan(org, Options()), "n1").values["regulation_configurations"]
    assert shop[0]["config"] == {"notice": {"position": "popup"}}  # its own keys stay


def test_without_owned_keeps_the_regulations_the_template_is_not_linked_to() -> None:
    values = {
        "regulation_configurations": [
            {"regulation_id": "gdpr", "template_id": "T1", "config": EU_CONFIG},
            {"regulation_id": "cpra", "template_id": "T1", "config": EU_CONFIG},
        ]
    }
    gdpr, cpra = without_owned(values, ["gdpr"])["regulation_configurations"]
    assert gdpr == {"regulation_id": "gdpr"} and cpra == values["regulation_configurations"][1]
    kept = without_owned(values, ["gdpr"], "all")["regulation_configurations"][0]
    assert kept == {"regulation_id": "gdpr", "config": {}}


def test_texts_show_the_wording_in_use_and_drafts_refer_to_them_by_output() -> None:
    plan = make_plan(shared_organization(), Options())
    texts = {o.id: o for o in plan.objects if o.kind == "NoticeText"}
    assert set(texts) == {"X1", "X3"}
    # The approved wording, not the one submitted since; the rejected one as it is.
    assert texts["X1"].values == {
        "name": "Banner",
        "content": {"en": "We use cookies", "fr": "Cookies"},
        "includes_purposes": False,
        "platforms": ["web"],
    }
    assert texts["X3"].values == {
        "name": "Legal",
        "content": {"en": "Plain"},
        "includes_purposes": True,
    }
    assert any(
        line.startswith("Empty (X2): approved text without any content") for line in (plan.left_out)
    )
    shop = _notice(plan, "n1").values
    assert shop["text_id"] == Atom("banner.id")
    assert shop["regulation_configurations"][1]["text_id"] == Atom("legal.id")
    assert text_values({"name": "x", "contents": []}) is None


def test_a_selection_exports_the_templates_and_texts_of_its_notices() -> None:
    org = shared_organization()
    plan = make_plan(org, Options(notice_ids=("n2",)))
    assert [t.id for t in plan.templates] == ["T1"]
    assert [o.id for o in plan.objects] == ["v-trk"]  # the template's vendor; n2 uses no text
    # The notices not exported stay in the template's notices, by id.
    notices = plan.templates[0].obj.values["notices"]
    assert [e["notice_id"] for e in notices] == [Atom("shop.id"), "n1", "n5"]
    plan = make_plan(org, Options(notice_ids=("n3",)))
    assert plan.templates == [] and plan.objects == []
    plan = make_plan(org, Options(notice_ids=("n1",), shared=False))
    assert plan.templates == [] and not any(o.kind == "NoticeText" for o in plan.objects)
    gdpr = plan.notices[0].values["regulation_configurations"][0]
    assert gdpr["template_id"] == "T1"  # no template exported: the draft keeps the link
    assert plan.notices[0].values["text_id"] == "X1"
    assert not Options(widget_ids=("w1",)).reads_shared and Options(name="x").reads_shared


def test_notes_say_what_the_first_up_writes_for_a_template() -> None:
    org = shared_organization()
    n2 = org.notices[1]
    assert n2.draft is not None
    n2.draft["regulation_configurations"][0]["config"] = {"app": {"vendors": {"include": []}}}
    org.templates[0]["notices_id"].append("n3")  # listed, no regulation linked
    org.templates[0]["config_record"]["regulation_settings"] = {"other": 1}
    (eu, _) = make_plan(org, Options()).templates
    assert [n.split(":")[0] for n in eu.notes] == [
        "its config on Didomi holds settings NoticeTemplate does not manage",
        "notice n2 (gdpr) no longer holds the template's values (edited since)",
        "notice n3 is in its notices but no regulation of it uses the template",
    ]
    assert [n for n, _ in eu.links] == ["n2", "n1", "n5"]


@pytest.mark.parametrize("hosting", ["dynamic", "native"])
def test_python_programs_declare_templates_after_their_notices(hosting: str) -> None:
    plan = make_plan(shared_organization(), Options(hosting=hosting, include_archived=True))  # type: ignore[arg-type]
    source = python_program(plan)
    assert ruff_formatted(source) == source
    declared = _run(source, hosting)
    template = declared[("NoticeTemplate", "eu-vendors")]
    notices = template["notices"]
    if hosting == "native":
        assert "didomi.TemplateNoticeArgs(notice_id=shop_2.id" in source
        notices = [n.kwargs for n in notices]
    assert notices[0] == {"notice_id": "<shop-2.id>", "regulations": ["gdpr"]}
    assert template.get("adopt_id") == ("T1" if hosting == "dynamic" else None)
    assert declared[("NoticeText", "banner")]["content"] == {
        "en": "We use cookies",
        "fr": "Cookies",
    }
    draft = declared[("NoticeDraftConfig", "shop-draft")]
    assert draft["templates"] == ["<eu-vendors.link>" if hosting == "native" else "<eu-vendors>"]
    assert draft["text_id"] == "<banner.id>"
    assert source.index("shop = didomi.Notice(") < source.index("eu_vendors = ")
    assert source.index("eu_vendors = ") < source.index("shop_draft = ")
    assert source.count("shop_2 = didomi.Notice(") == 1  # declared once, before the template


def test_typescript_program_and_import_json() -> None:
    plan = make_plan(shared_organization(), Options(language="typescript", hosting="native"))
    source = typescript_program(plan)
    assert "templates: [euVendors.link]," in source and "textId: banner.id," in source
    assert '{ noticeId: shop2.id, regulations: ["gdpr"] },' in source
    assert 'essentialPurposes: ["cookies"],' in source
    assert all(len(line) <= 100 for line in source.splitlines() if not line.startswith("//"))
    resources = import_spec(plan)["resources"]
    assert {"type": "didomi:index:NoticeTemplate", "name": "eu-vendors", "id": "T1"} in resources
    assert {"type": "didomi:index:NoticeText", "name": "banner", "id": "X1"} in resources
    readme = project_files(plan, "p")["README.md"]
    assert "templates and texts (marked protected" in readme
