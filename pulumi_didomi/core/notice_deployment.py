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
from pulumi_didomi.core.schema import NOTICE_DEPLOYMENT, input_problems
from pulumi_didomi.core.session import RunCache, client, say
from pulumi_didomi.core.values import (
    differing,
    draft_json,
    fingerprint,
    has_unknown,
    managed_view,
    normalize,
    replacements,
    revision_of,
    unmanaged_view,
)

if TYPE_CHECKING:
    from pulumi_didomi.client import DidomiClient, NoticeConfig
    from pulumi_didomi.client import NoticeDeployment as Deployment

#: Inputs whose change means a new publication.
REPLACE_ON = NOTICE_DEPLOYMENT.replaces
#: Outputs computed by the provider.
COMPUTED = (
    "deployment_id",
    "production_config_id",
    "status",
    "created_at",
    "published_message",
    "published_revision",
    "live_deployment_id",
)

_deployments_cache = RunCache()


def check_inputs(news: Mapping[str, Any]) -> list[tuple[str, str]]:
    """`(field, reason)` for every invalid input; unknown values (preview) are skipped."""
    return input_problems(NOTICE_DEPLOYMENT, news, has_unknown)


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


def _expected(props: Mapping[str, Any]) -> dict[str, Any]:
    """The managed values the deployment publishes (the draft's, as the program set them)."""
    return {k: normalize(v) for k, v in (props.get("draft_values") or {}).items()}


def pre_publish_problem(props: Mapping[str, Any], draft: Mapping[str, Any]) -> str | None:
    """Why the draft must not be published now (None when it holds what was reviewed).

    Three checks, each with its true cause: the draft resource has not written this revision
    (a partial run); a managed field changed on Didomi after it was written; a field the
    program does not manage changed on Didomi after the stack last wrote or read the draft.
    """
    notice_id = props["notice_id"]
    expected = _expected(props)
    revision, written = props.get("revision"), props.get("written_revision")
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
    unreviewed = props.get("draft_unreviewed")
    if unreviewed:
        return _unreviewed_message(notice_id, list(unreviewed))
    reviewed = props.get("draft_fingerprint")
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


def publish(props: Mapping[str, Any]) -> dict[str, Any]:
    """Publish the notice's current draft if it holds exactly what the stack reviewed.

    A draft this run wrote is published as its PATCH returned it (no other read: the window
    for an unseen edit is the time from that response to the POST); any other draft is read
    first, and an untouched copy of a publication holding these values is adopted instead.
    """
    api, org = client(props.get("organization_id"))
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
            say(
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
            on_wait=say,
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


def read_deployment(id_: str, props: Mapping[str, Any]) -> dict[str, Any] | None:
    """The deployment and whether it is still what is live (None when it is gone).

    One bulk listing of the organization's deployments per run. When a newer deployment of the
    notice, made elsewhere, published managed values other than this stack's, `revision`
    becomes the digest of the live values: the next `up` publishes the stack's values again.
    """
    api, org = client(props.get("organization_id"))
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
        say(
            f"NoticeDeployment {id_}: notice {notice_id} is no longer live as this stack "
            f"published it: deployment {live.id} (created {live.created_at}, message "
            f"{live.message!r}) published other values of {', '.join(changed)}. The next "
            "`pulumi up` publishes the stack's values again"
        )
    return outs


def changes(olds: Mapping[str, Any], news: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """The inputs whose change means a new publication (they all replace): a change of
    `message`, `wait` or `timeout` alone publishes nothing and needs no update."""
    replaces = replacements(olds, news, REPLACE_ON)
    return replaces, replaces


def created(props: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """Publish and return the new resource's id and state."""
    deployment = publish(props)
    return str(deployment["id"]), _outputs(
        {**props, "live_deployment_id": deployment["id"]}, deployment
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
