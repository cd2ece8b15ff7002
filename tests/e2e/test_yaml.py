"""A Pulumi YAML program (examples/yaml-quickstart: a purpose, a vendor using it, a notice listing
it) through Pulumi's own YAML language host and the real engine.

scripts/ensure-pulumi builds `pulumi-language-yaml` beside the CLI. The program names the plugin
in `plugins: providers:`: the virtualenv's bin directory (the console script, as the example
does), and once the plugin directory, which the YAML host starts through this project's Python
language host (RunPlugin, with the obsolete `-root` flag its engine library passes).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from pulumi_didomi.provider import PLUGIN_DIR
from tests.conftest import ORG_A
from tests.emulator.api import Api
from tests.helpers import REPO, EmulatorProcess, PulumiCLI, api_calls

pytestmark = pytest.mark.e2e

EXAMPLE = REPO / "examples" / "yaml-quickstart"
SECRET = ORG_A.split(":")[2]
#: What the program's `fn::invoke` of getNoticeDraft costs, in every run, previews included.
INVOKE_CALLS = {"POST /sessions": 1, "GET /widgets/notices/configs": 1}


def _project(tmp_path: Path, plugin: Path) -> Path:
    """A copy of the example whose `plugins: providers:` entry names `plugin`."""
    project = tmp_path / "yaml-quickstart"
    shutil.copytree(EXAMPLE, project)
    _use_plugin(project, plugin)
    return project


def _use_plugin(project: Path, plugin: Path) -> None:
    text = (project / "Pulumi.yaml").read_text()
    text, found = re.subn(r"(?m)^(\s+path:) .*$", rf"\1 {plugin}", text)
    assert found == 1, text
    (project / "Pulumi.yaml").write_text(text)


def _text(result: Any) -> str:
    return str(result.stdout) + str(result.stderr)


def test_acceptance_cycle_of_the_yaml_quickstart(
    emulator: EmulatorProcess, pulumi_cli: PulumiCLI, tmp_path: Path
) -> None:
    if not (pulumi_cli.bin_dir / "pulumi-language-yaml").exists():
        reason = f"no pulumi-language-yaml beside {pulumi_cli.bin_dir / 'pulumi'}"
        if os.environ.get("CI"):
            pytest.fail(f"CI needs Pulumi's YAML language host: {reason}")
        pytest.skip(reason)
    api = Api(emulator.url, ORG_A)
    notice = api.new_notice()["id"]
    widget = api.ok(
        "POST", "/widgets", 201, params={"organization_id": api.org}, json={"name": "Centre"}
    )["id"]
    project = _project(tmp_path, Path(sys.executable).parent)
    outputs: list[str] = []

    def pulumi(*args: str) -> Any:
        result = pulumi_cli.run(*args, cwd=project)
        outputs.append(_text(result))
        return result

    def stack_outputs() -> dict[str, Any]:
        return dict(json.loads(pulumi("stack", "output", "--json").stdout))

    org, key, secret = ORG_A.split(":", 2)
    pulumi("stack", "init", "test", "--secrets-provider", "passphrase")
    for name, value in (
        ("notice", notice),
        ("widget", widget),
        ("didomi:apiKey", key),
        ("didomi:organizationId", org),
        ("didomi:apiUrl", emulator.url + "/v1"),
    ):
        pulumi("config", "set", name, "--", value)
    pulumi("config", "set", "--secret", "didomi:apiSecret", "--", secret)

    # up: the purpose, the vendor using it, the draft listing it, its deployment, the widget's
    # deployment (and the stack).
    pulumi("up", "--yes")
    out = stack_outputs()
    deployments = api.deployments(notice)
    assert [d["id"] for d in deployments] == [out["deploymentId"]], out
    assert out["draftConsentDuration"] == 6, out
    assert len(emulator.data("widget_deployments")) == 1
    purpose, vendor = out["purposeId"], out["vendorId"]
    found = api.ok("GET", f"/metadata/partners/{vendor}")
    assert (found["name"], found["organization_id"]) == ("Example Tracker", api.org), found
    assert found["default_purposes_id"] == [purpose] and found["deprecated"] is False, found
    texts = api.ok("GET", f"/metadata/purposes/{purpose}", params={"$translations": "true"})
    assert texts["description"] == {"en": "Audience measurement", "fr": "Mesure d'audience"}
    (cookie,) = emulator.data("partners_storages")
    assert (cookie["partner_id"], cookie["purposes_id"]) == (vendor, [purpose]), cookie
    live = api.ok("GET", f"/widgets/notices/configs/{deployments[0]['production_config_id']}")
    assert live["config"]["app"]["vendors"]["include"] == [vendor], live

    # A no-op preview: the resources call no API; the function the program invokes is called.
    emulator.reset_stats()
    pulumi("preview", "--expect-no-changes")
    assert api_calls(emulator.stats()) == INVOKE_CALLS

    # A one-field change: the draft is updated and published once; the widget is left alone.
    pulumi("config", "set", "consentDuration", "3")
    preview = json.loads(pulumi("preview", "--json").stdout)
    assert preview["changeSummary"] == {"update": 1, "replace": 1, "same": 4}, preview
    pulumi("up", "--yes", "--skip-preview")
    deployments = api.deployments(notice)
    out = stack_outputs()
    assert len(deployments) == 2 and deployments[0]["id"] == out["deploymentId"], out
    live = api.ok("GET", f"/widgets/notices/configs/{deployments[0]['production_config_id']}")
    assert live["consent_duration"] == 3 and out["draftConsentDuration"] == 3, out
    assert live["config"]["app"]["vendors"]["include"] == [vendor], live
    assert len(emulator.data("widget_deployments")) == 1

    pulumi("refresh", "--yes", "--expect-no-changes")

    # The plugin directory instead: the YAML host starts it through the Python language host.
    _use_plugin(project, PLUGIN_DIR)
    pulumi("preview", "--expect-no-changes")

    # Destroy: every deployment stays in the audit log; the vendor is deprecated (it stays), the
    # purpose it used deleted.
    state = json.dumps(pulumi_cli.export(project))
    pulumi("destroy", "--yes")
    assert len(api.deployments(notice)) == 2
    assert len(emulator.data("widget_deployments")) == 1
    assert api.ok("GET", f"/metadata/partners/{vendor}")["deprecated"] is True
    assert [p["id"] for p in emulator.data("purposes") if p["id"] == purpose] == []
    assert SECRET not in state and api.token not in state
    text = "\n".join(outputs)
    assert "from $PATH" not in text, text[-4000:]
    assert SECRET not in text
