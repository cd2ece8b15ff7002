"""The core's value rules: partial objects, whole regulation lists, the unmanaged view."""

from __future__ import annotations

from typing import Any

from pulumi_didomi.core.values import (
    changed_keys,
    draft_patch,
    fingerprint,
    leaf_paths,
    managed_view,
    merge_object,
    regulation_patch,
    unmanaged_view,
)

CONSOLE = {
    "app": {"name": "Console", "vendors": {"iab": {"all": True}}},
    "theme": {"color": "red"},
}


def _regs(*items: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"disabled_at": None, **item} for item in items]


def test_objects_are_managed_key_by_key() -> None:
    assert leaf_paths({"app": {"name": "x", "vendors": {}}}) == {
        ("app", "name"),
        ("app", "vendors"),
    }
    # Adoption: the program's keys over the console's, nothing else touched.
    merged = merge_object(CONSOLE, {"app": {"name": "Example"}})
    assert merged == {
        "app": {"name": "Example", "vendors": {"iab": {"all": True}}},
        "theme": {"color": "red"},
    }
    # A key the stack managed and the program dropped is removed; emptied parents go too.
    dropped = merge_object(
        {"app": {"name": "Example", "logo": "l.png"}, "theme": {"color": "red"}},
        {"app": {"name": "Example"}},
        previous={"app": {"name": "Example", "logo": "l.png"}, "theme": {"color": "red"}},
    )
    assert dropped == {"app": {"name": "Example"}}
    # A leaf that becomes an object (and back) is rewritten, not removed.
    assert merge_object({"app": "x"}, {"app": {"name": "y"}}, {"app": "x"}) == {
        "app": {"name": "y"}
    }
    assert merge_object({"app": {"name": "y"}}, {"app": "x"}, {"app": {"name": "y"}}) == {
        "app": "x"
    }
    # Lists are replaced whole.
    assert merge_object(
        {"languages": {"enabled": ["en", "fr"]}}, {"languages": {"enabled": ["de"]}}
    )["languages"] == {"enabled": ["de"]}


def test_managed_view_projects_only_the_programs_keys() -> None:
    desired = {"config": {"app": {"name": "Example"}}, "consent_duration": 6}
    draft = {"config": CONSOLE, "consent_duration": 6.0, "platform": "web"}
    assert managed_view(desired, draft) == {
        "config": {"app": {"name": "Console"}},
        "consent_duration": 6,
    }


def test_patch_writes_only_what_differs_and_removes_dropped_object_keys() -> None:
    draft = {"config": CONSOLE, "consent_duration": 12, "platform": "web"}
    assert draft_patch({"platform": "web"}, draft) == {}
    body = draft_patch({"config": {"app": {"name": "Example"}}, "consent_duration": 6}, draft)
    assert body["consent_duration"] == 6
    assert body["config"]["theme"] == {"color": "red"}
    # The program stops setting `config` at all: the keys it managed are removed.
    body = draft_patch(
        {},
        {"config": {"app": {"name": "Example", "x": 1}}},
        {"config": {"app": {"name": "Example"}}},
    )
    assert body == {"config": {"app": {"x": 1}}}


def test_regulation_list_means_the_whole_list() -> None:
    actual = _regs(
        {"id": "r1", "regulation_id": "gdpr", "geo_locations": ["*"], "config": {"a": 1}},
        {"id": "r2", "regulation_id": "cpra", "geo_locations": ["US_CA"]},
        {"id": "r3", "regulation_id": "cpa", "disabled_at": "2026-01-01T00:00:00.000Z"},
    )
    desired = [{"regulation_id": "gdpr", "consent_duration": 6}, {"regulation_id": "cpa"}]
    view = managed_view(
        {"regulation_configurations": desired}, {"regulation_configurations": actual}
    )
    # gdpr compared on the program's keys; cpa is disabled (None); cpra is extra (to disable).
    assert view["regulation_configurations"] == [
        {"regulation_id": "gdpr", "consent_duration": None},
        None,
        {"regulation_id": "cpra", "geo_locations": ["US_CA"]},
    ]
    patch = regulation_patch(desired, actual)
    by_id = {p.get("id"): p for p in patch}
    assert by_id["r1"] == {"id": "r1", "consent_duration": 6}
    assert by_id["r3"] == {"id": "r3", "disabled_at": None}
    assert by_id["r2"]["disabled_at"]
    # A new regulation is created; nothing is sent when the draft already matches.
    assert regulation_patch([{"regulation_id": "vcdpa"}], [])[0] == {"regulation_id": "vcdpa"}
    assert regulation_patch([{"regulation_id": "gdpr", "geo_locations": ["*"]}], actual[:1]) == []


def test_unmanaged_view_and_its_fingerprint() -> None:
    draft = {
        "gcm_enabled": False,
        "text_id": None,
        "config": CONSOLE,
        "regulation_configurations": _regs(
            {"id": "r1", "regulation_id": "gdpr", "geo_locations": ["*"], "version": 3},
        ),
    }
    desired = {"config": {"app": {"name": "Example"}}}
    fields = ["gcm_enabled", "text_id", "config", "regulation_configurations"]
    view = unmanaged_view(draft, desired, fields)
    assert view == {
        "gcm_enabled": False,
        "config.app": {"vendors": {"iab": {"all": True}}},
        "config.theme": {"color": "red"},
        "regulation_configurations.gdpr": {"geo_locations": ["*"], "disabled_at": False},
    }
    # Ids and versions rotate at every publish: they are not part of the view.
    rotated = {
        **draft,
        "regulation_configurations": _regs(
            {"id": "r9", "regulation_id": "gdpr", "geo_locations": ["*"], "version": 0},
        ),
    }
    assert fingerprint(unmanaged_view(rotated, desired, fields)) == fingerprint(view)
    edited = {**draft, "gcm_enabled": True, "text_id": "abc"}
    assert changed_keys(view, unmanaged_view(edited, desired, fields)) == ["gcm_enabled", "text_id"]
    assert fingerprint(unmanaged_view(edited, desired, fields)) != fingerprint(view)


def test_the_unknown_sentinel_is_the_sdks() -> None:
    # The core has no `pulumi` import: its copy of the engine's sentinel must stay the SDK's.
    from pulumi.runtime import rpc

    from pulumi_didomi.core.values import UNKNOWN

    assert UNKNOWN == rpc.UNKNOWN
