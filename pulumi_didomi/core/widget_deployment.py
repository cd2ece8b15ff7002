"""The lifecycle of a widget deployment (no `pulumi` import): append-only, any input change
deploys the widget again; removing it from the stack deletes nothing on Didomi."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_didomi.client.errors import NotFoundError
from pulumi_didomi.core.objects import organization_prop
from pulumi_didomi.core.properties import Description, Prop
from pulumi_didomi.core.resource import Changes, Context, Found, Resource
from pulumi_didomi.core.values import replacements

WIDGET_DEPLOYMENT = Description(
    "WidgetDeployment",
    "Deploys a Didomi privacy widget. Append-only: any input change deploys it again; removing "
    "it deletes nothing on Didomi.",
    (
        Prop(
            "widget_id",
            "string",
            "The privacy widget to deploy.",
            required=True,
            replaces=True,
            hint="the id of the Didomi privacy widget",
        ),
        organization_prop(),
        Prop(
            "triggers",
            "object",
            "Any values; a change deploys the widget again.",
            replaces=True,
            invalid="must be a map (any change of it deploys the widget again)",
        ),
        Prop(
            "public_api_key",
            "string",
            "The organization's public API key, to compute `remoteConfigUrl`.",
            replaces=True,
            rule="nonempty",
            invalid="must be the organization's public API key",
        ),
        Prop("deployment_id", "string", "The widget deployment id.", input=False),
        Prop("config", "object", "The deployed configuration snapshot.", input=False),
        Prop("created_at", "string", "When Didomi created the deployment.", input=False),
        Prop(
            "remote_config_url",
            "string",
            "Where websites load the deployed configuration.",
            input=False,
        ),
    ),
    id_doc="the widget deployment id",
    positional=("widget_id",),
)


class WidgetDeployment(Resource):
    """Deploys a widget; every input change deploys it again; leaving the stack deletes
    nothing (widget deployments cannot be deleted)."""

    description = WIDGET_DEPLOYMENT

    def diff(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> Changes:
        """Every input replaces: each change deploys the widget again."""
        replaces = replacements(olds, news, self.description.replaces)
        return replaces, replaces

    def create(self, ctx: Context, inputs: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        api, org = ctx.client(inputs.get("organization_id"))
        deployment = api.deploy_widget(str(inputs["widget_id"]), org)
        return deployment.id, self.outputs(ctx, inputs, deployment.model_dump(mode="json"))

    def read(self, ctx: Context, id_: str, state: Mapping[str, Any]) -> Found | None:
        api, org = ctx.client(state.get("organization_id"))
        try:
            deployment = api.get_widget_deployment(id_, org)
        except NotFoundError:
            return None
        outputs = self.outputs(ctx, state, deployment.model_dump(mode="json"))
        return Found(outputs, self.given(outputs))

    def update(
        self, ctx: Context, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Every input replaces: an update only records the new inputs (nothing deployed)."""
        return {**olds, **self.given(news)}

    def delete(self, ctx: Context, id_: str, state: Mapping[str, Any]) -> None:
        ctx.tell(
            f"WidgetDeployment {id_}: removed from the stack only; the deployment stays on "
            "Didomi (widget deployments cannot be deleted)"
        )

    def outputs(
        self, ctx: Context, props: Mapping[str, Any], deployment: Mapping[str, Any]
    ) -> dict[str, Any]:
        """The resource's state from a Didomi widget deployment."""
        key = props.get("public_api_key")
        url = None
        if key:
            base = ctx.settings.remote_config_base()
            url = f"{base}/configs/{key}/containers/{deployment['widget_id']}.json"
        return {
            **props,
            "organization_id": deployment["organization_id"],
            "deployment_id": deployment["id"],
            "config": deployment.get("config") or {},
            "created_at": deployment.get("created_at"),
            "remote_config_url": url,
        }
