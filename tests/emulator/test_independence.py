"""The emulator is an independent reading of Didomi's API: it never imports the client, its
modules import each other one way, and its models follow Didomi's OpenAPI document."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from pulumi_didomi.emulator import models
from tests.helpers import REPO

PACKAGE = REPO / "pulumi_didomi" / "emulator"
OPENAPI = REPO.parent / "shared" / "reference" / "didomi-openapi.yml"


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Absolute names of the modules `path` imports (relative imports resolved)."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return found


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_emulator_module_imports_the_client(module: str) -> None:
    client = [n for n in _imports(MODULES[module]) if n.startswith("pulumi_didomi.client")]
    assert client == [], f"{module} imports {client}"


def test_importing_and_building_the_emulator_loads_no_client_module() -> None:
    code = (
        "import sys, pulumi_didomi.emulator as e, pulumi_didomi.emulator.__main__\n"
        "e.create_app()\n"
        "print([m for m in sys.modules if m.startswith('pulumi_didomi.client')])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_emulator_modules_import_each_other_without_cycles() -> None:
    graph = {
        m: {n for n in _imports(p) if n in MODULES and n != m and not n.endswith(".__main__")}
        for m, p in MODULES.items()
    }
    # A package's __init__ re-exports its modules: count only edges into other packages.
    graph = {m: {n for n in deps if not n.startswith(m + ".")} for m, deps in graph.items()}
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                pytest.fail("import cycle: " + " -> ".join([*trail, node, nxt]))
            if nxt not in state:
                visit(nxt, [*trail, node])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [])


@pytest.fixture(scope="module")
def schemas() -> dict[str, Any]:
    if not OPENAPI.exists():
        reason = f"Didomi's OpenAPI document is not at {OPENAPI} (shared/ beside the clone)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return dict(yaml.safe_load(OPENAPI.read_text())["components"]["schemas"])


def test_writable_config_fields_follow_didomis_openapi(schemas: dict[str, Any]) -> None:
    documented = set(schemas["notices-config-input"]["properties"]) | set(
        schemas["notices-config"]["properties"]
    )
    server_set = {"id", "organization_id", "notice_id", "created_at", "updated_at", "version"}
    deployment = {f for f in documented if f.startswith("deployed_")}
    write_only_ignored = {"sdk_version"}
    expected = documented - server_set - deployment - write_only_ignored
    writable = set(models.WRITABLE_CONFIG_FIELDS)
    assert writable == expected, (writable - expected, expected - writable)


@pytest.mark.parametrize(
    ("model", "schema"),
    [
        (models.NoticeConfigPatch, "notices-config"),
        (models.RegulationConfigInput, "notices-regulations-config"),
    ],
)
def test_enums_follow_didomis_openapi(
    model: type[BaseModel], schema: str, schemas: dict[str, Any]
) -> None:
    properties = schemas[schema]["properties"]
    json_schema = model.model_json_schema()
    for name, prop in properties.items():
        if "enum" not in prop or name not in json_schema["properties"]:
            continue
        variants = json_schema["properties"][name].get("anyOf", [json_schema["properties"][name]])
        ours = {v for variant in variants for v in variant.get("enum", [])}
        assert ours == set(prop["enum"]), (schema, name)
