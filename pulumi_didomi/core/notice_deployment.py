"""The lifecycle of a notice deployment (no `pulumi` import): publish the draft only if it
holds what was reviewed, adopt an interrupted publication, follow what is live. Append-only,
like Didomi's audit log.

A new revision of the draft (or another notice) replaces the resource: a new deployment is
created, then the old record leaves the stack; nothing is ever deleted on Didomi. A change of
`message`, `wait` or `timeout` alone publishes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pulumi_didomi.core.consent_impact import publication_impact
from pulumi_didomi.core.objects import ORGANIZATION_DOC
from pulumi_didomi.core.properties import Description, Naming, Prop
from pulumi_didomi.core.publication import (
    DEPLOYMENTS,
    PUBLICATION,
    commit,
    expected_values,
    publish,
    render_message,
)
from pulumi_didomi.core.resource import Changes, Context, Found, Resource
from pulumi_didomi.core.values import (
    differing,
    draft_json,
    managed_view,
    replacements,
    revision_of,
)

if TYPE_CHECKING:
    from pulumi_didomi.client import NoticeDeployment as Deployment


def _default_message(inputs: Mapping[str, Any], naming: Naming) -> str:
    return render_message(
        naming.message_template,
        naming.project,
        naming.stack,
        naming.name,
        inputs.get("revision"),
        commit(),
    )


_DRAFT_OR_IDS = (
    "give draft (a NoticeDraftConfig's publication; the dynamic resources take the "
    "NoticeDraftConfig itself), or both notice_id and revision"
)

NOTICE_DEPLOYMENT = Description(
    "NoticeDeployment",
    "Publishes a notice's draft configuration once per revision, only if the draft holds "
    "exactly what the program set and nothing unreviewed. Append-only: a new revision "
    "replaces the resource (a new deployment); removing it deletes nothing on Didomi. Refresh "
    "follows what is live: a newer publication made elsewhere with other values is drift.",
    (
        Prop(
            "draft",
            f"#/types/{PUBLICATION.token}",
            "The `publication` output of the `NoticeDraftConfig` to publish (sets `noticeId`, "
            "`organizationId` and `revision`, and lets the content be checked before "
            "publishing).",
            secret=True,
        ),
        Prop(
            "notice_id",
            "string",
            "The notice to publish (with `revision`, when no `draft` is given).",
            replaces=True,
            needed=True,
            hint=_DRAFT_OR_IDS,
            default_from="draft",
        ),
        Prop(
            "organization_id",
            "string",
            ORGANIZATION_DOC,
            replaces=True,
            rule="nonempty",
            default_from="draft",
        ),
        Prop(
            "revision",
            "string",
            "The draft revision to publish; a change publishes again.",
            replaces=True,
            needed=True,
            hint=_DRAFT_OR_IDS,
            default_from="draft",
        ),
        Prop(
            "message",
            "string",
            "The deployment's message in Didomi's audit log (default: project, stack, "
            "resource, revision and the CI commit; template `didomi:deploymentMessage`).",
            derive=_default_message,
            uses=("revision",),
        ),
        Prop("wait", "boolean", "Wait until the deployment succeeds (default true).", default=True),
        Prop(
            "timeout",
            "number",
            "How long to wait, in seconds (default 300): for one of the organization's "
            "deployment slots while other pipelines hold them (counted from the last time a "
            "waiting publication of this run got one), then for the deployment to succeed.",
            default=300,
            rule="positive",
            invalid="must be a positive number of seconds",
        ),
        Prop("deployment_id", "string", "The Didomi deployment id.", input=False),
        Prop(
            "production_config_id",
            "string",
            "The published configuration's id.",
            input=False,
        ),
        Prop("status", "string", "The deployment's status.", input=False),
        Prop("created_at", "string", "When Didomi created the deployment.", input=False),
        Prop("published_message", "string", "The message Didomi recorded.", input=False),
        Prop(
            "published_revision", "string", "The revision this deployment published.", input=False
        ),
        Prop(
            "live_deployment_id",
            "string",
            "The notice's newest deployment seen by the last refresh.",
            input=False,
        ),
    ),
    id_doc="the deployment id",
    types=(PUBLICATION,),
    unique=("notice_id", "organization_id"),
    positional=("draft",),
)

#: Inputs whose change means a new publication.
REPLACE_ON = NOTICE_DEPLOYMENT.replaces
#: Outputs computed by the provider.
COMPUTED = tuple(p.name for p in NOTICE_DEPLOYMENT.outputs)


def _outputs(props: Mapping[str, Any], deployment: Mapping[str, Any]) -> dict[str, Any]:
    revision = props.get("published_revision") or props.get("revision")
    return {
        **props,
        "notice_id": deployment["notice_id"],
        "organization_id": deployment["organization_id"],
        "deployment_id": deployment["id"],
        "production_config_id": deployment["production_config_id"],
        "status": deployment.get("status"),
        "created_at": deployment.get("created_at"),
        "published_message": deployment.get("message"),
        "published_revision": revision,
        "revision": revision,
        "live_deployment_id": props.get("live_deployment_id") or deployment["id"],
    }


def _index(
    listing: list[Deployment],
) -> tuple[dict[str, Deployment], dict[str, Deployment]]:
    """An organization's deployments (newest first) by id, and each notice's newest."""
    newest: dict[str, Deployment] = {}
    for deployment in listing:
        newest.setdefault(deployment.notice_id, deployment)
    return {d.id: d for d in listing}, newest


def read_deployment(ctx: Context, id_: str, props: Mapping[str, Any]) -> dict[str, Any] | None:
    """The deployment and whether it is still what is live (None when it is gone).

    One bulk listing of the organization's deployments per run. When a newer deployment of the
    notice, made elsewhere, published managed values other than this stack's, `revision`
    becomes the digest of the live values: the next `up` publishes the stack's values again.
    """
    api, org = ctx.client(props.get("organization_id"))
    by_id, newest = DEPLOYMENTS.get(
        (api.base_url, org), lambda: _index(api.list_notice_deployments(None, org))
    )
    ours = by_id.get(id_)
    if ours is None:
        return None
    notice_id = props.get("notice_id") or ours.notice_id
    live = newest.get(notice_id, ours)
    outs = _outputs({**props, "live_deployment_id": live.id}, ours.model_dump(mode="json"))
    if live.id == ours.id:
        return outs
    expected = expected_values(props)
    published = draft_json(api.get_config(live.production_config_id))
    current = managed_view(expected, published)
    changed = differing(expected, current) if expected else ["its configuration"]
    if changed:
        outs["revision"] = revision_of(current) if expected else f"live:{live.id}"
        ctx.tell(
            f"NoticeDeployment {id_}: notice {notice_id} is no longer live as this stack "
            f"published it: deployment {live.id} (created {live.created_at}, message "
            f"{live.message!r}) published other values of {', '.join(changed)}. The next "
            "`pulumi up` publishes the stack's values again"
        )
    return outs


class NoticeDeployment(Resource):
    """Publishes a draft once per revision, only what was reviewed; append-only."""

    description = NOTICE_DEPLOYMENT

    def diff(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> Changes:
        """The inputs whose change means a new publication (they all replace): a change of
        `message`, `wait` or `timeout` alone publishes nothing and needs no update."""
        replaces = replacements(olds, news, REPLACE_ON)
        return replaces, replaces

    def impact(
        self, ctx: Context, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> list[str]:
        """A new publication that adds or removes vendors or purposes of the notice."""
        if not replacements(olds, news, REPLACE_ON):
            return []
        before, after = olds.get("draft"), news.get("draft")
        if not isinstance(before, Mapping) or not isinstance(after, Mapping):
            return []
        return publication_impact(
            after.get("notice_id") or olds.get("notice_id"),
            before.get("managed_values"),
            after.get("managed_values"),
        )

    def create(self, ctx: Context, inputs: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        """Publish, or record the publication of these values already live."""
        deployment = publish(ctx, inputs)
        return str(deployment["id"]), _outputs(
            {**inputs, "live_deployment_id": deployment["id"]}, deployment
        )

    def read(self, ctx: Context, id_: str, state: Mapping[str, Any]) -> Found | None:
        """The deployment and whether it is still what is live. An imported one (no state
        yet) published the values of a draft that manages no field yet (what an imported
        NoticeDraftConfig holds)."""
        imported = not state
        outs = read_deployment(ctx, id_, state)
        if outs is None:
            return None
        if imported:
            outs["revision"] = outs["published_revision"] = revision_of({})
            outs["message"] = outs.get("published_message")
        inputs = {k: outs.get(k) for k in ("notice_id", "revision", "message")}
        for name in ("draft", "organization_id", "wait", "timeout"):
            if state.get(name) is not None:
                inputs[name] = state[name]
        return Found({**outs, **inputs}, inputs)

    def update(
        self, ctx: Context, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> dict[str, Any]:
        """A deployment changes only by replacement: an update keeps the state (new inputs)."""
        return {**olds, **self.given(news)}

    def preview_update(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> dict[str, Any]:
        return {**olds, **self.given(news)}

    def delete(self, ctx: Context, id_: str, state: Mapping[str, Any]) -> None:
        ctx.tell(
            f"NoticeDeployment {id_}: removed from the stack only; the deployment stays in "
            "Didomi's audit log (deployments cannot be deleted)"
        )
