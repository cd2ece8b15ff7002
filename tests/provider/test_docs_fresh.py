"""The committed reference pages (docs/) are what scripts/gen_docs.py renders from the schema."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.helpers import REPO

DOCS = REPO / "docs"


def test_the_committed_docs_are_rendered_from_the_committed_schema(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(REPO / "scripts" / "gen_docs.py"), "--out", str(tmp_path)],
        check=True,
        timeout=120,
    )
    rendered = {p.relative_to(tmp_path): p.read_text() for p in tmp_path.rglob("*.md")}
    # Every rendered page is committed as rendered; no page of a resource or function is left
    # from an older schema (the hand-written pages, such as languages.md, stay beside them).
    committed = {
        p.relative_to(DOCS): p.read_text()
        for p in DOCS.rglob("*.md")
        if p.relative_to(DOCS) in rendered or p.parent.name in ("resources", "functions")
    }
    stale = sorted(
        str(p) for p in rendered.keys() | committed.keys() if rendered.get(p) != committed.get(p)
    )
    assert stale == [], f"docs/ is stale ({stale}): run `make sdk`"
