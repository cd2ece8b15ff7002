"""Emulator responses validate against Didomi's own OpenAPI document; schemathesis finds no 5xx."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ORG_A
from tests.emulator.api import Api
from tests.helpers import REPO, EmulatorProcess

OPENAPI = REPO.parent / "shared" / "reference" / "didomi-openapi.yml"
_TYPES = {
    "string": str,
    "boolean": bool,
    "object": dict,
    "array": list,
    "number": (int, float),
    "integer": int,
}


@pytest.fixture(scope="module")
def schemas() -> dict[str, Any]:
    if not OPENAPI.exists():
        reason = f"Didomi's OpenAPI document is not at {OPENAPI} (shared/ beside the clone)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return dict(yaml.safe_load(OPENAPI.read_text())["components"]["schemas"])


def violations(
    schema: dict[str, Any], value: Any, schemas: dict[str, Any], where: str
) -> list[str]:
    """Required properties, types and enums (null allowed, as Didomi's examples return it)."""
    if "$ref" in schema:
        schema = schemas[schema["$ref"].rsplit("/", 1)[-1]]
    if value is None:
        return []
    problems: list[str] = []
    expected = schema.get("type")
    if expected in _TYPES:
        ok = isinstance(value, _TYPES[expected]) and not (
            expected in ("number", "integer") and isinstance(value, bool)
        )
        if not ok:
            return [f"{where}: expected {expected}, got {type(value).__name__}"]
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{where}: {value!r} not in {schema['enum']}")
    if isinstance(value, dict):
        for name in schema.get("required", []):
            if name not in value:
                problems.append(f"{where}: required property {name!r} missing")
        for name, sub in schema.get("properties", {}).items():
            if name in value:
                problems += violations(sub, value[name], schemas, f"{where}.{name}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            problems += violations(schema["items"], item, schemas, f"{where}[{i}]")
    return problems


def test_responses_validate_against_didomis_openapi(
    emulator: EmulatorProcess, schemas: dict[str, Any]
) -> None:
    api = Api(emulator.url, ORG_A)
    notice = api.new_notice()
    draft = api.draft(notice["id"])
    patched = api.ok(
        "PATCH",
        f"/widgets/notices/configs/{draft['id']}",
        json={
            "platform": "app",
            "negative_action": None,
            "country": None,
            "enable_ignore_consent_before": True,
            "ignore_consent_before": "2026-01-01",
            "regulation_configurations": [{"regulation_id": "cpra", "geo_locations": ["US_CA"]}],
        },
    )
    deployment = api.deploy(notice["id"], draft["id"], "m")
    bodies: list[tuple[str, Any]] = [
        ("notices", notice),
        ("notices", api.ok("GET", f"/widgets/notices/{notice['id']}")),
        ("notices-config", draft),
        ("notices-config", patched),
        ("notices-config", api.ok("GET", f"/widgets/notices/configs/{draft['id']}")),
        ("notices-deployments", deployment),
        ("notices-deployments", api.ok("GET", f"/widgets/notices/deployments/{deployment['id']}")),
    ]
    for schema, route in (
        ("notices", "/widgets/notices"),
        ("notices-config", "/widgets/notices/configs"),
        ("notices-deployments", "/widgets/notices/deployments"),
    ):
        page = api.ok("GET", route)
        assert set(page) == {"total", "limit", "skip", "data"} and page["data"]
        bodies += [(schema, item) for item in page["data"]]
    for config in [b for s, b in bodies if s == "notices-config"]:
        bodies += [("notices-regulations-config", r) for r in config["regulation_configurations"]]
    assert any(s == "notices-regulations-config" for s, _ in bodies)
    problems = [p for s, body in bodies for p in violations(schemas[s], body, schemas, s)]
    assert problems == []


def test_validator_catches_violations(schemas: dict[str, Any]) -> None:
    bad = {"id": "x", "notice_id": "n", "platform": 3, "negative_action": "shout"}
    problems = violations(schemas["notices-config"], bad, schemas, "c")
    assert "c: required property 'organization_id' missing" in problems
    assert "c.platform: expected string, got int" in problems
    assert any("negative_action" in p for p in problems)


@pytest.mark.timeout(900)
def test_schemathesis_finds_no_server_error(emulator: EmulatorProcess, tmp_path: Path) -> None:
    api = Api(emulator.url, ORG_A)
    notice = api.new_notice()
    api.draft(notice["id"])
    report = tmp_path / "junit.xml"
    cmd = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "run",
        f"{emulator.url}/openapi.json",
        "--header",
        f"Authorization: Bearer {api.token}",
        "--checks",
        "not_a_server_error",
        "--max-examples",
        "25",
        "--phases",
        "examples,fuzzing",
        "--report",
        "junit",
        "--report-junit-path",
        str(report),
        "--seed",
        "1",
    ]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=850)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-6000:]
    stats = emulator.stats()
    five_xx = {k: v for k, v in stats["by_status"].items() if k.startswith("5")}
    assert five_xx == {}, five_xx
    assert stats["total"] > 100, stats["total"]
