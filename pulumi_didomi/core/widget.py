"""The lifecycle of a privacy widget (no `pulumi` import): a preference centre or a privacy
request form (didomi-api.md §9), created from code, updated in place, archived (Didomi has no
deletion of widgets) when it leaves the stack. Deploy it with a `WidgetDeployment`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_didomi.client import ConfigurationError, ForbiddenError, NotFoundError
from pulumi_didomi.core.objects import (
    ObjectLifecycle,
    adopt_prop,
    managed_changes,
    name_prop,
    organization_prop,
    to_adopt,
)
from pulumi_didomi.core.properties import Prop, Resource, input_problems
from pulumi_didomi.core.session import client, say
from pulumi_didomi.core.values import has_unknown

FORMATS = ("embeddable", "hosted")
TEMPLATES = ("sections", "sections_and_save", "full_preference_center", "dsar_form")


def _one_of(doc: str, values: tuple[str, ...]) -> str:
    return f"{doc} One of: {', '.join(values)}."


#: What a program may set of a widget, written to Didomi as they are.
FIELDS: tuple[Prop, ...] = (
    name_prop("widget"),
    Prop("format", "string", _one_of("How the widget is served.", FORMATS), enum=FORMATS),
    Prop(
        "headless",
        "boolean",
        "A headless widget renders with the website's own components (needs format `embeddable`).",
    ),
    Prop(
        "template_id",
        "string",
        _one_of("The widget's template.", TEMPLATES),
        enum=TEMPLATES,
    ),
    Prop(
        "enabled_languages",
        "array",
        "The languages the widget is shown in (e.g. `en`, `fr`).",
        items="string",
    ),
    Prop(
        "default_language",
        "string",
        "The language shown when the visitor's is not enabled (one of `enabledLanguages`).",
    ),
    *(
        Prop(name, "string", f"The widget's `{name}` (left as it is on Didomi when unset).")
        for name in ("theme_id", "custom_theme_id", "subdomain_id", "custom_domain_id")
    ),
)

#: Set at creation only: a change means another widget.
CREATE_ONLY: tuple[Prop, ...] = tuple(
    Prop(
        f"selected_{what}_ids",
        "array",
        f"The {what} of the configuration tree the widget collects (omitted or empty: the "
        "whole tree). Set at creation: a change means another widget.",
        items="string",
        replaces=True,
    )
    for what in ("purposes", "preferences")
)

WIDGET = Resource(
    "Widget",
    "A Didomi privacy widget (a preference centre or a privacy request form), created from "
    "code and updated in place; deploy it with a `WidgetDeployment`. When the resource leaves "
    "the stack the widget is archived (Didomi does not delete widgets) and its deployments "
    "stay; a widget archived elsewhere is restored by the next update. Adopt an existing widget "
    "with `pulumi import` (the provider plugin) or `adoptId`.",
    (
        *FIELDS,
        organization_prop(),
        *CREATE_ONLY,
        adopt_prop("widget"),
        Prop("archived", "boolean", "Whether the widget is archived on Didomi.", input=False),
        Prop(
            "publication_status",
            "string",
            "Didomi's publication status (e.g. `draft`).",
            input=False,
        ),
        Prop("created_at", "string", "When Didomi created the widget.", input=False),
        Prop("updated_at", "string", "When the widget was last updated.", input=False),
    ),
    id_doc="the widget id",
)

_FIELD_NAMES = tuple(p.name for p in FIELDS)


def check_inputs(news: Mapping[str, Any]) -> list[tuple[str, str]]:
    """`(field, reason)` for every invalid input, the rules between fields included; unknown
    values (preview) are skipped."""
    problems = input_problems(WIDGET, news, has_unknown)
    if has_unknown(news.get("headless")) or has_unknown(news.get("format")):
        return problems
    if news.get("headless") is True and news.get("format") != "embeddable":
        problems.append(
            (
                "headless",
                "a headless widget needs format 'embeddable' (got "
                f"{news.get('format')!r}): set format='embeddable' or headless=false",
            )
        )
    languages, default = news.get("enabled_languages"), news.get("default_language")
    if (
        isinstance(languages, list)
        and isinstance(default, str)
        and not has_unknown(languages)
        and default not in languages
    ):
        problems.append(
            (
                "default_language",
                f"{default!r} is not among enabled_languages {languages}: add it there or "
                "choose one of them",
            )
        )
    return problems


def changes(olds: Mapping[str, Any], news: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """The inputs that changed (and `archived` when the widget was archived elsewhere), and
    those among them that need another widget."""
    changed, replaces = managed_changes(WIDGET, olds, news)
    if olds.get("archived") and not replaces:
        changed.append("archived")
    return changed, replaces


def _fields(props: Mapping[str, Any]) -> dict[str, Any]:
    return {k: props[k] for k in _FIELD_NAMES if props.get(k) is not None}


def _outputs(props: Mapping[str, Any], widget: Mapping[str, Any]) -> dict[str, Any]:
    return {
        **props,
        **{k: widget.get(k) for k in _fields(props)},  # managed fields as Didomi holds them
        "organization_id": widget["organization_id"],
        "archived": bool(widget.get("archived")),
        "publication_status": widget.get("publication_status"),
        "created_at": widget.get("created_at"),
        "updated_at": widget.get("updated_at"),
    }


def create(props: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """Create the widget, or adopt `adopt_id` (writing only the fields that differ)."""
    api, org = client(props.get("organization_id"))
    fields = _fields(props)
    adopt = props.get("adopt_id")
    if adopt:
        try:
            current = api.get_widget(str(adopt), org)
        except NotFoundError:
            raise ConfigurationError(
                f"widget {adopt} not found in organization {org}: check adopt_id and "
                "organization_id"
            ) from None
        differ = to_adopt(
            "Widget", current, fields, {"archived": False} if current.archived else {}
        )
        widget = api.update_widget(str(adopt), differ, org) if differ else current
    else:
        for prop in CREATE_ONLY:
            if props.get(prop.name) is not None:
                fields[prop.name] = list(props[prop.name])
        widget = api.create_widget(fields.pop("name"), org, **fields)
    return widget.id, _outputs(props, widget.model_dump(mode="json"))


def read(id_: str, props: Mapping[str, Any]) -> dict[str, Any] | None:
    """The widget now (None when it is gone): Didomi's values of the managed fields; after an
    import every field Didomi holds is managed."""
    api, org = client(props.get("organization_id"))
    try:
        widget = api.get_widget(id_, org).model_dump(mode="json")
    except (NotFoundError, ForbiddenError) as exc:
        if isinstance(exc, ForbiddenError) and props.get("name"):
            raise
        return None
    if not props.get("name"):  # imported
        props = {**props, **{k: widget[k] for k in _FIELD_NAMES if widget.get(k) is not None}}
    if widget.get("archived") and not props.get("archived"):
        say(f"Widget {id_}: archived on Didomi")
    return _outputs(props, widget)


def update(id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> dict[str, Any]:
    """Write the fields that changed in one PATCH, restoring a widget archived elsewhere."""
    api, org = client(news.get("organization_id"))
    fields = {k: v for k, v in _fields(news).items() if olds.get(k) != v}
    if olds.get("archived"):
        fields["archived"] = False
    if not fields:
        return {**olds, **{p.name: news.get(p.name) for p in WIDGET.inputs}}
    return _outputs(news, api.update_widget(id_, fields, org).model_dump(mode="json"))


def delete(id_: str, props: Mapping[str, Any]) -> None:
    """Archive the widget (Didomi has no deletion of widgets); its deployments stay."""
    api, org = client(props.get("organization_id"))
    if props.get("archived"):
        say(f"Widget {id_}: already archived")
        return
    try:
        api.update_widget(id_, {"archived": True}, org)
    except NotFoundError:
        say(f"Widget {id_}: already gone from Didomi")
        return
    say(f"Widget {id_}: archived; its deployments stay on Didomi")


LIFECYCLE = ObjectLifecycle(WIDGET, check_inputs, changes, create, read, update, delete)
