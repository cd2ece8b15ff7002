"""Notices and widgets created from code (issue 15), with the real CLI against the emulator, in
both hostings: `examples/new-website` from nothing to destroy, adoption, and bad input."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ORG_A, ORG_B
from tests.e2e.stack import ExampleStack
from tests.emulator.api import Api
from tests.helpers import EmulatorProcess, PulumiCLI, api_calls

pytestmark = pytest.mark.e2e

HOSTINGS = ["dynamic", "native"]


def _stack(
    cli: PulumiCLI, tmp_path: Path, emulator: EmulatorProcess, hosting: str, **config: Any
) -> ExampleStack:
    if hosting == "native":  # the plugin's console script on PATH, as a user's virtualenv has it
        bin_dir = str(Path(sys.executable).parent)
        cli.extra_env["PATH"] = os.pathsep.join([str(cli.bin_dir), bin_dir, "/usr/bin", "/bin"])
    settings = {"hosting": hosting, **config}
    return ExampleStack.create(cli, "new-website", tmp_path, emulator, ORG_A, settings)


def _type(hosting: str, name: str) -> str:
    return f"didomi:index:{name}" if hosting == "native" else f"dynamic/didomi:{name}"


def _notices(api: Api) -> list[dict[str, Any]]:
    return list(api.ok("GET", "/widgets/notices", params={"organization_id": api.org})["data"])


def _widget_deployments(api: Api) -> list[dict[str, Any]]:
    page = api.ok("GET", "/widgets/deployments", params={"organization_id": api.org, "$limit": 50})
    return list(page["data"] if isinstance(page, dict) else page)


@pytest.mark.parametrize("hosting", HOSTINGS)
def test_new_website_from_nothing_to_destroy(
    hosting: str, emulator: EmulatorProcess, pulumi_cli: PulumiCLI, tmp_path: Path
) -> None:
    api = Api(emulator.url, ORG_A)
    stack = _stack(pulumi_cli, tmp_path, emulator, hosting)

    # The notice's id is unknown before it exists: the preview still shows all six to create.
    preview = stack.pulumi("preview").stdout
    prefix = "" if hosting == "native" else "pulumi-python:"
    for name in ("Notice", "NoticeDraftConfig", "NoticeDeployment", "Widget", "WidgetDeployment"):
        assert f" +  {prefix}{_type(hosting, name)} " in preview, preview
    assert "6 to create" in preview, preview
    assert _notices(api) == []

    # up: the notice, its draft targeted at the domain and published once, the widget deployed.
    stack.up()
    out = stack.outputs()
    (notice,) = _notices(api)
    assert notice["id"] == out["notice_id"] and notice["name"] == "Example shop consent notice"
    assert api.draft(notice["id"])["targets"] == ["shop.example.com"]
    (deployment,) = api.deployments(notice["id"])
    assert deployment["id"] == out["deployment_id"]
    key = emulator.public_key(api.org)
    url = f"https://sdk.privacy-center.org/{key}/loader.js?target_type=notice&target={notice['id']}"
    assert out["sdk_loader_url"] == url
    assert out["script_tag"].startswith("<script ") and f'src="{url}"' in out["script_tag"]
    widget = api.ok("GET", f"/widgets/{out['widget_id']}", params={"organization_id": api.org})
    assert widget["format"] == "hosted" and widget["template_id"] == "full_preference_center"
    assert [d["id"] for d in _widget_deployments(api)] == [out["widget_deployment_id"]]

    # No-op preview: zero API calls.
    emulator.reset_stats()
    stack.pulumi("preview", "--expect-no-changes")
    assert api_calls(emulator.stats()) == {}

    # A rename is an update of the notice in place: one PATCH, no new notice, no publication.
    stack.config("noticeName", "Example store consent notice")
    diff = stack.pulumi("preview", "--diff").stdout
    assert "Example shop consent notice" in diff and "Example store consent notice" in diff, diff
    summary = diff.split("Resources:")[1]
    assert "1 to update" in summary and "replace" not in summary, summary
    emulator.reset_stats()
    stack.up()
    calls = api_calls(emulator.stats())
    assert calls.get("PATCH /widgets/notices/{notice_id}") == 1, calls
    assert not any(route.startswith("POST") and "sessions" not in route for route in calls), calls
    (renamed,) = _notices(api)
    assert renamed["id"] == notice["id"] and renamed["name"] == "Example store consent notice"
    assert len(api.deployments(notice["id"])) == 1
    stack.pulumi("preview", "--expect-no-changes")

    # A change of the widget: its update and its redeployment (triggered by `updated_at`) are
    # both in the preview, and happen once each.
    stack.config("widget", {"name": "Example shop privacy center"})
    diff = stack.pulumi("preview", "--diff").stdout
    summary = diff.split("Resources:")[1]
    assert "1 to update" in summary and "1 to replace" in summary, diff
    stack.up()
    deployed = _widget_deployments(api)
    assert len(deployed) == 2 and deployed[0]["widget_id"] == out["widget_id"], deployed
    stack.pulumi("preview", "--expect-no-changes")

    # Archived in the console: refresh shows it, the next up restores the live notice.
    api.ok(
        "PATCH",
        f"/widgets/notices/{notice['id']}",
        json={"archived_at": "2026-01-01T00:00:00.000Z"},
    )
    refresh = stack.pulumi("refresh", "--yes")
    assert "archived on Didomi" in refresh.stdout + refresh.stderr, refresh
    summary = stack.pulumi("preview", "--diff").stdout.split("Resources:")[1]
    assert "1 to update" in summary and "replace" not in summary, summary
    stack.up()
    assert api.ok("GET", f"/widgets/notices/{notice['id']}")["archived_at"] is None
    stack.pulumi("preview", "--expect-no-changes")

    # destroy: the notice and the widget archived, every deployment kept.
    out = stack.pulumi("destroy", "--yes", "--skip-preview")
    assert "archived" in out.stdout + out.stderr
    gone = api.ok("GET", f"/widgets/notices/{notice['id']}")
    assert gone["archived_at"] is not None
    widget = api.ok("GET", f"/widgets/{widget['id']}", params={"organization_id": api.org})
    assert widget["archived"] is True
    assert len(api.deployments(notice["id"])) == 1 and len(_widget_deployments(api)) == 2


@pytest.mark.parametrize("hosting", HOSTINGS)
def test_adopting_an_existing_notice_and_widget(
    hosting: str, emulator: EmulatorProcess, pulumi_cli: PulumiCLI, tmp_path: Path
) -> None:
    api = Api(emulator.url, ORG_A)
    existing = api.new_notice("Example shop consent notice")
    widget = api.ok(
        "POST",
        "/widgets",
        201,
        params={"organization_id": api.org},
        json={"name": "Example shop preference center", "format": "hosted"},
    )
    if hosting == "native":
        stack = _stack(pulumi_cli, tmp_path, emulator, hosting)
        stack.pulumi("import", _type(hosting, "Notice"), "notice", existing["id"], "--yes")
        stack.pulumi("import", _type(hosting, "Widget"), "preference-center", widget["id"], "--yes")
    else:
        stack = _stack(
            pulumi_cli,
            tmp_path,
            emulator,
            hosting,
            adoptNotice=existing["id"],
            adoptWidget=widget["id"],
        )
    stack.up()
    assert [n["id"] for n in _notices(api)] == [existing["id"]]
    assert stack.outputs()["widget_id"] == widget["id"]
    listed = api.ok("GET", "/widgets", params={"organization_id": api.org})
    assert len(listed["data"]) == 1
    stack.pulumi("preview", "--expect-no-changes")


@pytest.mark.parametrize("hosting", HOSTINGS)
@pytest.mark.parametrize(
    ("config", "field", "reason"),
    [
        ({"noticeName": " "}, "name", "non-empty name"),
        ({"widget": {"format": "iframe"}}, "format", "must be one of embeddable, hosted"),
        (
            {"widget": {"template_id": "full_preference_centre"}},
            "emplate",
            "did you mean 'full_preference_center'",
        ),
        ({"widget": {"headless": True}}, "headless", "needs format 'embeddable'"),
    ],
)
def test_bad_input_fails_in_check_and_changes_nothing(
    hosting: str,
    config: dict[str, Any],
    field: str,
    reason: str,
    emulator: EmulatorProcess,
    pulumi_cli: PulumiCLI,
    tmp_path: Path,
) -> None:
    api = Api(emulator.url, ORG_A)
    stack = _stack(pulumi_cli, tmp_path, emulator, hosting, **config)
    emulator.reset_stats()
    # `pulumi up` previews first: the check fails there, before anything is written.
    result = stack.pulumi("up", "--yes", check=False)
    text = result.stdout + result.stderr
    assert result.returncode != 0 and reason in text and field in text, text
    calls = api_calls(emulator.stats())
    assert not any(not route.startswith(("GET", "POST /sessions")) for route in calls), calls
    assert _notices(api) == []


@pytest.mark.parametrize("hosting", HOSTINGS)
def test_adopting_a_notice_of_another_organization_is_refused(
    hosting: str, emulator: EmulatorProcess, pulumi_cli: PulumiCLI, tmp_path: Path
) -> None:
    other = Api(emulator.url, ORG_B).new_notice("Not yours")
    stack = _stack(pulumi_cli, tmp_path, emulator, hosting, adoptNotice=other["id"])
    result = stack.up(check=False)
    text = result.stdout + result.stderr
    assert result.returncode != 0 and other["id"] in text and "organization" in text, text
    assert Api(emulator.url, ORG_B).ok("GET", f"/widgets/notices/{other['id']}")["name"] == (
        "Not yours"
    )
