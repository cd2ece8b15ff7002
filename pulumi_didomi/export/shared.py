"""What the export declares of the content shared across notices: the vendor-list templates
(`NoticeTemplate`) and the approved texts (`NoticeText`), and how the notices refer to them.

A template's values are its config's (`config.app.vendors.include` and `.iab`,
`config.app.essentialPurposes`, `config.preferences.categories`, `regulation_settings.
privacySignals`), the exported custom vendors and purposes referred to by output as the notices
do. Its `notices` are those it is linked to on Didomi: each notice of its `notices_id` whose
draft has enabled regulation configurations whose `template_id` is the template, with those
regulations, in Didomi's order (what its `read` gives an import); exported notices by output,
the others by id (leaving them out would unlink them). The drafts of the linked notices take
the template in `templates` and leave out, in the linked regulations, the keys it owns
(`template_links.OWNED_ITEM_PATHS`): a draft that set them would fail its check.

A text's values are its name, platforms and the content it shows now (the newest approved, else
the newest), decoded to `{language: text}`, and its `includes_purposes`; drafts refer to
it by output (`text_id=banner.id`, a regulation's `text_id` too). A text without any content is
left out (a `NoticeText` needs its wording; Didomi has nothing to adopt), and the drafts that use
it keep its id.

With a selection of notices the export declares the templates linked to them and the texts they
use; without one, every template and text of the organization.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pulumi_didomi.core.notice_template import NoticeTemplate, _template_config
from pulumi_didomi.core.notice_text import NoticeText, current, decode
from pulumi_didomi.core.template_links import OWNED_ITEM_PATHS, owned_differs, owned_values
from pulumi_didomi.core.values import REGULATIONS, canonical_json, normalize
from pulumi_didomi.export.layout import Atom
from pulumi_didomi.export.objects import ObjectPlan, with_refs
from pulumi_didomi.export.read import NoticeFound, Organization, describe

if TYPE_CHECKING:
    from pulumi_didomi.export.plan import Namer

#: The config's owned keys as a `NoticeTemplate`'s inputs.
_TEMPLATE_INPUTS = ("vendors", "iab", "essential_purposes", "preference_categories")


@dataclass(frozen=True)
class TemplatePlan:
    """One vendor-list template of the program: its values (`notices` set once the notices
    have their names) and the regulations of each notice it is linked to."""

    obj: ObjectPlan
    #: `(notice id, regulations)` it is linked to, in Didomi's order.
    links: tuple[tuple[str, tuple[str, ...]], ...]
    #: What the first `pulumi up` writes for it, and why (for comments).
    notes: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return self.obj.id


@dataclass
class Shared:
    """The templates and texts to declare, and what the notices need of them."""

    texts: list[ObjectPlan] = field(default_factory=list)
    templates: list[TemplatePlan] = field(default_factory=list)
    #: A text's id -> its resource's `id` output.
    text_refs: dict[str, Atom] = field(default_factory=dict)
    left_out: list[str] = field(default_factory=list)

    def linked(self, notice_id: str) -> list[tuple[str, TemplatePlan]]:
        """`(regulation, template)` for each regulation of the notice an exported template is
        linked to."""
        return [
            (regulation, template)
            for template in self.templates
            for linked_id, regulations in template.links
            if linked_id == notice_id
            for regulation in regulations
        ]


def links(
    template: Mapping[str, Any], notices: Mapping[str, NoticeFound]
) -> list[tuple[str, tuple[str, ...]]]:
    """The notices a template is linked to and for which regulations: each of its
    `notices_id` with the enabled regulation configurations of its draft whose `template_id`
    is the template (none: an empty tuple)."""
    out = []
    for notice_id in template.get("notices_id") or []:
        found = notices.get(notice_id)
        items = (found.draft or {}).get(REGULATIONS) if found is not None else None
        regulations = tuple(
            str(item.get("regulation_id"))
            for item in items or []
            if isinstance(item, Mapping)
            and item.get("template_id") == template["id"]
            and not item.get("disabled_at")
        )
        out.append((str(notice_id), regulations))
    return out


def template_values(template: Mapping[str, Any]) -> dict[str, Any]:
    """The template's inputs from its config, those set, in the resource's order."""
    record = _mapping(template.get("config_record"))
    config = _mapping(record.get("config"))
    app = _mapping(config.get("app"))
    vendors = _mapping(app.get("vendors"))
    preferences = _mapping(config.get("preferences"))
    settings = _mapping(record.get("regulation_settings"))
    found = {
        "name": template.get("name") or "",
        "vendors": vendors.get("include"),
        "iab": vendors.get("iab"),
        "essential_purposes": app.get("essentialPurposes"),
        "preference_categories": preferences.get("categories"),
        "privacy_signals": settings.get("privacySignals"),
    }
    order = [p.name for p in NoticeTemplate.description.inputs]
    return {k: normalize(found[k]) for k in order if found.get(k) is not None}


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _template_notes(
    template: Mapping[str, Any],
    values: Mapping[str, Any],
    found_links: list[tuple[str, tuple[str, ...]]],
    notices: Mapping[str, NoticeFound],
) -> list[str]:
    """What the first `up` writes for the template: config keys `NoticeTemplate` does not
    manage (dropped), notices listed without a linked regulation (removed from its notices),
    linked regulations that no longer hold its values (applied again)."""
    notes = []
    record = template.get("config_record") or {}
    wanted = _template_config(values)
    if any(canonical_json(v) != canonical_json(record.get(k)) for k, v in wanted.items()):
        notes.append(
            "its config on Didomi holds settings NoticeTemplate does not manage: the first "
            "`pulumi up` writes the config without them"
        )
    owned = owned_values(values)
    for notice_id, regulations in found_links:
        if not regulations:
            notes.append(
                f"notice {notice_id} is in its notices but no regulation of it uses the "
                "template: the first `pulumi up` removes it from the template's notices"
            )
        found = notices.get(notice_id)
        items = (found.draft or {}).get(REGULATIONS) if found is not None else None
        for item in items or []:
            if (
                isinstance(item, Mapping)
                and str(item.get("regulation_id")) in regulations
                and not item.get("disabled_at")
                and owned_differs(item.get("config"), owned)
            ):
                notes.append(
                    f"notice {notice_id} ({item.get('regulation_id')}) no longer holds the "
                    "template's values (edited since): the first `pulumi up` applies it again"
                )
    return notes


def text_values(text: Mapping[str, Any]) -> dict[str, Any] | None:
    """The text's inputs (None without any content): its name, the wording it shows now,
    `includes_purposes`, its platforms."""
    content = current(list(text.get("contents") or []))
    if content is None:
        return None
    values = {
        "name": text.get("name") or "",
        "content": decode(content.get("content")),
        # Always said: an import reads it, and a replacing input left out would differ.
        "includes_purposes": bool(content.get("includes_purposes")),
        "platforms": text.get("platforms") or None,
    }
    order = [p.name for p in NoticeText.description.inputs]
    return {k: normalize(values[k]) for k in order if values.get(k) is not None}


def text_ids_of(draft: Mapping[str, Any] | None) -> set[str]:
    """The text ids a draft names (its `text_id` and its enabled regulations')."""
    draft = draft or {}
    found = [draft.get("text_id")]
    for item in draft.get(REGULATIONS) or []:
        if isinstance(item, Mapping) and not item.get("disabled_at"):
            found.append(item.get("text_id"))
    return {t for t in found if isinstance(t, str) and t}


def plan_shared(
    org: Organization,
    namer: Namer,
    refs: Mapping[str, Atom],
    selected: Iterable[NoticeFound] | None = None,
) -> Shared:
    """The texts, then the templates, to declare (all, or those the `selected` notices use),
    sorted by name, with their names; the notices' references to them."""
    shared = Shared()
    chosen = list(selected) if selected is not None else None
    used_texts = set().union(*(text_ids_of(f.draft) for f in chosen)) if chosen else set()
    for text in sorted(org.texts, key=lambda t: (str(t.get("name") or "").lower(), t["id"])):
        if chosen is not None and text["id"] not in used_texts:
            continue
        values = text_values(text)
        if values is None:
            shared.left_out.append(
                f"{describe(text)}: approved text without any content (a NoticeText needs its "
                "wording; the drafts using it keep its id)"
            )
            continue
        base, var = namer.pick(values["name"], "text")
        shared.texts.append(ObjectPlan("NoticeText", text, base, var, values))
        shared.text_refs[str(text["id"])] = Atom(f"{var}.id")
    notices = {f.id: f for f in org.notices}
    for template, found_links in chosen_templates(org, chosen):
        raw = template_values(template)
        notes = _template_notes(template, raw, found_links, notices)
        values = with_refs(raw, refs)
        for name in ("vendors", "essential_purposes"):  # lists of ids under the inputs' names
            if name in values:
                values[name] = [refs.get(v, v) if isinstance(v, str) else v for v in raw[name]]
        base, var = namer.pick(str(raw.get("name") or ""), "template")
        obj = ObjectPlan("NoticeTemplate", template, base, var, values)
        kept = tuple((n, r) for n, r in found_links if r)
        shared.templates.append(TemplatePlan(obj, kept, tuple(notes)))
    return shared


def chosen_templates(
    org: Organization, selected: Iterable[NoticeFound] | None = None
) -> list[tuple[dict[str, Any], list[tuple[str, tuple[str, ...]]]]]:
    """The templates to declare (all, or those linked to a `selected` notice), sorted by name,
    each with its links (`links`)."""
    notices = {f.id: f for f in org.notices}
    chosen = {f.id for f in selected} if selected is not None else None
    out = []
    for template in sorted(org.templates, key=lambda t: (str(t.get("name")).lower(), t["id"])):
        found_links = links(template, notices)
        if chosen is not None and not any(n in chosen and r for n, r in found_links):
            continue
        out.append((template, found_links))
    return out


def linked_configs(
    org: Organization, selected: Iterable[NoticeFound] | None = None
) -> list[dict[str, Any]]:
    """The configs of the templates to declare, shaped as notice values (`{"config": ...}`:
    what `objects.used_by` reads for the vendors and purposes they list)."""
    out = []
    for template, _ in chosen_templates(org, selected):
        config = (template.get("config_record") or {}).get("config")
        out.append({"config": config if isinstance(config, Mapping) else {}})
    return out


def without_owned(
    values: Mapping[str, Any], regulations: Iterable[str], fields: str = "changed"
) -> dict[str, Any]:
    """A draft's values without the keys a template owns in `regulations` (objects the
    removal empties removed too; an emptied `config` kept with `fields="all"`)."""
    linked = set(regulations)
    items = []
    for item in values.get(REGULATIONS) or []:
        if item.get("regulation_id") not in linked:
            items.append(item)
            continue
        item = {k: v for k, v in item.items() if k != "template_id"}
        config = item.get("config")
        if isinstance(config, Mapping):
            trimmed = _without_paths(config, [p[1:] for p in OWNED_ITEM_PATHS if p[0] == "config"])
            if trimmed or fields == "all":
                item["config"] = trimmed
            else:
                del item["config"]
        items.append(item)
    return {**values, REGULATIONS: items} if REGULATIONS in values else dict(values)


def _without_paths(value: Mapping[str, Any], paths: list[tuple[str, ...]]) -> dict[str, Any]:
    out = dict(value)
    for path in paths:
        parent: Any = out
        chain = []
        for step in path[:-1]:
            child = parent.get(step) if isinstance(parent, dict) else None
            if not isinstance(child, Mapping):
                parent = None
                break
            parent[step] = dict(child)
            chain.append((parent, step))
            parent = parent[step]
        if isinstance(parent, dict):
            parent.pop(path[-1], None)
            for holder, step in reversed(chain):  # objects the removal emptied
                if holder[step] == {}:
                    del holder[step]
    return out


def with_text_refs(values: Mapping[str, Any], refs: Mapping[str, Atom]) -> dict[str, Any]:
    """A draft's values with the exported texts' ids replaced by their resources' `id`."""
    out = dict(values)
    if isinstance(out.get("text_id"), str):
        out["text_id"] = refs.get(out["text_id"], out["text_id"])
    if isinstance(out.get(REGULATIONS), list):
        out[REGULATIONS] = [
            {**item, "text_id": refs.get(item["text_id"], item["text_id"])}
            if isinstance(item.get("text_id"), str)
            else item
            for item in out[REGULATIONS]
        ]
    return out
