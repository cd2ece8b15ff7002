"""Vendor-list templates and their configurations, and applying a template to the notices
linked to it (O1 `/widgets/notices/templates*`; consent-setup §5; docs.didomi.io "manage
vendors list template": applying a template erases and replaces the linked notices' vendor
and purpose settings for the linked regulations).

The emulator's reading of "linked": a notice N is linked to template T for regulation R when
N is in `T.notices_id` and N's current draft has an enabled regulation configuration R whose
`template_id` is T. Applying T there replaces exactly `TEMPLATE_KEYS` of that regulation
configuration's `config` with the template configuration's (a key the template configuration
lacks is removed). T is applied when its configuration is written (to every linked regulation
configuration), when a PATCH of T adds notices to `notices_id` (to those), and when a draft
PATCH sets a regulation configuration's `template_id` to T (`NoticesBackend.patch_config`).
Published configurations are never touched.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from typing import Any

from ..errors import BadRequest
from ..models import TEMPLATE_KEYS, template_config_violations
from ..queries import Query
from ..store import Doc, Store, new_id, now_iso
from .records import owned, owner, touched


def applied(config: Any, template_config: Doc) -> Doc:
    """A regulation configuration's `config` with the template's keys: each of
    `TEMPLATE_KEYS` the template configuration sets replaces it, the others are removed;
    nothing else changes."""
    out = copy.deepcopy(config) if isinstance(config, dict) else {}
    source = template_config.get("config") or {}
    for section, key in TEMPLATE_KEYS:
        given = source.get(section)
        value = given.get(key) if isinstance(given, dict) else None
        target = out.get(section)
        if value is not None:
            if not isinstance(target, dict):
                target = out[section] = {}
            target[key] = copy.deepcopy(value)
        elif isinstance(target, dict):
            target.pop(key, None)
    return out


class TemplatesBackend:
    """Operations on templates and template configurations of the emulated API.

    `organizations` arguments are the caller's visible organizations: records of others are
    answered as missing.
    """

    def __init__(self, store: Store) -> None:
        self.store = store

    # -- templates ---------------------------------------------------------------------------

    def list_templates(self, organizations: Sequence[str], query: Query) -> dict[str, Any]:
        """A page of templates."""
        return query.page(self.store.find("templates", list(organizations)))

    def get_template(self, organizations: Sequence[str], template_id: str) -> Doc:
        """One template."""
        return owned(self.store, "templates", template_id, organizations, "template")

    def create_template(self, organizations: Sequence[str], fields: Doc) -> Doc:
        """A template of the organization and its configuration (empty: `config: {}`), in one
        transaction: O1 has no route creating a template configuration."""
        org = owner(organizations)
        now = now_iso()
        template = {
            "id": new_id(),
            "name": fields["name"],
            "notices_id": list(dict.fromkeys(fields.get("notices_id") or [])),
            "organization_id": org,
            "created_at": now,
            "updated_at": now,
            "version": 0,
        }
        config = {
            "id": new_id(),
            "template_id": template["id"],
            "organization_id": org,
            "config": {},
            "created_at": now,
            "updated_at": now,
            "version": 0,
        }
        with self.store.transaction():
            self._check_notices(org, template["notices_id"])
            self.store.insert("templates", template)
            self.store.insert("template_configs", config, parent_id=template["id"])
        return template

    def patch_template(self, organizations: Sequence[str], template_id: str, changes: Doc) -> Doc:
        """Change a template's name or notices; the notices it gains get it applied."""
        with self.store.transaction():
            template = self.get_template(organizations, template_id)
            before = set(template["notices_id"])
            if "notices_id" in changes:
                changes["notices_id"] = list(dict.fromkeys(changes["notices_id"]))
                self._check_notices(template["organization_id"], changes["notices_id"])
            template = self.store.replace("templates", touched({**template, **changes}))
            added = [n for n in template["notices_id"] if n not in before]
            config = self._config_of(template_id)
            if added and config is not None:
                self._apply(template, config, added)
            return template

    def delete_template(self, organizations: Sequence[str], template_id: str) -> Doc:
        """Delete a template and its configuration; the drafts' regulation configurations
        linked to it keep their values and get `template_id` null."""
        with self.store.transaction():
            template = self.get_template(organizations, template_id)
            for config in self.store.find("template_configs", parent_id=template_id):
                self.store.delete("template_configs", config["id"])
            for draft in self._drafts(template["organization_id"]):
                linked = [
                    r
                    for r in draft.get("regulation_configurations") or []
                    if r.get("template_id") == template_id
                ]
                for item in linked:
                    touched(item)["template_id"] = None
                if linked:
                    self.store.replace("configs", touched(draft))
            self.store.delete("templates", template_id)
            return template

    def _check_notices(self, organization_id: str, notice_ids: list[str]) -> None:
        unknown = [
            n
            for n in notice_ids
            if (doc := self.store.get("notices", n)) is None
            or doc["organization_id"] != organization_id
        ]
        if unknown:
            raise BadRequest.fields(
                "Invalid template",
                {"notices_id": f"no notice {', '.join(map(repr, unknown))} in this organization"},
            )

    # -- template configurations ---------------------------------------------------------------

    def list_configs(self, organizations: Sequence[str], query: Query) -> dict[str, Any]:
        """A page of template configurations (filter `template_id=` to find a template's)."""
        return query.page(self.store.find("template_configs", list(organizations)))

    def get_config(self, organizations: Sequence[str], config_id: str) -> Doc:
        """One template configuration."""
        return owned(
            self.store, "template_configs", config_id, organizations, "template configuration"
        )

    def write_config(
        self, organizations: Sequence[str], config_id: str, fields: Doc, replace: bool
    ) -> Doc:
        """PUT (`replace`: `regulation_settings` removed when not given) or PATCH a template
        configuration's `config` and `regulation_settings`, then apply the template to every
        regulation configuration linked to it."""
        problems = template_config_violations(fields)
        if problems:
            raise BadRequest.fields("Invalid template configuration", problems)
        with self.store.transaction():
            config = self.get_config(organizations, config_id)
            merged = {**config, **{k: v for k, v in fields.items() if k != "template_id"}}
            if replace and "regulation_settings" not in fields:
                merged.pop("regulation_settings", None)
            config = self.store.replace("template_configs", touched(merged))
            template = self.store.get("templates", config["template_id"])
            if template is not None:
                self._apply(template, config, template["notices_id"])
            return config

    def delete_config(self, organizations: Sequence[str], config_id: str) -> Doc:
        """Delete a template configuration (its template stays, with nothing to apply)."""
        with self.store.transaction():
            config = self.get_config(organizations, config_id)
            self.store.delete("template_configs", config_id)
            return config

    def _config_of(self, template_id: str) -> Doc | None:
        found = self.store.find("template_configs", parent_id=template_id)
        return found[0] if found else None

    # -- application ---------------------------------------------------------------------------

    def _drafts(self, organization_id: str, notice_ids: Iterable[str] | None = None) -> list[Doc]:
        """The current drafts of the organization's notices (of `notice_ids` when given)."""
        wanted = None if notice_ids is None else set(notice_ids)
        return [
            c
            for c in self.store.find("configs", [organization_id])
            if c.get("deployed_at") is None and (wanted is None or c["notice_id"] in wanted)
        ]

    def _apply(self, template: Doc, config: Doc, notice_ids: Iterable[str]) -> None:
        """Apply the template to the regulation configurations of these notices' drafts that
        are linked to it."""
        for draft in self._drafts(template["organization_id"], notice_ids):
            items = [
                r
                for r in draft.get("regulation_configurations") or []
                if r.get("template_id") == template["id"] and r.get("disabled_at") is None
            ]
            for item in items:
                touched(item)["config"] = applied(item.get("config"), config)
            if items:
                self.store.replace("configs", touched(draft))

    def apply_to_draft(self, draft: Doc, items: Iterable[Doc]) -> None:
        """Apply to `items`, regulation configurations of `draft` (being PATCHed) whose
        `template_id` the PATCH sets, each one's template when the draft's notice is linked to
        it; the caller stores the draft. An unknown template is kept as written, unapplied."""
        for item in items:
            template = self.store.get("templates", str(item.get("template_id")))
            if (
                template is None
                or template["organization_id"] != draft["organization_id"]
                or draft["notice_id"] not in template["notices_id"]
                or item.get("disabled_at") is not None
            ):
                continue
            config = self._config_of(template["id"])
            if config is not None:
                item["config"] = applied(item.get("config"), config)
