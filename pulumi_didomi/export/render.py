"""The Pulumi program of an export plan: Python (`__main__.py`, either hosting) or TypeScript
(`index.ts`, the provider plugin through `@pulumi-didomi/didomi`).

Literal values in the field table's order, nested keys sorted: the custom purposes, vendors
and approved texts; each vendor-list template after the `Notice`s it is linked to; one block per
notice (its `Notice` unless a template needed it before, its `NoticeDraftConfig`, its
`NoticeDeployment`), then the widgets. No credential is ever written: the provider reads the
stack's `didomi:*` configuration.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pulumi_didomi.core.metadata import text_of
from pulumi_didomi.core.notice_text import current
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
from pulumi_didomi.export.shared import TemplatePlan

#: `pulumi import` marks what it imports protected; the native program says so too, so that the
#: first `up` changes nothing (and a production notice is not archived by a stray destroy).
PROTECT_IMPORTED = True

#: How comments and counts name each kind of object (singular, plural).
KINDS = {
    "Purpose": ("purpose", "purposes"),
    "Vendor": ("vendor", "vendors"),
    "NoticeTemplate": ("template", "templates"),
    "NoticeText": ("text", "texts"),
}


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
            "there: each Notice, Widget, Purpose, Vendor, NoticeTemplate and NoticeText adopts "
            "its id (adopt_id), each "
            "NoticeDraftConfig adopts its notice's draft (no write when the values are equal), "
            "each NoticeDeployment records the live deployment instead of publishing again."
        ),
        "native": (
            "Run `pulumi import --file import.json --yes` first: it imports the notices, "
            "widgets, purposes, vendors, templates and texts. The drafts and deployments are "
            "not imported (an "
            "imported draft would manage no field): the first `pulumi up` creates them by "
            "adopting, writing nothing on Didomi when the values are equal and recording the "
            "live deployment instead of publishing again."
        ),
    }[opts.hosting]
    counts = "".join(f", {count_of(plan, k)}" for k in KINDS if count(plan, k))
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


def count(plan: Plan, kind: str) -> int:
    """How many objects of `kind` (`Purpose`, `NoticeTemplate`...) the plan declares."""
    return sum(1 for o in [*plan.objects, *(t.obj for t in plan.templates)] if o.kind == kind)


def count_of(plan: Plan, kind: str) -> str:
    """`2 purposes`, `1 vendor`, `1 template`."""
    n = count(plan, kind)
    return f"{n} {KINDS[kind][0 if n == 1 else 1]}"


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
    what = {"NoticeText": "approved text"}.get(item.kind, KINDS[item.kind][0])
    comment = f"{what} {describe({'id': item.id, 'name': name})}"
    if item.kind == "NoticeText":
        content = current(list(item.found.get("contents") or [])) or {}
        status = content.get("status")
        comment += f": content version {content.get('content_version')}, {status}"
        if status != "approved":
            comment += " (a notice using it is published once Didomi's team approves it)"
    return comment


def _template_comments(template: TemplatePlan, plan: Plan, width: int = 84) -> list[str]:
    """What a template is linked to (its Notices come first, their drafts take it), and what
    the first `up` writes for it."""
    names = {n.id: n.name for n in plan.org.notices}
    linked = "; ".join(
        f"{describe({'id': n, 'name': names.get(n, '')})} ({', '.join(r)})"
        for n, r in template.links
    )
    text = f"vendor-list template {describe(template.obj.found)}, linked to: {linked or 'none'}"
    if any(n.found.id in dict(template.links) for n in plan.notices):
        text += ". The Notices it names come first; their drafts below take it in `templates`"
    return _wrap([text + ".", *(f"Note: {note}." for note in template.notes)], width)


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


def _py_template(template: TemplatePlan, native: bool) -> list[Item]:
    """A template's fields: its `notices` as `TemplateNoticeArgs` in the plugin's SDK."""
    items = []
    for name, value in template.obj.values.items():
        node = py_value(sorted_keys(value))
        if name == "notices" and native:
            node = py_list(
                [
                    call(
                        "didomi.TemplateNoticeArgs",
                        [Item(f"{k}=", py_value(v)) for k, v in entry.items()],
                    )
                    for entry in value
                ]
            )
        items.append(Item(f"{name}=", node))
    return items


def python_program(plan: Plan) -> str:
    """`__main__.py` of the plan."""
    native = plan.options.hosting == "native"
    protect = native and PROTECT_IMPORTED
    lines = ['"""', *_header(plan), '"""', ""]
    if protect and (plan.notices or plan.widgets or plan.objects or plan.templates):
        lines += ["import pulumi"]
    lines += [
        "import pulumi_didomi.native as didomi" if native else "import pulumi_didomi as didomi"
    ]
    opts = [Item("opts=", Atom("pulumi.ResourceOptions(protect=True)"))] if protect else []

    def statement(var: str | None, node: Node) -> list[str]:
        return py_lines(node, prefix=f"{var} = " if var else "")

    def adopted(kind: str, base: str, var: str, fields: list[Item], id_: str) -> list[str]:
        adopt = [] if native else [Item("adopt_id=", py_value(id_))]
        args = [Item("", py_value(base)), *fields, *adopt, *opts]
        return statement(var, call(f"didomi.{kind}", args))

    def notice(item: NoticePlan) -> list[str]:
        fields = [Item(f"{k}=", py_value(v)) for k, v in item.notice.items()]
        return adopted("Notice", item.base, item.var, fields, item.found.id)

    for obj in plan.objects:
        lines += ["", *map(_py_comment, _wrap([_object_comment(obj)]))]
        fields = [Item(f"{k}=", py_value(sorted_keys(v))) for k, v in obj.values.items()]
        lines += adopted(obj.kind, obj.base, obj.var, fields, obj.id)
    declared: set[str] = set()
    for template in plan.templates:
        lines += ["", *map(_py_comment, _template_comments(template, plan))]
        for item in _linked_notices(template, plan, declared):
            lines += notice(item)
        obj = template.obj
        lines += adopted(obj.kind, obj.base, obj.var, _py_template(template, native), obj.id)
    for item in plan.notices:
        var = item.var
        lines += ["", *map(_py_comment, _wrap([_notice_comment(item)]))]
        if item.declare_notice:
            if item.found.id not in declared:
                lines += notice(item)
            notice_id: Node = Atom(f"{var}.id")
        else:
            notice_id = py_value(item.found.id)
        links: list[Node] = [Atom(f"{t}.link" if native else t) for t in item.templates]
        draft_args = [
            Item("", py_value(f"{item.base}-draft")),
            Item("notice_id=", notice_id),
            *([Item("templates=", py_list(links))] if links else []),
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
        lines += adopted("Widget", widget.base, widget.var, fields, str(widget.widget["id"]))
    lines += _left_out(plan, _py_comment)
    return "\n".join(lines) + "\n"


def _linked_notices(template: TemplatePlan, plan: Plan, declared: set[str]) -> list[NoticePlan]:
    """The exported notices a template names that no earlier template declared (marked
    declared)."""
    ids = {n for n, _ in template.links} - declared
    found = [n for n in plan.notices if n.found.id in ids and n.declare_notice]
    declared.update(n.found.id for n in found)
    return found


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


def _ts_fields(obj: ObjectPlan) -> dict[str, Node]:
    """An object's fields: input names in camelCase, and the keys of its storages and
    template notices (those of Didomi's objects stay as they are)."""
    fields = {}
    for name, value in obj.values.items():
        if name in ("storages", "notices"):
            value = [{camel(k): v for k, v in item.items()} for item in value]
        fields[camel(name)] = ts_value(sorted_keys(value))
    return fields


def typescript_program(plan: Plan) -> str:
    """`index.ts` of the plan (the provider plugin's hosting)."""
    protect = PROTECT_IMPORTED
    lines = [*map(_ts_comment, _header(plan)), ""]
    lines += ['import * as didomi from "@pulumi-didomi/didomi";']

    def statement(var: str | None, node: Node) -> list[str]:
        return ts_lines(node, prefix=f"const {var} = " if var else "", suffix=";")

    def notice(item: NoticePlan) -> list[str]:
        fields = {camel(k): ts_value(v) for k, v in item.notice.items()}
        return statement(item.var, _ts_new("Notice", item.base, fields, protect))

    for obj in plan.objects:
        lines += ["", *map(_ts_comment, _wrap([_object_comment(obj)], 94))]
        lines += statement(obj.var, _ts_new(obj.kind, obj.base, _ts_fields(obj), protect))
    declared: set[str] = set()
    for template in plan.templates:
        lines += ["", *map(_ts_comment, _template_comments(template, plan, 94))]
        for item in _linked_notices(template, plan, declared):
            lines += notice(item)
        obj = template.obj
        lines += statement(obj.var, _ts_new(obj.kind, obj.base, _ts_fields(obj), protect))
    for item in plan.notices:
        var = item.var
        lines += ["", *map(_ts_comment, _wrap([_notice_comment(item)], 94))]
        if item.declare_notice:
            if item.found.id not in declared:
                lines += notice(item)
            notice_id: Node = Atom(f"{var}.id")
        else:
            notice_id = ts_value(item.found.id)
        args: dict[str, Node] = {"noticeId": notice_id}
        if item.templates:
            args["templates"] = ts_value([Atom(f"{t}.link") for t in item.templates])
        args.update(_ts_values(item.values))
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


__all__ = ["count", "count_of", "program", "python_program", "sorted_keys", "typescript_program"]
