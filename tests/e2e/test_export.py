"""`pulumi-didomi export` (issues 18, 33): an organization seeded on the emulator over HTTP (30
notices of varied configurations, GDPR + CPRA on some, most published, one archived; two
widgets; custom purposes and a vendor; a vendor-list template linked to two notices for GDPR and
an approved text used by one), exported by the real command, then put under Pulumi by the real
CLI in both hostings: the first `up` writes and publishes nothing, the next preview is empty, a
one-field edit publishes that notice only, and no credential is in the generated files."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ORG_A
from tests.emulator.api import Api
from tests.helpers import REPO, EmulatorProcess, PulumiCLI, api_calls

pytestmark = pytest.mark.e2e

HOSTINGS = ["dynamic", "native"]
SECRET = ORG_A.split(":", 2)[2]

#: Notices by seed index: never published, published then edited, archived; the rest are live.
NEVER = {26, 27, 28}
TOUCHED = {24, 25}
ARCHIVED = 29
#: The notice whose consent duration the test edits in the generated program (live, 6 months).
EDITED = 2
#: Notices linked to the vendor-list template for GDPR (13 has CPRA too), the notice using the
#: approved text (all live).
TEMPLATED = (13, 14)
TEXTED = 15

NAMES = {
    0: "Default notice",
    1: "Shop",
    2: "Blog",
    3: "Shop",  # a name used twice
    4: "Boutique Été — FR",
    5: "2024 campaign",
    6: "class",
    7: "Help center",
}


def _name(index: int) -> str:
    return NAMES.get(index, f"Site {index:02d}")


def _draft_fields(index: int, name: str) -> dict[str, Any]:
    """Varied configurations: platforms, durations, buttons, consent modes, SDK configuration
    and custom JSON (snake_case keys inside), consent re-collection."""
    fields: dict[str, Any] = {}
    platform = "app" if index % 4 == 1 else "amp" if index % 7 == 3 else "web"
    if platform != "web":
        fields["platform"] = platform
    if index == 0:
        fields["default"] = True
    else:
        host = f"com.example.app{index}" if platform == "app" else f"site{index}.example.com"
        fields["targets"] = [host]
    if index % 2 == 0:
        fields.update(consent_duration=6, consent_duration_unit="months")
    if index % 9 == 4:
        fields.update(consent_duration=180, consent_duration_unit="days")
    if index % 5 == 2:
        fields["negative_action"] = "link"
    if index % 6 == 5:
        fields["disagree_button_style"] = "secondary"
    if index % 4 == 0:
        fields.update(
            gcm_enabled=True,
            gcm_analytics_default_status=False,
            gcm_ads_default_status=False,
            gcm_data_layer_name="dataLayer",
        )
    if index % 3 == 0:
        fields["config"] = {
            "app": {
                "name": name,
                "privacyPolicyURL": f"https://site{index}.example.com/privacy",
                "vendors": {"iab": {"all": True, "version": 2}},
            },
            "languages": {"enabled": ["en", "fr"], "default": "en"},
            "notice": {"position": "popup", "content": {"popup": {"en": 'Say "yes" or no'}}},
            "regulations": {"gdpr": {"additional_countries": ["CH"]}},
        }
    if index % 5 == 0:
        fields["custom_json"] = {"theme": {"color": "#0055ff"}, "cookie_domain": "example.com"}
    if index % 8 == 3:
        fields.update(
            denied_consent_duration_custom=True,
            denied_consent_duration=3,
            denied_consent_duration_unit="months",
        )
    if index == 7:
        fields.update(enable_ignore_consent_before=True, ignore_consent_before="2026-01-01")
    return fields


def _regulations(draft: dict[str, Any], index: int) -> list[dict[str, Any]]:
    """GDPR on Europe + CPRA on California for every third notice (one with CPRA disabled)."""
    gdpr = next(r for r in draft["regulation_configurations"] if r["regulation_id"] == "gdpr")
    return [
        {"id": gdpr["id"], "geo_locations": ["FR", "DE", "IT", "ES"]},
        {
            "regulation_id": "cpra",
            "geo_locations": ["US_CA"],
            "disagree_button_style": "secondary",
            "config": {"notice": {"position": "bottom"}},
            **({"disabled_at": "2026-01-01T00:00:00.000Z"} if index == 10 else {}),
        },
    ]


def _deploy(api: Api, notice_id: str) -> dict[str, Any]:
    """Publish the notice's draft (waiting out the emulator's 3 deployments at once)."""
    draft = api.draft(notice_id)
    while True:
        response = api.post_deployment(notice_id, draft["id"], "from the console")
        if response.status_code != 429:
            assert response.status_code == 201, response.text
            time.sleep(0.005)  # distinct created_at for the notice's next deployment
            return dict(response.json())
        time.sleep(0.1)


def _shared_content(api: Api, emulator: EmulatorProcess | None, config: Any) -> tuple[str, str]:
    """A vendor-list template writing `config` (no notice yet), and an approved text."""
    template = api.new_template("EU vendor list", [])
    (record,) = api.ok(
        "GET", "/widgets/notices/templates/configs", params={"organization_id": api.org}
    )["data"]
    api.ok("PATCH", f"/widgets/notices/templates/configs/{record['id']}", json={"config": config})
    text = api.new_text("Banner text", platforms=["web"])
    wording = json.dumps({"en": "We use cookies.", "fr": "Nous utilisons des cookies."})
    content = api.new_text_content(text["id"], wording)
    if emulator is not None:  # Didomi's team approves it (the emulator's operator route)
        emulator.review_text_content(content["id"], "approved").raise_for_status()
    return template["id"], text["id"]


def _link(api: Api, template_id: str, notice_id: str) -> None:
    """Link the notice's GDPR configuration to the template (Didomi applies it)."""
    path = f"/widgets/notices/templates/{template_id}"
    template = api.ok("GET", path, params={"organization_id": api.org})
    notices = [*template["notices_id"], notice_id]
    api.ok("PATCH", path, params={"organization_id": api.org}, json={"notices_id": notices})
    draft = api.draft(notice_id)
    gdpr = next(r for r in draft["regulation_configurations"] if r["regulation_id"] == "gdpr")
    item = {"id": gdpr["id"], "template_id": template_id}
    api.ok(
        "PATCH",
        f"/widgets/notices/configs/{draft['id']}",
        json={"regulation_configurations": [item]},
    )


def seed(api: Api, emulator: EmulatorProcess | None = None) -> dict[int, dict[str, Any]]:
    """30 notices (one archived), two widgets, two custom purposes and a custom vendor using
    them (with a storage), listed with a global vendor by notice 0; a vendor-list template
    (the vendor, a global one, an essential purpose) linked to two notices for GDPR before their
    publication, an approved text used by one notice; the notices by seed index."""
    notices: dict[int, dict[str, Any]] = {}
    analytics = api.new_purpose("Analytics")
    offers = api.new_purpose("Offers", regulations_id=["gdpr"])
    vendor = api.new_vendor(
        "Tracker",
        website="https://tracker.example/privacy",
        default_purposes_id=[analytics["id"], "cookies"],
        legitimate_interest_purposes_id=[offers["id"]],
    )
    api.new_storage(vendor["id"], purposes_id=[analytics["id"]])
    eu = {
        "app": {"vendors": {"include": [vendor["id"], "google"]}, "essentialPurposes": ["cookies"]}
    }
    template_id, text_id = _shared_content(api, emulator, eu)
    for index in range(30):
        extra = {"environment": "production", "external_id": "crm-5"} if index == 5 else {}
        notice = api.ok(
            "POST",
            "/widgets/notices",
            201,
            json={"organization_id": api.org, "name": _name(index), **extra},
        )
        notices[index] = notice
        draft = api.draft(notice["id"])
        fields = _draft_fields(index, _name(index))
        if index == 0:
            fields["config"]["app"]["vendors"] = {"include": [vendor["id"], "google"]}
            fields["config"]["app"]["essentialPurposes"] = [analytics["id"]]
        if index % 3 == 1:
            fields["regulation_configurations"] = _regulations(draft, index)
        if index == TEXTED:
            fields["text_id"] = text_id
        api.ok("PATCH", f"/widgets/notices/configs/{draft['id']}", json=fields)
        if index in TEMPLATED:
            _link(api, template_id, notice["id"])
        if index in NEVER:
            continue
        _deploy(api, notice["id"])
        if index % 6 == 0:  # a second publication
            draft = api.draft(notice["id"])
            api.ok("PATCH", f"/widgets/notices/configs/{draft['id']}", json={"full_atp": True})
            _deploy(api, notice["id"])
        if index in TOUCHED:  # edited in the console after its publication
            draft = api.draft(notice["id"])
            api.ok("PATCH", f"/widgets/notices/configs/{draft['id']}", json={"country": "FR"})
    api.ok(
        "PATCH",
        f"/widgets/notices/{notices[ARCHIVED]['id']}",
        json={"archived_at": "2026-02-01T00:00:00.000Z"},
    )
    api.new_widget(
        "Preference center",
        format="hosted",
        template_id="full_preference_center",
        enabled_languages=["en", "fr"],
        default_language="fr",
    )
    api.new_widget("Privacy requests", format="embeddable", headless=True, template_id="dsar_form")
    return notices


def run_export(
    emulator: EmulatorProcess, out: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    """The command, as a user runs it: settings from the environment."""
    org, key, secret = ORG_A.split(":", 2)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIDOMI_")}
    env.update(
        DIDOMI_API_KEY=key,
        DIDOMI_API_SECRET=secret,
        DIDOMI_ORGANIZATION_ID=org,
        DIDOMI_API_URL=emulator.url + "/v1",
        PYTHONPATH=str(REPO),
    )
    cmd = [sys.executable, "-m", "pulumi_didomi", "export", "--out", str(out), *args]
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def _minimum(notices: int, deployments: int, widgets: int) -> dict[str, int]:
    pages = math.ceil(notices / 100)
    return {
        "POST /sessions": 1,
        "GET /widgets/notices": pages,
        "GET /widgets/notices/configs": pages,
        "GET /widgets/notices/deployments": max(1, math.ceil(deployments / 100)),
        "GET /widgets": max(1, math.ceil(widgets / 100)),
        "GET /metadata/purposes": 1,
        "GET /metadata/partners": 1,
        "GET /metadata/partners-storages": 1,
        "GET /widgets/notices/templates": 1,
        "GET /widgets/notices/templates/configs": 1,
        "GET /widgets/notices/texts": 1,
        "GET /widgets/notices/texts-contents": 1,
    }


def _all_deployments(api: Api) -> list[dict[str, Any]]:
    page = api.ok(
        "GET",
        "/widgets/notices/deployments",
        params={"organization_id": api.org, "$limit": 100, "$sort[created_at]": -1},
    )
    return list(page["data"])


def _stack(cli: PulumiCLI, project: Path, emulator: EmulatorProcess) -> None:
    """A stack for the exported project, configured as its README says."""
    (project / ".venv").symlink_to(Path(sys.executable).parent.parent)  # the project's venv
    org, key, secret = ORG_A.split(":", 2)
    cli.run("stack", "init", "test", "--secrets-provider", "passphrase", cwd=project)
    for args in (
        ("didomi:organizationId", org),
        ("didomi:apiKey", key),
        ("--secret", "didomi:apiSecret", secret),
        ("didomi:apiUrl", emulator.url + "/v1"),
    ):
        cli.run("config", "set", *args, cwd=project)


def _edit(program: Path, var: str, old: str, new: str) -> None:
    """Change one value in one notice's draft in the generated program."""
    text = program.read_text()
    start = text.index(f"{var}_draft = didomi.NoticeDraftConfig(")
    end = text.index("\n)\n", start)
    block = text[start:end]
    assert block.count(old) == 1, block
    program.write_text(text[:start] + block.replace(old, new) + text[end:])


@pytest.mark.parametrize("hosting", HOSTINGS)
def test_export_then_adopt_with_no_write_then_one_edit_publishes_one_notice(
    hosting: str, emulator: EmulatorProcess, pulumi_cli: PulumiCLI, tmp_path: Path
) -> None:
    api = Api(emulator.url, ORG_A)
    notices = seed(api, emulator)
    before = _all_deployments(api)
    project = tmp_path / "exported"

    # The export: the fewest calls the API allows, and the program as Didomi holds it.
    emulator.reset_stats()
    started = time.monotonic()
    # The native run also exports the archived notice: its draft only, adopted as well.
    extra = ["--include-archived"] if hosting == "native" else []
    result = run_export(emulator, project, "--hosting", hosting, "--progress", *extra)
    seconds = time.monotonic() - started
    assert api_calls(emulator.stats()) == _minimum(30, len(before), 2)
    assert "Read: 100%" in result.stderr and "30 notices, 30 drafts" in result.stderr
    exported = 30 if extra else 29
    assert (
        f"Exported {exported} notices (24 with a NoticeDeployment) and 2 widgets, 2 purposes, "
        "1 vendor, 1 template, 1 text" in result.stdout
    )
    print(f"export of 30 notices ({hosting}): {result.stdout.strip()}; wall {seconds:.2f} s")
    files = {p.name: p.read_text() for p in project.iterdir() if p.is_file()}
    assert not any(SECRET in text for text in files.values())
    program = project / "__main__.py"
    source = program.read_text()
    archived = notices[ARCHIVED]["id"]
    if extra:  # its draft only: declaring the notice would restore it
        assert f'notice_id="{archived}"' in source and "adopt_id" not in source
    else:  # left out by default, and said so
        assert f'"{archived}"' not in source and f"# - Site 29 ({archived}): archived" in source
    assert source.count("didomi.NoticeDeployment(") == 24
    assert 'regulation_id="cpra"' in source or '"regulation_id": "cpra"' in source
    assert '"additional_countries": ["CH"]' in source  # keys inside config kept as they are
    # The notice refers to the vendor and the purpose by their resources' ids.
    assert '"include": [tracker.id, "google"]' in source, source
    assert '"essentialPurposes": [analytics.id]' in source, source
    assert 'default_purposes=[analytics.id, "cookies"]' in source, source
    # The template, its notices by output; their drafts take it and leave out what it owns.
    link = "eu_vendor_list.link" if hosting == "native" else "eu_vendor_list"
    assert source.count(f"templates=[{link}],") == 2, source
    assert 'vendors=[tracker.id, "google"],' in source, source
    for index in TEMPLATED:
        assert f"{_name(index).lower().replace(' ', '_')}.id" in source
    (template,) = api.ok("GET", "/widgets/notices/templates", params={"organization_id": api.org})[
        "data"
    ]
    # The template's id as a value: in adopt_id only (the drafts no longer set template_id).
    assert source.count(f'"{template["id"]}"') == (1 if hosting == "dynamic" else 0), source
    assert source.count("text_id=banner_text.id,") == 1, source  # the text by output
    if hosting == "native":
        spec = json.loads(files["import.json"])["resources"]
        assert len(spec) == 36 and {r["type"] for r in spec} == {
            "didomi:index:Notice",
            "didomi:index:Widget",
            "didomi:index:Purpose",
            "didomi:index:Vendor",
            "didomi:index:NoticeTemplate",
            "didomi:index:NoticeText",
        }

    # Under Pulumi: the first `up` adopts everything and writes nothing on Didomi.
    _stack(pulumi_cli, project, emulator)
    if hosting == "native":
        pulumi_cli.run("import", "--file", "import.json", "--yes", cwd=project)
    emulator.reset_stats()
    started = time.monotonic()
    pulumi_cli.run("up", "--yes", "--skip-preview", cwd=project)
    up_seconds = time.monotonic() - started
    calls = api_calls(emulator.stats())
    writes = {r: c for r, c in calls.items() if not r.startswith(("GET ", "POST /sessions"))}
    assert writes == {}, calls
    assert [d["id"] for d in _all_deployments(api)] == [d["id"] for d in before]
    print(f"first up ({hosting}): {sum(calls.values())} calls, all reads, {up_seconds:.1f} s")
    emulator.reset_stats()
    pulumi_cli.run("preview", "--expect-no-changes", cwd=project)
    assert api_calls(emulator.stats()) == {}

    # One edit of the generated program publishes that notice, once.
    edited = notices[EDITED]
    var = "blog"
    assert (
        f'{var} = didomi.Notice(\n    "blog"' in source or f'{var} = didomi.Notice("blog"' in source
    )
    _edit(program, var, "consent_duration=6,", "consent_duration=4,")
    pulumi_cli.run("up", "--yes", "--skip-preview", cwd=project)
    after = _all_deployments(api)
    new = [d for d in after if d["id"] not in {b["id"] for b in before}]
    assert [d["notice_id"] for d in new] == [edited["id"]], new
    assert api.draft(edited["id"])["consent_duration"] == 4
    pulumi_cli.run("preview", "--expect-no-changes", cwd=project)


def _ts_toolchain() -> Path:
    example = REPO / "examples" / "typescript-quickstart"
    tsc = example / "node_modules" / ".bin" / "tsc"
    if not tsc.exists():
        pytest.skip("examples/typescript-quickstart has no node_modules (scripts/bootstrap)")
    return example


def test_typescript_export_compiles_against_the_sdk(
    emulator: EmulatorProcess, tmp_path: Path
) -> None:
    example = _ts_toolchain()
    api = Api(emulator.url, ORG_A)
    seed(api, emulator)
    project = tmp_path / "exported-ts"
    result = run_export(emulator, project, "--language", "typescript", "--include-archived")
    assert "Exported 30 notices" in result.stdout
    names = {p.name for p in project.iterdir()}
    assert {"index.ts", "package.json", "tsconfig.json", "import.json", "Pulumi.yaml"} <= names
    source = (project / "index.ts").read_text()
    assert SECRET not in source and 'regulationId: "cpra"' in source
    assert (
        source.count("templates: [euVendorList.link],") == 2 and "textId: bannerText.id," in source
    )
    modules = example / "node_modules"
    # The program with the generated SDK's sources (sdk/nodejs), type-checked, nothing written.
    config = {
        "compilerOptions": {
            "strict": True,
            "noEmit": True,
            "target": "ES2022",
            "module": "commonjs",
            "moduleResolution": "node",
            "skipLibCheck": True,
            "types": ["node"],
            "typeRoots": [str(modules / "@types")],
            "paths": {
                "@pulumi-didomi/didomi": [str(REPO / "sdk" / "nodejs")],
                "@pulumi/pulumi": [str(modules / "@pulumi" / "pulumi")],
                "@pulumi/pulumi/*": [str(modules / "@pulumi" / "pulumi" / "*")],
            },
        },
        "files": [str(project / "index.ts")],
    }
    (tmp_path / "tsconfig.json").write_text(json.dumps(config))
    tsc = subprocess.run(
        [str(modules / ".bin" / "tsc"), "-p", str(tmp_path / "tsconfig.json")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert tsc.returncode == 0, tsc.stdout + tsc.stderr
