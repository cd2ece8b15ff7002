"""Which keys of a notice's draft a vendor-list template owns (no `pulumi` import).

A notice linked to a template for a regulation has two writers: the template and the notice's
`NoticeDraftConfig`. Each key has one owner. In the regulation configuration of a linked
regulation, the template owns:

| key of `regulation_configurations[<regulation>]` | owner |
|---|---|
| `template_id` (the link itself) | the template |
| `config.app.vendors` (`include` and the IAB settings `iab`) | the template |
| `config.app.essentialPurposes` | the template |
| `config.preferences.categories` | the template |
| every other key, and every key of the regulations it is not linked to | the draft |

Applying a template erases and replaces these keys (docs.didomi.io, "Manage vendors list
template"): a key the template does not set is removed from the linked regulation.

A draft declares the templates linked to its notice by taking their `link` output (its
`templates` input): its check refuses the keys they own, its revision follows theirs (a changed
vendor list publishes the notice again), and those keys are left out of its drift, review and
unmanaged-field checks; its deployment checks, before publishing, that the linked regulations
hold exactly what the template wrote.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_didomi.core.properties import PACKAGE, ObjectType, Prop
from pulumi_didomi.core.values import canonical_json, digest, has_unknown, normalize

#: The keys of a linked regulation's `config` a template owns, as paths.
OWNED_CONFIG_PATHS: tuple[tuple[str, ...], ...] = (
    ("app", "vendors"),
    ("app", "essentialPurposes"),
    ("preferences", "categories"),
)
#: The same, dotted (how messages and the handed-off values name them).
OWNED_KEYS = tuple(".".join(p) for p in OWNED_CONFIG_PATHS)
#: The paths of a linked regulation configuration a template owns (the link and its keys).
OWNED_ITEM_PATHS: tuple[tuple[str, ...], ...] = (
    ("template_id",),
    *(("config", *p) for p in OWNED_CONFIG_PATHS),
)

#: A notice a template is linked to, and for which of its regulations.
TEMPLATE_NOTICE = ObjectType(
    f"{PACKAGE}:index:TemplateNotice",
    "A notice a `NoticeTemplate` applies to, and the regulations of that notice it applies to.",
    (
        Prop("notice_id", "string", "The notice.", required=True),
        Prop(
            "regulations",
            "array",
            "The regulations of the notice the template applies to (default: gdpr).",
            items="string",
        ),
    ),
)

#: What a template hands to the drafts of the notices it is linked to (its `link` output).
TEMPLATE_LINK = ObjectType(
    f"{PACKAGE}:index:TemplateLink",
    "What a `NoticeDraftConfig` needs to know of a `NoticeTemplate` linked to its notice: the "
    "template's `link` output, given in the draft's `templates`.",
    (
        Prop("template_id", "string", "The template."),
        Prop("name", "string", "The template's name."),
        Prop(
            "notices",
            "array",
            "The notices and regulations it applies to.",
            items=f"#/types/{TEMPLATE_NOTICE.token}",
        ),
        Prop(
            "owned_values",
            "object",
            "What it writes into each linked regulation's `config`, by key (`app.vendors`, "
            "`app.essentialPurposes`, `preferences.categories`; null: removed).",
        ),
        Prop("revision", "string", "A digest of the owned values (known in a preview)."),
        Prop("written_revision", "string", "The revision the template last applied."),
    ),
)

#: Didomi's IAB settings of a vendor list (OA `notices-templates-configs`).
IAB_KEYS = ("all", "include", "exclude", "enabled", "version", "restrictions", "stacks")
#: The inputs that make the owned values.
OWNED_INPUTS = ("vendors", "iab", "essential_purposes", "preference_categories")


def owned_values(props: Mapping[str, Any]) -> dict[str, Any]:
    """What the template writes into each linked regulation's `config`, by owned key."""
    vendors: dict[str, Any] = {}
    if props.get("vendors") is not None:
        vendors["include"] = props["vendors"]
    if props.get("iab") is not None:
        vendors["iab"] = props["iab"]
    owned: dict[str, Any] = normalize(
        {
            "app.vendors": vendors or None,
            "app.essentialPurposes": props.get("essential_purposes"),
            "preferences.categories": props.get("preference_categories"),
        }
    )
    return owned


DEFAULT_REGULATIONS = ("gdpr",)


def regulations_of(entry: Mapping[str, Any]) -> list[str]:
    """The regulations a template entry links (default gdpr)."""
    found = entry.get("regulations")
    return list(found) if isinstance(found, list) and found else list(DEFAULT_REGULATIONS)


def linked(templates: Any, notice_id: Any) -> Iterator[tuple[int, Mapping[str, Any], str]]:
    """`(index, link, regulation)` for each regulation of `notice_id` the given template links
    (`templates`: a draft's input) apply to; links not known yet are skipped."""
    if not isinstance(templates, list) or not isinstance(notice_id, str):
        return
    for index, link in enumerate(templates):
        if not isinstance(link, Mapping) or not isinstance(link.get("notices"), list):
            continue
        for entry in link["notices"]:
            if isinstance(entry, Mapping) and entry.get("notice_id") == notice_id:
                for regulation in regulations_of(entry):
                    if isinstance(regulation, str) and not has_unknown(regulation):
                        yield index, link, regulation


def owned_by_regulation(templates: Any, notice_id: Any) -> dict[str, tuple[tuple[str, ...], ...]]:
    """The paths the declared templates own in each regulation configuration of the notice
    (what the draft leaves out of its unmanaged view)."""
    return {regulation: OWNED_ITEM_PATHS for _, _, regulation in linked(templates, notice_id)}


def links_revision(templates: Any, notice_id: Any) -> list[list[Any]] | None:
    """What a draft's revision takes of the templates linked to its notice (None: none): each
    linked regulation and the revision of the template's owned values. A template that only
    adds another notice leaves the others' revisions as they are."""
    found = sorted(
        [regulation, link.get("revision")] for _, link, regulation in linked(templates, notice_id)
    )
    return found or None


def get_path(value: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def owned_view(config: Any) -> dict[str, Any]:
    """The keys of a regulation's `config` a template owns, dotted (null: absent)."""
    return {
        key: normalize(get_path(config, p))
        for key, p in zip(OWNED_KEYS, OWNED_CONFIG_PATHS, strict=True)
    }


def applied(config: Any, owned: Mapping[str, Any]) -> dict[str, Any]:
    """`config` with the template's keys erased and replaced by `owned` (dotted keys)."""
    out = normalize(dict(config)) if isinstance(config, Mapping) else {}
    for key, path in zip(OWNED_KEYS, OWNED_CONFIG_PATHS, strict=True):
        parent = out
        for step in path[:-1]:
            child = parent.get(step)
            if not isinstance(child, dict):
                child = parent[step] = {}
            parent = child
        value = owned.get(key)
        if value is None:
            parent.pop(path[-1], None)
        else:
            parent[path[-1]] = normalize(value)
    for step in ("app", "preferences"):  # objects the erasure emptied
        if out.get(step) == {}:
            del out[step]
    return out


def owned_differs(config: Any, owned: Mapping[str, Any]) -> list[str]:
    """The owned keys whose values in `config` are not the template's."""
    have = owned_view(config)
    return [k for k in OWNED_KEYS if canonical_json(have.get(k)) != canonical_json(owned.get(k))]


def owned_revision(owned: Mapping[str, Any]) -> str:
    """The digest of a template's owned values (its `revision`)."""
    return digest({k: owned.get(k) for k in OWNED_KEYS})


def enabled_item(items: Any, regulation: str) -> Mapping[str, Any] | None:
    """The enabled regulation configuration of `regulation` in a draft's list."""
    for item in items or []:
        if (
            isinstance(item, Mapping)
            and item.get("regulation_id") == regulation
            and not item.get("disabled_at")
        ):
            return item
    return None


def link_problems(
    templates: Any, notice_id: Any, regulation_configurations: Any
) -> list[tuple[str, str]]:
    """A draft's problems with the templates it declares: a template not linked to its notice,
    two templates on one regulation, keys a template owns set by the draft, a linked
    regulation the draft's whole list leaves out."""
    problems: list[tuple[str, str]] = []
    if not isinstance(templates, list) or not isinstance(notice_id, str):
        return problems
    if has_unknown(notice_id):
        return problems
    owner: dict[str, Mapping[str, Any]] = {}
    for index, link in enumerate(templates):
        if not isinstance(link, Mapping) or has_unknown(link.get("notices")):
            continue
        name = named(link)
        if not any(i == index for i, _, _ in linked(templates, notice_id)):
            problems.append(
                (
                    "templates",
                    f"templates[{index}]: {name} is not linked to notice {notice_id}: add the "
                    "notice to the template's notices, or leave the template out of this draft's "
                    "templates",
                )
            )
    for _, link, regulation in linked(templates, notice_id):
        other = owner.setdefault(regulation, link)
        if other is not link:
            problems.append(
                (
                    "templates",
                    f"regulation {regulation} of notice {notice_id} is linked to two templates "
                    f"({named(other)} and {named(link)}): one template per regulation",
                )
            )
    if not isinstance(regulation_configurations, list) or has_unknown(regulation_configurations):
        return problems
    listed = {
        item.get("regulation_id"): (index, item)
        for index, item in enumerate(regulation_configurations)
        if isinstance(item, Mapping)
    }
    for regulation, link in owner.items():
        if regulation not in listed:
            problems.append(
                (
                    "regulation_configurations",
                    f"regulation {regulation} is linked to {named(link)} but missing from "
                    "regulation_configurations, which is managed as a whole list (a regulation it "
                    f"leaves out is disabled): list {{regulation_id: {regulation!r}}}, or leave "
                    "regulation_configurations unset",
                )
            )
            continue
        index, item = listed[regulation]
        taken = [".".join(p) for p in OWNED_ITEM_PATHS if get_path(item, p) is not None]
        if taken:
            where = ", ".join(f"regulation_configurations[{index}].{k}" for k in taken)
            problems.append(
                (
                    "regulation_configurations",
                    f"{where}: owned by {named(link)}, which is linked to this notice for "
                    f"{regulation} and writes {', '.join(OWNED_KEYS)} there (one owner per key). "
                    "Remove these keys from the draft and set them on the template, or unlink "
                    "the notice from the template",
                )
            )
    return problems


def named(link: Mapping[str, Any]) -> str:
    """How messages name a template (its name and id, as far as known)."""
    name, template_id = link.get("name"), link.get("template_id")
    shown = f"NoticeTemplate {name!r}" if isinstance(name, str) else "a NoticeTemplate"
    if isinstance(template_id, str) and not has_unknown(template_id):
        shown += f" ({template_id})"
    return shown


def undeclared_template_keys(
    draft: Mapping[str, Any],
    values: Mapping[str, Any],
    owned: Mapping[str, Any] | None,
) -> list[str]:
    """Keys a draft's program sets in a regulation that Didomi shows linked to a template the
    draft does not declare (linked in the console): the template owns them."""
    found: list[str] = []
    wanted = values.get("regulation_configurations")
    for index, item in enumerate(wanted if isinstance(wanted, list) else []):
        if not isinstance(item, Mapping):
            continue
        regulation = item.get("regulation_id")
        if not isinstance(regulation, str) or (owned and regulation in owned):
            continue
        have = enabled_item(draft.get("regulation_configurations"), regulation) or {}
        template_id = have.get("template_id")
        if not template_id:
            continue
        paths = [("config", *p) for p in OWNED_CONFIG_PATHS]  # the link itself may be the draft's
        taken = [".".join(p) for p in paths if get_path(item, p) is not None]
        if taken:
            keys = ", ".join(f"regulation_configurations[{index}].{k}" for k in taken)
            found.append(
                f"{keys} belong to template {template_id}, which regulation {regulation} is "
                "linked to on Didomi"
            )
    return found
