"""What a notice deployment publishes and when it may (no `pulumi` import): the `Publication` a
draft hands to its deployment (one declared type, the same in both hostings), the checks that
only what the stack reviewed goes live, the publication itself (or the adoption of one already
live), and the message it leaves in Didomi's audit log.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pulumi_didomi.client.errors import ConfigurationError
from pulumi_didomi.core.drafts import BOOK, untouched
from pulumi_didomi.core.fields import CONFIG_NAMES, managed_values
from pulumi_didomi.core.notice_text import unapproved_text_problem
from pulumi_didomi.core.properties import PACKAGE, ObjectType, Part, Prop
from pulumi_didomi.core.session import RunCache
from pulumi_didomi.core.template_links import (
    OWNED_ITEM_PATHS,
    enabled_item,
    linked,
    named,
    owned_differs,
)
from pulumi_didomi.core.values import (
    REGULATIONS,
    differing,
    draft_json,
    fingerprint,
    managed_view,
    normalize,
    unmanaged_view,
)

if TYPE_CHECKING:
    from pulumi_didomi.client import DidomiClient, NoticeConfig
    from pulumi_didomi.client import NoticeDeployment as Deployment
    from pulumi_didomi.core.resource import Context


#: What a `NoticeDeployment` publishes, handed over by the draft (its `publication` output):
#: the notice, the revision, the values the program set, and what the deployment checks
#: before publishing (the revision the draft last wrote, the digest of the unmanaged fields
#: the stack reviewed, the unmanaged fields changed since and not reviewed yet).
PUBLICATION = ObjectType(
    f"{PACKAGE}:index:Publication",
    "What a `NoticeDeployment` publishes: a `NoticeDraftConfig`'s `publication` output, passed "
    "as the deployment's `draft`.",
    (
        Prop("notice_id", "string", "The notice."),
        Prop("organization_id", "string", "The organization (default: the provider's)."),
        Prop("revision", "string", "The revision of the managed values."),
        # Not `values`: the Python SDK's output types are dicts, whose `values()` it would hide.
        Prop("managed_values", "object", "The managed values, as the program set them."),
        Prop("written_revision", "string", "The revision the draft last wrote."),
        Prop("fingerprint", "string", "A digest of the unmanaged fields the stack reviewed."),
        Prop(
            "unreviewed",
            "array",
            "Unmanaged fields changed on Didomi and not reviewed yet.",
            items="string",
        ),
        Prop(
            "templates",
            "array",
            "The templates linked to the notice: what each wrote in which regulations.",
            items="object",
        ),
    ),
)


def linked_templates(props: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    """What the draft's templates wrote into its notice, by template (None: no template)."""
    by_link: dict[int, dict[str, Any]] = {}
    for index, link, regulation in linked(props.get("templates"), props.get("notice_id")):
        entry = by_link.setdefault(
            index,
            {
                **{k: link.get(k) for k in ("template_id", "name", "owned_values")},
                **{k: link.get(k) for k in ("revision", "written_revision")},
                "regulations": [],
            },
        )
        entry["regulations"].append(regulation)
    return [by_link[i] for i in sorted(by_link)] or None


#: How the draft makes its `publication` from its properties (each hosting alike).
PUBLICATION_PARTS: tuple[tuple[str, Part], ...] = (
    ("notice_id", Part(("notice_id",))),
    ("organization_id", Part(("organization_id",))),
    ("revision", Part(("revision",))),
    ("managed_values", Part(tuple(sorted(CONFIG_NAMES)), managed_values, secret=True)),
    ("written_revision", Part(("written_revision",))),
    ("fingerprint", Part(("unmanaged",), lambda used: fingerprint(used.get("unmanaged")))),
    ("unreviewed", Part(("unreviewed",))),
    ("templates", Part(("templates", "notice_id"), linked_templates)),
)


def publication_of(props: Mapping[str, Any]) -> dict[str, Any]:
    """The `publication` of a draft whose properties are `props`."""
    return {name: part.value(props) for name, part in PUBLICATION_PARTS}


#: The organization's deployments, listed once per run (refresh), forgotten after a publication.
DEPLOYMENTS = RunCache()


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


def expected_values(props: Mapping[str, Any]) -> dict[str, Any]:
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
    expected = expected_values(props)
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
    templates = [t for t in publication.get("templates") or [] if isinstance(t, Mapping)]
    for template in templates:
        problem = _template_problem(notice_id, template, draft)
        if problem:
            return problem
    unreviewed = publication.get("unreviewed")
    if unreviewed:
        return _unreviewed_message(notice_id, list(unreviewed))
    reviewed = publication.get("fingerprint")
    owned = {r: OWNED_ITEM_PATHS for t in templates for r in t.get("regulations") or []}
    live = unmanaged_view(draft, expected, CONFIG_NAMES, owned)
    if isinstance(reviewed, str) and fingerprint(live) != reviewed:
        return _unreviewed_message(notice_id, None)
    return None


def _template_problem(
    notice_id: str, template: Mapping[str, Any], draft: Mapping[str, Any]
) -> str | None:
    """Why the keys a template owns in the draft are not what it wrote (None when they are)."""
    name = named(template)
    revision, written = template.get("revision"), template.get("written_revision")
    if isinstance(written, str) and written != revision:
        return (
            f"{name} has not applied revision {revision} to notice {notice_id} (it last applied "
            f"{written}; a `pulumi up --target` that left it out, or its notices changed on "
            "Didomi). Nothing was published. Run `pulumi up --refresh` without --target"
        )
    owned = template.get("owned_values")
    owned = owned if isinstance(owned, Mapping) else {}
    for regulation in template.get("regulations") or []:
        item = enabled_item(draft.get(REGULATIONS), regulation) or {}
        changed = owned_differs(item.get("config"), owned)
        if item.get("template_id") != template.get("template_id"):
            changed.insert(0, "template_id")
        if changed:
            return (
                f"the {regulation} configuration of notice {notice_id} no longer holds what "
                f"{name} wrote: {', '.join(changed)} changed on Didomi after the template "
                "wrote it. Nothing was published. Run `pulumi up --refresh`: the refresh shows "
                "the change on the template, and the update applies the template again, then "
                "publishes"
            )
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
    expected = expected_values(props)
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
    problem = pre_publish_problem(props, draft_json(draft)) or unapproved_text_problem(
        api, org, notice_id, draft_json(draft)
    )
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
            on_wait=ctx.tell,
        )
    finally:
        DEPLOYMENTS.invalidate((api.base_url, org))
    BOOK.forget(api, org, notice_id)
    return deployment.model_dump(mode="json")


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
