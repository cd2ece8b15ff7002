#!/usr/bin/env python3
"""Render the provider's reference pages from its package schema (run by `make sdk`).

    scripts/gen_docs.py [--schema pulumi_didomi/provider/schema.json] [--out docs]

Writes OUT/README.md (the index), OUT/provider.md (configuration), OUT/types.md (object types),
and one page per resource (OUT/resources/) and per function (OUT/functions/): the schema's
description, inputs (type, required, replaces on change, secret, description), outputs, and an
example in each language made of the required inputs. Pages of resources or functions gone from
the schema are removed; nothing else in OUT (such as the hand-written languages.md) is touched.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
Spec = dict[str, Any]
HEADER = "<!-- Generated from the package schema by scripts/gen_docs.py (`make sdk`). -->\n"
TYPES_LINK = "../types.md"


def name_of(token: str) -> str:
    """`didomi:index:NoticeDeployment` -> `NoticeDeployment`."""
    return token.rsplit(":", 1)[-1].rsplit("/", 1)[-1]


def snake(name: str) -> str:
    """camelCase -> snake_case, as Pulumi's Python SDKs name properties and functions."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def title(name: str) -> str:
    """The Go name of a property or function."""
    return name[:1].upper() + name[1:]


def lower(name: str) -> str:
    return name[:1].lower() + name[1:]


def kebab(name: str) -> str:
    return snake(name).replace("_", "-")


def cell(text: str) -> str:
    """Text for one Markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def type_of(spec: Spec, link: str) -> str:
    """A property's type in words; object types link to their section at `link`."""
    ref = str(spec.get("$ref", ""))
    if ref.startswith("#/types/"):
        name = name_of(ref)
        return f"[{name}]({link}#{name.lower()})"
    if ref == "pulumi.json#/Any":
        return "any"
    if spec.get("type") == "array":
        return f"list of {type_of(spec['items'], link)}"
    if spec.get("type") == "object" and "additionalProperties" in spec:
        return f"map of {type_of(spec['additionalProperties'], link)}"
    return str(spec.get("type", "any"))


def describe(spec: Spec) -> str:
    """A property's description with its default, environment variables and deprecation."""
    text = str(spec.get("description", ""))
    if "default" in spec:
        text += f" Default: `{json.dumps(spec['default'])}`."
    env = (spec.get("defaultInfo") or {}).get("environment")
    if env:
        text += " Environment: " + ", ".join(f"`{e}`" for e in env) + "."
    if spec.get("deprecationMessage"):
        text += f" Deprecated: {spec['deprecationMessage']}"
    return cell(text)


def mark(flag: Any) -> str:
    return "yes" if flag else ""


def inputs_table(props: Spec, required: list[str], link: str, label: str = "Input") -> list[str]:
    rows = [
        f"| {label} | Python | Type | Required | Replaces on change | Secret | Description |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, spec in sorted(props.items()):
        replaces = spec.get("replaceOnChanges") or spec.get("willReplaceOnChanges")
        rows.append(
            f"| `{name}` | `{snake(name)}` | {type_of(spec, link)} | {mark(name in required)} "
            f"| {mark(replaces)} | {mark(spec.get('secret'))} | {describe(spec)} |"
        )
    return rows


def outputs_table(props: Spec, link: str) -> list[str]:
    rows = ["| Output | Python | Type | Secret | Description |", "|---|---|---|---|---|"]
    for name, spec in sorted(props.items()):
        rows.append(
            f"| `{name}` | `{snake(name)}` | {type_of(spec, link)} | {mark(spec.get('secret'))} "
            f"| {describe(spec)} |"
        )
    return rows


def placeholder(name: str, spec: Spec) -> dict[str, str]:
    """An example value of a required input: Python, JSON (TypeScript, YAML), Go input and Go
    plain (function arguments) literals."""
    kind = spec.get("type")
    if kind == "string":
        text = json.dumps(f"<{name}>")
        return {"py": text, "json": text, "go": f"pulumi.String({text})", "goplain": text}
    if kind in ("integer", "number"):
        go = "pulumi.Int(1)" if kind == "integer" else "pulumi.Float64(1)"
        return {"py": "1", "json": "1", "go": go, "goplain": "1"}
    if kind == "boolean":
        return {"py": "True", "json": "true", "go": "pulumi.Bool(true)", "goplain": "true"}
    if kind == "array":
        item = str(spec["items"].get("$ref", ""))
        go = f"didomi.{name_of(item)}Array{{}}" if item.startswith("#/") else "pulumi.Array{}"
        return {"py": "[]", "json": "[]", "go": go, "goplain": "nil"}
    return {"py": "{}", "json": "{}", "go": "pulumi.Map{}", "goplain": "nil"}


def handed_by(schema: Spec, args: Spec) -> tuple[str, str, str] | None:
    """`(input, resource, output)` when an input takes an object another resource's output
    hands over (a deployment's `draft`: a draft's `publication`)."""
    for prop, spec in args.items():
        ref = spec.get("$ref", "")
        if not ref.startswith("#/types/") or "enum" in schema["types"].get(ref[8:], {}):
            continue
        for token, resource in schema["resources"].items():
            for output, out in resource.get("properties", {}).items():
                if out.get("$ref") == ref and output not in resource.get("inputProperties", {}):
                    return prop, token, output
    return None


def go_function_name(name: str, resources: set[str]) -> str:
    """Pulumi's Go generator names `getX` `LookupX` when a resource `X` exists."""
    go = title(name)
    return "Lookup" + go[3:] if go.startswith("Get") and go[3:] in resources else go


def examples(
    schema: Spec, token: str, args: Spec, required: list[str], dynamic: set[str]
) -> list[str]:
    """The example section: the resource declared, or the function called, in each language."""
    languages = schema["language"]
    py_sdk, npm = languages["python"]["packageName"], languages["nodejs"]["packageName"]
    go_path = languages["go"]["importBasePath"]
    function = token in schema["functions"]
    name = name_of(token)
    values = {a: placeholder(a, args[a]) for a in required}

    def block(items: list[str], indent: str, open_: str, close: str) -> str:
        """`open_` items... `close` on lines of their own, or `open_close` when empty."""
        return open_ + "".join(f"\n{indent}{i}" for i in items) + ("\n" if items else "") + close

    resource = f'"{kebab(name)}"'
    py_args = [f"{snake(a)}={v['py']}," for a, v in values.items()]
    ts_obj = block([f"{a}: {v['json']}," for a, v in values.items()], "    ", "{", "}")
    py_native = ""  # the generated SDK's example, when it differs from the dynamic one
    if function:
        py = f"result = didomi.{snake(name)}" + block(py_args, "    ", "(", ")")
        ts = f"const result = didomi.{name}Output({ts_obj});"
        go_name = go_function_name(name, {name_of(t) for t in schema["resources"]})
        go_fields = [f"{title(a)}: {v['goplain']}," for a, v in values.items()]
        go = f"result, err := didomi.{go_name}(ctx, &didomi.{go_name}Args"
        go += block(go_fields, "\t", "{", "})")
        yaml = f"variables:\n  result:\n    fn::invoke:\n      function: {token}\n"
        yaml += "      arguments:" + block(
            [f"{a}: {v['json']}" for a, v in values.items()], "        ", "", ""
        )
    else:
        handoff = handed_by(schema, args)
        py, ts, go, yaml = "", "", "", "resources:"
        if handoff:  # declare the resource that hands the input over first
            prop, source, output = handoff
            spec = schema["resources"][source]
            source_values = {
                a: placeholder(a, spec["inputProperties"][a])
                for a in spec.get("requiredInputs", [])
            }
            src, var = name_of(source), snake(name_of(source))
            src_py = [
                f'"{kebab(src)}",',
                *(f"{snake(a)}={v['py']}," for a, v in source_values.items()),
            ]
            py = f"{var} = didomi.{src}" + block(src_py, "    ", "(", ")") + "\n"
            src_ts = block(
                [f"{a}: {v['json']}," for a, v in source_values.items()], "    ", "{", "}"
            )
            ts = f'const {lower(src)} = new didomi.{src}("{kebab(src)}", {src_ts});\n'
            src_go = [f"{title(a)}: {v['go']}," for a, v in source_values.items()]
            go = f'{lower(src)}, err := didomi.New{src}(ctx, "{kebab(src)}", &didomi.{src}Args'
            go += block(src_go, "\t", "{", "})") + "\nif err != nil {\n\treturn err\n}\n"
            yaml += f"\n  {kebab(src)}:\n    type: {source}\n    properties:"
            yaml += block(
                [f"{a}: {v['json']}" for a, v in source_values.items()], "      ", "", ""
            ).rstrip("\n")
            py_native = py + f"{snake(name)} = didomi.{name}(\n    {resource},\n"
            py_native += f"    {snake(prop)}={var}.{snake(output)},\n)"
            py += f"{snake(name)} = didomi.{name}({resource}, {snake(prop)}={var})"
            values[prop] = {
                "json": f"{lower(src)}.{output}",
                "go": f"{lower(src)}.{title(output)}",
                "yaml": f"${{{kebab(src)}.{output}}}",
            }
        py_args = [f"{snake(a)}={v['py']}," for a, v in values.items() if "py" in v]
        if not handoff:
            py += f"{snake(name)} = didomi.{name}" + block(
                [f"{resource},", *py_args], "    ", "(", ")"
            )
        ts_obj = block([f"{a}: {v['json']}," for a, v in values.items()], "    ", "{", "}")
        ts += f"const {lower(name)} = new didomi.{name}({resource}, {ts_obj});"
        go_fields = [f"{title(a)}: {v['go']}," for a, v in values.items()]
        go += f"{lower(name)}, err := didomi.New{name}(ctx, {resource}, &didomi.{name}Args"
        go += block(go_fields, "\t", "{", "})")
        yaml += f"\n  {kebab(name)}:\n    type: {token}"
        if values:
            yaml += "\n    properties:"
            yaml += block(
                [f"{a}: {v.get('yaml', v['json'])}" for a, v in values.items()], "      ", "", ""
            )

    def python(module: str) -> str:
        code = py_native if module == py_sdk and py_native else py
        return f"```python\nimport {module} as didomi\n\n{code}\n```"

    out = [
        "## Example",
        "",
        "The required inputs, with placeholders in `<>`; the inputs below tell the rest."
        if values
        else "No input is required on its own; the inputs below tell what to set.",
    ]
    if (snake(name) if function else name) in dynamic:
        out += ["", "### Python (dynamic resources, `pulumi_didomi`)", "", python("pulumi_didomi")]
    out += ["", f"### Python (generated SDK, `{py_sdk}`)", "", python(py_sdk)]
    out += ["", f"### TypeScript (`{npm}`)", "", "```typescript"]
    out += [f'import * as didomi from "{npm}";', "", ts, "```"]
    go_imports = f'import (\n\t"{go_path}"\n\t"github.com/pulumi/pulumi/sdk/v3/go/pulumi"\n)'
    out += ["", f"### Go (`{go_path}`)", "", "```go", go_imports, "", go]
    out += ["if err != nil {", "\treturn err", "}", "```"]
    out += ["", "### YAML", "", "```yaml", yaml.rstrip("\n"), "```"]
    return out


def resource_page(schema: Spec, token: str, dynamic: set[str]) -> str:
    spec = schema["resources"][token]
    inputs, required = spec.get("inputProperties", {}), spec.get("requiredInputs", [])
    outputs = {k: v for k, v in spec.get("properties", {}).items() if k not in inputs}
    lines = [f"# {name_of(token)}", "", f"Resource `{token}`.", "", spec.get("description", "")]
    lines += ["", *examples(schema, token, inputs, required, dynamic)]
    lines += ["", "## Inputs", "", *inputs_table(inputs, required, TYPES_LINK)]
    lines += ["", "## Outputs", "", "Every input is an output too, and:", ""]
    lines += outputs_table(outputs, TYPES_LINK)
    return HEADER + "\n".join(lines) + "\n"


def function_page(schema: Spec, token: str, dynamic: set[str]) -> str:
    spec = schema["functions"][token]
    args = spec.get("inputs", {})
    inputs, required = args.get("properties", {}), args.get("required", [])
    name = name_of(token)
    go = go_function_name(name, {name_of(t) for t in schema["resources"]})
    lines = [f"# {name}", "", f"Function `{token}`.", "", spec.get("description", "")]
    lines += ["", f"Python: `{snake(name)}` and `{snake(name)}_output`; TypeScript: `{name}` and"]
    lines += [f"`{name}Output`; Go: `{go}` and `{go}Output`."]
    lines += ["", *examples(schema, token, inputs, required, dynamic)]
    lines += ["", "## Arguments", "", *inputs_table(inputs, required, TYPES_LINK, "Argument")]
    result = spec.get("outputs", {}).get("properties", {})
    lines += ["", "## Result", "", *outputs_table(result, TYPES_LINK)]
    return HEADER + "\n".join(lines) + "\n"


def provider_page(schema: Spec) -> str:
    variables = schema.get("config", {}).get("variables", {})
    lines = ["# Provider configuration", "", schema["provider"].get("description", ""), ""]
    lines += [f"Stack config `{schema['name']}:<name>` (or a `Provider` resource's inputs):", ""]
    lines += inputs_table(variables, [], "types.md", "Name")
    return HEADER + "\n".join(lines) + "\n"


def types_page(schema: Spec) -> str:
    lines = ["# Types", "", "Object types, then the enum types of allowed values."]
    types = sorted(schema.get("types", {}).items())
    for token, spec in (t for t in types if "enum" not in t[1]):
        lines += ["", f"## {name_of(token)}", "", f"`{token}`. {spec.get('description', '')}", ""]
        props, required = spec.get("properties", {}), spec.get("required", [])
        lines += inputs_table(props, required, "", "Property")
    for token, spec in (t for t in types if "enum" in t[1]):
        lines += ["", f"## {name_of(token)}", "", f"`{token}`: a string, one of:", ""]
        lines += ["| Value | TypeScript | Go | Python |", "|---|---|---|---|"]
        for member in spec["enum"]:
            value, name = member["value"], member["name"]
            lines.append(
                f'| `"{value}"` | `"{value}"` | `didomi.{name_of(token)}{name}` '
                f'| `"{value}"` or `didomi.{name_of(token)}.{snake(name).upper()}` |'
            )
    return HEADER + "\n".join(lines) + "\n"


def index_page(schema: Spec) -> str:
    lines = [f"# {schema.get('displayName', schema['name'])} provider reference", ""]
    lines += [schema.get("description", ""), ""]
    lines += ["How to use it from each language: [languages.md](languages.md).", ""]
    for kind in ("resources", "functions"):
        lines += [f"## {kind.title()}", ""]
        for token, spec in sorted(schema[kind].items()):
            summary = cell(spec.get("description", "").split(". ")[0]).rstrip(".") + "."
            lines.append(f"- [{name_of(token)}]({kind}/{name_of(token)}.md): {summary}")
        lines.append("")
    lines += ["## Also", "", "- [Provider configuration](provider.md)"]
    lines += ["- [Types](types.md): object types and the allowed values"]
    return HEADER + "\n".join(lines) + "\n"


def dynamic_names() -> set[str]:
    """The names the dynamic-resource package `pulumi_didomi` exports: its functions and the
    resources of `pulumi_didomi.resources`."""
    sys.path.insert(0, str(REPO))
    import pulumi_didomi
    import pulumi_didomi.resources

    return set(pulumi_didomi.__all__) | set(pulumi_didomi.resources.__all__)


def render(schema: Spec, dynamic: set[str]) -> dict[str, str]:
    """Every generated page, by its path relative to the docs directory."""
    pages = {
        "README.md": index_page(schema),
        "provider.md": provider_page(schema),
        "types.md": types_page(schema),
    }
    for token in schema["resources"]:
        pages[f"resources/{name_of(token)}.md"] = resource_page(schema, token, dynamic)
    for token in schema["functions"]:
        pages[f"functions/{name_of(token)}.md"] = function_page(schema, token, dynamic)
    return pages


def write(out: Path, pages: dict[str, str]) -> None:
    """Write the pages; remove generated pages no longer rendered."""
    for sub in ("resources", "functions"):
        for old in (out / sub).glob("*.md"):
            if f"{sub}/{old.name}" not in pages:
                old.unlink()
    for rel, text in pages.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text() != text:
            path.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--schema", type=Path, default=REPO / "pulumi_didomi/provider/schema.json")
    parser.add_argument("--out", type=Path, default=REPO / "docs")
    args = parser.parse_args()
    pages = render(json.loads(args.schema.read_text()), dynamic_names())
    write(args.out, pages)


if __name__ == "__main__":
    main()
