"""What the export declares (no server): the default-field filter, regulation configurations,
names, which notices get a deployment."""

from __future__ import annotations

import pytest

from pulumi_didomi.client.errors import ConfigurationError
from pulumi_didomi.core.values import differing, managed_view
from pulumi_didomi.export.plan import (
    FRESH_DRAFT,
    Namer,
    Options,
    draft_values,
    is_fresh,
    make_plan,
    regulation_items,
    slugify,
)
from tests.export.sample import REGULATIONS, edited, fresh_draft, organization


def test_a_fresh_draft_declares_its_regulation_configurations_only() -> None:
    values = draft_values(fresh_draft("n1"))
    assert values == {
        "regulation_configurations": [
            {"regulation_id": "gdpr", "is_default_regulation_config": True, "geo_locations": ["*"]}
        ]
    }


def test_changed_fields_are_those_that_differ_from_a_fresh_draft() -> None:
    draft = edited(
        fresh_draft("n1"),
        platform="app",  # differs
        targets=["com.example.app"],  # not empty
        negative_action="button",  # the default
        notice_deny_applies_to_li=False,  # differs from the default true
        full_atp=False,  # the default
        gcm_enabled=False,  # no default listed: a value
        config={},  # empty
        custom_json={"a": 1},
        text_id=None,
    )
    values = draft_values(draft)
    assert list(values) == [
        "platform",
        "targets",
        "custom_json",
        "notice_deny_applies_to_li",
        "gcm_enabled",
        "regulation_configurations",
    ]  # the field table's order


def test_a_duration_comes_with_its_unit() -> None:
    values = draft_values(edited(fresh_draft("n1"), consent_duration=6.0))
    assert values["consent_duration"] == 6 and isinstance(values["consent_duration"], int)
    assert values["consent_duration_unit"] == "months"
    values = draft_values(edited(fresh_draft("n1"), consent_duration_unit="days"))
    assert (values["consent_duration"], values["consent_duration_unit"]) == (12, "days")


def test_all_fields_keeps_every_value_that_is_not_null() -> None:
    values = draft_values(fresh_draft("n1"), "all")
    assert values["consent_duration"] == 12 and values["config"] == {}
    assert "text_id" not in values and "ignore_consent_before" not in values
    assert set(FRESH_DRAFT) - {"ignore_consent_before", "country"} <= set(values)


@pytest.mark.parametrize(
    ("name", "value", "fresh"),
    [
        ("consent_duration", 12, True),
        ("consent_duration", 12.0, True),
        ("consent_duration", 13, False),
        ("default", False, True),
        ("default", 0, False),  # not a boolean
        ("gcm_enabled", False, False),
        ("gcm_enabled", None, True),
        ("targets", [], True),
        ("config", {}, True),
    ],
)
def test_is_fresh(name: str, value: object, fresh: bool) -> None:
    assert is_fresh(name, value) is fresh


def test_regulation_items_keep_the_enabled_ones_and_what_a_program_may_set() -> None:
    items = regulation_items(REGULATIONS)
    assert items == [
        {
            "regulation_id": "gdpr",
            "is_default_regulation_config": True,
            "geo_locations": ["FR", "DE"],
        },
        {
            "regulation_id": "cpra",
            "is_default_regulation_config": False,
            "geo_locations": ["US_CA"],
            "config": {"notice": {"position": "bottom"}},
            "consent_duration": 6,
        },
    ]
    everything = regulation_items(REGULATIONS, "all")
    assert everything[0]["regulation_settings"] == {} and everything[0]["config"] == {}
    assert "template_id" not in everything[0]  # null: inherited


def test_declared_values_are_exactly_didomis_for_the_provider() -> None:
    """The core's own comparison sees no difference: the first `up` writes nothing."""
    for found in organization().notices:
        assert found.draft is not None
        for fields in ("changed", "all"):
            values = draft_values(found.draft, fields)  # type: ignore[arg-type]
            assert differing(values, managed_view(values, found.draft)) == []


def test_slugs_and_unique_names() -> None:
    assert slugify("Boutique Été — FR", "notice") == "boutique-ete-fr"
    assert slugify("日本", "notice") == "notice"
    assert len(slugify("x" * 200, "notice")) == 48
    namer = Namer("python")
    suffixes = ("-draft", "-deployment")
    assert namer.pick("Shop", "notice", suffixes) == ("shop", "shop")
    assert namer.pick("Shop", "notice", suffixes) == ("shop-2", "shop_2")
    assert namer.pick("shop draft", "notice", suffixes) == ("shop-draft-2", "shop_draft_2")
    assert namer.pick("class", "notice", suffixes) == ("class", "notice_class")
    assert namer.pick("2024", "notice", suffixes) == ("2024", "notice_2024")
    assert namer.pick("Didomi", "widget") == ("didomi", "widget_didomi")
    ts = Namer("typescript")
    assert ts.pick("new shop", "notice", suffixes) == ("new-shop", "newShop")
    assert ts.pick("new", "notice", suffixes) == ("new", "noticeNew")


def test_the_plan_of_an_organization() -> None:
    plan = make_plan(organization(), Options())
    by_id = {n.found.id: n for n in plan.notices}
    assert [n.base for n in plan.notices] == ["2024-ete", "blog", "shop", "shop-2"]
    assert by_id["n1"].deploy and by_id["n2"].deploy  # live, draft untouched
    assert not by_id["n3"].deploy and "not published yet" in by_id["n3"].note
    assert not by_id["n4"].deploy and "never published" in by_id["n4"].note
    assert by_id["n1"].notice == {"name": "Shop", "environment": "prod"}
    assert "n5" not in by_id and any("archived" in line for line in plan.left_out)
    assert [w.base for w in plan.widgets] == ["preference-center"]
    assert plan.widgets[0].values["default_language"] == "fr"
    assert any("Gone (w2)" in line for line in plan.left_out)


def test_archived_notices_on_request_are_drafts_only() -> None:
    plan = make_plan(organization(), Options(include_archived=True, deployments=False))
    old = next(n for n in plan.notices if n.found.id == "n5")
    assert not old.declare_notice and not old.deploy and "archived on Didomi" in old.note
    assert not any(n.deploy for n in plan.notices)
    assert next(n for n in plan.notices if n.found.id == "n1").note == ""  # live


def test_filters() -> None:
    plan = make_plan(organization(), Options(notice_ids=("n2",)))
    assert [n.found.id for n in plan.notices] == ["n2"] and plan.widgets == []
    plan = make_plan(organization(), Options(name="sh*"))
    assert [n.found.id for n in plan.notices] == ["n1", "n2"] and plan.widgets == []
    plan = make_plan(organization(), Options(name="*center"))
    assert plan.notices == [] and len(plan.widgets) == 1
    with pytest.raises(ConfigurationError, match="notice nope"):
        make_plan(organization(), Options(notice_ids=("nope",)))
