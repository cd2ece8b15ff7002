"""The policy pack (`pulumi_didomi/policy/pack`) with the real CLI against the emulator.

Both hostings: the dynamic resources (`programs/spec`) and the native provider
(`programs/native_spec`, the same spec on `pulumi_didomi.native`). The pack runs with the
tests' Python (PULUMI_PYTHON_CMD, set by PulumiCLI).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from pulumi_didomi.policy import PACK_DIR
from pulumi_didomi.policy.values import camel
from tests.conftest import ORG_A
from tests.e2e.stack import ExampleStack
from tests.emulator.api import Api
from tests.helpers import REPO, EmulatorProcess, PulumiCLI, api_calls

pytestmark = pytest.mark.e2e

CONSENT_SETUP = REPO / "tests" / "e2e" / "programs" / "consent_setup"
PROGRAMS = {
    "dynamic": REPO / "tests" / "e2e" / "programs" / "spec",
    "native": REPO / "tests" / "e2e" / "programs" / "native_spec",
}
CNIL = "https://www.quantic-avocats.com/2020/11/05/cookies-cnil/"
COMPLIANT: dict[str, Any] = {
    "platform": "web",
    "consent_duration": 6,
    "consent_duration_unit": "months",
    "negative_action": "button",
    "disagree_button_style": "primary",
    "regulation_configurations": [{"regulation_id": "gdpr", "is_default_regulation_config": True}],
}


def _text(result: Any) -> str:
    return str(result.stdout) + str(result.stderr)


def _spec(notice: str, fields: dict[str, Any], deploy: bool = True) -> str:
    spec: dict[str, Any] = {"drafts": {"banner": {"notice_id": notice, **fields}}}
    if deploy:
        spec["deployments"] = {"release": {"draft": "banner", "message": "policy pack test"}}
    return json.dumps(spec)


def _stack(
    hosting: str,
    cli: PulumiCLI,
    tmp_path: Path,
    emulator: EmulatorProcess,
    notice: str,
    fields: dict[str, Any],
    deploy: bool = True,
) -> ExampleStack:
    return ExampleStack.create(
        cli,
        f"policy-{hosting}",
        tmp_path,
        emulator,
        ORG_A,
        {"spec": _spec(notice, fields, deploy)},
        src=PROGRAMS[hosting],
    )


def _writes(emulator: EmulatorProcess) -> list[str]:
    """The calls that write a draft or publish one."""
    calls = api_calls(emulator.stats())
    return [r for r in calls if r.startswith(("PATCH", "POST /widgets/notices/deployments"))]


def _field(hosting: str, name: str) -> str:
    """A field as the hosting names it."""
    return camel(name) if hosting == "native" else name


@pytest.mark.parametrize("hosting", ["dynamic", "native"])
def test_a_compliant_notice_previews_and_publishes(
    hosting: str, emulator: EmulatorProcess, pulumi_cli: PulumiCLI, tmp_path: Path
) -> None:
    api = Api(emulator.url, ORG_A)
    notice = api.new_notice()["id"]
    stack = _stack(hosting, pulumi_cli, tmp_path, emulator, notice, COMPLIANT)

    preview = _text(stack.pulumi("preview", "--policy-pack", str(PACK_DIR)))
    assert "didomi-compliance" in preview, preview
    assert "mandatory" not in preview and "advisory" not in preview, preview
    emulator.reset_stats()
    up = _text(stack.pulumi("up", "--yes", "--policy-pack", str(PACK_DIR)))
    assert "mandatory" not in up and "advisory" not in up, up
    assert len(_writes(emulator)) == 2, api_calls(emulator.stats())  # the PATCH and the POST
    assert len(api.deployments(notice)) == 1
    assert api.draft(notice)["consent_duration"] == 6


@pytest.mark.parametrize("hosting", ["dynamic", "native"])
def test_thirteen_months_is_blocked_before_anything_is_written(
    hosting: str, emulator: EmulatorProcess, pulumi_cli: PulumiCLI, tmp_path: Path
) -> None:
    api = Api(emulator.url, ORG_A)
    notice = api.new_notice()["id"]
    stack = _stack(
        hosting, pulumi_cli, tmp_path, emulator, notice, {**COMPLIANT, "consent_duration": 13}
    )
    emulator.reset_stats()

    for command in (("preview",), ("up", "--yes")):
        result = stack.pulumi(*command, "--policy-pack", str(PACK_DIR), check=False)
        text = _text(result)
        assert result.returncode != 0, text
        assert "mandatory" in text and "didomi-consent-duration" in text, text
        # The message names the notice, the field, the limit and its source.
        assert f"notice {notice}: {_field(hosting, 'consent_duration')} is 13 months" in text, text
        assert "at most 6 months" in text and CNIL in text, text
    assert _writes(emulator) == [], api_calls(emulator.stats())
    assert api.deployments(notice) == []
    assert api.draft(notice)["consent_duration"] != 13


@pytest.mark.parametrize("hosting", ["dynamic", "native"])
def test_a_violating_draft_may_be_saved_but_its_deployment_is_blocked(
    hosting: str, emulator: EmulatorProcess, pulumi_cli: PulumiCLI, tmp_path: Path
) -> None:
    api = Api(emulator.url, ORG_A)
    notice = api.new_notice()["id"]
    fields = {**COMPLIANT, "consent_duration": 13}

    # A draft alone is saved: nothing publishes it.
    stack = _stack(hosting, pulumi_cli, tmp_path, emulator, notice, fields, deploy=False)
    up = _text(stack.pulumi("up", "--yes", "--policy-pack", str(PACK_DIR)))
    assert "mandatory" not in up, up
    assert api.draft(notice)["consent_duration"] == 13

    # Publishing it, without a preview first: the deployment is checked when it is registered,
    # before anything is published.
    stack.config("spec", _spec(notice, fields))
    emulator.reset_stats()
    result = stack.up("--policy-pack", str(PACK_DIR), check=False)  # --skip-preview
    text = _text(result)
    assert result.returncode != 0, text
    assert "[mandatory]  didomi-consent-duration" in text, text
    assert f"notice {notice}: {_field(hosting, 'consent_duration')} is 13 months" in text, text
    assert _writes(emulator) == [], api_calls(emulator.stats())
    assert api.deployments(notice) == []


@pytest.mark.parametrize("hosting", ["dynamic", "native"])
def test_an_advisory_violation_is_shown_and_does_not_block(
    hosting: str, emulator: EmulatorProcess, pulumi_cli: PulumiCLI, tmp_path: Path
) -> None:
    api = Api(emulator.url, ORG_A)
    notice = api.new_notice()["id"]
    fields = {**COMPLIANT, "disagree_button_style": "secondary"}
    stack = _stack(hosting, pulumi_cli, tmp_path, emulator, notice, fields)

    up = _text(stack.pulumi("up", "--yes", "--policy-pack", str(PACK_DIR)))
    assert "advisory" in up and "didomi-disagree-button-style" in up, up
    name = _field(hosting, "disagree_button_style")
    assert f"notice {notice}: {name} is 'secondary'" in up, up
    assert "mandatory" not in up, up
    assert len(api.deployments(notice)) == 1


@pytest.mark.parametrize("hosting", ["dynamic", "native"])
def test_levels_and_thresholds_come_from_the_policy_config(
    hosting: str, emulator: EmulatorProcess, pulumi_cli: PulumiCLI, tmp_path: Path
) -> None:
    api = Api(emulator.url, ORG_A)
    notice = api.new_notice()["id"]
    item = {"regulation_id": "gdpr", "geo_locations": ["DE", "AT"], "consent_duration": 9}
    fields = {
        **COMPLIANT,
        "consent_duration": 12,
        "negative_action": "link",
        "disagree_button_style": "secondary",
        "regulation_configurations": [item],
    }
    stack = _stack(hosting, pulumi_cli, tmp_path, emulator, notice, fields)
    config = tmp_path / "policy-config.json"
    config.write_text(
        json.dumps(
            {
                # 6 months where France applies, 12 elsewhere.
                "didomi-consent-duration": {"maxMonths": 12, "maxMonthsByGeo": {"FR": 6}},
                "didomi-reject-button": "advisory",
                "didomi-disagree-button-style": "disabled",
            }
        )
    )
    args = ("--policy-pack", str(PACK_DIR), "--policy-pack-config", str(config))
    up = _text(stack.pulumi("up", "--yes", *args))
    assert "[advisory]  didomi-reject-button" in up, up
    assert "didomi-consent-duration" not in up and "didomi-disagree-button-style" not in up, up
    assert "mandatory" not in up, up
    assert len(api.deployments(notice)) == 1

    # The same 9 months where France applies too: over France's 6 months.
    item["geo_locations"] = ["DE", "FR"]
    stack.config("spec", _spec(notice, fields))
    emulator.reset_stats()
    result = stack.pulumi("up", "--yes", *args, check=False)
    text = _text(result)
    assert result.returncode != 0, text
    assert "[mandatory]  didomi-consent-duration" in text, text
    name = _field(hosting, "regulation_configurations") + "[0] (gdpr)."
    assert name + _field(hosting, "consent_duration") + " is 9 months" in text, text
    assert "at most 6 months (183 days, 15,811,200 seconds) where FR applies" in text, text
    assert _writes(emulator) == [], api_calls(emulator.stats())
    assert len(api.deployments(notice)) == 1


@pytest.mark.parametrize("hosting", ["dynamic", "native"])
def test_vendors_and_purposes_a_notice_lists_are_checked(
    hosting: str, emulator: EmulatorProcess, pulumi_cli: PulumiCLI, tmp_path: Path
) -> None:
    """A vendor whose cookie outlives 13 months and which has no legal basis, listed by a notice
    enabling a language its purpose has no text in, and by a vendor-list template the notice's
    draft takes: the preview fails before any write, naming each (the template too); the
    vendor fixed (and the template left out), `up` goes through with the advisory warning
    only."""
    config = {
        "hosting": hosting,
        "withTemplate": True,
        "noticeLanguages": ["en", "de"],
        "draftExtra": COMPLIANT,
        "vendorExtra": {
            "cookie_max_duration": 2,
            "cookie_max_duration_unit": "months",
            "storages": [
                {"type": "cookie", "identifier": "_trk", "domain": ".t.example", "max_age": 400,
                 "max_age_unit": "days"}
            ],
            "default_purposes": [],
            "legitimate_interest_purposes": [],
        },
    }  # fmt: skip
    if hosting == "native":
        cli_path = str(Path(sys.executable).parent)
        pulumi_cli.extra_env["PATH"] = os.pathsep.join(
            [str(pulumi_cli.bin_dir), cli_path, "/usr/bin", "/bin"]
        )
    stack = ExampleStack.create(
        pulumi_cli, "consent-setup", tmp_path, emulator, ORG_A, config, src=CONSENT_SETUP
    )
    emulator.reset_stats()
    result = stack.pulumi("preview", "--policy-pack", str(PACK_DIR), check=False)
    text = _text(result)
    assert result.returncode != 0, text
    assert "didomi-vendor-cookie-lifetime" in text and "didomi-vendor-legal-basis" in text, text
    assert "storages[0].max_age is 400 days (about 13.14 months)" in text, text
    assert "must be at most 13 months" in text, text
    assert "notice of 'notice-draft' lists vendor 'tracker', which has no legal basis" in text, text
    # The template, by resource name and name, with the notice its draft's `templates` link.
    template = "template 'eu-vendors' ('EU vendor list'; linked to the notice of 'notice-draft')"
    assert f"{template} lists vendor 'tracker', which has no legal basis" in text, text
    assert "didomi-consent-duration" not in text and "didomi-reject-button" not in text, text
    assert _writes(emulator) == [], api_calls(emulator.stats())
    assert not [r for r in api_calls(emulator.stats()) if r.startswith("POST /metadata")], (
        api_calls(emulator.stats())
    )

    # The vendor fixed: the purposes it uses have no German text, which is advisory. (The
    # template is left out: the client does not write templates yet.)
    stack.config("vendorExtra", {})
    stack.config("withTemplate", False)
    up = _text(stack.pulumi("up", "--yes", "--policy-pack", str(PACK_DIR)))
    assert "mandatory" not in up and "[advisory]  didomi-purpose-languages" in up, up
    assert "enables de, and purpose 'analytics' has no description in de" in up, up
    assert len(api_calls(emulator.stats())) > 0
