"""The lifecycle of a widget deployment (no `pulumi` import): append-only, any input change
deploys the widget again; removing it from the stack deletes nothing on Didomi."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_didomi.client import NotFoundError
from pulumi_didomi.core.objects import ObjectLifecycle, given_inputs
from pulumi_didomi.core.schema import WIDGET_DEPLOYMENT, input_problems
from pulumi_didomi.core.session import client, remote_config_base, say
from pulumi_didomi.core.values import has_unknown, replacements

#: Every input: a change of any of them deploys the widget again.
INPUTS = WIDGET_DEPLOYMENT.replaces


def check_inputs(news: Mapping[str, Any]) -> list[tuple[str, str]]:
    """`(field, reason)` for every invalid input; unknown values (preview) are skipped."""
    return input_problems(WIDGET_DEPLOYMENT, news, has_unknown)


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


def changes(olds: Mapping[str, Any], news: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """The inputs that changed; each of them deploys the widget again."""
    replaces = replacements(olds, news, INPUTS)
    return replaces, replaces


def deploy(props: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """Deploy the widget; the new resource's id and state."""
    api, org = client(props.get("organization_id"))
    deployment = api.deploy_widget(str(props["widget_id"]), org)
    return deployment.id, outputs(props, deployment.model_dump(mode="json"))


def read_widget_deployment(id_: str, props: Mapping[str, Any]) -> dict[str, Any] | None:
    """The deployment's state now (None when it is gone)."""
    api, org = client(props.get("organization_id"))
    try:
        deployment = api.get_widget_deployment(id_, org)
    except NotFoundError:
        return None
    return outputs(props, deployment.model_dump(mode="json"))


def update(_id: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> dict[str, Any]:
    """Every input replaces: an update only records the new inputs (nothing is deployed)."""
    return {**olds, **given_inputs(WIDGET_DEPLOYMENT, news)}


def delete(id_: str, _props: Mapping[str, Any]) -> None:
    """Widget deployments cannot be deleted: the resource only leaves the stack."""
    say(
        f"WidgetDeployment {id_}: removed from the stack only; the deployment stays on Didomi "
        "(widget deployments cannot be deleted)"
    )


LIFECYCLE = ObjectLifecycle(
    WIDGET_DEPLOYMENT,
    check_inputs,
    changes,
    deploy,
    read_widget_deployment,
    update,
    delete,
)
