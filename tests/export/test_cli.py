"""The command (no server: Didomi answered by httpx.MockTransport): bulk reading at the minimum
number of calls, the project written, errors, the progress bar, cheap imports."""

from __future__ import annotations

import io
import json
import math
import subprocess
import sys
from pathlib import Path

import httpx
import jwt
import pytest

import pulumi_didomi.export as export_module
from pulumi_didomi.client import DidomiClient
from pulumi_didomi.client._session import TokenCache
from pulumi_didomi.export.cli import main
from pulumi_didomi.export.read import read_organization
from tests.export.sample import ORG, fresh_draft, live, notice

SECRET = "s3cr3t-never-written"


class FakeOrganization:
    """`n` notices (every other one published), `w` widgets, `t` vendor-list templates (each
    linked to the first notice's GDPR configuration), `x` approved texts (each with an approved
    content), in Didomi's pages (texts and contents as plain lists, as Didomi answers them)."""

    def __init__(self, n: int, w: int, t: int = 0, x: int = 0) -> None:
        self.notices = [notice(f"n{i:04d}", f"Notice {i}") for i in range(n)]
        self.drafts, self.deployments = [], []
        for i in range(n):
            draft = fresh_draft(f"n{i:04d}")
            if i % 2 == 0:
                draft, deployment = live(draft, f"d{i:04d}")
                self.deployments.append(deployment)
            self.drafts.append(draft)
        self.widgets = [
            {"id": f"w{i}", "organization_id": ORG, "name": f"Widget {i}", "format": "hosted"}
            for i in range(w)
        ]
        # Didomi's global purpose and vendor, two custom purposes, a custom vendor with a
        # storage, a deprecated one (left out).
        self.purposes = [
            {"id": "cookies", "description": {"en": "Store"}, "namespaces": {"iab2": "1"}},
            *(
                {"id": f"p{i}", "organization_id": ORG, "description": {"en": f"Purpose {i}"},
                 "details": {"en": "What for"}}
                for i in range(2)
            ),
        ]  # fmt: skip
        self.vendors = [
            {"id": "google", "name": "Google", "category_id": "advertising"},
            {"id": "v0", "organization_id": ORG, "name": "Tracker", "category_id": "analytics",
             "default_purposes_id": ["p0", "cookies"], "deprecated": False},
            {"id": "v1", "organization_id": ORG, "name": "Old", "category_id": "other",
             "deprecated": True},
        ]  # fmt: skip
        self.storages = [
            {"id": "s0", "partner_id": "v0", "organization_id": ORG, "type": "app_storage",
             "identifier": "k", "purposes_id": ["p0"]},
        ]  # fmt: skip
        self.templates = [
            {"id": f"t{i}", "organization_id": ORG, "name": f"List {i}", "notices_id": ["n0000"]}
            for i in range(t)
        ]
        self.configs = [
            {"id": f"c{i}", "template_id": f"t{i}", "organization_id": ORG,
             "config": {"app": {"vendors": {"include": ["v0"]}}}}
            for i in range(t)
        ]  # fmt: skip
        if t:
            gdpr = self.drafts[0]["regulation_configurations"][0]
            gdpr.update(template_id="t0", config={"app": {"vendors": {"include": ["v0"]}}})
        self.texts = [
            {"id": f"x{i}", "organization_id": ORG, "name": f"Text {i}", "platforms": ["web"]}
            for i in range(x)
        ]
        self.contents = [
            {"id": f"xc{i}", "text_id": f"x{i}", "organization_id": ORG, "status": "approved",
             "content": json.dumps({"en": f"Wording {i}"}), "content_version": 1}
            for i in range(x)
        ]  # fmt: skip

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/v1")
        if path == "/sessions":
            return httpx.Response(201, json={"access_token": jwt.encode({"exp": 9e12}, "k" * 32)})
        assert request.url.params["organization_id"] == ORG
        data = {
            "/widgets/notices": self.notices,
            "/widgets/notices/configs": self.drafts,
            "/widgets/notices/deployments": self.deployments,
            "/widgets": self.widgets,
            "/metadata/purposes": self.purposes,
            "/metadata/partners": self.vendors,
            "/metadata/partners-storages": self.storages,
            "/widgets/notices/templates": self.templates,
            "/widgets/notices/templates/configs": self.configs,
            "/widgets/notices/texts": self.texts,
            "/widgets/notices/texts-contents": self.contents,
        }[path]
        limit, skip = int(request.url.params["$limit"]), int(request.url.params["$skip"])
        page = data[skip : skip + min(limit, 100)]
        if "/texts" in path:
            return httpx.Response(200, json=page)
        return httpx.Response(
            200, json={"total": len(data), "limit": limit, "skip": skip, "data": page}
        )

    def client(self) -> DidomiClient:
        return DidomiClient(
            "key",
            SECRET,
            base_url="http://didomi.test/v1",
            organization_id=ORG,
            transport=httpx.MockTransport(self),
            tokens=TokenCache(),
            rate_limit=None,
        )


@pytest.mark.parametrize(
    ("n", "w", "t", "x"), [(30, 2, 0, 0), (250, 120, 150, 120), (100, 0, 1, 1)]
)
def test_reading_costs_one_call_per_page_and_none_per_notice(
    n: int, w: int, t: int, x: int
) -> None:
    fake = FakeOrganization(n, w, t, x)
    org = read_organization(fake.client(), ORG)
    pages = math.ceil(n / 100)
    # No config listing without templates, no content listing without texts.
    shared = {
        "GET /widgets/notices/templates": max(1, math.ceil(t / 100)),
        "GET /widgets/notices/templates/configs": math.ceil(t / 100),
        "GET /widgets/notices/texts": max(1, math.ceil(x / 100)),
        "GET /widgets/notices/texts-contents": math.ceil(x / 100),
    }
    assert org.calls == {
        "POST /sessions": 1,
        "GET /widgets/notices": pages,
        "GET /widgets/notices/configs": pages,
        "GET /widgets/notices/deployments": max(1, math.ceil(len(fake.deployments) / 100)),
        "GET /widgets": max(1, math.ceil(w / 100)),
        "GET /metadata/purposes": 1,
        "GET /metadata/partners": 1,
        "GET /metadata/partners-storages": 1,
        **{route: count for route, count in shared.items() if count},
    }
    assert len(org.notices) == n and len(org.widgets) == w
    assert len(org.templates) == t and all(tp["config_record"] for tp in org.templates)
    assert [len(text["contents"]) for text in org.texts] == [1] * x
    assert [p["id"] for p in org.purposes] == ["p0", "p1"]
    assert [(v["id"], len(v["storages"])) for v in org.vendors] == [("v0", 1), ("v1", 0)]
    assert sum(f.live for f in org.notices) == len(fake.deployments)


@pytest.fixture
def didomi(monkeypatch: pytest.MonkeyPatch) -> FakeOrganization:
    fake = FakeOrganization(30, 2)
    monkeypatch.setattr(export_module, "client_for", lambda settings: (fake.client(), ORG))
    for name, value in {
        "DIDOMI_API_KEY": "key",
        "DIDOMI_API_SECRET": SECRET,
        "DIDOMI_ORGANIZATION_ID": ORG,
    }.items():
        monkeypatch.setenv(name, value)
    return fake


def test_the_command_writes_the_project(
    didomi: FakeOrganization, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stderr = io.StringIO()
    out = tmp_path / "project"
    assert main(["--out", str(out), "--hosting", "native"], stderr=stderr) == 0
    assert stderr.getvalue() == ""  # not a terminal: no progress bar
    printed = capsys.readouterr().out
    assert (
        "Exported 30 notices (15 with a NoticeDeployment) and 2 widgets, 2 purposes, 1 vendor"
        in printed
    )
    assert "10 API calls" in printed  # 8, and the templates' and texts' listings (none)
    files = {p.name: p.read_text() for p in out.iterdir()}
    assert set(files) >= {"Pulumi.yaml", "__main__.py", "import.json", "README.md"}
    assert "name: didomi-acme" in files["Pulumi.yaml"]
    assert len(json.loads(files["import.json"])["resources"]) == 35
    program = files["__main__.py"]
    assert 'default_purposes=[purpose_0.id, "cookies"]' in program, program
    assert "deprecated vendor" in program
    assert not any(SECRET in text for text in files.values())


def test_a_selected_notice_brings_the_vendors_it_lists(
    didomi: FakeOrganization, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--notice: the custom vendor its draft lists and the purposes that vendor uses (one
    listing of each kind, nothing per vendor), not the others."""
    didomi.drafts[1]["config"] = {"app": {"vendors": {"include": ["v0", "google"]}}}
    out = tmp_path / "one"
    assert main(["--out", str(out), "--notice", "n0001", "--no-widgets"]) == 0
    printed = capsys.readouterr().out
    assert "Exported 1 notices (0 with a NoticeDeployment) and 0 widgets, 1 purpose, 1 vendor" in (
        printed
    )
    # session, notices, drafts, deployments, 3 listings of purposes and vendors, templates, texts
    assert "9 API calls" in printed
    program = (out / "__main__.py").read_text()
    assert 'default_purposes=[purpose_0.id, "cookies"]' in program, program
    assert '"include": [tracker.id, "google"]' in program, program
    assert "Purpose 1" not in program
    assert main(["--out", str(tmp_path / "w"), "--widget", "w0"]) == 0
    printed = capsys.readouterr().out
    assert "and 1 widgets of acme" in printed and "5 API calls" in printed  # no vendor listing


def test_templates_and_texts_are_exported_at_one_listing_each(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = FakeOrganization(30, 2, t=1, x=1)
    fake.drafts[0]["text_id"] = "x0"
    monkeypatch.setattr(export_module, "client_for", lambda settings: (fake.client(), ORG))
    out = tmp_path / "shared"
    assert main(["--out", str(out), "--hosting", "native"]) == 0
    printed = capsys.readouterr().out
    assert "2 purposes, 1 vendor, 1 template, 1 text of acme" in printed, printed
    assert "12 API calls" in printed  # 8, templates, their configs, texts, their contents
    program = (out / "__main__.py").read_text()
    assert "templates=[list_0.link]," in program and "text_id=text_0.id," in program, program
    assert 'didomi.TemplateNoticeArgs(notice_id=notice_0.id, regulations=["gdpr"])' in program
    types = [r["type"] for r in json.loads((out / "import.json").read_text())["resources"]]
    assert types.count("didomi:index:NoticeTemplate") == 1
    assert types.count("didomi:index:NoticeText") == 1
    assert main(["--out", str(tmp_path / "none"), "--no-templates"]) == 0
    printed = capsys.readouterr().out
    assert "8 API calls" in printed and "1 template" not in printed  # neither read
    program = (tmp_path / "none" / "__main__.py").read_text()
    assert '"template_id": "t0"' in program and 'text_id="x0"' in program


def test_the_progress_bar(didomi: FakeOrganization, tmp_path: Path) -> None:
    stderr = io.StringIO()
    assert main(["--out", str(tmp_path / "p"), "--progress"], stderr=stderr) == 0
    assert (
        "30 notices, 30 drafts, 15 deployments, 2 widgets, 2 purposes, 2 vendors, 1 storages, "
        "0 templates, 0 template configs, 0 texts, 0 text contents" in stderr.getvalue()
    )
    assert "11/11" in stderr.getvalue()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--language", "typescript", "--hosting", "dynamic"], "dynamic resources are Python"),
        (["--notice", "nope"], "not found in organization acme: notice nope"),
        (["--project", "no spaces"], "not a valid Pulumi project name"),
    ],
)
def test_refusals(didomi: FakeOrganization, tmp_path: Path, args: list[str], message: str) -> None:
    stderr = io.StringIO()
    assert main(["--out", str(tmp_path / "p"), *args], stderr=stderr) == 2
    assert message in stderr.getvalue()


def test_a_non_empty_directory_is_refused_before_any_call(
    didomi: FakeOrganization, tmp_path: Path
) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    stderr = io.StringIO()
    assert main(["--out", str(tmp_path)], stderr=stderr) == 2
    assert "not an empty directory" in stderr.getvalue()
    assert main(["--out", str(tmp_path), "--force"], stderr=io.StringIO()) == 0
    assert (tmp_path / "keep.txt").read_text() == "mine"


def test_missing_settings_are_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("DIDOMI_API_KEY", "DIDOMI_API_SECRET", "DIDOMI_ORGANIZATION_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DIDOMI_API_KEY", "key")
    stderr = io.StringIO()
    assert main(["--out", str(tmp_path / "p")], stderr=stderr) == 2
    text = stderr.getvalue()
    assert "DIDOMI_API_SECRET" in text and "DIDOMI_ORGANIZATION_ID" in text
    assert "DIDOMI_API_KEY," not in text


def _python(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout


def test_importing_the_package_stays_cheap() -> None:
    heavy = ("tqdm", "httpx", "pydantic", "argparse", "pulumi_didomi.export")
    loaded = _python(
        "import sys, pulumi_didomi, pulumi_didomi.__main__; "
        f"print([m for m in {heavy!r} if m in sys.modules])"
    )
    assert loaded.strip() == "[]"


def test_python_m_pulumi_didomi() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pulumi_didomi", "export", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "pulumi import --file import.json" in result.stdout
    assert "manage no field" in result.stdout
    result = subprocess.run(
        [sys.executable, "-m", "pulumi_didomi", "nope"], capture_output=True, text=True
    )
    assert result.returncode == 2 and "export" in result.stderr
