"""The lifecycle of a notice deployment (no `pulumi` import): publish the draft only if it
holds what was reviewed, adopt an interrupted publication, follow what is live. Append-only,
like Didomi's audit log.

A new revision of the draft (or another notice) replaces the resource: a new deployment is
created, then the old record leaves the stack; nothing is ever deleted on Didomi. A change of
`message`, `wait` or `timeout` alone publishes nothing.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pulumi_didomi.client.errors import ConfigurationError
from pulumi_didomi.core.drafts import BOOK, untouched
from pulumi_didomi.core.fields import CONFIG_NAMES
from pulumi_didomi.core.notice_draft import PUBLICATION
from pulumi_didomi.core.objects import ORGANIZATION_DOC
from pulumi_didomi.core.properties import Description, Naming, Prop
from pulumi_didomi.core.resource import Changes, Context, Found, Resource
from pulumi_didomi.core.session import RunCache
from pulumi_didomi.core.values import (
    differing,
    draft_json,
    fingerprint,
    managed_view,
    normalize,
    replacements,
    revision_of,
    unmanaged_view,
)

if TYPE_CHECKING:
    from pulumi_didomi.client import DidomiClient, NoticeConfig
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
            "How long to wait for the deployment, in seconds (default 300).",
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

_deployments_cache = RunCache()


def _already_live(
    api: DidomiClient, org: str, notice_id: str, draft: NoticeConfig, expected: dict[str, Any]
) -> Deployment | None:
    """The notice's latest deployment, if it already published exactly `expected`.

    Only looked for when the draft is untouched since Didomi created it from that publication
    (a draft that was written to has not been published yet): an earlier run interrupted after
    its POST, or a draft-only stack whose values were published from the console.
    """
    if not untouched(draft.version, draft.created_at, draft.updated_at) or not expected:
        return None
    latest = api.list_notice_deployments(notice_id, org)
    if not latest:
        return None
    published = api.get_config(latest[0].production_config_id)
    if differing(expected, managed_view(expected, draft_json(published))):
        return None
    return latest[0]


def handed(props: Mapping[str, Any]) -> dict[str, Any]:
    """The publication the deployment was handed (its `draft`), also from states written before
    it was one value (the dynamic resources of 0.1 kept its parts apart; the plugin's named the
    managed values `values`)."""
    draft = props.get("draft")
    if isinstance(draft, Mapping):
        found = dict(draft)
        if found.get("managed_values") is None:
            found["managed_values"] = found.get("values")
        return found
    return {
        "managed_values": props.get("draft_values"),
        "written_revision": props.get("written_revision"),
        "fingerprint": props.get("draft_fingerprint"),
        "unreviewed": props.get("draft_unreviewed"),
    }


def _expected(props: Mapping[str, Any]) -> dict[str, Any]:
    """The managed values the deployment publishes (the draft's, as the program set them)."""
    values = handed(props).get("managed_values")
    return {k: normalize(v) for k, v in (values if isinstance(values, Mapping) else {}).items()}


def pre_publish_problem(props: Mapping[str, Any], draft: Mapping[str, Any]) -> str | None:
    """Why the draft must not be published now (None when it holds what was reviewed).

    Three checks, each with its true cause: the draft resource has not written this revision
    (a partial run); a managed field changed on Didomi after it was written; a field the
    program does not manage changed on Didomi after the stack last wrote or read the draft.
    """
    notice_id = props["notice_id"]
    expected = _expected(props)
    publication = handed(props)
    revision, written = props.get("revision"), publication.get("written_revision")
    if expected and isinstance(written, str) and written != revision:
        return (
            f"the draft of notice {notice_id} does not hold revision {revision} yet: its "
            f"NoticeDraftConfig last wrote revision {written} and was not updated in this run "
            "(a `pulumi up --target` that left it out?). Nothing was published. Run `pulumi up` "
            "without --target, or add `--target` for the NoticeDraftConfig as well"
        )
    changed = differing(expected, managed_view(expected, draft))
    if changed:
        return (
            f"the draft of notice {notice_id} no longer holds the values this program set: "
            f"{', '.join(changed)} changed on Didomi after the stack wrote it. Nothing was "
            "published. Run `pulumi up --refresh`: the refresh shows the changes as drift, and "
            "the update writes the program's values back, then publishes"
        )
    unreviewed = publication.get("unreviewed")
    if unreviewed:
        return _unreviewed_message(notice_id, list(unreviewed))
    reviewed = publication.get("fingerprint")
    live = unmanaged_view(draft, expected, CONFIG_NAMES)
    if isinstance(reviewed, str) and fingerprint(live) != reviewed:
        return _unreviewed_message(notice_id, None)
    return None


def _unreviewed_message(notice_id: str, fields: list[str] | None) -> str:
    what = f": {', '.join(fields)}" if fields else " (a refresh shows which)"
    return (
        f"fields of the draft of notice {notice_id} that this program does not manage changed "
        f"on Didomi since the stack last wrote or read it{what}. Publishing now would put them "
        "live unreviewed, so nothing was published. Run `pulumi up --refresh` to review them "
        "(the refresh shows them on the NoticeDraftConfig), or set them in the program to "
        "manage them"
    )


def publish(ctx: Context, props: Mapping[str, Any]) -> dict[str, Any]:
    """Publish the notice's current draft if it holds exactly what the stack reviewed.

    A draft this run wrote is published as its PATCH returned it (no other read: the window
    for an unseen edit is the time from that response to the POST); any other draft is read
    first, and an untouched copy of a publication holding these values is adopted instead.
    """
    api, org = ctx.client(props.get("organization_id"))
    notice_id = str(props["notice_id"])
    expected = _expected(props)
    written = BOOK.written(api, org, notice_id)
    if written is not None:
        draft = written
    else:
        # Whether these values are live already is decided on a fresh listing of the notice's
        # deployments and its published configuration; the draft only says whether to look
        # (untouched since a publication), so the run's listing of it will do.
        known = BOOK.known(api, org, notice_id)
        draft = known if known is not None else BOOK.fresh(api, org, notice_id)
        adopted = _already_live(api, org, notice_id, draft, expected)
        if adopted is not None:
            ctx.tell(
                f"NoticeDeployment: the values of notice {notice_id} are already live, "
                f"published by deployment {adopted.id} ({adopted.created_at}); recording it "
                "instead of publishing the same content twice"
            )
            return adopted.model_dump(mode="json")
        if known is not None:  # what is published is checked on the draft read now
            draft = BOOK.fresh(api, org, notice_id)
    problem = pre_publish_problem(props, draft_json(draft))
    if problem:
        raise ConfigurationError(problem)
    try:
        # Published meanwhile by someone else (a configuration deploys once only), the client
        # adopts that deployment rather than failing.
        deployment = api.publish_notice(
            notice_id,
            draft.id,
            str(props.get("message") or ""),
            organization_id=org,
            wait=bool(props.get("wait", True)),
            timeout=float(props.get("timeout") or 300.0),
        )
    finally:
        _deployments_cache.invalidate((api.base_url, org))
    BOOK.forget(api, org, notice_id)
    return deployment.model_dump(mode="json")


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
    by_id, newest = _deployments_cache.get(
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
    expected = _expected(props)
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


#: Environment variables that CI systems set to the commit being deployed, in order.
COMMIT_VARIABLES = (
    "DIDOMI_DEPLOYMENT_COMMIT",
    "GITHUB_SHA",
    "CI_COMMIT_SHA",
    "BUILD_SOURCEVERSION",
    "CIRCLE_SHA1",
    "BITBUCKET_COMMIT",
    "GIT_COMMIT",
)

#: The default template of a deployment message (stack config `didomi:deploymentMessage`);
#: `, commit {commit}` is added when the CI system names the commit.
DEFAULT_MESSAGE = "Published by Pulumi: {project}/{stack} {resource}, revision {revision}"


def commit() -> str | None:
    """The commit being deployed, as the CI system tells it (None outside CI)."""
    for name in COMMIT_VARIABLES:
        value = os.environ.get(name, "").strip()
        if value:
            return value
    return None


def render_message(
    template: str | None,
    project: str,
    stack: str,
    resource: str,
    revision: Any,
    sha: str | None,
) -> str:
    """The message of a deployment the program gave none: what was published, from where.

    `template` (stack config `didomi:deploymentMessage`; placeholders `{project}`, `{stack}`,
    `{resource}`, `{revision}`, `{commit}`: the first 12 characters of the commit the CI system
    names, empty outside CI) defaults to `DEFAULT_MESSAGE`.
    """
    if not template:
        template = DEFAULT_MESSAGE + (", commit {commit}" if sha else "")
    fields = {
        "project": project,
        "stack": stack,
        "resource": resource,
        "revision": revision,
        "commit": sha[:12] if sha else "",
    }
    try:
        return template.format(**fields)
    except (KeyError, IndexError, ValueError) as exc:
        raise ConfigurationError(
            f"didomi:deploymentMessage {template!r} is not a valid template ({exc}); use "
            "the placeholders {project}, {stack}, {resource}, {revision} and {commit}"
        ) from None
