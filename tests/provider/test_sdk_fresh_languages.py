"""The committed Node.js (sdk/nodejs) and Go (sdk/go) SDKs are what Pulumi generates from the
committed schema (as tests/provider/test_sdk_fresh.py checks the Python SDK)."""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import REPO

# What builds leave beside the generated files (sdk/nodejs/.gitignore): not compared.
BUILD_OUTPUT = {"node_modules", "bin"}


def _files(root: Path) -> set[Path]:
    return {
        p.relative_to(root)
        for p in root.rglob("*")
        if p.is_file() and not BUILD_OUTPUT & set(p.relative_to(root).parts[:1])
    }


@pytest.mark.parametrize("language", ["nodejs", "go"])
def test_the_committed_sdk_is_generated_from_the_committed_schema(
    language: str, tmp_path: Path
) -> None:
    if shutil.which("go") is None and not os.environ.get("CI"):
        pytest.skip("Go is needed to build Pulumi's code generator (scripts/gen-sdk)")
    fresh = tmp_path / language
    subprocess.run(
        [str(REPO / "scripts" / "gen-sdk"), language, "pulumi_didomi/provider/schema.json", fresh],
        cwd=REPO,
        check=True,
        timeout=900,
    )
    (fresh / ".sdkgen-files").unlink()
    committed = REPO / "sdk" / language
    generated = _files(fresh)
    assert _files(committed) == generated, f"sdk/{language} is stale: run `make sdk`"
    stale = [str(p) for p in sorted(generated) if not filecmp.cmp(fresh / p, committed / p, False)]
    assert stale == [], f"sdk/{language} is stale ({stale}): run `make sdk`"
