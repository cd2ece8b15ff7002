"""The lifecycle of a widget deployment (no `pulumi` import): append-only, any input change
deploys the widget again; removing it from the stack deletes nothing on Didomi."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_didomi.client import NotFoundError
from pulumi_didomi.core.schema import WIDGET_DEPLOYMENT
from pulumi_didomi.core.session import client, remote_config_base
from pulumi_didomi.core.values import has_unknown, replacements

#: Every input: a change of any of them deploys the widget again.
INPUTS = WIDGET_DEPLOYMENT.replaces


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
