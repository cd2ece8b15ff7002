"""An organization in memory (no server): notices with drafts as Didomi creates them, edited."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

from pulumi_didomi.emulator.backend.notices import _copy_as_draft, _first_draft
from pulumi_didomi.export.read import NoticeFound, Organization

ORG = "acme"


def fresh_draft(notice_id: str) -> dict[str, Any]:
    """A new notice's draft as the emulator makes it (Didomi's defaults, reference §5.4)."""
    return _first_draft({"id": notice_id, "organization_id": ORG})


def edited(draft: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """`draft` after a PATCH of `fields` (its version moves on)."""
    return {**copy.deepcopy(draft), **fields, "version": (draft.get("version") or 0) + 1}


def live(draft: dict[str, Any], deployment_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Publish `draft`: the untouched new draft and the deployment."""
    published = {**draft, "deployed_at": "2026-01-01T00:00:00.000Z"}
    deployment = {
        "id": deployment_id,
        "notice_id": draft["notice_id"],
        "organization_id": ORG,
        "production_config_id": draft["id"],
        "created_at": "2026-01-01T00:00:00.000Z",
    }
    return _copy_as_draft(published), deployment


def notice(notice_id: str, name: str, **fields: Any) -> dict[str, Any]:
    return {"id": notice_id, "organization_id": ORG, "name": name, "archived_at": None, **fields}


REGULATIONS = [
    {
        "id": "Rg000001",
        "regulation_id": "gdpr",
        "organization_id": ORG,
        "notice_config_id": "x",
        "is_default_regulation_config": True,
        "geo_locations": ["FR", "DE"],
        "regulation_settings": {},
        "config": {},
        "template_id": None,
        "disabled_at": None,
        "created_at": "2026-01-01T00:00:00.000Z",
        "version": 3,
    },
    {
        "id": "Rg000002",
        "regulation_id": "cpra",
        "is_default_regulation_config": False,
        "geo_locations": ["US_CA"],
        "config": {"notice": {"position": "bottom"}},
        "consent_duration": 6.0,
        "disabled_at": None,
    },
    {"id": "Rg000003", "regulation_id": "vcdpa", "geo_locations": ["US_VA"], "disabled_at": "x"},
]


def organization() -> Organization:
    """Five notices: live (two named alike), published then edited, never published,
    archived; two widgets, one archived."""
    found = []
    shop = edited(
        fresh_draft("n1"),
        consent_duration=6,
        targets=["shop.example.com"],
        config={"languages": {"enabled": ["en", "fr"], "default": "en"}, "app": {"name": "Shop"}},
        custom_json={"theme": {"color": "#0055ff"}},
        regulation_configurations=REGULATIONS,
    )
    draft, deployment = live(shop, "D1")
    found.append(NoticeFound(notice("n1", "Shop", environment="prod"), draft, deployment, 1))
    draft, deployment = live(edited(fresh_draft("n2"), platform="app"), "D2")
    found.append(NoticeFound(notice("n2", "Shop"), draft, deployment, 1))
    draft, deployment = live(fresh_draft("n3"), "D3")
    found.append(NoticeFound(notice("n3", "Blog"), edited(draft, country="FR"), deployment, 1))
    found.append(NoticeFound(notice("n4", "2024 — Été"), fresh_draft("n4"), None))
    archived = notice("n5", "Old", archived_at="2025-01-01T00:00:00.000Z")
    found.append(NoticeFound(archived, fresh_draft("n5"), None))
    widgets = [
        {
            "id": "w1",
            "organization_id": ORG,
            "name": "Preference center",
            "format": "hosted",
            "headless": False,
            "template_id": "full_preference_center",
            "enabled_languages": ["en", "fr"],
            "default_language": "fr",
            "archived": False,
            "publication_status": "draft",
        },
        {"id": "w2", "organization_id": ORG, "name": "Gone", "archived": True},
    ]
    return Organization(ORG, "https://api.didomi.io/v1", found, widgets, deployments=3)


#: What the template "EU vendors" writes into the regulations linked to it.
EU_CONFIG = {"app": {"vendors": {"include": ["v-trk", "google"]}, "essentialPurposes": ["cookies"]}}


def _linked(items: list[dict[str, Any]], template_id: str, **config: Any) -> list[dict[str, Any]]:
    """`items` with the gdpr one linked to the template and holding what it wrote (and
    `config` of its own besides)."""
    out = copy.deepcopy(items)
    gdpr = next(i for i in out if i["regulation_id"] == "gdpr")
    gdpr["template_id"] = template_id
    gdpr["config"] = {**copy.deepcopy(EU_CONFIG), **config}
    return out


def shared_organization() -> Organization:
    """The sample organization with a custom vendor, a vendor-list template linked to Shop (n1),
    the other Shop (n2) and the archived notice (gdpr), a template linked to nothing, and
    three approved texts: Banner (approved, then a new wording submitted) used by n1, Legal
    (rejected, including the purposes) used by n1's CPRA configuration, Empty (no content)."""
    org = organization()
    n1, n2, n3, n4, n5 = org.notices
    assert n1.draft is not None and n2.draft is not None and n5.draft is not None
    items1 = _linked(n1.draft["regulation_configurations"], "T1", notice={"position": "popup"})
    next(i for i in items1 if i["regulation_id"] == "cpra")["text_id"] = "X3"
    draft1 = {**n1.draft, "regulation_configurations": items1, "text_id": "X1"}
    draft2 = {**n2.draft, "regulation_configurations": _linked(REGULATIONS[:1], "T1")}
    draft5 = {
        **n5.draft,
        "regulation_configurations": _linked(n5.draft["regulation_configurations"], "T1"),
    }
    found = [
        NoticeFound(n1.notice, draft1, n1.latest, 1),
        NoticeFound(n2.notice, draft2, n2.latest, 1),
        n3,
        n4,
        NoticeFound(n5.notice, draft5, None),
    ]
    vendor = {"id": "v-trk", "organization_id": ORG, "name": "Tracker", "category_id": "analytics"}

    def template(id_: str, name: str, notices: list[str], config: Any) -> dict[str, Any]:
        record = {"id": f"C{id_}", "template_id": id_, "organization_id": ORG, "config": config}
        return {"id": id_, "name": name, "notices_id": notices, "config_record": record}

    def content(id_: str, version: int, text: str, status: str, **extra: Any) -> dict[str, Any]:
        return {
            "id": id_,
            "text_id": id_[0:2],
            "content": text,
            "status": status,
            "content_version": version,
            "includes_purposes": False,
            **extra,
        }

    texts = [
        {
            "id": "X1",
            "name": "Banner",
            "platforms": ["web"],
            "contents": [
                content("X1b", 2, '{"en": "New wording"}', "submitted"),
                content("X1a", 1, '{"en": "We use cookies", "fr": "Cookies"}', "approved"),
            ],
        },
        {"id": "X2", "name": "Empty", "platforms": [], "contents": []},
        {
            "id": "X3",
            "name": "Legal",
            "platforms": [],
            "contents": [content("X3a", 1, "Plain", "rejected", includes_purposes=True)],
        },
    ]
    return replace(
        org,
        notices=found,
        vendors=[{**vendor, "storages": []}],
        templates=[
            template("T1", "EU vendors", ["n2", "n1", "n5"], copy.deepcopy(EU_CONFIG)),
            template("T2", "Spare", [], {}),
        ],
        texts=texts,
    )
