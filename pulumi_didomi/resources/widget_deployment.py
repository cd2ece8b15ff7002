"""`WidgetDeployment`: deploys a privacy widget. Append-only: any input change redeploys."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, Resource

from pulumi_didomi.client import NotFoundError

from ._program import check_stack_settings
from ._support import DidomiProvider, client, has_unknown, remote_config_base, replacements, say

#: Every input: a change of any of them deploys the widget again.
INPUTS = ("widget_id", "organization_id", "triggers", "public_api_key")


# -- Didomi logic (plain functions) -----------------------------------------------------------


def check_inputs(news: Mapping[str, Any]) -> list[tuple[str, str]]:
    """`(field, reason)` for every invalid input; unknown values (preview) are skipped."""
    problems = []
    widget_id = news.get("widget_id")
    if not has_unknown(widget_id) and (not isinstance(widget_id, str) or not widget_id):
        problems.append(("widget_id", "required: the id of the Didomi privacy widget"))
    triggers = news.get("triggers")
    if triggers is not None and not has_unknown(triggers) and not isinstance(triggers, dict):
        problems.append(("triggers", "must be a map (any change of it deploys the widget again)"))
    key = news.get("public_api_key")
    if key is not None and not has_unknown(key) and (not isinstance(key, str) or not key):
        problems.append(("public_api_key", "must be the organization's public API key"))
    return problems


def outputs(props: Mapping[str, Any], deployment: Mapping[str, Any]) -> dict[str, Any]:
    """The resource's state from a Didomi widget deployment."""
    key = props.get("public_api_key")
    url = None
    if key:
        url = f"{remote_config_base()}/configs/{key}/containers/{deployment['widget_id']}.json"
    return {
        **props,
        "organization_id": deployment["organization_id"],
        "deployment_id": deployment["id"],
        "config": deployment.get("config") or {},
        "created_at": deployment.get("created_at"),
        "remote_config_url": url,
    }


# -- the dynamic provider (thin hooks) --------------------------------------------------------


class WidgetDeploymentProvider(DidomiProvider):
    """Create deploys; read follows the deployment; delete only leaves the stack."""

    validate = staticmethod(check_inputs)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replaces = replacements(olds, news, INPUTS)
        return DiffResult(changes=bool(replaces), replaces=replaces, delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        api, org = client(props.get("organization_id"))
        deployment = api.deploy_widget(str(props["widget_id"]), org)
        return CreateResult(deployment.id, outputs(props, deployment.model_dump(mode="json")))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        api, org = client(props.get("organization_id"))
        try:
            deployment = api.get_widget_deployment(id_, org)
        except NotFoundError:
            return ReadResult("", {})
        return ReadResult(id_, outputs(props, deployment.model_dump(mode="json")))

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        say(
            f"WidgetDeployment {id_}: removed from the stack only; the deployment stays on "
            "Didomi (widget deployments cannot be deleted)"
        )


# -- the resource -------------------------------------------------------------------------------


class WidgetDeployment(Resource, module="didomi", name="WidgetDeployment"):
    """Deploys a Didomi privacy widget; change `triggers` to deploy it again."""

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
