"""The package's functions (no `pulumi` import): each described once and implemented once, for
the provider plugin's invokes and the Python functions of `pulumi_didomi.functions` alike."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from pulumi_didomi.core.properties import FunctionDescription, Prop
from pulumi_didomi.core.resource import Context

_NOTICE = Prop("notice_id", "string", "The notice id.", required=True)
_ORG_ARG = Prop("organization_id", "string", "The organization (default: the provider's).")


class Function:
    """A function: its description and what it does (`call`, with a `Context`)."""

    description: ClassVar[FunctionDescription]

    @property
    def token(self) -> str:
        return self.description.token

    def call(self, ctx: Context, args: Mapping[str, Any]) -> dict[str, Any]:
        """The result, named as the description's result properties (nulls left out)."""
        raise NotImplementedError


class GetNoticeDraft(Function):
    description = FunctionDescription(
        "getNoticeDraft",
        "The current draft configuration of a notice (its id changes at every publish).",
        (_NOTICE, _ORG_ARG),
        (
            Prop("config_id", "string", "The draft's configuration id.", required=True),
            Prop("notice_id", "string", "The notice id.", required=True),
            Prop("organization_id", "string", "The organization.", required=True),
            Prop("version", "number", "The draft's version."),
            Prop("updated_at", "string", "When the draft was last updated."),
            Prop(
                "values",
                "object",
                "Every field of the draft, as Didomi returns it: Didomi's own names, snake_case "
                "(`consent_duration`), whatever the language.",
                True,
            ),
        ),
    )

    def call(self, ctx: Context, args: Mapping[str, Any]) -> dict[str, Any]:
        api, org = ctx.client(args.get("organization_id"))
        draft = api.current_draft(args["notice_id"], org)
        return {
            "config_id": draft.id,
            "notice_id": draft.notice_id,
            "organization_id": draft.organization_id,
            "version": draft.version,
            "updated_at": draft.updated_at,
            "values": draft.model_dump(mode="json", exclude_none=True),
        }


class GetNoticeDeployments(Function):
    description = FunctionDescription(
        "getNoticeDeployments",
        "Every deployment of a notice, newest first (Didomi's audit log).",
        (_NOTICE, _ORG_ARG),
        (
            Prop(
                "deployments",
                "array",
                "The deployments, newest first, as Didomi returns them.",
                required=True,
                items="object",
            ),
        ),
    )

    def call(self, ctx: Context, args: Mapping[str, Any]) -> dict[str, Any]:
        api, org = ctx.client(args.get("organization_id"))
        listed = api.list_notice_deployments(args["notice_id"], org)
        return {"deployments": [d.model_dump(mode="json", exclude_none=True) for d in listed]}


class GetRemoteWidgetConfig(Function):
    description = FunctionDescription(
        "getRemoteWidgetConfig",
        "The public configuration of a deployed widget, as websites load it.",
        (
            Prop("public_api_key", "string", "The organization's public API key.", True),
            Prop("widget_id", "string", "The widget id.", required=True),
            Prop("api_url", "string", "Where to read it from (default: Didomi's host)."),
        ),
        (Prop("config", "object", "The widget's public configuration.", required=True),),
    )

    def call(self, ctx: Context, args: Mapping[str, Any]) -> dict[str, Any]:
        """Read without credentials: Didomi's public host in production, the API URL itself
        for the emulator; `api_url` overrides where it is read from."""
        from pulumi_didomi.client.client import read_remote_widget_config

        base = args.get("api_url") or ctx.settings.remote_config_base()
        return {
            "config": read_remote_widget_config(base, args["public_api_key"], args["widget_id"])
        }
