"""`NoticeDeployment`: publishes a notice's draft. Append-only, like Didomi's audit log.

A new revision of the draft (or another notice) replaces the resource: a new deployment is
created, then the old record leaves the stack; nothing is ever deleted on Didomi. A change of
`message`, `wait` or `timeout` alone publishes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pulumi
from pulumi.dynamic import CreateResult, ReadResult, Resource

from pulumi_didomi.core.notice_deployment import (
    COMPUTED,
    REPLACE_ON,
    _already_live,
    changes,
    check_inputs,
    created,
    pre_publish_problem,
    publish,
    read_deployment,
)
from pulumi_didomi.core.values import fingerprint

from ._program import check_stack_settings, claim_notice, default_message
from ._support import DidomiProvider, say
from .notice_draft_config import NoticeDraftConfig

__all__ = [
    "COMPUTED",
    "REPLACE_ON",
    "NoticeDeployment",
    "NoticeDeploymentProvider",
    "_already_live",
    "check_inputs",
    "pre_publish_problem",
    "publish",
    "read_deployment",
]


# -- the dynamic provider (thin hooks) --------------------------------------------------------


class NoticeDeploymentProvider(DidomiProvider):
    """Create publishes; read follows what is live; delete only leaves the stack."""

    validate = staticmethod(check_inputs)

    changes = staticmethod(changes)

    def create(self, props: dict[str, Any]) -> CreateResult:
        id_, outs = created(props)
        return CreateResult(id_, outs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        outs = read_deployment(id_, props)
        if outs is None:
            return ReadResult("", {})
        return ReadResult(id_, outs)

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

    # Outputs, declared for type checkers only: Pulumi's SDK evaluates a resource class's
    # annotations again for every resource it registers (none of these converts a value).
    if TYPE_CHECKING:
        deployment_id: pulumi.Output[str]
        production_config_id: pulumi.Output[str]
        status: pulumi.Output[str]
        created_at: pulumi.Output[str]
        message: pulumi.Output[str]
        notice_id: pulumi.Output[str]
        organization_id: pulumi.Output[str]
        revision: pulumi.Output[str]
        published_revision: pulumi.Output[str]
        live_deployment_id: pulumi.Output[str]

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
        written_revision: Any = None
        draft_fingerprint: Any = None
        draft_unreviewed: Any = None
        if draft is not None:
            notice_id = notice_id or draft.notice_id_input
            organization_id = organization_id or draft.organization_id_input
            revision = revision or draft.revision_input
            # The managed values being published: the deployment keeps a copy to check the
            # draft before publishing and to tell live drift on refresh. The draft's diff shows
            # them; stored as a secret, this copy shows as one `[secret]` line, not twice.
            draft_values = pulumi.Output.secret(draft.managed_inputs)
            written_revision = draft.written_revision
            draft_fingerprint = draft.unmanaged.apply(fingerprint)
            draft_unreviewed = draft.unreviewed
            opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[draft]))
        if notice_id is None or revision is None:
            raise TypeError(
                f"NoticeDeployment {resource_name!r}: pass draft=<NoticeDraftConfig>, or both "
                "notice_id= and revision="
            )
        check_stack_settings()
        claimed = claim_notice("NoticeDeployment", resource_name, notice_id, organization_id)
        # Computed outputs: unknown in a preview that rewrites the draft (a new publication:
        # shown as `[unknown]`, not as deleted), None otherwise (not sent).
        pending: Any = None
        if draft is not None:
            pending = draft.written_revision.apply(lambda _: None)
        if message is None:
            message = default_message(resource_name, revision)
        props: dict[str, Any] = {
            "notice_id": claimed,
            "organization_id": organization_id,
            "revision": revision,
            "message": message,
            "wait": wait,
            "timeout": timeout,
            "draft_values": draft_values,
            "written_revision": written_revision,
            "draft_fingerprint": draft_fingerprint,
            "draft_unreviewed": draft_unreviewed,
            **dict.fromkeys(COMPUTED, pending),
        }
        if organization_id is None:
            props["organization_id"] = pending
        super().__init__(NoticeDeploymentProvider(), resource_name, props, opts)
