"""`Widget`: a privacy widget (preference centre, privacy request form) created from code;
archived when it leaves the stack. Deploy it with `WidgetDeployment(widget_id=widget.id)`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pulumi
from pulumi.dynamic import Resource

from pulumi_didomi.core import widget

from ._program import check_stack_settings
from ._support import ObjectProvider

__all__ = ["Widget", "WidgetProvider"]


class WidgetProvider(ObjectProvider):
    """Create (or adopt), update in place, archive on delete (`pulumi_didomi.core.widget`)."""

    lifecycle = widget.LIFECYCLE


class Widget(Resource, module="didomi", name="Widget"):
    """A Didomi privacy widget; `format` is `embeddable` or `hosted`, `template_id` one of
    `sections`, `sections_and_save`, `full_preference_center`, `dsar_form`."""

    # Outputs, declared for type checkers only: Pulumi's SDK evaluates a resource class's
    # annotations again for every resource it registers (none of these converts a value).
    if TYPE_CHECKING:
        name: pulumi.Output[str]
        organization_id: pulumi.Output[str]
        archived: pulumi.Output[bool]
        publication_status: pulumi.Output[str | None]
        created_at: pulumi.Output[str]
        updated_at: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        name: pulumi.Input[str],
        *,
        format: pulumi.Input[str] | None = None,
        headless: pulumi.Input[bool] | None = None,
        template_id: pulumi.Input[str] | None = None,
        enabled_languages: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None,
        default_language: pulumi.Input[str] | None = None,
        theme_id: pulumi.Input[str] | None = None,
        custom_theme_id: pulumi.Input[str] | None = None,
        subdomain_id: pulumi.Input[str] | None = None,
        custom_domain_id: pulumi.Input[str] | None = None,
        organization_id: pulumi.Input[str] | None = None,
        selected_purposes_ids: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None,
        selected_preferences_ids: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None,
        adopt_id: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        check_stack_settings()
        props: dict[str, Any] = {
            "name": name,
            "format": format,
            "headless": headless,
            "template_id": template_id,
            "enabled_languages": enabled_languages,
            "default_language": default_language,
            "theme_id": theme_id,
            "custom_theme_id": custom_theme_id,
            "subdomain_id": subdomain_id,
            "custom_domain_id": custom_domain_id,
            "organization_id": organization_id,
            "selected_purposes_ids": selected_purposes_ids,
            "selected_preferences_ids": selected_preferences_ids,
            "adopt_id": adopt_id,
            **{p.name: None for p in widget.WIDGET.props if not p.input},
        }
        super().__init__(WidgetProvider(), resource_name, props, opts)
