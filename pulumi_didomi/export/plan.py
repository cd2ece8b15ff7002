"""What the export declares: which notices and widgets, under which names, with which values.

Values are Didomi's, in the field table's order (the configuration's own fields, then the
settings its regulation configurations share). `fields="changed"` keeps the writable
fields whose value differs from a fresh draft's (null, empty lists and objects, and the
defaults of reference §5.4); `fields="all"` keeps every field that is not null (a program
cannot manage a null). `regulation_configurations` is always managed: the enabled items,
without the keys Didomi sets.
"""

from __future__ import annotations

import fnmatch
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from pulumi_didomi.client.errors import ConfigurationError
from pulumi_didomi.core.field_types import CONFIG_FIELD_TYPES
from pulumi_didomi.core.notice import OPTIONAL_FIELDS as NOTICE_FIELDS
from pulumi_didomi.core.regulations import REGULATION_KEYS
from pulumi_didomi.core.values import REGULATIONS, canonical_json, normalize
from pulumi_didomi.core.widget import FIELDS as WIDGET_PROPS
from pulumi_didomi.export.layout import Atom, is_py_name, is_ts_name
from pulumi_didomi.export.objects import ObjectPlan, plan_objects, used_by, with_refs
from pulumi_didomi.export.read import NoticeFound, Organization, describe
from pulumi_didomi.export.shared import (
    Shared,
    TemplatePlan,
    linked_configs,
    plan_shared,
    with_text_refs,
    without_owned,
)

Fields = Literal["changed", "all"]
Hosting = Literal["dynamic", "native"]
Language = Literal["python", "typescript"]

#: A fresh draft's values (reference §5.4, after the field table); null, [] and {} besides.
FRESH_DRAFT: dict[str, Any] = {
    "custom_json": {},
    "default": False,
    "platform": "web",
    "targets": [],
    "text_mode": "approved",
    "full_atp": False,
    "enable_ignore_consent_before": False,
    "ignore_consent_before": None,
    "negative_action": "button",
    "disagree_button_style": "primary",
    "country": None,
    "notice_deny_applies_to_li": True,
    "preferences_deny_applies_to_li": True,
    "consent_duration": 12,
    "consent_duration_unit": "months",
}

#: A duration and its unit are managed together (a duration alone reads as months).
PAIRS = (
    ("consent_duration", "consent_duration_unit"),
    ("denied_consent_duration", "denied_consent_duration_unit"),
)

#: Regulation keys kept even when empty.
_ALWAYS = ("regulation_id", "is_default_regulation_config", "geo_locations")

#: The widget fields a program sets (those `pulumi import` and `adopt_id` compare).
WIDGET_FIELDS = tuple(p.name for p in WIDGET_PROPS)


#: Writable configuration fields, in the order of the field table.
CONFIG_FIELDS = tuple(name for name, *_ in CONFIG_FIELD_TYPES)


def is_fresh(name: str, value: Any) -> bool:
    """Whether `value` is what a fresh draft holds in field `name`."""
    if value is None or value == [] or value == {}:
        return True
    return name in FRESH_DRAFT and canonical_json(FRESH_DRAFT[name]) == canonical_json(value)


def regulation_items(items: Any, fields: Fields = "changed") -> list[dict[str, Any]]:
    """The enabled regulation configurations as a program lists them: writable keys only, in
    Didomi's order, without nulls (and without empty objects when `fields="changed"`)."""
    out = []
    for item in items or []:
        if not isinstance(item, Mapping) or item.get("disabled_at"):
            continue
        kept = {}
        for key in REGULATION_KEYS:
            value = normalize(item.get(key))
            if value is None or (fields == "changed" and value in ({}, []) and key not in _ALWAYS):
                continue
            kept[key] = value
        out.append(kept)
    return out


def draft_values(draft: Mapping[str, Any], fields: Fields = "changed") -> dict[str, Any]:
    """The draft's values a program declares, in the field table's order."""
    chosen = set()
    for name in CONFIG_FIELDS:
        value = normalize(draft.get(name))
        if name == REGULATIONS or value is None:
            continue
        if fields == "all" or not is_fresh(name, value):
            chosen.add(name)
    for pair in PAIRS:
        if chosen & set(pair):
            chosen |= {n for n in pair if draft.get(n) is not None}
    values = {n: normalize(draft[n]) for n in CONFIG_FIELDS if n in chosen}
    values[REGULATIONS] = regulation_items(draft.get(REGULATIONS), fields)
    return values


def notice_values(notice: Mapping[str, Any]) -> dict[str, Any]:
    """The notice's name and the optional fields it has (what an import manages)."""
    values = {"name": notice.get("name") or ""}
    values.update({k: notice[k] for k in NOTICE_FIELDS if notice.get(k) is not None})
    return values


def widget_values(widget: Mapping[str, Any]) -> dict[str, Any]:
    """The widget's fields a program sets (those that are not null)."""
    return {k: normalize(widget[k]) for k in WIDGET_FIELDS if widget.get(k) is not None}


# -- names ----------------------------------------------------------------------------------------


def slugify(text: str, fallback: str) -> str:
    """`Boutique Été — FR` -> `boutique-ete-fr` (at most 48 characters)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:48].strip("-")
    return slug or fallback


def py_var(slug: str) -> str:
    """A Python name for a slug."""
    return slug.replace("-", "_")


def ts_var(slug: str) -> str:
    """A TypeScript name for a slug (camelCase)."""
    head, *rest = slug.split("-")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


class Namer:
    """Unique resource names and variable names, derived from objects' names."""

    def __init__(self, language: Language, reserved: Iterable[str] = ("didomi", "pulumi")) -> None:
        self.to_var: Callable[[str], str] = py_var if language == "python" else ts_var
        self.valid: Callable[[str], bool] = is_py_name if language == "python" else is_ts_name
        self.reserved = frozenset(reserved)
        self.names: set[str] = set()
        self.vars: set[str] = set(reserved)

    def pick(self, text: str, fallback: str, suffixes: tuple[str, ...] = ()) -> tuple[str, str]:
        """A resource name and a variable name, both free with their derived forms (`shop`,
        `shop-draft`...; `shop`, `shop_draft`...): the slug of `text`, `-2`, `-3`... added on
        a clash; the variable prefixed with `fallback` when the slug is not a valid name or is
        reserved."""
        base = slugify(text, fallback)
        index = 1
        while True:
            name = base if index == 1 else f"{base}-{index}"
            var = self.to_var(name)
            if not self.valid(var) or var in self.reserved:
                var = self.to_var(f"{fallback}-{name}")
            names = [name + s for s in ("", *suffixes)]
            # `shop_draft` / `shopDraft`: a variable's own slug (its `_`s were `-`s), suffixed.
            variables = [self.to_var(var.replace("_", "-") + s) for s in ("", *suffixes)]
            if not (set(names) & self.names or set(variables) & self.vars):
                self.names.update(names)
                self.vars.update(variables)
                return name, var
            index += 1


# -- the plan -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    """What to export and how (the command's flags)."""

    language: Language = "python"
    hosting: Hosting = "dynamic"
    fields: Fields = "changed"
    deployments: bool = True
    notice_ids: tuple[str, ...] = ()
    widget_ids: tuple[str, ...] = ()
    name: str | None = None
    include_archived: bool = False
    widgets: bool = True
    #: The organization's custom purposes and vendors (and the notices' references to them):
    #: all of them, or with a selection (`notice_ids`, `widget_ids`, `name`) those the selected
    #: notices list and the purposes those vendors use.
    metadata: bool = True
    #: The organization's vendor-list templates and approved texts (and the notices' references
    #: to them): all of them, or with a selection those linked to or used by the selected
    #: notices.
    shared: bool = True

    @property
    def selects(self) -> bool:
        """Whether only some notices and widgets are exported."""
        return bool(self.notice_ids or self.widget_ids or self.name is not None)

    @property
    def reads_metadata(self) -> bool:
        """Whether the export reads the custom purposes and vendors: with `metadata`, unless
        only widgets are selected (no notice to list them)."""
        return self.metadata and self.reads_notices

    @property
    def reads_shared(self) -> bool:
        """Whether the export reads the templates and texts: with `shared`, unless only
        widgets are selected."""
        return self.shared and self.reads_notices

    @property
    def reads_notices(self) -> bool:
        """Whether notices may be exported (not when only widgets are selected)."""
        return not (self.widget_ids and not self.notice_ids and not self.name)


@dataclass(frozen=True)
class NoticePlan:
    """One notice of the program: its resource names, values and what to declare."""

    found: NoticeFound
    #: The `Notice`'s resource name (`<base>-draft`, `<base>-deployment` for the others).
    base: str
    #: Its variable (`<var>_draft` / `<var>Draft` for the draft's).
    var: str
    notice: dict[str, Any]
    values: dict[str, Any]
    #: Declare a `Notice` (not for an archived notice: declaring it would restore it).
    declare_notice: bool
    #: Declare a `NoticeDeployment` (the live one is recorded, nothing published).
    deploy: bool
    #: Why the notice has no deployment to record, for a comment (empty when it is live).
    note: str = ""
    #: The variables of the exported templates linked to it (its draft's `templates`).
    templates: tuple[str, ...] = ()


@dataclass(frozen=True)
class WidgetPlan:
    """One widget of the program."""

    widget: dict[str, Any]
    base: str
    var: str
    values: dict[str, Any]


@dataclass
class Plan:
    """Everything the export writes, before it is written."""

    org: Organization
    options: Options
    notices: list[NoticePlan] = field(default_factory=list)
    widgets: list[WidgetPlan] = field(default_factory=list)
    #: Custom purposes, vendors, then approved texts (the notices refer to them by their
    #: resources' ids).
    objects: list[ObjectPlan] = field(default_factory=list)
    #: Vendor-list templates (declared after the notices they are linked to, before their
    #: drafts).
    templates: list[TemplatePlan] = field(default_factory=list)
    #: `Name (id): reason` of what was read and is not in the program.
    left_out: list[str] = field(default_factory=list)


def _selected(name: str, id_: str, ids: tuple[str, ...], glob: str | None, chosen: bool) -> bool:
    if chosen and id_ not in ids:
        return False
    return glob is None or fnmatch.fnmatchcase(name.lower(), glob.lower())


def _note(found: NoticeFound) -> str:
    """Why a notice has no live deployment to record ("" when it has one)."""
    if found.archived:
        return (
            f"archived on Didomi ({found.notice['archived_at']}): its draft only (declaring the "
            "notice would restore it, and an archived notice cannot be published)"
        )
    if found.latest is None:
        return "never published: add a NoticeDeployment to publish it"
    if found.live:
        return ""
    return (
        f"its draft has changes not published yet (deployment {found.latest['id']} is live): "
        "a NoticeDeployment would publish them"
    )


def make_plan(org: Organization, options: Options) -> Plan:
    """The notices and widgets to declare, sorted by name, with unique names; the custom
    purposes and vendors, the vendor-list templates and approved texts (all, or those the
    selected notices use; `export.shared`), the drafts of a template's notices taking it and
    leaving out the keys it owns."""
    plan = Plan(org, options)
    namer = Namer(options.language)
    chosen = bool(options.notice_ids or options.widget_ids)
    kept: list[NoticeFound] = []
    left_out: list[str] = []
    for found in sorted(org.notices, key=lambda f: (f.name.lower(), f.id)):
        if not _selected(found.name, found.id, options.notice_ids, options.name, chosen):
            continue
        if found.archived and not options.include_archived:
            left_out.append(f"{describe(found.notice)}: archived (--include-archived)")
        elif found.draft is None:
            left_out.append(f"{describe(found.notice)}: no draft configuration on Didomi")
        else:
            kept.append(found)
    refs: dict[str, Atom] = {}
    selected = kept if options.selects else None
    if options.metadata:
        configs = linked_configs(org, selected) if options.shared else []
        used = used_by(kept, org, configs) if options.selects else None
        plan.objects, refs, plan.left_out = plan_objects(org, namer, used)
    shared = plan_shared(org, namer, refs, selected) if options.shared else Shared()
    plan.objects += shared.texts
    plan.left_out += shared.left_out + left_out
    for found in kept:
        assert found.draft is not None
        base, var = namer.pick(found.name, "notice", ("-draft", "-deployment"))
        values = draft_values(found.draft, options.fields)
        linked = shared.linked(found.id)
        if linked:
            values = without_owned(values, [r for r, _ in linked], options.fields)
        plan.notices.append(
            NoticePlan(
                found=found,
                base=base,
                var=var,
                notice=notice_values(found.notice),
                values=with_text_refs(with_refs(values, refs), shared.text_refs),
                declare_notice=not found.archived,
                deploy=options.deployments and found.live and not found.archived,
                note=_note(found),
                templates=tuple(dict.fromkeys(t.obj.var for _, t in linked)),
            )
        )
    plan.templates = [_with_notices(t, plan.notices) for t in shared.templates]
    for widget in sorted(org.widgets, key=lambda w: (str(w.get("name") or "").lower(), w["id"])):
        name = str(widget.get("name") or "")
        if not _selected(name, str(widget["id"]), options.widget_ids, options.name, chosen):
            continue
        if widget.get("archived"):
            plan.left_out.append(
                f"{describe(widget)}: archived widget (declaring it would restore it)"
            )
            continue
        base, var = namer.pick(name, "widget")
        plan.widgets.append(WidgetPlan(widget, base, var, widget_values(widget)))
    _check_found(org, options)
    return plan


def _with_notices(template: TemplatePlan, notices: list[NoticePlan]) -> TemplatePlan:
    """The template with its `notices`: the exported notices by output, the others by id."""
    declared = {n.found.id: n.var for n in notices if n.declare_notice}
    entries = [
        {
            "notice_id": Atom(f"{declared[notice_id]}.id") if notice_id in declared else notice_id,
            "regulations": list(regulations),
        }
        for notice_id, regulations in template.links
    ]
    obj = replace(template.obj, values={**template.obj.values, "notices": entries})
    return replace(template, obj=obj)


def _check_found(org: Organization, options: Options) -> None:
    """Refuse ids given with --notice / --widget that the organization does not have."""
    missing = [f"notice {i}" for i in options.notice_ids if i not in {f.id for f in org.notices}]
    widget_ids = {str(w["id"]) for w in org.widgets}
    missing += [f"widget {i}" for i in options.widget_ids if i not in widget_ids]
    if missing:
        raise ConfigurationError(f"not found in organization {org.id}: {', '.join(missing)}")
