"""Reading an organization for the export, in bulk: its notices, their drafts, their
deployments, its widgets, its custom purposes and vendors and their storages, its vendor-list
templates and their configs, its approved texts and their contents, each in pages of 100 (no
call per notice, vendor, template or text).

Calls: 1 session + ceil(N/100) notice pages + ceil(N/100) draft pages + ceil(D/100) deployment
pages + ceil(W/100) widget pages + ceil(P/100) purpose pages + ceil(V/100) vendor pages +
ceil(S/100) storage pages (none without custom vendors) + ceil(T/100) template pages +
ceil(T/100) template config pages (none without templates) + ceil(X/100) text pages +
ceil(C/100) text content pages (none without texts), for N notices, D deployments, W widgets,
P purposes and V vendors the organization sees (Didomi's global ones included), S storages,
T templates, X texts and C contents, paced by the client under Didomi's rate limit. (Didomi
answers texts and contents as plain lists: a full page of exactly 100 asks once more.)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pulumi_didomi.core.drafts import untouched

if TYPE_CHECKING:
    from pulumi_didomi.client import DidomiClient

#: Told before each listing (`"drafts"`) and after it (`"drafts"`, how many were read).
Step = Callable[[str, int | None], None]

#: The listings, in the order they are made.
LISTINGS = (
    "notices",
    "drafts",
    "deployments",
    "widgets",
    "purposes",
    "vendors",
    "storages",
    "templates",
    "template configs",
    "texts",
    "text contents",
)


@dataclass(frozen=True)
class NoticeFound:
    """A notice as Didomi holds it: the notice, its draft, its newest deployment."""

    notice: dict[str, Any]
    draft: dict[str, Any] | None
    latest: dict[str, Any] | None
    deployments: int = 0

    @property
    def id(self) -> str:
        return str(self.notice["id"])

    @property
    def name(self) -> str:
        return str(self.notice.get("name") or "")

    @property
    def archived(self) -> bool:
        return bool(self.notice.get("archived_at"))

    @property
    def draft_untouched(self) -> bool:
        """The draft is as Didomi created it (from the newest publication, when there is
        one): the test `NoticeDeployment` makes before recording that publication instead of
        publishing again (`core.notice_deployment._already_live`)."""
        draft = self.draft
        return draft is not None and untouched(
            draft.get("version"), draft.get("created_at"), draft.get("updated_at")
        )

    @property
    def live(self) -> bool:
        """A deployment is live and the draft holds exactly what it published."""
        return self.latest is not None and self.draft_untouched


@dataclass(frozen=True)
class Organization:
    """What the export read of one organization."""

    id: str
    api_url: str
    notices: list[NoticeFound]
    widgets: list[dict[str, Any]]
    deployments: int
    calls: dict[str, int] = field(default_factory=dict)
    #: The organization's custom purposes (Didomi's names; texts as `{language: text}`).
    purposes: list[dict[str, Any]] = field(default_factory=list)
    #: Its custom vendors (Didomi's names), each with its `storages` (as Didomi holds them).
    vendors: list[dict[str, Any]] = field(default_factory=list)
    #: Its vendor-list templates, each with its `config_record` (its config; None: none).
    templates: list[dict[str, Any]] = field(default_factory=list)
    #: Its approved texts, each with its `contents` (newest version first).
    texts: list[dict[str, Any]] = field(default_factory=list)


def _quiet(_what: str, _count: int | None) -> None:
    return None


def read_organization(
    api: DidomiClient,
    org: str,
    widgets: bool = True,
    step: Step | None = None,
    metadata: bool = True,
    shared: bool = True,
) -> Organization:
    """Every notice of `org` with its draft (`regulation_configurations` included, header
    `v: 2`) and newest deployment, its widgets (none read when `widgets` is false), its custom
    purposes and vendors with their storages (none read when `metadata` is false), its
    templates and texts with their configs and contents (none read when `shared` is false)."""
    tell = step or _quiet
    tell("notices", None)
    notices = [n.model_dump(mode="json") for n in api.list_notices(org)]
    tell("notices", len(notices))
    tell("drafts", None)
    drafts = {k: d.model_dump(mode="json") for k, d in api.drafts(org).items()}
    tell("drafts", len(drafts))
    tell("deployments", None)
    listing = api.list_notice_deployments(None, org)  # newest first
    tell("deployments", len(listing))
    newest: dict[str, dict[str, Any]] = {}
    counts: dict[str, int] = {}
    for deployment in listing:
        newest.setdefault(deployment.notice_id, deployment.model_dump(mode="json"))
        counts[deployment.notice_id] = counts.get(deployment.notice_id, 0) + 1
    found_widgets: list[dict[str, Any]] = []
    if widgets:
        tell("widgets", None)
        found_widgets = [w.model_dump(mode="json") for w in api.list_widgets(org)]
        tell("widgets", len(found_widgets))
    purposes: list[dict[str, Any]] = []
    vendors: list[dict[str, Any]] = []
    if metadata:
        tell("purposes", None)
        purposes = [p.model_dump(mode="json") for p in api.list_purposes(org)]
        purposes = [p for p in purposes if p.get("organization_id") == org]
        tell("purposes", len(purposes))
        tell("vendors", None)
        vendors = [v.model_dump(mode="json") for v in api.list_vendors(org)]
        vendors = [v for v in vendors if v.get("organization_id") == org]
        tell("vendors", len(vendors))
        tell("storages", None)
        storages = (
            [s.model_dump(mode="json") for s in api.list_vendor_storages(org)] if vendors else []
        )
        tell("storages", len(storages))
        for vendor in vendors:
            vendor["storages"] = [s for s in storages if s["partner_id"] == vendor["id"]]
    templates, texts = _shared(api, org, tell) if shared else ([], [])
    found = [
        NoticeFound(n, drafts.get(n["id"]), newest.get(n["id"]), counts.get(n["id"], 0))
        for n in notices
    ]
    return Organization(
        id=org,
        api_url=api.base_url,
        notices=found,
        widgets=found_widgets,
        deployments=len(listing),
        calls=dict(api.calls),
        purposes=purposes,
        vendors=vendors,
        templates=templates,
        texts=texts,
    )


def _shared(
    api: DidomiClient, org: str, tell: Step
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The templates, each with its config, and the texts, each with its contents (newest
    first): four listings at most, the configs' and contents' skipped when there is nothing
    to attach them to."""
    tell("templates", None)
    templates = [t.model_dump(mode="json") for t in api.list_templates(org)]
    tell("templates", len(templates))
    tell("template configs", None)
    configs = (
        [c.model_dump(mode="json") for c in api.list_template_configs(org)] if templates else []
    )
    tell("template configs", len(configs))
    by_template = {c["template_id"]: c for c in configs}
    for template in templates:
        template["config_record"] = by_template.get(template["id"])
    tell("texts", None)
    texts = [t.model_dump(mode="json") for t in api.list_texts(org)]
    tell("texts", len(texts))
    tell("text contents", None)
    contents = [c.model_dump(mode="json") for c in api.list_text_contents(org)] if texts else []
    tell("text contents", len(contents))
    for text in texts:
        mine = [c for c in contents if c["text_id"] == text["id"]]
        text["contents"] = sorted(mine, key=lambda c: -(c.get("content_version") or 0))
    return templates, texts


def describe(found: Mapping[str, Any]) -> str:
    """`Name (id)` of a notice or widget, on one line, for comments and messages."""
    name = " ".join(str(found.get("name") or "").split())
    if len(name) > 60:
        name = name[:57] + "..."
    return f"{name} ({found['id']})" if name else str(found["id"])
