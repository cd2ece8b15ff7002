"""Consent notices, their configurations and their deployments (reference §4, §5, §6)."""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Sequence
from typing import Any

from pulumi_didomi.limits import MAX_PARALLEL_DEPLOYMENTS

from ..errors import BadRequest, NotFound, TooManyRequests
from ..models import config_rule_violations
from ..queries import Query
from ..stats import Stats
from ..store import Doc, Store, new_id, now_iso
from .metadata import MetadataBackend
from .records import owned, touched
from .templates import TemplatesBackend

#: Fields of a regulation configuration the server sets; a PATCH carrying them is not obeyed.
_SERVER_SET_REGULATION_FIELDS = (
    "organization_id",
    "notice_config_id",
    "created_at",
    "updated_at",
    "version",
)


#: Fields only a published configuration has (who published it, what it held).
_PUBLICATION_FIELDS = ("deployed_by", "deployed_by_type", "deployed_by_name", "deployed_metadata")


def _first_draft(notice: Doc) -> Doc:
    """The draft created with a notice (values seen in Didomi's own examples, §5.4)."""
    config_id = new_id()
    now = now_iso()
    return {
        "id": config_id,
        "organization_id": notice["organization_id"],
        "notice_id": notice["id"],
        "platform": "web",
        "default": False,
        "targets": [],
        "custom_json": {},
        "config": {},
        "full_atp": False,
        "text_mode": "approved",
        "template_id": None,
        "enable_ignore_consent_before": False,
        "ignore_consent_before": None,
        "negative_action": "button",
        "disagree_button_style": "primary",
        "country": None,
        "notice_deny_applies_to_li": True,
        "preferences_deny_applies_to_li": True,
        "consent_duration": 12,
        "consent_duration_unit": "months",
        "deployed_at": None,
        "regulation_configurations": [
            {
                "id": new_id(),
                "regulation_id": "gdpr",
                "organization_id": notice["organization_id"],
                "notice_config_id": config_id,
                "is_default_regulation_config": True,
                "geo_locations": ["*"],
                "regulation_settings": {},
                "config": {},
                "disabled_at": None,
                "created_at": now,
                "updated_at": now,
                "version": 0,
            }
        ],
        "created_at": now,
        "updated_at": now,
        "version": 0,
    }


def _copy_as_draft(source: Doc, notice_id: str | None = None) -> Doc:
    """A new draft copied from `source`: the one publishing creates (§5.1 rule 5), or, given
    another `notice_id`, the first draft of a duplicate of the notice."""
    draft = copy.deepcopy(source)
    draft_id = new_id()
    now = now_iso()
    for published_only in _PUBLICATION_FIELDS:
        draft.pop(published_only, None)
    draft.update(id=draft_id, deployed_at=None, created_at=now, updated_at=now, version=0)
    if notice_id is not None:
        draft["notice_id"] = notice_id
    for reg in draft.get("regulation_configurations") or []:
        reg.update(
            id=new_id(), notice_config_id=draft_id, created_at=now, updated_at=now, version=0
        )
    return draft


def _merge_regulations(existing: list[Doc], patch: list[Doc], config: Doc) -> list[Doc]:
    """Items matched by `id` are updated, items without `id` are created, others kept."""
    merged = [dict(r) for r in existing]
    by_id = {r["id"]: r for r in merged}
    now = now_iso()
    for index, given in enumerate(patch):
        if given.get("id") not in by_id and not isinstance(given.get("regulation_id"), str):
            field = f"regulation_configurations.{index}.regulation_id"
            raise BadRequest.fields(
                "Invalid configuration",
                {
                    field: "required for a new regulation configuration (items with the id of "
                    "an existing one update it)"
                },
            )
        item = {k: v for k, v in given.items() if k not in _SERVER_SET_REGULATION_FIELDS}
        target = by_id.get(item.get("id"))
        if target is not None:
            target.update(item)
            touched(target)
            continue
        new = {
            "disabled_at": None,
            "regulation_settings": {},
            "config": {},
            "is_default_regulation_config": False,
            "geo_locations": [],
            **item,
            "id": new_id(),
            "organization_id": config["organization_id"],
            "notice_config_id": config["id"],
            "created_at": now,
            "updated_at": now,
            "version": 0,
        }
        merged.append(new)
        by_id[new["id"]] = new
    return merged


def _templated(before: Doc, after: Doc, given: list[Doc]) -> list[Doc]:
    """The regulation configurations of `after` whose `template_id` a PATCH (`given` items)
    sets: new items with one, and existing items the PATCH gives one."""
    existing = {r["id"] for r in before.get("regulation_configurations") or []}
    named = {g.get("id") for g in given if g.get("template_id")}
    return [
        r
        for r in after.get("regulation_configurations") or []
        if r.get("template_id") and (r["id"] not in existing or r["id"] in named)
    ]


class NoticesBackend:
    """Operations on notices, configurations and notice deployments of the emulated API.

    `organizations` arguments are the caller's visible organizations: records of others are
    answered as missing.
    """

    def __init__(
        self,
        store: Store,
        stats: Stats,
        deploy_seconds: float,
        max_parallel_deployments: int = MAX_PARALLEL_DEPLOYMENTS,
        metadata: MetadataBackend | None = None,
        templates: TemplatesBackend | None = None,
    ) -> None:
        self.store = store
        self.metadata = metadata
        self.templates = templates
        self.stats = stats
        self.deploy_seconds = deploy_seconds
        self.max_parallel_deployments = max_parallel_deployments

    # -- notices -----------------------------------------------------------------------------

    def list_notices(self, organizations: Sequence[str], query: Query) -> dict[str, Any]:
        """A page of notices."""
        return query.page(self.store.find("notices", list(organizations)))

    def create_notice(self, fields: Doc, duplicate: str | None = None) -> Doc:
        """A new notice (`fields` carries `organization_id`) and its first draft, atomically.

        `duplicate` names a notice of the same organization to copy (O1 `POST /widgets/notices`
        `duplicate`): the new notice's draft is a copy of that notice's current draft; the new
        notice's own fields are those given. An unknown id is refused (404), nothing created.
        """
        now = now_iso()
        notice = {"id": new_id(), **fields, "created_at": now, "updated_at": now, "version": 0}
        with self.store.transaction():
            if duplicate is None:
                draft = _first_draft(notice)
            else:
                draft = _copy_as_draft(self._draft_to_duplicate(notice, duplicate), notice["id"])
            self.store.insert("notices", notice)
            self.store.insert("configs", draft, parent_id=notice["id"])
        return notice

    def _draft_to_duplicate(self, notice: Doc, source_id: str) -> Doc:
        source = self.store.get("notices", source_id)
        drafts = [
            c
            for c in self.store.find("configs", parent_id=source_id)
            if c.get("deployed_at") is None
        ]
        if source is None or source["organization_id"] != notice["organization_id"] or not drafts:
            raise NotFound(
                f"No notice found for id '{source_id}' to duplicate",
                {"duplicate": f"no notice '{source_id}' in this organization"},
            )
        return drafts[0]

    def get_notice(self, organizations: Sequence[str], notice_id: str) -> Doc:
        """One notice."""
        return owned(self.store, "notices", notice_id, organizations, "notice")

    def patch_notice(self, organizations: Sequence[str], notice_id: str, changes: Doc) -> Doc:
        """Change a notice's writable fields; `archived_at` archives or (null) unarchives it."""
        with self.store.transaction():
            notice = owned(self.store, "notices", notice_id, organizations, "notice")
            return self.store.replace("notices", touched({**notice, **changes}))

    def delete_notice(self, organizations: Sequence[str], notice_id: str) -> Doc:
        """Delete a notice and its configurations; its deployments stay (an audit log)."""
        with self.store.transaction():
            notice = owned(self.store, "notices", notice_id, organizations, "notice")
            for config in self.store.find("configs", parent_id=notice_id):
                self.store.delete("configs", config["id"])
            self.store.delete("notices", notice_id)
        return notice

    # -- configurations ----------------------------------------------------------------------

    def list_configs(
        self, organizations: Sequence[str], notice_id: str | None, query: Query
    ) -> dict[str, Any]:
        """A page of configurations (the draft is the one with `deployed_at` null)."""
        return query.page(self.store.find("configs", list(organizations), notice_id))

    def get_config(self, organizations: Sequence[str], config_id: str) -> Doc:
        """One configuration."""
        return owned(self.store, "configs", config_id, organizations, "config")

    def patch_config(self, organizations: Sequence[str], config_id: str, changes: Doc) -> Doc:
        """Change the draft: top-level fields replace, regulation configurations merge by id.

        A published configuration is immutable; the merged result must keep O1's rules.
        """
        with self.store.transaction():
            config = owned(self.store, "configs", config_id, organizations, "config")
            if config.get("deployed_at") is not None:
                raise BadRequest.fields(
                    f"Configuration {config_id} is already deployed and cannot be modified",
                    {
                        "deployed_at": "a published configuration is immutable: edit the "
                        "notice's current draft (deployed_at: null) instead"
                    },
                )
            merged = dict(config)
            for key, value in changes.items():
                if key == "regulation_configurations":
                    value = _merge_regulations(config.get(key) or [], value or [], config)
                merged[key] = value
            if self.templates is not None:
                given = changes.get("regulation_configurations") or []
                self.templates.apply_to_draft(merged, _templated(config, merged, given))
            problems = config_rule_violations(merged)
            if self.metadata is not None:
                problems.update(self.metadata.deprecated_added(config, merged))
            if problems:
                raise BadRequest.fields("Invalid configuration", problems)
            return self.store.replace("configs", touched(merged))

    # -- deployments -------------------------------------------------------------------------

    def deployment_status(self, deployment: Doc) -> str:
        """`running` until `deploy_seconds` after creation, then `success`."""
        if deployment.get("status") in ("failure", "success"):
            return str(deployment["status"])
        running = float(deployment.get("_running_until", 0)) > time.time()
        return "running" if running else "success"

    def list_deployments(self, organizations: Sequence[str], query: Query) -> dict[str, Any]:
        """A page of notice deployments with their current status."""
        found = self.store.find("notice_deployments", list(organizations))
        return query.page([{**d, "status": self.deployment_status(d)} for d in found])

    def get_deployment(self, organizations: Sequence[str], deployment_id: str) -> Doc:
        """One notice deployment with its current status."""
        doc = owned(self.store, "notice_deployments", deployment_id, organizations, "deployment")
        return {**doc, "status": self.deployment_status(doc)}

    def publish(
        self, organization_id: str, notice_id: str, config_id: str, message: str, by: str
    ) -> Doc:
        """Deploy the notice's draft: it becomes published and a new draft copies it (§5.1).

        Only the notice's current draft can be published (N3; archived or not: no Didomi
        document forbids it), and at most `max_parallel_deployments` deployments run at once
        per organization (429 otherwise).
        """
        with self.store.transaction():
            owned(self.store, "notices", notice_id, [organization_id], "notice")
            config = self.store.get("configs", config_id)
            if config is None or (config["organization_id"], config["notice_id"]) != (
                organization_id,
                notice_id,
            ):
                raise BadRequest.fields(
                    "Invalid deployment",
                    {"production_config_id": f"{config_id} is not a configuration of {notice_id}"},
                )
            if config.get("deployed_at") is not None:
                raise BadRequest.fields(
                    "Invalid deployment",
                    {
                        "production_config_id": f"configuration {config_id} is already "
                        "deployed; only the notice's current draft (deployed_at: null) can be "
                        "deployed"
                    },
                )
            running = self._running(organization_id)
            if len(running) >= self.max_parallel_deployments:
                wait = min(float(d["_running_until"]) for d in running) - time.time()
                raise TooManyRequests(
                    f"Too many deployments in progress: at most {self.max_parallel_deployments} "
                    "notice deployments may run at once for an organization",
                    headers={"Retry-After": str(max(1, math.ceil(wait)))},
                )
            now = now_iso()
            config.update(
                deployed_at=now,
                deployed_by=by,
                deployed_by_type="api-key",
                deployed_by_name=by,
                # Types as Didomi's OpenAPI document declares them (counts as string/object).
                deployed_metadata={
                    "all_iab_enabled": False,
                    "iab_vendor_count": 0,
                    "custom_vendor_count": "0",
                    "iab_purpose_count": {},
                    "custom_purpose_count": {},
                },
                updated_at=now,
            )
            self.store.replace("configs", config)
            self.store.insert("configs", _copy_as_draft(config), parent_id=notice_id)
            deployment = {
                "id": new_id(),
                "notice_id": notice_id,
                "organization_id": organization_id,
                "production_config_id": config_id,
                "message": message,
                "status": "running" if self.deploy_seconds > 0 else "success",
                "created_at": now,
                "updated_at": now,
                "version": 0,
                "_running_until": time.time() + self.deploy_seconds,
            }
            self.store.insert("notice_deployments", deployment, parent_id=notice_id)
        self.stats.running_deployments(len(running) + 1)
        return deployment

    def _running(self, organization_id: str) -> list[Doc]:
        return [
            d
            for d in self.store.find("notice_deployments", [organization_id])
            if self.deployment_status(d) == "running"
        ]
