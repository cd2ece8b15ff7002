"""The rules of vendor-list templates and approved texts, without Didomi: which keys a template
owns, a draft's check of the templates it declares, its revision, its unmanaged view, the
deployment's checks before publishing, and the texts a draft uses."""

from __future__ import annotations

from typing import Any

from pulumi_didomi.core.notice_draft import check_inputs, draft_revision
from pulumi_didomi.core.notice_template import NoticeTemplate, owned_values
from pulumi_didomi.core.notice_text import NoticeText, decode, encode, text_ids
from pulumi_didomi.core.publication import linked_templates, pre_publish_problem, publication_of
from pulumi_didomi.core.resource import Context
from pulumi_didomi.core.session import Settings
from pulumi_didomi.core.template_links import (
    applied,
    link_problems,
    owned_by_regulation,
    owned_differs,
    owned_revision,
    undeclared_template_keys,
)
from pulumi_didomi.core.values import UNKNOWN, fingerprint, unmanaged_view

CTX = Context(Settings(None, None, None, "http://127.0.0.1:9"), preview=True)

TEMPLATE_INPUTS: dict[str, Any] = {
    "name": "EU vendors",
    "vendors": ["v-analytics", "google"],
    "essential_purposes": ["p-security"],
    "notices": [{"notice_id": "n1"}, {"notice_id": "n2", "regulations": ["gdpr", "cpra"]}],
}


def link(**changes: Any) -> dict[str, Any]:
    owned = owned_values({**TEMPLATE_INPUTS, **changes})
    revision = owned_revision(owned)
    return {
        "template_id": "t1",
        "name": "EU vendors",
        "notices": TEMPLATE_INPUTS["notices"],
        "owned_values": owned,
        "revision": revision,
        "written_revision": revision,
    }


def test_applying_erases_and_replaces_only_the_owned_keys() -> None:
    config = {
        "app": {"vendors": {"include": ["old"], "iab": {"all": True}}, "name": "Shop"},
        "preferences": {"categories": [{"id": "c"}], "content": {"title": "x"}},
        "theme": {"color": "#000"},
    }
    owned = owned_values(TEMPLATE_INPUTS)
    out = applied(config, owned)
    assert out["app"] == {
        "vendors": {"include": ["v-analytics", "google"]},  # iab erased: the template sets none
        "name": "Shop",
        "essentialPurposes": ["p-security"],
    }
    assert out["preferences"] == {"content": {"title": "x"}}  # categories erased
    assert out["theme"] == {"color": "#000"}
    assert owned_differs(out, owned) == []
    assert owned_differs(config, owned) == [
        "app.vendors",
        "app.essentialPurposes",
        "preferences.categories",
    ]


def test_a_draft_that_sets_a_key_its_template_owns_fails_naming_the_keys_and_the_template() -> None:
    draft = {
        "notice_id": "n1",
        "templates": [link()],
        "regulation_configurations": [
            {"regulation_id": "gdpr", "config": {"app": {"vendors": {"include": ["x"]}}}}
        ],
    }
    problems = check_inputs(draft)
    assert len(problems) == 1
    field, reason = problems[0]
    assert field == "regulation_configurations"
    assert "regulation_configurations[0].config.app.vendors" in reason
    assert "NoticeTemplate 'EU vendors' (t1)" in reason
    assert "gdpr" in reason and "one owner per key" in reason


def test_keys_the_template_does_not_own_keep_working() -> None:
    draft = {
        "notice_id": "n1",
        "templates": [link()],
        "regulation_configurations": [
            {"regulation_id": "gdpr", "config": {"theme": {"color": "#123456"}}}
        ],
        "config": {"app": {"vendors": {"include": ["top-level is the draft's"]}}},
    }
    assert check_inputs(draft) == []


def test_a_linked_regulation_left_out_of_the_whole_list_and_a_foreign_template_fail() -> None:
    draft = {
        "notice_id": "n2",
        "templates": [link()],
        "regulation_configurations": [{"regulation_id": "gdpr"}],
    }
    (field, reason), *_ = check_inputs(draft)
    assert field == "regulation_configurations" and "regulation cpra" in reason
    other = {"notice_id": "n9", "templates": [link()]}
    ((field, reason),) = check_inputs(other)
    assert field == "templates" and "not linked to notice n9" in reason


def test_two_templates_on_one_regulation_fail() -> None:
    second = {**link(), "template_id": "t2", "name": "Other"}
    problems = link_problems([link(), second], "n1", None)
    assert any("two templates" in reason for _, reason in problems)


def test_links_not_known_yet_are_skipped() -> None:
    draft = {"notice_id": UNKNOWN, "templates": [UNKNOWN]}
    assert check_inputs(draft) == []


def test_the_revision_follows_the_template_of_the_notice_only() -> None:
    base = {"notice_id": "n1", "config": {"theme": {"color": "#000"}}}
    plain = draft_revision(base)
    assert plain == draft_revision({**base, "templates": []})  # as before templates existed
    with_template = draft_revision({**base, "templates": [link()]})
    assert with_template != plain
    changed = draft_revision({**base, "templates": [link(vendors=["v-analytics"])]})
    assert changed != with_template
    more_notices = {**link(), "notices": [*TEMPLATE_INPUTS["notices"], {"notice_id": "n3"}]}
    assert draft_revision({**base, "templates": [more_notices]}) == with_template


def test_the_owned_keys_are_out_of_the_unmanaged_view_only_where_declared() -> None:
    remote = {
        "regulation_configurations": [
            {
                "id": "r1",
                "regulation_id": "gdpr",
                "template_id": "t1",
                "config": {"app": {"vendors": {"include": ["a"]}}, "theme": {"c": 1}},
            }
        ]
    }
    owned = owned_by_regulation([link()], "n1")
    view = unmanaged_view(remote, {}, ["regulation_configurations"], owned)
    assert view == {
        "regulation_configurations.gdpr": {"config": {"theme": {"c": 1}}, "disabled_at": False}
    }
    undeclared = unmanaged_view(remote, {}, ["regulation_configurations"])
    assert undeclared["regulation_configurations.gdpr"]["template_id"] == "t1"


def _published(draft_config: dict[str, Any], templates: list[dict[str, Any]]) -> str | None:
    props = {"notice_id": "n1", "templates": templates, "revision": "r", "written_revision": "r"}
    owned = owned_by_regulation(templates, "n1")
    props["unmanaged"] = unmanaged_view(draft_config, {}, ["regulation_configurations"], owned)
    publication = publication_of(props)
    return pre_publish_problem(
        {"notice_id": "n1", "revision": "r", "draft": publication}, draft_config
    )


def test_the_deployment_publishes_only_what_the_template_wrote() -> None:
    owned = owned_values(TEMPLATE_INPUTS)
    item = {"id": "r1", "regulation_id": "gdpr", "template_id": "t1", "config": applied({}, owned)}
    draft = {"regulation_configurations": [item]}
    assert _published(draft, [link()]) is None
    edited = {**item, "config": applied({}, {**owned, "app.vendors": {"include": ["sneaky"]}})}
    problem = _published({"regulation_configurations": [edited]}, [link()])
    assert problem is not None
    assert "gdpr configuration of notice n1" in problem and "app.vendors" in problem
    assert "NoticeTemplate 'EU vendors' (t1)" in problem and "Nothing was published" in problem
    stale = {**link(), "written_revision": "older"}
    problem = _published(draft, [stale])
    assert problem is not None and "has not applied revision" in problem


def test_the_publication_names_what_each_template_wrote_for_this_notice() -> None:
    found = linked_templates({"notice_id": "n2", "templates": [link()]})
    assert found is not None
    assert found[0]["regulations"] == ["gdpr", "cpra"]
    assert found[0]["template_id"] == "t1"
    assert linked_templates({"notice_id": "n1"}) is None
    # A draft without templates hands the same fingerprint as before templates existed.
    assert fingerprint({"a": 1}) == publication_of({"unmanaged": {"a": 1}})["fingerprint"]


def test_template_check_names_each_bad_item() -> None:
    problems = NoticeTemplate().check(
        {
            "name": "T",
            "iab": {"everything": True},
            "notices": [
                {"notice_id": "n1", "regulations": ["gdrp"]},
                {"notice_id": "n1"},
                {"notice": "x"},
            ],
        }
    )
    reasons = " | ".join(r for _, r in problems)
    assert "iab.everything: unknown IAB setting" in reasons
    assert "notices[0].regulations[0]: unknown regulation 'gdrp'" in reasons
    assert "notices[1]: notice n1 is listed twice" in reasons
    assert "notices[2]: unknown keys notice" in reasons
    assert "notices[2].notice_id: required" in reasons


def test_template_impact_lists_the_notices_republished() -> None:
    olds = {**TEMPLATE_INPUTS}
    news = {**TEMPLATE_INPUTS, "vendors": ["v-analytics", "google", "v-new"]}
    (first, *rest) = NoticeTemplate().impact(CTX, "t1", olds, news)
    assert "n1 (gdpr), n2 (gdpr, cpra)" in first and "2 notice(s)" in first
    assert any("v-new" in w for w in rest)
    assert NoticeTemplate().impact(CTX, "t1", olds, dict(olds)) == []


def test_text_translations_round_trip_and_texts_a_draft_uses() -> None:
    content = {"fr": "Nous utilisons des cookies", "en": "We use cookies"}
    assert decode(encode(content)) == content
    assert decode("plain wording") == {"en": "plain wording"}
    draft = {
        "text_id": "t-top",
        "regulation_configurations": [
            {"regulation_id": "gdpr", "text_id": "t-gdpr"},
            {"regulation_id": "cpra", "text_id": "t-off", "disabled_at": "2026-01-01"},
        ],
    }
    assert text_ids(draft) == ["t-gdpr", "t-top"]
    assert text_ids({**draft, "text_mode": "custom"}) == []


def test_text_check_and_replacement() -> None:
    text = NoticeText()
    problems = text.check({"name": "Banner", "content": {}, "platforms": ["web", "tv"]})
    reasons = " | ".join(r for _, r in problems)
    assert "at least one language" in reasons
    assert "platforms[1]: unknown platform 'tv'" in reasons
    olds = {"name": "Banner", "content": {"en": "a"}}
    changed, replaces = text.diff(olds, {"name": "Banner", "content": {"en": "b"}})
    assert "content" in replaces
    changed, replaces = text.diff(olds, {"name": "Renamed", "content": {"en": "a"}})
    assert changed == ["name"] and replaces == []


def test_a_link_made_in_the_console_owns_its_keys_too() -> None:
    remote = {
        "regulation_configurations": [
            {"id": "r1", "regulation_id": "gdpr", "template_id": "t-console", "config": {}}
        ]
    }
    values = {
        "regulation_configurations": [
            {"regulation_id": "gdpr", "config": {"app": {"essentialPurposes": ["x"]}}}
        ]
    }
    (found,) = undeclared_template_keys(remote, values, None)
    assert "regulation_configurations[0].config.app.essentialPurposes" in found
    assert "template t-console" in found
    assert undeclared_template_keys(remote, values, {"gdpr": ()}) == []
    theme = {"regulation_configurations": [{"regulation_id": "gdpr", "config": {"theme": {}}}]}
    assert undeclared_template_keys(remote, theme, None) == []
