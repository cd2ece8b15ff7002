"""The files of an exported Pulumi project besides its program: `Pulumi.yaml`, the
dependencies (`requirements.txt`, or `package.json` and `tsconfig.json`), `import.json` for
`pulumi import --file` (provider plugin only), a README with the next commands."""

from __future__ import annotations

import json
import re
from pathlib import Path

from pulumi_didomi import __version__
from pulumi_didomi.export.plan import Plan, slugify
from pulumi_didomi.export.render import program
from pulumi_didomi.limits import DEFAULT_API_URL

#: The versions of the generated Node.js project (those examples/typescript-quickstart runs).
NODE_PULUMI = "^3.142.0"


def default_project(org: str) -> str:
    """`didomi-<organization>`: a valid Pulumi project name."""
    return f"didomi-{slugify(org, 'organization')}"


def valid_project(name: str) -> bool:
    """Pulumi's rule for project names."""
    return bool(re.fullmatch(r"[A-Za-z0-9_.-]{1,100}", name))


def import_spec(plan: Plan) -> dict[str, list[dict[str, str]]]:
    """`pulumi import --file` input: the purposes, vendors, texts, templates, notices and
    widgets, under the program's names (each resource's `read` takes an import's empty state)."""
    objects = [*plan.objects, *(t.obj for t in plan.templates)]
    resources = [{"type": f"didomi:index:{o.kind}", "name": o.base, "id": o.id} for o in objects]
    resources += [
        {"type": "didomi:index:Notice", "name": n.base, "id": n.found.id}
        for n in plan.notices
        if n.declare_notice
    ]
    resources += [
        {"type": "didomi:index:Widget", "name": w.base, "id": str(w.widget["id"])}
        for w in plan.widgets
    ]
    return {"resources": resources}


def pulumi_yaml(plan: Plan, project: str) -> str:
    """The project file."""
    description = f"Didomi organization {plan.org.id}, exported by pulumi-didomi export"
    if plan.options.language == "typescript":
        return f"name: {project}\ndescription: {description}\nruntime: nodejs\n"
    text = (
        f"name: {project}\n"
        f"description: {description}\n"
        "runtime:\n"
        "  name: python\n"
        "  options:\n"
        "    virtualenv: .venv\n"
    )
    if plan.options.hosting == "native":
        text += (
            "# The provider plugin: the console script pulumi-resource-didomi of the virtualenv.\n"
            "plugins:\n"
            "  providers:\n"
            "    - name: didomi\n"
            "      path: .venv/bin\n"
        )
    return text


def _commands(plan: Plan, stack: str = "dev") -> list[str]:
    org, opts = plan.org, plan.options
    if opts.language == "typescript":
        setup = [
            "npm install                  # @pulumi-didomi/didomi: the SDK in sdk/nodejs",
            "pip install pulumi-didomi    # the provider plugin pulumi-resource-didomi, on PATH",
        ]
    else:
        setup = ["python -m venv .venv && .venv/bin/pip install -r requirements.txt"]
    config = [
        f"pulumi stack init {stack}",
        f"pulumi config set didomi:organizationId {org.id}",
        "pulumi config set didomi:apiKey <key>",
        "pulumi config set --secret didomi:apiSecret <secret>",
    ]
    if org.api_url.rstrip("/") != DEFAULT_API_URL:
        config.append(f"pulumi config set didomi:apiUrl {org.api_url}")
    imports = ["pulumi import --file import.json --yes"] if opts.hosting == "native" else []
    run = ["pulumi up                    # adopts: writes and publishes nothing"]
    check = ["pulumi preview --expect-no-changes"]
    return [*setup, *config, *imports, *run, *check]


def readme(plan: Plan, project: str) -> str:
    """What was exported, and the commands that put it under Pulumi."""
    opts = plan.options
    deployed = sum(1 for n in plan.notices if n.deploy)
    program_file = "index.ts" if opts.language == "typescript" else "__main__.py"
    hosting = (
        "the provider plugin (`pulumi_didomi.native` / `@pulumi-didomi/didomi`)"
        if opts.hosting == "native"
        else "dynamic resources (`import pulumi_didomi as didomi`)"
    )
    first_up = (
        "`pulumi import --file import.json` imports the notices, widgets, custom purposes "
        "and vendors, templates and texts (marked protected, as the program declares them). "
        "Drafts and deployments are not in `import.json`: an imported `NoticeDraftConfig` "
        "manages no field. The first `pulumi up` "
        "creates them by adopting: each draft is compared with the program's values and "
        "nothing is written when they are equal; each deployment records the notice's live "
        "deployment instead of publishing again."
        if opts.hosting == "native"
        else "The first `pulumi up` adopts everything: `Notice(adopt_id=...)`, "
        "`Widget(adopt_id=...)` and the others' `adopt_id` manage the existing objects, each "
        "`NoticeDraftConfig` adopts "
        "its notice's draft (nothing is written when the values are equal), each "
        "`NoticeDeployment` records the live deployment instead of publishing again."
    )
    lines = [
        f"# {project}",
        "",
        f"Didomi organization `{plan.org.id}`, exported by `pulumi-didomi export` "
        f"{__version__}: {len(plan.notices)} notices ({deployed} with a `NoticeDeployment` "
        f"of their live deployment), {len(plan.widgets)} widgets, fields `{opts.fields}`, "
        f"as {hosting}. The program is `{program_file}`.",
        "",
        "## Next commands",
        "",
        "```sh",
        *_commands(plan),
        "```",
        "",
        first_up + " The first `up` makes no PATCH and no POST on Didomi; reading costs a "
        "few GET calls. Then change a value in the program: `pulumi up` writes that draft and "
        "publishes that notice only.",
        "",
        "Credentials are never written in these files: the provider reads `didomi:apiKey`, "
        "`didomi:apiSecret` (set it with `--secret`) and `didomi:organizationId` from the "
        "stack's configuration, or the `DIDOMI_*` environment variables.",
        "",
        "## What is and is not exported",
        "",
        "- Each notice (`Notice`: its name and set fields), its draft (`NoticeDraftConfig`: "
        + (
            "every field that is not null"
            if opts.fields == "all"
            else "the fields that differ from a fresh draft's defaults"
        )
        + ", `config` and `custom_json` included, and the enabled `regulation_configurations`), "
        "a `NoticeDeployment` when the notice has a live deployment and its draft holds exactly "
        "what it published; each widget (`Widget`); the custom purposes and vendors (`Purpose`, "
        "`Vendor`); the vendor-list templates (`NoticeTemplate`: its config, and the notices and "
        "regulations it is linked to; the drafts of those notices take it in `templates` and "
        "leave out the keys it owns) and the approved texts (`NoticeText`: the wording each "
        "shows now; drafts refer to it by `text_id`).",
        "- Not exported: the deployment history (Didomi's audit log stays as it is), widget "
        "deployments (add a `WidgetDeployment` to deploy a widget from code), disabled "
        "regulation configurations (they stay disabled), null fields, archived objects "
        "(archived notices with `--include-archived`: their draft only).",
    ]
    if plan.left_out:
        lines += ["", "Left out of this export:", "", *(f"- {line}" for line in plan.left_out)]
    return "\n".join(lines) + "\n"


def project_files(plan: Plan, project: str) -> dict[str, str]:
    """Every file of the project, by relative path."""
    opts = plan.options
    name, text = program(plan)
    files = {"Pulumi.yaml": pulumi_yaml(plan, project), name: text}
    if opts.language == "typescript":
        files["package.json"] = _package_json(project)
        files["tsconfig.json"] = _tsconfig()
        files[".gitignore"] = "node_modules/\nbin/\n"
    else:
        files["requirements.txt"] = f"pulumi-didomi>={__version__}\n"
        files[".gitignore"] = ".venv/\n__pycache__/\n"
    if opts.hosting == "native":
        files["import.json"] = json.dumps(import_spec(plan), indent=2) + "\n"
    files["README.md"] = readme(plan, project)
    return files


def _package_json(project: str) -> str:
    package = {
        "name": project,
        "private": True,
        "main": "index.ts",
        "dependencies": {
            "@pulumi/pulumi": NODE_PULUMI,
            "@pulumi-didomi/didomi": __version__,
        },
        "devDependencies": {"@types/node": "^20", "typescript": "^5"},
    }
    return json.dumps(package, indent=4) + "\n"


def _tsconfig() -> str:
    config = {
        "compilerOptions": {
            "strict": True,
            "outDir": "bin",
            "target": "ES2022",
            "module": "commonjs",
            "moduleResolution": "node",
            "skipLibCheck": True,
        },
        "files": ["index.ts"],
    }
    return json.dumps(config, indent=4) + "\n"


def write_files(out: Path, files: dict[str, str], force: bool = False) -> list[Path]:
    """Write the project into `out` (new, or empty unless `force`); the paths written."""
    if out.exists() and not out.is_dir():
        raise FileExistsError(f"{out} exists and is not a directory")
    if out.exists() and any(out.iterdir()) and not force:
        raise FileExistsError(f"{out} is not empty: choose a new directory, or pass --force")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for relative, text in files.items():
        path = out / relative
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
