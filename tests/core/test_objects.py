"""The check and the diff of `Notice` and `Widget` (plain functions, no server)."""

from __future__ import annotations

from pulumi_didomi.core import notice
from pulumi_didomi.core.notice import Notice
from pulumi_didomi.core.values import UNKNOWN
from pulumi_didomi.core.widget import Widget


def test_a_notice_needs_a_non_empty_name() -> None:
    assert Notice().check({"name": "Shop"}) == []
    for blank in (None, "", "  "):
        assert Notice().check({"name": blank}) == [
            ("name", "required: a non-empty name for the notice")
        ]
    assert Notice().check({"name": UNKNOWN}) == []  # not known at preview


def test_notice_fields_are_checked_by_type() -> None:
    problems = Notice().check({"name": "Shop", "delete_on_destroy": "yes", "environment": 3})
    assert ("delete_on_destroy", "must be true or false, got 'yes'") in problems
    assert ("environment", "must be a string") in problems


def test_widget_enums_name_the_allowed_values_and_the_closest() -> None:
    problems = dict(
        Widget().check({"name": "PC", "format": "iframe", "template_id": "full_preference_centre"})
    )
    assert problems["format"] == "must be one of embeddable, hosted, got 'iframe'"
    assert "did you mean 'full_preference_center'?" in problems["template_id"]


def test_a_headless_widget_needs_the_embeddable_format() -> None:
    (problem,) = Widget().check({"name": "PC", "format": "hosted", "headless": True})
    assert problem[0] == "headless" and "needs format 'embeddable'" in problem[1]
    assert Widget().check({"name": "PC", "format": "embeddable", "headless": True}) == []
    assert Widget().check({"name": "PC", "format": UNKNOWN, "headless": True}) == []


def test_the_default_language_must_be_enabled() -> None:
    (problem,) = Widget().check(
        {"name": "PC", "enabled_languages": ["en", "fr"], "default_language": "de"}
    )
    assert problem[0] == "default_language" and "'de' is not among" in problem[1]
    (problem,) = Widget().check({"name": "PC", "enabled_languages": "en"})
    assert problem[0] == "enabled_languages" and "list of strings" in problem[1]


def test_a_rename_is_an_update_and_the_organization_a_replacement() -> None:
    olds = {"name": "Shop", "organization_id": "acme", "environment": "prod"}
    assert Notice().diff(olds, {**olds, "name": "Store"}) == (["name"], [])
    assert Notice().diff(olds, {**olds, "organization_id": "other"}) == (
        ["organization_id"],
        ["organization_id"],
    )
    # An optional field left out of the program is left as it is (not cleared).
    assert Notice().diff(olds, {"name": "Shop", "organization_id": "acme"}) == ([], [])
    # Unknown at preview counts as changed.
    assert Notice().diff(olds, {**olds, "name": UNKNOWN}) == (["name"], [])


def test_dropping_delete_on_destroy_is_a_change_back_to_archiving() -> None:
    olds = {"name": "Shop", "delete_on_destroy": True}
    assert Notice().diff(olds, {"name": "Shop"}) == (["delete_on_destroy"], [])
    assert Notice().diff({"name": "Shop"}, {"name": "Shop", "delete_on_destroy": False}) == (
        [],
        [],
    )


def test_archived_elsewhere_shows_as_a_change_to_restore() -> None:
    olds = {"name": "Shop", "archived_at": "2026-01-01T00:00:00.000Z"}
    assert Notice().diff(olds, {"name": "Shop"}) == (["archived_at"], [])
    assert Widget().diff({"name": "PC", "archived": True}, {"name": "PC"}) == (
        ["archived"],
        [],
    )


def test_widget_selections_are_set_at_creation() -> None:
    olds = {"name": "PC", "selected_purposes_ids": ["analytics"]}
    news = {"name": "PC", "selected_purposes_ids": ["analytics", "ads"]}
    assert Widget().diff(olds, news) == (
        ["selected_purposes_ids"],
        ["selected_purposes_ids"],
    )


def test_the_sdk_loader_url_and_script_tag() -> None:
    url = notice.sdk_loader_url("0a1b-key", "Qx7kP2aa")
    assert url == (
        "https://sdk.privacy-center.org/0a1b-key/loader.js?target_type=notice&target=Qx7kP2aa"
    )
    tag = notice.script_tag(url)
    assert tag.startswith('<script id="spcloader"') and f'src="{url}"' in tag
    assert tag.endswith("></script>")
