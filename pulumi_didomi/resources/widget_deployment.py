"""`WidgetDeployment`: deploys a privacy widget. Append-only: any input change redeploys."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pulumi
from pulumi.dynamic import Resource

from pulumi_didomi.core import widget_deployment
from pulumi_didomi.core.widget_deployment import INPUTS, check_inputs, outputs

from ._program import check_stack_settings
from ._support import ObjectProvider

__all__ = ["INPUTS", "WidgetDeployment", "WidgetDeploymentProvider", "check_inputs", "outputs"]


# -- the dynamic provider (thin hooks) --------------------------------------------------------


class WidgetDeploymentProvider(ObjectProvider):
    """Create deploys; read follows the deployment; delete only leaves the stack
    (`pulumi_didomi.core.widget_deployment`)."""

    lifecycle = widget_deployment.LIFECYCLE


# -- the resource -------------------------------------------------------------------------------


class WidgetDeployment(Resource, module="didomi", name="WidgetDeployment"):
    """Deploys a Didomi privacy widget; change `triggers` to deploy it again."""

    # Outputs, declared for type checkers only: Pulumi's SDK evaluates a resource class's
    # annotations again for every resource it registers (none of these converts a value).
    if TYPE_CHECKING:
        widget_id: pulumi.Output[str]
        organization_id: pulumi.Output[str]
        deployment_id: pulumi.Output[str]
        config: pulumi.Output[dict[str, Any]]
        created_at: pulumi.Output[str]
        remote_config_url: pulumi.Output[str | None]

    def __init__(
        self,
        resource_name: str,
        widget_id: pulumi.Input[str],
        *,
        organization_id: pulumi.Input[str] | None = None,
        triggers: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None,
        public_api_key: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        check_stack_settings()
        props: dict[str, Any] = {
            "widget_id": widget_id,
            "organization_id": organization_id,
            "triggers": triggers,
            "public_api_key": public_api_key,
            "deployment_id": None,
            "config": None,
            "created_at": None,
            "remote_config_url": None,
        }
        super().__init__(WidgetDeploymentProvider(), resource_name, props, opts)
