"""The committed Python SDK (pulumi_didomi/native) is what Pulumi generates from the schema."""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO

NATIVE = REPO / "pulumi_didomi" / "native"


def test_the_committed_sdk_is_generated_from_the_committed_schema(tmp_path: Path) -> None:
    if shutil.which("go") is None and not os.environ.get("CI"):
        pytest.skip("Go is needed to build Pulumi's code generator (scripts/gen-sdk)")
    out = tmp_path / "sdk"
    subprocess.run(
        [
            str(REPO / "scripts" / "gen-sdk"),
            "python",
            "pulumi_didomi/provider/schema.json",
            str(out),
        ],
        cwd=REPO,
        check=True,
        timeout=900,
    )
    fresh = out / "pulumi_didomi" / "native"
    generated = {p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file()}
    generated.discard(Path(".sdkgen-files"))
    committed = {
        p.relative_to(NATIVE)
        for p in NATIVE.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert committed == generated, "pulumi_didomi/native is stale: run `make sdk`"
    stale = [str(p) for p in sorted(generated) if not filecmp.cmp(fresh / p, NATIVE / p, False)]
    assert stale == [], f"pulumi_didomi/native is stale ({stale}): run `make sdk`"


def test_the_committed_dynamic_resources_are_generated_from_the_descriptions(
    tmp_path: Path,
) -> None:
    from pulumi_didomi.resources._generate import write

    committed = REPO / "pulumi_didomi" / "resources"
    written = write(tmp_path)
    subprocess.run([sys.executable, "-m", "ruff", "format", "-q", str(tmp_path)], check=True)
    stale = [p.name for p in written if p.read_text() != (committed / p.name).read_text()]
    assert stale == [], f"pulumi_didomi/resources is stale ({stale}): run `make sdk`"
