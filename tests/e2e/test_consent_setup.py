"""The vendors and purposes a notice lists, as code (issue 32), with the real CLI against the
emulator, in both hostings: two purposes in two languages, a custom vendor using them with a
storage disclosure, a notice listing it and a global vendor found by its IAB id, published once;
drift restored by one write; removing the vendor deprecates it and republishes the notice
without it; adoption of an existing vendor; bad input refused in `check` with no write."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ORG_A
from tests.e2e.stack import ExampleStack
from tests.emulator.api import Api
from tests.helpers import REPO, EmulatorProcess, PulumiCLI, api_calls

pytestmark = pytest.mark.e2e

HOSTINGS = ["dynamic", "native"]
PROGRAM = REPO / "tests" / "e2e" / "programs" / "consent_setup"


def _stack(
    cli: PulumiCLI,
    tmp_path: Path,
    emulator: EmulatorProcess,
    hosting: str,
    src: Path = PROGRAM,
    **config: Any,
) -> ExampleStack:
    if hosting == "native":  # the plugin's console script on PATH, as a user's virtualenv has it
        bin_dir = str(Path(sys.executable).parent)
        cli.extra_env["PATH"] = os.pathsep.join([str(cli.bin_dir), bin_dir, "/usr/bin", "/bin"])
    settings = {"hosting": hosting, **config}
    return ExampleStack.create(cli, src.name, tmp_path, emulator, ORG_A, settings, src=src)


def _custom(api: Api, path: str) -> list[dict[str, Any]]:
    params = {"organization_id": api.org, "$translations": "true", "$limit": 100}
    return [d for d in api.ok("GET", path, params=params)["data"] if d.get("organization_id")]


def _writes(calls: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in calls.items() if not k.startswith("GET") and "sessions" not in k}


@pytest.mark.parametrize("hosting", HOSTINGS)
def test_vendors_and_purposes_as_code(
    hosting: str, emulator: EmulatorProcess, pulumi_cli: PulumiCLI, tmp_path: Path
) -> None:
    api = Api(emulator.url, ORG_A)
    stack = _stack(pulumi_cli, tmp_path, emulator, hosting)

    # up: two purposes, the vendor (and its cookie), the notice published once.
    stack.up()
    out = stack.outputs()
    purposes = {p["id"]: p for p in _custom(api, "/metadata/purposes")}
    assert set(purposes) == {out["analytics_id"], out["personalisation_id"]}
    assert purposes[out["analytics_id"]]["description"] == {
        "en": "Audience measurement",
        "fr": "Mesure d'audience",
    }
    (vendor,) = _custom(api, "/metadata/partners")
    assert vendor["id"] == out["tracker_id"] and vendor["deprecated"] is False
    assert vendor["default_purposes_id"] == [out["analytics_id"]]
    assert vendor["legitimate_interest_purposes_id"] == [out["personalisation_id"]]
    (cookie,) = api.ok("GET", "/metadata/partners-storages")["data"]
    assert (cookie["partner_id"], cookie["identifier"], cookie["purposes_id"]) == (
        vendor["id"],
        "_trk",
        [out["analytics_id"]],
    )
    assert out["google_id"] == "google"
    (deployment,) = api.deployments(out["notice_id"])
    published = api.ok("GET", f"/widgets/notices/configs/{deployment['production_config_id']}")
    assert published["config"]["app"]["vendors"]["include"] == [vendor["id"], "google"]

    # No-op preview: no write, and no call but the lookup's (1 session, 1 listing of vendors).
    emulator.reset_stats()
    stack.pulumi("preview", "--expect-no-changes")
    calls = api_calls(emulator.stats())
    assert calls == {"POST /sessions": 1, "GET /metadata/partners": 1}, calls

    # The vendor edited in the console: refresh shows it, one PATCH restores it.
    api.ok(
        "PATCH",
        f"/metadata/partners/{vendor['id']}",
        json={"website": "https://elsewhere.example", "default_purposes_id": []},
    )
    refresh = stack.pulumi("refresh", "--yes").stdout
    assert "website" in refresh and "efault" in refresh, refresh  # default_purposes
    diff = stack.pulumi("preview", "--diff").stdout
    assert "https://elsewhere.example" in diff and "1 to update" in diff, diff
    emulator.reset_stats()
    stack.up()
    writes = _writes(api_calls(emulator.stats()))
    assert writes == {"PATCH /metadata/partners/{partner_id}": 1}, writes
    restored = api.ok("GET", f"/metadata/partners/{vendor['id']}")
    assert restored["website"] == "https://tracker.example/privacy"
    assert restored["default_purposes_id"] == [out["analytics_id"]]
    stack.pulumi("preview", "--expect-no-changes")

    # The vendor removed from the notice's draft in the console: refresh shows it, up writes the
    # draft back and publishes nothing (what is live still lists it).
    draft = api.draft(out["notice_id"])
    api.ok(
        "PATCH",
        f"/widgets/notices/configs/{draft['id']}",
        json={"config": {"app": {"name": "Shop", "vendors": {"include": ["google"]}}}},
    )
    refresh = stack.pulumi("refresh", "--yes").stdout
    assert "config" in refresh, refresh
    stack.up()
    assert api.draft(out["notice_id"])["config"]["app"]["vendors"]["include"] == [
        vendor["id"],
        "google",
    ]
    assert len(api.deployments(out["notice_id"])) == 1
    stack.pulumi("preview", "--expect-no-changes")

    # A legal basis changes: the preview names the notice whose draft lists the vendor, from one
    # listing of the drafts (besides the lookup's calls); up writes it in one PATCH.
    stack.config("vendorExtra", {"legitimate_interest_purposes": []})
    emulator.reset_stats()
    preview = stack.pulumi("preview").stdout
    calls = api_calls(emulator.stats())
    assert (
        f"consent impact: vendor Example Tracker's legal bases change (legitimate interest - "
        f"{out['personalisation_id']}): the notices listing it in their draft "
        f"({out['notice_id']}) ask for"
    ) in preview, preview
    # The dynamic provider's process is not the program's (the lookup's): a session each.
    assert calls == {
        "POST /sessions": 2 if hosting == "dynamic" else 1,
        "GET /metadata/partners": 1,
        "GET /widgets/notices/configs": 1,
    }, calls
    print(f"\n{hosting} preview of a legal-basis change: {calls}")
    emulator.reset_stats()
    stack.up()
    writes = _writes(api_calls(emulator.stats()))
    assert writes == {"PATCH /metadata/partners/{partner_id}": 1}, writes
    assert (
        api.ok("GET", f"/metadata/partners/{vendor['id']}")["legitimate_interest_purposes_id"] == []
    )

    # The vendor leaves the program: the preview shows the notice republished and the vendor
    # deleted from the stack; up deprecates it (it stays on Didomi) and publishes once more.
    stack.config("withTracker", "false")
    preview = stack.pulumi("preview").stdout
    assert "1 to delete" in preview and "1 to replace" in preview, preview
    warning = (
        f"consent impact: notice {out['notice_id']} is published with vendors removed "
        f"({vendor['id']})"
    )
    assert warning in preview, preview
    stack.up()
    after = api.ok("GET", f"/metadata/partners/{vendor['id']}")
    assert after["deprecated"] is True
    deployments = api.deployments(out["notice_id"])
    assert len(deployments) == 2
    live = api.ok("GET", f"/widgets/notices/configs/{deployments[0]['production_config_id']}")
    assert live["config"]["app"]["vendors"]["include"] == ["google"]
    stack.pulumi("preview", "--expect-no-changes")

    # destroy: the purposes go (the vendor that used them is deprecated), the vendor stays
    # deprecated, the deployments stay in the audit log.
    stack.pulumi("destroy", "--yes")
    assert _custom(api, "/metadata/purposes") == []
    assert api.ok("GET", f"/metadata/partners/{vendor['id']}")["deprecated"] is True
    assert len(api.deployments(out["notice_id"])) == 2


@pytest.mark.parametrize("hosting", HOSTINGS)
def test_bad_input_fails_in_check_naming_the_field(
    hosting: str, emulator: EmulatorProcess, pulumi_cli: PulumiCLI, tmp_path: Path
) -> None:
    def name(python: str) -> str:  # the field as the caller's language spells it
        if hosting == "dynamic":
            return python
        head, *rest = python.split("_")
        return head + "".join(p.title() for p in rest)

    stack = _stack(pulumi_cli, tmp_path, emulator, hosting)

    def refused(**config: Any) -> str:
        for key, value in config.items():
            stack.config(key, value)
        emulator.reset_stats()
        failed = stack.pulumi("up", "--yes", check=False)
        text = failed.stdout + failed.stderr
        assert failed.returncode != 0 and "Traceback" not in text, text
        assert _writes(api_calls(emulator.stats())) == {}
        return text

    # What the values say: an empty translation map, an unknown language code, a bad regex.
    text = refused(analyticsExtra={"details": {}, "description": {"english": "Audience"}})
    assert "property details value {map[]} has a problem: must name at least one language" in text
    assert "description.english: 'english' is not a language code" in text, text
    text = refused(analyticsExtra={}, vendorExtra={"url_patterns": ["^https://(cdn"]})
    assert f"{name('url_patterns')}[0]: '^https://(cdn' is not a valid regular expression" in text

    # What only Didomi can tell (reads only): an unknown category, a purpose that does not exist.
    text = refused(vendorExtra={"category_id": "analytic", "spi_purposes": ["no-such-purpose"]})
    assert f"property {name('category_id')} value {{analytic}} has a problem" in text, text
    assert "unknown category 'analytic' (did you mean 'analytics'?)" in text, text
    assert f"{name('spi_purposes')}[0]: no purpose 'no-such-purpose'" in text, text
    assert _custom(Api(emulator.url, ORG_A), "/metadata/purposes") == []


@pytest.mark.parametrize("hosting", HOSTINGS)
def test_adopting_an_existing_vendor(
    hosting: str, emulator: EmulatorProcess, pulumi_cli: PulumiCLI, tmp_path: Path
) -> None:
    """A vendor made in the console, with fields the program does not set, adopted (dynamic:
    `adopt_id`; plugin: `pulumi import`): nothing the program does not mention is lost, and the
    next preview is empty."""
    api = Api(emulator.url, ORG_A)
    made = api.new_vendor(
        "Legacy CDN",
        category_id="infrastructure",
        website="https://cdn.example/privacy",
        default_purposes_id=["cookies"],
        notes="signed 2021",
        tags=["cdn"],
    )
    api.new_storage(made["id"])
    project = tmp_path / "src" / "adopt"
    project.mkdir(parents=True)
    (project / "Pulumi.yaml").write_text("name: didomi-adopt\nruntime: python\n")
    module = "pulumi_didomi.native" if hosting == "native" else "pulumi_didomi"
    adopt = "" if hosting == "native" else f", adopt_id={made['id']!r}"
    (project / "__main__.py").write_text(
        f"import {module} as didomi\n"
        f"didomi.Vendor('legacy', name='Legacy CDN', category_id='infrastructure', "
        f"website='https://cdn.example/privacy', default_purposes=['cookies']{adopt})\n"
    )
    stack = _stack(pulumi_cli, tmp_path, emulator, hosting, src=project)
    emulator.reset_stats()
    if hosting == "native":
        stack.pulumi("import", "didomi:index:Vendor", "legacy", made["id"], "--yes")
    else:
        stack.up()
    assert _writes(api_calls(emulator.stats())) == {}
    stack.pulumi("preview", "--expect-no-changes")
    after = api.ok("GET", f"/metadata/partners/{made['id']}")
    assert (after["notes"], after["tags"], after["deprecated"]) == ("signed 2021", ["cdn"], False)
    assert len(api.ok("GET", "/metadata/partners-storages")["data"]) == 1


BUDGET_PROGRAM = """
import pulumi
config = pulumi.Config()
if config.get("hosting") == "native":
    import pulumi_didomi.native as didomi
else:
    import pulumi_didomi as didomi
for i in range({n}):
    purpose = didomi.Purpose(
        f"purpose-{{i}}", description={{"en": f"Purpose {{i}}"}}, details={{"en": "What for"}}
    )
    didomi.Vendor(
        f"vendor-{{i}}",
        name=config.get("vendorName") if i == 0 and config.get("vendorName") else f"Vendor {{i}}",
        category_id="analytics",
        default_purposes=[purpose.id],
        storages=[{{"type": "app_storage", "identifier": f"k{{i}}", "purposes": [purpose.id]}}],
    )
"""


@pytest.mark.parametrize("hosting", HOSTINGS)
def test_call_budgets_of_ten_vendors_and_ten_purposes(
    hosting: str, emulator: EmulatorProcess, pulumi_cli: PulumiCLI, tmp_path: Path
) -> None:
    """Refresh of N = 10 vendors and 10 purposes: 1 session + one bulk listing per kind; a
    no-op preview: 0 calls; one field of one vendor: its PATCH; destroy: one write each."""
    n = 10
    project = tmp_path / "src" / "budget"
    project.mkdir(parents=True)
    (project / "Pulumi.yaml").write_text("name: didomi-budget\nruntime: python\n")
    (project / "__main__.py").write_text(BUDGET_PROGRAM.format(n=n))
    stack = _stack(pulumi_cli, tmp_path, emulator, hosting, src=project)

    emulator.reset_stats()
    stack.up()
    first = api_calls(emulator.stats())
    assert _writes(first) == {
        "POST /metadata/purposes": n,
        "POST /metadata/partners": n,
        "POST /metadata/partners-storages": n,
    }, first
    # The checks' reads: the categories once, the purposes' listing at most twice.
    assert first["GET /metadata/partners-categories"] == 1, first
    assert first.get("GET /metadata/purposes", 0) <= 2, first
    print(f"\n{hosting} first up ({n} purposes, {n} vendors): {first}")

    emulator.reset_stats()
    stack.pulumi("preview", "--expect-no-changes")
    assert api_calls(emulator.stats()) == {}

    emulator.reset_stats()
    stack.pulumi("refresh", "--yes", "--skip-preview", "--expect-no-changes")
    assert api_calls(emulator.stats()) == {
        "POST /sessions": 1,
        "GET /metadata/partners": 1,
        "GET /metadata/partners-storages": 1,
        "GET /metadata/purposes": 1,
    }

    stack.config("vendorName", "Vendor zero")
    emulator.reset_stats()
    stack.up()
    changed = api_calls(emulator.stats())
    assert changed == {"POST /sessions": 1, "PATCH /metadata/partners/{partner_id}": 1}, changed
    print(f"{hosting} change one vendor: {changed}")

    emulator.reset_stats()
    stack.pulumi("destroy", "--yes")
    gone = api_calls(emulator.stats())
    assert _writes(gone) == {
        "PATCH /metadata/partners/{partner_id}": n,
        "DELETE /metadata/purposes/{purpose_id}": n,
    }, gone
