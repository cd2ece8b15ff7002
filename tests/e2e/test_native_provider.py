"""The native provider plugin `didomi` through its generated SDK, with the real CLI (issue 12).

The program (`programs/native`) uses `pulumi_didomi.native`; the engine starts the plugin as the
`pulumi-resource-didomi` console script found on PATH, or from its `PulumiPlugin.yaml` directory
through the language host's RunPlugin.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pulumi_didomi.provider import PLUGIN_DIR
from tests.e2e.stack import ExampleStack
from tests.emulator.api import Api
from tests.helpers import REPO, EmulatorProcess, PulumiCLI, api_calls

pytestmark = pytest.mark.e2e

NATIVE = REPO / "tests" / "e2e" / "programs" / "native"
SPEC = REPO / "tests" / "e2e" / "programs" / "spec"
SECRET = "secret-aaaaaaaaaaaaaaaa"


def _text(result: Any) -> str:
    return str(result.stdout) + str(result.stderr)


def _stack(cli: PulumiCLI, tmp_path: Path, emulator: EmulatorProcess, notice: str) -> ExampleStack:
    return ExampleStack.create(
        cli, "native", tmp_path, emulator, _credential(), {"notice": notice}, src=NATIVE
    )


def _credential() -> str:
    from tests.conftest import ORG_A

    return ORG_A


@pytest.fixture(scope="session")
def newest_pulumi_python(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A virtualenv with this package and the newest `pulumi` on PyPI (not the pinned one)."""
    venv = tmp_path_factory.mktemp("newest-pulumi") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "-e", str(REPO)], check=True, timeout=600)
    subprocess.run([*pip, "--upgrade", "pulumi"], check=True, timeout=600)
    return str(venv / "bin" / "python")


def _use_python(cli: PulumiCLI, python: str) -> None:
    """Run the program and the plugin with `python`'s virtualenv (its console script on PATH)."""
    bin_dir = str(Path(python).parent)
    path = f"{cli.bin_dir}{os.pathsep}{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin"
    cli.extra_env.update(PULUMI_PYTHON_CMD=python, PATH=path)


@pytest.mark.parametrize("release", ["pinned", "newest"])
def test_acceptance_cycle_through_the_native_provider(
    release: str,
    request: pytest.FixtureRequest,
    emulator: EmulatorProcess,
    pulumi_cli: PulumiCLI,
    tmp_path: Path,
) -> None:
    python = sys.executable
    if release == "newest":
        python = request.getfixturevalue("newest_pulumi_python")
    _use_python(pulumi_cli, python)
    version = subprocess.run(
        [python, "-c", "from importlib.metadata import version; print(version('pulumi'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    api = Api(emulator.url, _credential())
    notice = api.new_notice()["id"]
    stack = _stack(pulumi_cli, tmp_path, emulator, notice)

    stack.up()
    assert len(api.deployments(notice)) == 1, version

    # No-op preview: zero API calls.
    emulator.reset_stats()
    stack.pulumi("preview", "--expect-no-changes")
    assert api_calls(emulator.stats()) == {}, version

    # A one-field change: the field's old and new value, then exactly one deployment.
    stack.config("duration", "3")
    diff = stack.pulumi("preview", "--diff").stdout
    assert "consentDuration: 6 => 3" in diff, diff
    assert "+-didomi:index:NoticeDeployment" in diff, diff
    stack.up()
    deployments = api.deployments(notice)
    assert len(deployments) == 2
    live = api.ok("GET", f"/widgets/notices/configs/{deployments[0]['production_config_id']}")
    assert live["consent_duration"] == 3
    stack.pulumi("preview", "--expect-no-changes")

    # Published from the console: the refresh shows it, the next preview restores the stack's.
    draft = api.draft(notice)
    api.ok("PATCH", f"/widgets/notices/configs/{draft['id']}", json={"consent_duration": 13})
    foreign = api.deploy(notice, draft["id"], "console edit")
    refresh = _text(stack.pulumi("refresh", "--yes"))
    assert foreign["id"] in refresh and "no longer live" in refresh, refresh
    diff = stack.pulumi("preview", "--diff").stdout
    assert "consentDuration: 13 => 3" in diff, diff

    # Destroy keeps every deployment (an audit log); no secret or token anywhere.
    exported = json.dumps(stack.export())
    stack.pulumi("destroy", "--yes")
    assert len(api.deployments(notice)) == 3
    assert SECRET not in exported and api.token not in exported
    assert SECRET not in refresh and SECRET not in diff


def test_pulumi_import_of_a_draft_and_a_deployment_then_an_empty_preview(
    emulator: EmulatorProcess, pulumi_cli: PulumiCLI, tmp_path: Path
) -> None:
    api = Api(emulator.url, _credential())
    notice = api.new_notice()["id"]
    draft = api.draft(notice)
    api.ok("PATCH", f"/widgets/notices/configs/{draft['id']}", json={"consent_duration": 9})
    deployment = api.deploy(notice, draft["id"], "made in the console")
    stack = _stack(pulumi_cli, tmp_path, emulator, notice)
    (stack.dir / "__main__.py").write_text("import pulumi\n")
    stack.pulumi(
        "import", "didomi:index:NoticeDraftConfig", "banner", notice, "--yes", "--out", "a.py"
    )
    stack.pulumi(
        "import",
        "didomi:index:NoticeDeployment",
        "release",
        deployment["id"],
        "--yes",
        "--out",
        "b.py",
    )
    code = (stack.dir / "a.py").read_text() + (stack.dir / "b.py").read_text()
    assert f'notice_id="{notice}"' in code, code
    (stack.dir / "__main__.py").write_text(code)
    stack.pulumi("preview", "--expect-no-changes")
    # Nothing was written or published by the import.
    assert len(api.deployments(notice)) == 1
    assert api.draft(notice)["consent_duration"] == 9


def test_the_plugin_directory_is_launched_through_the_language_host(
    emulator: EmulatorProcess, pulumi_cli: PulumiCLI, tmp_path: Path
) -> None:
    # No console script on PATH: the engine must start PLUGIN_DIR through RunPlugin. As for a
    # user: no PULUMI_PYTHON_CMD, no activated virtualenv, and the python3 on PATH does not have
    # the package; the project's `virtualenv` option names the virtualenv that does (PLUGIN_DIR,
    # in this checkout, is in no virtualenv). Automatic plugin acquisition stays on: nothing may
    # send the engine to download a plugin.
    path = f"{pulumi_cli.bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin"
    pulumi_cli.project_python = True
    pulumi_cli.extra_env["PATH"] = path
    pulumi_cli.extra_env["PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION"] = "false"
    bare = subprocess.run(
        ["python3", "-c", "import pulumi_didomi"],
        cwd=tmp_path,
        env={"PATH": path},
        capture_output=True,
        check=False,
    )
    assert bare.returncode != 0, "the python3 on PATH has pulumi-didomi: this test proves nothing"
    api = Api(emulator.url, _credential())
    notice = api.new_notice()["id"]
    stack = _stack(pulumi_cli, tmp_path, emulator, notice)
    venv = Path(sys.executable).parent.parent
    (stack.dir / "Pulumi.yaml").write_text(
        "name: didomi-native\n"
        f"runtime:\n  name: python\n  options:\n    virtualenv: {venv}\n"
        f"plugins:\n  providers:\n    - name: didomi\n      path: {PLUGIN_DIR}\n"
    )
    up = _text(stack.up())
    assert "from $PATH" not in up, up
    assert "download" not in up.lower() and "installing" not in up.lower(), up
    assert not list(pulumi_cli.home.glob("plugins/resource-didomi*"))
    assert len(api.deployments(notice)) == 1
    stack.pulumi("preview", "--expect-no-changes")
    stack.pulumi("destroy", "--yes")


def test_migration_from_the_dynamic_resources_publishes_nothing(
    emulator: EmulatorProcess, pulumi_cli: PulumiCLI, tmp_path: Path
) -> None:
    """The README's path: swap the import for `pulumi_didomi.native` and `pulumi up`. The native
    draft adopts the draft as it is; the native deployment adopts the live publication."""
    api = Api(emulator.url, _credential())
    notice = api.new_notice()["id"]
    banner = {
        "notice_id": notice,
        "platform": "web",
        "consent_duration": 6,
        "regulation_configurations": [
            {"regulation_id": "gdpr", "is_default_regulation_config": True}
        ],
    }
    spec = {
        "drafts": {"banner": banner},
        "deployments": {"release": {"draft": "banner", "message": "from the stack"}},
    }
    stack = ExampleStack.create(
        pulumi_cli,
        "native",
        tmp_path,
        emulator,
        _credential(),
        {"spec": json.dumps(spec), "notice": notice},
        src=SPEC,
    )
    stack.up()
    assert len(api.deployments(notice)) == 1

    (stack.dir / "__main__.py").write_text((NATIVE / "__main__.py").read_text())
    emulator.reset_stats()
    up = _text(stack.up())
    calls = api_calls(emulator.stats())
    assert not any(
        route.startswith(("PATCH", "POST /widgets/notices/deployments")) for route in calls
    ), (
        calls,
        up,
    )
    assert len(api.deployments(notice)) == 1
    types = {r["type"] for r in stack.export()["deployment"]["resources"]}
    assert "didomi:index:NoticeDeployment" in types
    assert not any(t.startswith("pulumi-python:dynamic") for t in types)
    stack.pulumi("preview", "--expect-no-changes")


def test_widget_deployment_and_functions_through_the_native_provider(
    emulator: EmulatorProcess, pulumi_cli: PulumiCLI, tmp_path: Path
) -> None:
    api = Api(emulator.url, _credential())
    notice = api.new_notice()["id"]
    widget = api.ok(
        "POST", "/widgets", 201, params={"organization_id": api.org}, json={"name": "Centre"}
    )["id"]
    stack = _stack(pulumi_cli, tmp_path, emulator, notice)
    stack.config("widget", widget)
    stack.config("publicKey", emulator.public_key(api.org))
    stack.config("functions", "true")
    stack.up()
    out = stack.outputs()
    assert out["widget_url"].endswith(f"/containers/{widget}.json"), out
    assert out["widget_name"] == "Centre", out
    assert out["draft_duration"] == 6 and out["deployments"] == 1, out
    # The plain invoke ran when the program started: the draft this `up` then published.
    assert out["plain_draft_id"] == api.deployments(notice)[0]["production_config_id"], out
    assert len(emulator.data("widget_deployments")) == 1

    # A change of triggers deploys the widget again; removing it deletes nothing.
    stack.config("release", "2")
    diff = stack.pulumi("preview", "--diff").stdout
    assert "+-didomi:index:WidgetDeployment" in diff and "triggers" in diff, diff
    stack.up()
    assert len(emulator.data("widget_deployments")) == 2
    stack.pulumi("destroy", "--yes")
    assert len(emulator.data("widget_deployments")) == 2
    assert len(api.deployments(notice)) == 1


def test_native_errors_read_as_our_messages(
    emulator: EmulatorProcess, pulumi_cli: PulumiCLI, tmp_path: Path
) -> None:
    api = Api(emulator.url, _credential())
    notice = api.new_notice()["id"]
    stack = _stack(pulumi_cli, tmp_path, emulator, notice)
    stack.pulumi("config", "rm", "didomi:apiSecret")
    failed = stack.up(check=False)
    text = _text(failed)
    assert failed.returncode != 0
    assert "missing Didomi settings: didomi:apiSecret" in text, text
    assert "Unexpected <class" not in text and "Traceback" not in text, text
    assert api.deployments(notice) == []
