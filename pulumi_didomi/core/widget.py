"""The lifecycle of a privacy widget (no `pulumi` import): a preference centre or a privacy
request form (didomi-api.md §9), created from code, updated in place, archived (Didomi has no
deletion of widgets) when it leaves the stack. Deploy it with a `WidgetDeployment`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pulumi_didomi.client.errors import ConfigurationError, ForbiddenError, NotFoundError
from pulumi_didomi.core.objects import ArchivableObject, adopt_prop, name_prop, organization_prop
from pulumi_didomi.core.properties import Description, Prop
from pulumi_didomi.core.resource import Problem
from pulumi_didomi.core.values import has_unknown

if TYPE_CHECKING:
    from pulumi_didomi.client import DidomiClient

FORMATS = ("embeddable", "hosted")
TEMPLATES = ("sections", "sections_and_save", "full_preference_center", "dsar_form")


def _one_of(doc: str, values: tuple[str, ...]) -> str:
    return f"{doc} One of: {', '.join(values)}."


#: What a program may set of a widget, written to Didomi as they are.
FIELDS: tuple[Prop, ...] = (
    name_prop("widget"),
    Prop(
        "format",
        "string",
        _one_of("How the widget is served.", FORMATS),
        enum=FORMATS,
        enum_name="WidgetFormat",
    ),
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
        enum_name="WidgetTemplate",
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

WIDGET = Description(
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
    positional=("name",),
)


class Widget(ArchivableObject):
    """A privacy widget: created (or adopted), updated in place, archived when it leaves the
    stack (Didomi has no deletion of widgets)."""

    description = WIDGET
    fields = tuple(p.name for p in FIELDS)
    create_only = tuple(p.name for p in CREATE_ONLY)
    archived = "archived"
    live = False
    kept = "; its deployments stay on Didomi"

    def check(self, inputs: Mapping[str, Any]) -> list[Problem]:
        """The description's rules, and those between fields."""
        problems = super().check(inputs)
        if has_unknown(inputs.get("headless")) or has_unknown(inputs.get("format")):
            return problems
        if inputs.get("headless") is True and inputs.get("format") != "embeddable":
            problems.append(
                (
                    "headless",
                    "a headless widget needs format 'embeddable' (got "
                    f"{inputs.get('format')!r}): set format='embeddable' or headless=false",
                )
            )
        languages, default = inputs.get("enabled_languages"), inputs.get("default_language")
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

    def get(
        self, api: DidomiClient, id_: str, org: str, imported: bool = False
    ) -> dict[str, Any] | None:
        try:
            return api.get_widget(id_, org).model_dump(mode="json")
        except NotFoundError:
            return None
        except ForbiddenError:
            if imported:  # another organization's: nothing to import here
                return None
            raise

    def adoptable(self, api: DidomiClient, id_: str, org: str) -> dict[str, Any]:
        try:
            return api.get_widget(id_, org).model_dump(mode="json")
        except NotFoundError:
            raise ConfigurationError(
                f"widget {id_} not found in organization {org}: check adopt_id and organization_id"
            ) from None

    def make(
        self, api: DidomiClient, org: str, name: str, fields: dict[str, Any]
    ) -> dict[str, Any]:
        return api.create_widget(name, org, **fields).model_dump(mode="json")

    def patch(
        self, api: DidomiClient, id_: str, org: str, fields: dict[str, Any]
    ) -> dict[str, Any]:
        return api.update_widget(id_, fields, org).model_dump(mode="json")
