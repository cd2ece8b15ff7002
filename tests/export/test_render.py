"""The generated project (no server): Python laid out exactly as `ruff format` lays it out,
programs that declare exactly the planned values, TypeScript, import.json, README."""

from __future__ import annotations

import ast
import json
import random
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pulumi_didomi.export.layout import Atom, Item, call, py_lines, py_str, py_value, ts_str
from pulumi_didomi.export.plan import Options, draft_values, make_plan
from pulumi_didomi.export.project import import_spec, project_files
from pulumi_didomi.export.render import python_program, typescript_program
from tests.export.sample import organization

RUFF = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")


def ruff_formatted(source: str) -> str:
    """What `ruff format` (default settings, line length 88) makes of `source`."""
    if RUFF is None:
        pytest.skip("ruff is not installed")
    result = subprocess.run(
        [RUFF, "format", "--isolated", "--stdin-filename", "program.py", "-"],
        input=source,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def _random_value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.choice(
        ["str", "int", "float", "bool", "none", "dict", "list"][: 7 if depth < 3 else 5]
    )
    if kind == "str":
        return rng.choice(
            ["", "en", 'say "hi"', "it's", "Été — FR", "a\\b\nc", "x" * rng.randint(5, 70)]
        )
    if kind == "int":
        return rng.choice([0, 6, 12, -3, 10**12])
    if kind == "float":
        return rng.choice([0.5, 1e-05, 2.25, 1e16])
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "none":
        return None
    if kind == "dict":
        keys = rng.sample(
            ["app", "name", "privacyPolicyURL", "a-b", "languages", "vendors", "x"],
            rng.randint(0, 4),
        )
        return {k: _random_value(rng, depth + 1) for k in keys}
    return [_random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]


def test_python_layout_is_ruffs() -> None:
    rng = random.Random(18)
    statements = []
    for index in range(300):
        args = [Item("", py_value(f"resource-{index}"))]
        args += [
            Item(f"field_{k}=", py_value(_random_value(rng))) for k in range(rng.randint(0, 5))
        ]
        if rng.random() < 0.3:
            args.append(Item("opts=", Atom("pulumi.ResourceOptions(protect=True)")))
        prefix = rng.choice(["", "x = ", "a_rather_long_variable_name_for_a_draft = "])
        statements.append(
            "\n".join(py_lines(call("didomi.NoticeDraftConfig", args), prefix=prefix))
        )
    source = "\n".join(statements) + "\n"
    formatted = ruff_formatted(source)
    for ours, ruffs in zip(source.split("\n"), formatted.split("\n"), strict=False):
        assert ours == ruffs, (ours, ruffs, source[:3000])
    assert formatted == source


@pytest.mark.parametrize(
    "text", ["", "plain", 'say "hi"', "it's", 'both \' and ""', "a\\b\nc\td", "Été\x00\x7f"]
)
def test_string_literals_read_back(text: str) -> None:
    assert ast.literal_eval(py_str(text)) == text
    assert json.loads(json.dumps(ast.literal_eval(ts_str(text)))) == text
    assert py_str('say "hi"') == "'say \"hi\"'"


@pytest.mark.parametrize("hosting", ["dynamic", "native"])
@pytest.mark.parametrize("fields", ["changed", "all"])
def test_python_programs_are_formatted_and_declare_the_planned_values(
    hosting: str, fields: str
) -> None:
    options = Options(hosting=hosting, fields=fields, include_archived=True)  # type: ignore[arg-type]
    plan = make_plan(organization(), options)
    source = python_program(plan)
    assert ruff_formatted(source) == source
    declared = _run(source, hosting)
    for item in plan.notices:
        assert item.found.draft is not None
        draft = declared[("NoticeDraftConfig", f"{item.base}-draft")]
        values = {k: v for k, v in draft.items() if k != "notice_id"}
        assert values == draft_values(item.found.draft, fields)  # type: ignore[arg-type]
        notice = declared.get(("Notice", item.base))
        if item.declare_notice:
            assert notice is not None and notice["name"] == item.found.name
            assert notice.get("adopt_id") == (item.found.id if hosting == "dynamic" else None)
            assert draft["notice_id"] == f"<{item.base}.id>"
        else:
            assert notice is None and draft["notice_id"] == item.found.id
        assert (("NoticeDeployment", f"{item.base}-deployment") in declared) is item.deploy
    widget = declared[("Widget", "preference-center")]
    assert widget["enabled_languages"] == ["en", "fr"] and widget["default_language"] == "fr"
    assert ("protect" in source) is (hosting == "native")


class _Output(str):
    """A resource's output, named by the resource and attribute (`<shop.id>`)."""


def _run(source: str, hosting: str) -> dict[tuple[str, str], dict[str, Any]]:
    """Execute a generated Python program against a recording `didomi` module."""
    declared: dict[tuple[str, str], dict[str, Any]] = {}

    def resource(kind: str) -> type:
        class Resource:
            def __init__(self, name: str, /, **kwargs: Any) -> None:
                kwargs.pop("opts", None)
                if "regulation_configurations" in kwargs:
                    kwargs["regulation_configurations"] = [
                        getattr(r, "kwargs", r) for r in kwargs["regulation_configurations"]
                    ]
                if "templates" in kwargs:  # a dynamic draft takes the template itself
                    kwargs["templates"] = [getattr(t, "me", t) for t in kwargs["templates"]]
                declared[(kind, name)] = kwargs
                self.me = _Output(f"<{name}>")
                self.id = _Output(f"<{name}.id>")
                self.publication = _Output(f"<{name}.publication>")
                self.link = _Output(f"<{name}.link>")

        return Resource

    class Args:
        def __init__(self, **kwargs: Any) -> None:
            self.kwargs = kwargs

    didomi = type(sys)("didomi")
    kinds = ("Notice", "NoticeDraftConfig", "NoticeDeployment", "Widget", "Purpose", "Vendor")
    for kind in (*kinds, "NoticeTemplate", "NoticeText"):
        setattr(didomi, kind, resource(kind))
    didomi.RegulationConfigurationArgs = Args  # type: ignore[attr-defined]
    didomi.TemplateNoticeArgs = Args  # type: ignore[attr-defined]
    pulumi = type(sys)("pulumi")
    pulumi.ResourceOptions = lambda **kw: kw  # type: ignore[attr-defined]
    module = "pulumi_didomi.native" if hosting == "native" else "pulumi_didomi"
    code = source.replace(f"import {module} as didomi", "").replace("import pulumi\n", "")
    exec(compile(code, "__main__.py", "exec"), {"didomi": didomi, "pulumi": pulumi})
    return declared


def test_typescript_program() -> None:
    plan = make_plan(organization(), Options(language="typescript", hosting="native"))
    source = typescript_program(plan)
    assert 'import * as didomi from "@pulumi-didomi/didomi";' in source
    assert (
        'const shop = new didomi.Notice("shop", { name: "Shop", environment: "prod" }, {'
        in (source.replace("\n    ", " ").replace("\n", " "))
        or 'new didomi.Notice(\n    "shop",' in source
    )
    assert "consentDuration: 6," in source and "consentDurationUnit:" in source
    assert 'regulationId: "cpra"' in source and 'geoLocations: ["US_CA"]' in source
    assert 'new didomi.NoticeDeployment("shop-deployment", { draft: shopDraft.publication });' in (
        source
    )
    assert '"2024-ete"' in source and "const notice2024Ete = " in source
    # Keys inside `config` stay as Didomi has them; sorted.
    assert (
        'config: { app: { name: "Shop" }, languages: { default: "en", enabled: ["en", "fr"] } }'
        in (source)
    )
    assert all(len(line) <= 100 for line in source.splitlines() if not line.startswith("//"))


def test_import_json_readme_and_secrets() -> None:
    plan = make_plan(organization(), Options(hosting="native"))
    assert import_spec(plan)["resources"] == [
        {"type": "didomi:index:Notice", "name": "2024-ete", "id": "n4"},
        {"type": "didomi:index:Notice", "name": "blog", "id": "n3"},
        {"type": "didomi:index:Notice", "name": "shop", "id": "n1"},
        {"type": "didomi:index:Notice", "name": "shop-2", "id": "n2"},
        {"type": "didomi:index:Widget", "name": "preference-center", "id": "w1"},
    ]
    files = project_files(plan, "didomi-acme")
    assert set(files) == {
        "Pulumi.yaml",
        "__main__.py",
        "requirements.txt",
        ".gitignore",
        "import.json",
        "README.md",
    }
    assert json.loads(files["import.json"]) == import_spec(plan)
    readme = files["README.md"]
    assert "pulumi config set --secret didomi:apiSecret <secret>" in readme
    assert "pulumi import --file import.json --yes" in readme
    assert "NoticeDraftConfig` manages no field" in readme
    assert "path: .venv/bin" in files["Pulumi.yaml"]
    dynamic = project_files(make_plan(organization(), Options()), "didomi-acme")
    assert "import.json" not in dynamic and "pulumi import" not in dynamic["README.md"]
    ts = project_files(make_plan(organization(), Options("typescript", "native")), "p")
    assert {"index.ts", "package.json", "tsconfig.json", "import.json"} <= set(ts)
    assert json.loads(ts["package.json"])["dependencies"]["@pulumi-didomi/didomi"]
