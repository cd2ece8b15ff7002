"""`NoticeDeployment`: publishes a notice's draft. Append-only, like Didomi's audit log.

A new revision of the draft (or another notice) replaces the resource: a new deployment is
created, then the old record leaves the stack; nothing is ever deleted on Didomi. A change of
`message`, `wait` or `timeout` alone publishes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, Resource

from pulumi_didomi.client import ConfigurationError, DidomiClient, NotFoundError, NoticeConfig

from ._support import (
    DidomiProvider,
    client,
    differing,
    has_unknown,
    managed_view,
    normalize,
    replacements,
    say,
)
from .notice_draft_config import NoticeDraftConfig

#: Inputs whose change means a new publication.
REPLACE_ON = ("notice_id", "organization_id", "revision")


# -- Didomi logic (plain functions) -----------------------------------------------------------


def check_inputs(news: Mapping[str, Any]) -> list[tuple[str, str]]:
    """`(field, reason)` for every invalid input; unknown values (preview) are skipped."""
    problems = []
    for name in ("notice_id", "revision"):
        value = news.get(name)
        if not has_unknown(value) and (not isinstance(value, str) or not value):
            problems.append(
                (name, "required: pass draft=<NoticeDraftConfig> or notice_id and revision")
            )
    message = news.get("message")
    if message is not None and not has_unknown(message) and not isinstance(message, str):
        problems.append(("message", "must be a string"))
    timeout = news.get("timeout")
    bad_timeout = isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0
    if timeout is not None and not has_unknown(timeout) and bad_timeout:
        problems.append(("timeout", f"must be a positive number of seconds, got {timeout!r}"))
    wait = news.get("wait")
    if wait is not None and not has_unknown(wait) and not isinstance(wait, bool):
        problems.append(("wait", f"must be true or false, got {wait!r}"))
    return problems


def _already_published(
    api: DidomiClient, org: str, notice_id: str, draft: NoticeConfig, expected: dict[str, Any]
) -> dict[str, Any] | None:
    """The latest deployment, if it already published exactly `expected` (an interrupted run).

    Only looked for when the draft is untouched since Didomi created it: a draft that was
    written to has not been published yet.
    """
    if draft.version is not None:
        untouched = draft.version == 0
    else:
        untouched = draft.updated_at == draft.created_at
    if not untouched or not expected:
        return None
    latest = api.list_notice_deployments(notice_id, org)
    if not latest:
        return None
    published = api.get_config(latest[0].production_config_id)
    if differing(expected, managed_view(expected, published)):
        return None
    return latest[0].model_dump(mode="json")


def publish(props: Mapping[str, Any]) -> dict[str, Any]:
    """Publish the notice's current draft if it holds what the program reviewed."""
    api, org = client(props.get("organization_id"))
    notice_id = str(props["notice_id"])
    expected = {k: normalize(v) for k, v in (props.get("draft_values") or {}).items()}
    draft = api.current_draft(notice_id, org)
    adopted = _already_published(api, org, notice_id, draft, expected)
    if adopted is not None:
        say(
            f"NoticeDeployment: notice {notice_id} already published these values in "
            f"deployment {adopted['id']} (an earlier run was interrupted); adopting it instead "
            "of publishing again"
        )
        return adopted
    changed = differing(expected, managed_view(expected, draft))
    if changed:
        raise ConfigurationError(
            f"the draft of notice {notice_id} no longer holds the values this program set "
            f"(changed on Didomi: {', '.join(changed)}); someone edited it after it was written. "
            "Nothing was published: run `pulumi up` again to review and restore the values"
        )
    deployment = api.publish_notice(
        notice_id,
        draft.id,
        str(props.get("message") or ""),
        organization_id=org,
        wait=bool(props.get("wait", True)),
        timeout=float(props.get("timeout") or 300.0),
    )
    return deployment.model_dump(mode="json")


def _outputs(props: Mapping[str, Any], deployment: Mapping[str, Any]) -> dict[str, Any]:
    return {
        **props,
        "organization_id": deployment["organization_id"],
        "deployment_id": deployment["id"],
        "production_config_id": deployment["production_config_id"],
        "status": deployment.get("status"),
        "created_at": deployment.get("created_at"),
        "published_message": deployment.get("message"),
    }


# -- the dynamic provider (thin hooks) --------------------------------------------------------


class NoticeDeploymentProvider(DidomiProvider):
    """Create publishes; read follows the deployment; delete only leaves the stack."""

    validate = staticmethod(check_inputs)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replaces = replacements(olds, news, REPLACE_ON)
        # A change of message/wait/timeout alone publishes nothing (and needs no update).
        return DiffResult(changes=bool(replaces), replaces=replaces, delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        deployment = publish(props)
        return CreateResult(str(deployment["id"]), _outputs(props, deployment))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        api, _ = client(props.get("organization_id"))
        try:
            deployment = api.get_notice_deployment(id_)
        except NotFoundError:
            return ReadResult("", {})
        return ReadResult(id_, _outputs(props, deployment.model_dump(mode="json")))

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        say(
            f"NoticeDeployment {id_}: removed from the stack only; the deployment stays in "
            "Didomi's audit log (deployments cannot be deleted)"
        )


# -- the resource -------------------------------------------------------------------------------


class NoticeDeployment(Resource, module="didomi", name="NoticeDeployment"):
    """Publishes a notice's draft configuration once per revision.

    Pass `draft=` (a `NoticeDraftConfig`), or `notice_id=` and `revision=` (then the draft's
    content is not checked before publishing). `wait` (default true) waits for `success`.
    """

    deployment_id: pulumi.Output[str]
    production_config_id: pulumi.Output[str]
    status: pulumi.Output[str]
    created_at: pulumi.Output[str]
    message: pulumi.Output[str]
    notice_id: pulumi.Output[str]
    organization_id: pulumi.Output[str]
    revision: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        draft: NoticeDraftConfig | None = None,
        *,
        notice_id: pulumi.Input[str] | None = None,
        revision: pulumi.Input[str] | None = None,
        organization_id: pulumi.Input[str] | None = None,
        message: pulumi.Input[str] | None = None,
        wait: bool = True,
        timeout: float = 300.0,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        draft_values: Any = None
        if draft is not None:
            notice_id = notice_id or draft.notice_id_input
            organization_id = organization_id or draft.organization_id_input
            revision = revision or draft.revision_input
            draft_values = draft.managed_inputs
            opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[draft]))
        if notice_id is None or revision is None:
            raise TypeError(
                f"NoticeDeployment {resource_name!r}: pass draft=<NoticeDraftConfig>, or both "
                "notice_id= and revision="
            )
        props: dict[str, Any] = {
            "notice_id": notice_id,
            "organization_id": organization_id,
            "revision": revision,
            "message": message,
            "wait": wait,
            "timeout": timeout,
            "draft_values": draft_values,
            "deployment_id": None,
            "production_config_id": None,
            "status": None,
            "created_at": None,
            "published_message": None,
        }
        super().__init__(NoticeDeploymentProvider(), resource_name, props, opts)
