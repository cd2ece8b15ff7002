"""What the export declares (no server): the default-field filter, regulation configurations,
names, which notices get a deployment."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from pulumi_didomi.client.errors import ConfigurationError
from pulumi_didomi.core.values import differing, managed_view
from pulumi_didomi.export.layout import Atom
from pulumi_didomi.export.plan import (
    FRESH_DRAFT,
    Namer,
    Options,
    Plan,
    draft_values,
    is_fresh,
    make_plan,
    regulation_items,
    slugify,
)
from pulumi_didomi.export.read import Organization
from tests.export.sample import ORG, REGULATIONS, edited, fresh_draft, organization


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


def _consent_setup() -> Organization:
    """The sample organization, its notice n1 listing two custom vendors (one in its CPRA
    configuration) and a deprecated one, n2 an essential custom purpose; vendors and purposes
    no notice uses besides."""
    org = organization()
    n1, n2, *others = org.notices
    assert n1.draft is not None and n2.draft is not None
    cpra = {"regulation_id": "cpra", "config": {"app": {"vendors": {"include": ["v-cpra"]}}}}
    app = {"vendors": {"include": ["v-trk", "google", "v-old"]}}
    draft1 = edited(n1.draft, config={"app": app}, regulation_configurations=[*REGULATIONS, cpra])
    draft2 = edited(n2.draft, config={"app": {"essentialPurposes": ["p-ess"]}})

    def purpose(id_: str, name: str) -> dict[str, Any]:
        return {"id": id_, "organization_id": ORG, "description": {"en": name}}

    def vendor(id_: str, name: str, **fields: Any) -> dict[str, Any]:
        found = {"id": id_, "organization_id": ORG, "name": name, "category_id": "analytics"}
        return {"storages": [], **found, **fields}

    storage = {"id": "s1", "partner_id": "v-trk", "type": "app_storage", "identifier": "k"}
    return replace(
        org,
        notices=[replace(n1, draft=draft1), replace(n2, draft=draft2), *others],
        purposes=[
            purpose("p-ana", "Analytics"),
            purpose("p-store", "Storage"),
            purpose("p-ess", "Essential"),
            purpose("p-old", "Old purpose"),
            purpose("p-other", "Unused"),
        ],
        vendors=[
            vendor(
                "v-trk",
                "Tracker",
                default_purposes_id=["p-ana", "cookies"],
                storages=[{**storage, "purposes_id": ["p-store"]}],
            ),
            vendor("v-cpra", "Californian"),
            vendor("v-old", "Old", deprecated=True, default_purposes_id=["p-old"]),
            vendor("v-other", "Unlisted", legitimate_interest_purposes_id=["p-other"]),
        ],
    )


def _objects(plan: Plan) -> list[str]:
    return [o.id for o in plan.objects]


def test_a_selection_exports_the_vendors_and_purposes_its_notices_use() -> None:
    org = _consent_setup()
    plan = make_plan(org, Options(notice_ids=("n1",)))
    # The listed vendors (the CPRA configuration's too), the purposes they use (legal bases,
    # storages); not the deprecated vendor (left out, saying why) nor its purpose.
    assert _objects(plan) == ["p-ana", "p-store", "v-cpra", "v-trk"]
    assert any("Old (v-old): deprecated vendor" in line for line in plan.left_out)
    (shop,) = plan.notices
    include = shop.values["config"]["app"]["vendors"]["include"]
    assert include == [Atom("tracker.id"), "google", "v-old"]  # Didomi's global: literal
    assert shop.values["regulation_configurations"][-1]["config"]["app"]["vendors"] == {
        "include": [Atom("californian.id")]
    }
    tracker = next(o for o in plan.objects if o.id == "v-trk")
    assert tracker.values["default_purposes"] == [Atom("analytics.id"), "cookies"]
    assert tracker.values["storages"][0]["purposes"] == [Atom("storage.id")]

    assert _objects(make_plan(org, Options(notice_ids=("n2",)))) == ["p-ess"]
    both = make_plan(org, Options(name="sh*"))  # n1 and n2
    assert _objects(both) == ["p-ana", "p-ess", "p-store", "v-cpra", "v-trk"]
    # Everything without a selection (the deprecated vendor left out); nothing without --vendors.
    assert sorted(_objects(make_plan(org, Options()))) == [
        "p-ana",
        "p-ess",
        "p-old",
        "p-other",
        "p-store",
        "v-cpra",
        "v-other",
        "v-trk",
    ]
    assert _objects(make_plan(org, Options(notice_ids=("n1",), metadata=False))) == []


def test_widgets_alone_read_no_vendors() -> None:
    assert _objects(make_plan(_consent_setup(), Options(widget_ids=("w1",)))) == []
    assert not Options(widget_ids=("w1",)).reads_metadata
    assert Options(widget_ids=("w1",), notice_ids=("n1",)).reads_metadata
    assert Options(name="x").reads_metadata and not Options(metadata=False).reads_metadata
