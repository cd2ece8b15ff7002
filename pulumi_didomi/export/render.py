"""The Pulumi program of an export plan: Python (`__main__.py`, either hosting) or TypeScript
(`index.ts`, the provider plugin through `@pulumi-didomi/didomi`).

Literal values in the field table's order, nested keys sorted; one block per notice (its
`Notice`, its `NoticeDraftConfig`, its `NoticeDeployment`), then the widgets. No credential is
ever written: the provider reads the stack's `didomi:*` configuration.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pulumi_didomi.core.metadata import text_of
from pulumi_didomi.core.properties import camel
from pulumi_didomi.core.values import REGULATIONS
from pulumi_didomi.export.layout import (
    Atom,
    Item,
    Node,
    call,
    py_lines,
    py_list,
    py_value,
    ts_lines,
    ts_object,
    ts_str,
    ts_value,
)
from pulumi_didomi.export.objects import ObjectPlan
from pulumi_didomi.export.plan import NoticePlan, Plan
from pulumi_didomi.export.read import describe

#: `pulumi import` marks what it imports protected; the native program says so too, so that the
#: first `up` changes nothing (and a production notice is not archived by a stray destroy).
PROTECT_IMPORTED = True


def sorted_keys(value: Any) -> Any:
    """`value` with the keys of its objects sorted, deep (stable output, whatever the API's
    order)."""
    if isinstance(value, Mapping):
        return {str(k): sorted_keys(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, list):
        return [sorted_keys(v) for v in value]
    return value


def _field_value(name: str, value: Any) -> Any:
    """Top-level fields keep their order; objects inside are sorted; regulation items keep
    the order of their keys (regulation_id first) with sorted objects inside."""
    if name == REGULATIONS:
        return [{k: sorted_keys(v) for k, v in item.items()} for item in value]
    return sorted_keys(value)


def _header(plan: Plan) -> list[str]:
    """What the program is and how to run it, wrapped (the docstring, or `//` comments)."""
    org, opts = plan.org, plan.options
    how = {
        "dynamic": (
            "The first `pulumi up` adopts everything as it is on Didomi and writes nothing "
            "there: each Notice, Widget, Purpose and Vendor adopts its id (adopt_id), each "
            "NoticeDraftConfig adopts its notice's draft (no write when the values are equal), "
            "each NoticeDeployment records the live deployment instead of publishing again."
        ),
        "native": (
            "Run `pulumi import --file import.json --yes` first: it imports the notices, "
            "widgets, purposes and vendors. The drafts and deployments are not imported (an "
            "imported draft would manage no field): the first `pulumi up` creates them by "
            "adopting, writing nothing on Didomi when the values are equal and recording the "
            "live deployment instead of publishing again."
        ),
    }[opts.hosting]
    kinds = [k for k in ("Purpose", "Vendor") if any(o.kind == k for o in plan.objects)]
    counts = "".join(f", {sum(1 for o in plan.objects if o.kind == k)} {k.lower()}s" for k in kinds)
    text = [
        f"Didomi organization {org.id}, as `pulumi-didomi export` read it: "
        f"{len(plan.notices)} notices, {len(plan.widgets)} widgets{counts} "
        f"(fields: {opts.fields}).",
        "",
        how,
        "",
        "Then edit the values here: `pulumi up` writes the draft and publishes it. "
        "Credentials come from the stack's configuration (didomi:apiKey, didomi:apiSecret as "
        "a secret, didomi:organizationId) or the DIDOMI_* environment variables, never from "
        "this file.",
    ]
    return _wrap(text)


def count_of(plan: Plan, kind: str) -> str:
    """`2 purposes`, `1 vendor`."""
    n = sum(1 for o in plan.objects if o.kind == kind)
    return f"{n} {kind.lower()}{'' if n == 1 else 's'}"


def _wrap(paragraphs: list[str], width: int = 84) -> list[str]:
    out: list[str] = []
    for paragraph in paragraphs:
        line = ""
        for word in paragraph.split():
            if line and len(line) + 1 + len(word) > width:
                out.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        out.append(line)
    return out


def _left_out(plan: Plan, comment: Callable[[str], str]) -> list[str]:
    if not plan.left_out:
        return []
    return ["", comment("Not exported:"), *(comment(f"- {line}") for line in plan.left_out)]


def _object_comment(item: ObjectPlan) -> str:
    name = item.found.get("name") or text_of(item.found.get("description"))
    return f"{item.kind.lower()} {describe({'id': item.id, 'name': name})}"


def _notice_comment(item: NoticePlan) -> str:
    found = item.found
    if item.note or found.latest is None:
        return f"{describe(found.notice)}: {item.note}"
    status = f"live: deployment {found.latest['id']} ({found.latest.get('created_at')})"
    if not item.deploy:
        status += "; no NoticeDeployment (--no-deployments)"
    return f"{describe(found.notice)}: {status}"


# -- Python ---------------------------------------------------------------------------------------


def _py_comment(text: str) -> str:
    return f"# {text}".rstrip()


def _py_values(values: Mapping[str, Any], native: bool) -> list[Item]:
    items = []
    for name, value in values.items():
        value = _field_value(name, value)
        node: Node
        if name == REGULATIONS and native:
            node = py_list(
                [
                    call(
                        "didomi.RegulationConfigurationArgs",
                        [Item(f"{k}=", py_value(v)) for k, v in entry.items()],
                    )
                    for entry in value
                ]
            )
        else:
            node = py_value(value)
        items.append(Item(f"{name}=", node))
    return items


def python_program(plan: Plan) -> str:
    """`__main__.py` of the plan."""
    native = plan.options.hosting == "native"
    protect = native and PROTECT_IMPORTED
    lines = ['"""', *_header(plan), '"""', ""]
    if protect and (plan.notices or plan.widgets or plan.objects):
        lines += ["import pulumi"]
    lines += [
        "import pulumi_didomi.native as didomi" if native else "import pulumi_didomi as didomi"
    ]
    opts = [Item("opts=", Atom("pulumi.ResourceOptions(protect=True)"))] if protect else []

    def statement(var: str | None, node: Node) -> list[str]:
        return py_lines(node, prefix=f"{var} = " if var else "")

    for obj in plan.objects:
        lines += ["", _py_comment(_object_comment(obj))]
        fields = [Item(f"{k}=", py_value(sorted_keys(v))) for k, v in obj.values.items()]
        adopt = [] if native else [Item("adopt_id=", py_value(obj.id))]
        args = [Item("", py_value(obj.base)), *fields, *adopt, *opts]
        lines += statement(obj.var, call(f"didomi.{obj.kind}", args))
    for item in plan.notices:
        var = item.var
        lines += ["", *map(_py_comment, _wrap([_notice_comment(item)]))]
        if item.declare_notice:
            fields = [Item(f"{k}=", py_value(v)) for k, v in item.notice.items()]
            adopt = [] if native else [Item("adopt_id=", py_value(item.found.id))]
            args = [Item("", py_value(item.base)), *fields, *adopt, *opts]
            lines += statement(var, call("didomi.Notice", args))
            notice_id: Node = Atom(f"{var}.id")
        else:
            notice_id = py_value(item.found.id)
        draft_args = [
            Item("", py_value(f"{item.base}-draft")),
            Item("notice_id=", notice_id),
            *_py_values(item.values, native),
        ]
        lines += statement(f"{var}_draft", call("didomi.NoticeDraftConfig", draft_args))
        if item.deploy:
            draft = Atom(f"{var}_draft.publication" if native else f"{var}_draft")
            deployment = [Item("", py_value(f"{item.base}-deployment")), Item("draft=", draft)]
            lines += statement(None, call("didomi.NoticeDeployment", deployment))
    for widget in plan.widgets:
        lines += ["", _py_comment(describe(widget.widget))]
        fields = [Item(f"{k}=", py_value(sorted_keys(v))) for k, v in widget.values.items()]
        adopt = [] if native else [Item("adopt_id=", py_value(widget.widget["id"]))]
        args = [Item("", py_value(widget.base)), *fields, *adopt, *opts]
        lines += statement(widget.var, call("didomi.Widget", args))
    lines += _left_out(plan, _py_comment)
    return "\n".join(lines) + "\n"


# -- TypeScript -----------------------------------------------------------------------------------


def _ts_comment(text: str) -> str:
    return f"// {text}".rstrip()


def _ts_values(values: Mapping[str, Any]) -> dict[str, Node]:
    out: dict[str, Node] = {}
    for name, value in values.items():
        value = _field_value(name, value)
        if name == REGULATIONS:
            value = [{camel(k): v for k, v in entry.items()} for entry in value]
        out[camel(name)] = ts_value(value)
    return out


def _ts_new(cls: str, name: str, args: Mapping[str, Node], protect: bool) -> Node:
    items = [Item("", Atom(ts_str(name))), Item("", ts_object(args))]
    if protect:
        items.append(Item("", Atom("{ protect: true }")))
    return call(f"new didomi.{cls}", items)


def typescript_program(plan: Plan) -> str:
    """`index.ts` of the plan (the provider plugin's hosting)."""
    protect = PROTECT_IMPORTED
    lines = [*map(_ts_comment, _header(plan)), ""]
    lines += ['import * as didomi from "@pulumi-didomi/didomi";']

    def statement(var: str | None, node: Node) -> list[str]:
        return ts_lines(node, prefix=f"const {var} = " if var else "", suffix=";")

    for obj in plan.objects:
        lines += ["", _ts_comment(_object_comment(obj))]
        fields = {}
        for name, value in obj.values.items():
            if name == "storages":
                value = [{camel(k): v for k, v in item.items()} for item in value]
            fields[camel(name)] = ts_value(sorted_keys(value))
        lines += statement(obj.var, _ts_new(obj.kind, obj.base, fields, protect))
    for item in plan.notices:
        var = item.var
        lines += ["", *map(_ts_comment, _wrap([_notice_comment(item)], 94))]
        if item.declare_notice:
            fields = {camel(k): ts_value(v) for k, v in item.notice.items()}
            lines += statement(var, _ts_new("Notice", item.base, fields, protect))
            notice_id: Node = Atom(f"{var}.id")
        else:
            notice_id = ts_value(item.found.id)
        args = {"noticeId": notice_id, **_ts_values(item.values)}
        lines += statement(
            f"{var}Draft", _ts_new("NoticeDraftConfig", f"{item.base}-draft", args, False)
        )
        if item.deploy:
            draft = {"draft": Atom(f"{var}Draft.publication")}
            lines += statement(
                None, _ts_new("NoticeDeployment", f"{item.base}-deployment", draft, False)
            )
    for widget in plan.widgets:
        lines += ["", _ts_comment(describe(widget.widget))]
        fields = {camel(k): ts_value(sorted_keys(v)) for k, v in widget.values.items()}
        lines += statement(widget.var, _ts_new("Widget", widget.base, fields, protect))
    lines += _left_out(plan, _ts_comment)
    return "\n".join(lines) + "\n"


def program(plan: Plan) -> tuple[str, str]:
    """The program's file name and text."""
    if plan.options.language == "typescript":
        return "index.ts", typescript_program(plan)
    return "__main__.py", python_program(plan)


__all__ = ["count_of", "program", "python_program", "sorted_keys", "typescript_program"]
