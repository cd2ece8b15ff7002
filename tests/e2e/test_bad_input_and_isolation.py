"""Bad programs fail clearly and change nothing; one organization cannot touch another's.

Every case runs `pulumi up` with the real CLI against the emulator. The emulator's data is
compared before and after: nothing may change.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ORG_A, ORG_B
from tests.emulator.api import Api
from tests.helpers import REPO, EmulatorProcess, PulumiCLI, api_calls

pytestmark = pytest.mark.e2e

SPEC = REPO / "tests" / "e2e" / "programs" / "spec"
COLLECTIONS = ("notices", "configs", "notice_deployments", "widgets", "widget_deployments")


def _draft(**fields: Any) -> dict[str, Any]:
    return {"drafts": {"banner": {"notice_id": "{notice}", **fields}}}


def _with_deployment(**kwargs: Any) -> dict[str, Any]:
    spec = _draft(platform="web")
    spec["deployments"] = {"release": {"draft": "banner", **kwargs}}
    return spec


# (case id, spec, stack config overrides, texts the failure must show)
CASES: list[tuple[str, dict[str, Any], dict[str, str | None], list[str]]] = [
    ("bad platform", _draft(platform="desktop"), {}, ["platform", "'web', 'amp', 'app' or 'ctv'"]),
    ("platform wrong type", _draft(platform=3), {}, ["platform"]),
    ("negative duration", _draft(consent_duration=-6), {}, ["consent_duration", "greater than 0"]),
    ("zero duration", _draft(consent_duration=0), {}, ["consent_duration", "greater than 0"]),
    ("duration as text", _draft(consent_duration="six"), {}, ["consent_duration"]),
    (
        "fractional duration",
        _draft(consent_duration=6.5, consent_duration_unit="months"),
        {},
        ["consent_duration", "whole number of months"],
    ),
    (
        "bad duration unit",
        _draft(consent_duration_unit="weeks"),
        {},
        ["consent_duration_unit", "'months', 'days' or 'seconds'"],
    ),
    ("bad negative action", _draft(negative_action="shout"), {}, ["negative_action", "'button'"]),
    ("bad button style", _draft(disagree_button_style="loud"), {}, ["disagree_button_style"]),
    ("bad text mode", _draft(text_mode="free"), {}, ["text_mode", "'approved' or 'custom'"]),
    ("targets not a list", _draft(targets="www.example.com"), {}, ["targets", "list"]),
    (
        "default with targets",
        _draft(default=True, targets=["a.example.com"]),
        {},
        ["default", "empty targets"],
    ),
    (
        "bad ignore date",
        _draft(enable_ignore_consent_before=True, ignore_consent_before="last week"),
        {},
        ["ignore_consent_before", "ISO-8601"],
    ),
    (
        "missing ignore date",
        _draft(enable_ignore_consent_before=True),
        {},
        ["ignore_consent_before"],
    ),
    ("country too long", _draft(country="France"), {}, ["country"]),
    ("config not an object", _draft(config="{}"), {}, ["config", "dictionary"]),
    (
        "bad regulation",
        _draft(regulation_configurations=[{"regulation_id": "gdpr", "consent_duration": -1}]),
        {},
        ["regulation_configurations", "greater than 0"],
    ),
    ("unknown field", _draft(consent_durration=6), {}, ["consent_durration", "unknown"]),
    (
        "empty notice id",
        {"drafts": {"banner": {"notice_id": "", "platform": "web"}}},
        {},
        ["notice_id", "required"],
    ),
    (
        "unknown notice id",
        {"drafts": {"banner": {"notice_id": "NoSuch01", "platform": "web"}}},
        {},
        ["NoSuch01", "no draft"],
    ),
    (
        "notice of another organization",
        _draft(platform="app"),
        {"notice": "{other_notice}"},
        ["no draft"],
    ),
    (
        "another organization by id",
        _draft(platform="app", organization_id="org-b"),
        {},
        ["403", "organization"],
    ),
    (
        "missing credentials",
        _draft(platform="web"),
        {"didomi:apiKey": None, "didomi:apiSecret": None},
        ["didomi:apiKey", "didomi:apiSecret", "pulumi config set"],
    ),
    (
        "wrong secret",
        _draft(platform="web"),
        {"didomi:apiSecret": "not-the-secret"},
        ["didomi:apiSecret", "refused"],
    ),
    ("wrong API URL", _draft(platform="web"), {"didomi:apiUrl": "{url}/v9"}, ["404", "/sessions"]),
    (
        "unreachable API",
        _draft(platform="web"),
        {"didomi:apiUrl": "http://127.0.0.1:9/v1"},
        ["could not reach the Didomi API at http://127.0.0.1:9/v1", "didomi:apiUrl"],
    ),
    (
        "API URL not http",
        _draft(platform="web"),
        {"didomi:apiUrl": "api.didomi.io"},
        ["must start with http"],
    ),
    (
        "bad rate limit setting",
        _draft(platform="web"),
        {"didomi:rateLimit": "fast"},
        ["didomi:rateLimit"],
    ),
    (
        "bad coordination setting",
        _draft(platform="web"),
        {"didomi:coordination": "cluster"},
        ["didomi:coordination must be 'machine'", "or 'off'"],
    ),
    ("negative deployment timeout", _with_deployment(timeout=-1), {}, ["timeout", "positive"]),
    (
        "deployment without draft",
        {"deployments": {"release": {"message": "x"}}},
        {},
        ["notice_id= and revision="],
    ),
    ("empty widget id", {"widgets": {"pc": {"widget_id": ""}}}, {}, ["widget_id", "required"]),
    (
        "widget of another organization",
        {"widgets": {"pc": {"widget_id": "{other_widget}"}}},
        {},
        ["404"],
    ),
]


@pytest.fixture
def world(emulator: EmulatorProcess) -> dict[str, Any]:
    a = Api(emulator.url, ORG_A)
    b = Api(emulator.url, ORG_B)
    notice = a.new_notice("A's notice")
    other_notice = b.new_notice("B's notice")
    other_widget = b.ok(
        "POST", "/widgets", 201, params={"organization_id": b.org}, json={"name": "B's widget"}
    )
    return {
        "notice": notice["id"],
        "other_notice": other_notice["id"],
        "other_widget": other_widget["id"],
        "url": emulator.url,
    }


def _settings(emulator: EmulatorProcess) -> dict[str, str | None]:
    """Stack config giving organization A's credentials for the emulator."""
    org, key, secret = ORG_A.split(":")
    return {
        "didomi:apiKey": key,
        "didomi:apiSecret": secret,
        "didomi:organizationId": org,
        "didomi:apiUrl": emulator.url + "/v1",
    }


def _fill(value: Any, world: dict[str, Any]) -> Any:
    text = json.dumps(value)
    for key, replacement in world.items():
        text = text.replace("{" + key + "}", str(replacement))
    return json.loads(text)


def _snapshot(emulator: EmulatorProcess) -> dict[str, Any]:
    return {c: emulator.data(c) for c in COLLECTIONS}


def _run(
    cli: PulumiCLI, workdir: Path, spec: dict[str, Any], config: dict[str, str | None], check: bool
) -> Any:
    project = workdir / "spec"
    if project.exists():
        shutil.rmtree(project)
    shutil.copytree(SPEC, project, ignore=shutil.ignore_patterns("__pycache__"))
    cli.run("stack", "select", "test", "--create", "--secrets-provider", "passphrase", cwd=project)
    for key, value in config.items():
        if value is None:
            continue
        secret = ["--secret"] if key == "didomi:apiSecret" else []
        cli.run("config", "set", *secret, key, "--", value, cwd=project)
    cli.run("config", "set", "spec", "--", json.dumps(spec), cwd=project)
    return cli.run("up", "--yes", "--skip-preview", cwd=project, check=check)


@pytest.mark.parametrize(
    ("case", "spec", "overrides", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_bad_program_fails_clearly_and_changes_nothing(
    case: str,
    spec: dict[str, Any],
    overrides: dict[str, str | None],
    expected: list[str],
    world: dict[str, Any],
    emulator: EmulatorProcess,
    pulumi_cli: PulumiCLI,
    tmp_path: Path,
) -> None:
    config = _settings(emulator)
    config.update(_fill(overrides, world))
    if "notice" in overrides:
        world = {**world, "notice": config.pop("notice")}
    spec = _fill(spec, world)
    before = _snapshot(emulator)
    result = _run(pulumi_cli, tmp_path, spec, config, check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-3000:]
    for text in expected:
        assert text in output, f"{case}: {text!r} not in:\n{output[-4000:]}"
    assert ORG_A.split(":")[2] not in output
    assert _snapshot(emulator) == before


def test_a_wrong_secret_is_tried_once_per_run(
    world: dict[str, Any], emulator: EmulatorProcess, pulumi_cli: PulumiCLI, tmp_path: Path
) -> None:
    # Four resources, one provider process: Didomi refuses the login once, and every resource
    # fails with that refusal instead of asking again.
    api = Api(emulator.url, ORG_A)
    second = api.new_notice("second")["id"]
    widgets = [
        api.ok("POST", "/widgets", 201, params={"organization_id": api.org}, json={"name": n})["id"]
        for n in ("one", "two")
    ]
    spec = {
        "drafts": {
            "banner": {"notice_id": world["notice"], "platform": "web"},
            "second": {"notice_id": second, "platform": "web"},
        },
        "widgets": {f"w{i}": {"widget_id": w} for i, w in enumerate(widgets)},
    }
    config = {**_settings(emulator), "didomi:apiSecret": "not-the-secret"}
    before = _snapshot(emulator)
    emulator.reset_stats()
    result = _run(pulumi_cli, tmp_path, spec, config, check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert output.count("Didomi refused the API key and secret") >= 4, output[-4000:]
    assert api_calls(emulator.stats()) == {"POST /sessions": 1}
    assert _snapshot(emulator) == before


def test_functions_respect_isolation(
    world: dict[str, Any], emulator: EmulatorProcess, pulumi_cli: PulumiCLI, tmp_path: Path
) -> None:
    config = _settings(emulator)
    own = {"functions": [["get_notice_draft", {"notice_id": world["notice"]}]]}
    result = _run(pulumi_cli, tmp_path, own, config, check=True)
    assert "get_notice_draft" in result.stdout
    for spec, text in (
        ({"functions": [["get_notice_draft", {"notice_id": world["other_notice"]}]]}, "no draft"),
        (
            {
                "functions": [
                    [
                        "get_notice_deployments",
                        {"notice_id": world["other_notice"], "organization_id": "org-b"},
                    ]
                ]
            },
            "403",
        ),
    ):
        result = _run(pulumi_cli, tmp_path, spec, config, check=False)
        output = result.stdout + result.stderr
        assert result.returncode != 0 and text in output, output[-3000:]
        assert "B's notice" not in output
