"""Privacy widgets, their deployments and their public remote configuration (reference §9)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..errors import BadRequest, NotFound
from ..models import CREATE_ONLY_WIDGET_FIELDS, widget_rule_violations
from ..queries import Query
from ..store import Doc, Store, new_id, now_iso
from .records import owned, touched

#: Widget fields a deployment's snapshot leaves out.
_NOT_SNAPSHOTTED = ("created_at", "updated_at", "organization_id")


def _check(widget: Doc) -> None:
    problems = widget_rule_violations(widget)
    if problems:
        raise BadRequest.fields("Invalid widget", problems)


class WidgetsBackend:
    """Operations on widgets and widget deployments of the emulated API.

    `organizations` arguments are the caller's visible organizations: records of others are
    answered as missing.
    """

    def __init__(self, store: Store) -> None:
        self.store = store

    # -- widgets -----------------------------------------------------------------------------

    def create_widget(self, organization_id: str, fields: Doc) -> Doc:
        """A new draft widget; languages default to each other, then to English."""
        enabled = fields.get("enabled_languages") or [fields.get("default_language") or "en"]
        now = now_iso()
        widget = {
            **fields,
            "enabled_languages": enabled,
            "default_language": fields.get("default_language") or enabled[0],
            "id": new_id(),
            "organization_id": organization_id,
            "publication_status": "draft",
            "archived": False,
            "created_at": now,
            "updated_at": now,
        }
        _check(widget)
        return self.store.insert("widgets", widget)

    def list_widgets(self, organizations: Sequence[str], query: Query) -> dict[str, Any]:
        """A page of widgets."""
        return query.page(self.store.find("widgets", list(organizations)))

    def get_widget(self, organizations: Sequence[str], widget_id: str) -> Doc:
        """One widget."""
        return owned(self.store, "widgets", widget_id, organizations, "widget")

    def patch_widget(self, organizations: Sequence[str], widget_id: str, changes: Doc) -> Doc:
        """Change a widget's writable fields (`archived` included); rules hold on the result.

        `selected_*_ids` are create-time only: a PATCH may repeat their value, not change it.
        """
        with self.store.transaction():
            widget = owned(self.store, "widgets", widget_id, organizations, "widget")
            fixed = {
                name: "create-time only: it cannot be changed after the widget is created"
                for name in CREATE_ONLY_WIDGET_FIELDS
                if name in changes and changes[name] != widget.get(name, [])
            }
            if fixed:
                raise BadRequest.fields("Invalid widget", fixed)
            merged = {**widget, **changes}
            _check(merged)
            return self.store.replace("widgets", touched(merged, versioned=False))

    # -- deployments -------------------------------------------------------------------------

    def deploy(self, organization_id: str, widget_id: str) -> Doc:
        """Publish a widget: a deployment holding a snapshot of its configuration (W1)."""
        with self.store.transaction():
            widget = owned(self.store, "widgets", widget_id, [organization_id], "widget")
            if widget.get("archived"):
                raise BadRequest(
                    f"Widget {widget_id} is archived: unarchive it (archived: false) "
                    "before deploying it",
                    {"widget_id": "archived"},
                )
            snapshot = {
                k: v
                for k, v in widget.items()
                if k not in _NOT_SNAPSHOTTED and not k.startswith("_")
            }
            deployment_id = new_id()
            now = now_iso()
            deployment = {
                "id": deployment_id,
                "organization_id": organization_id,
                "widget_id": widget_id,
                "deployment_id": deployment_id,
                "config": snapshot,
                "created_at": now,
                "updated_at": now,
            }
            widget["publication_status"] = "published"
            self.store.replace("widgets", widget)
            return self.store.insert("widget_deployments", deployment, parent_id=widget_id)

    def list_deployments(self, organizations: Sequence[str], query: Query) -> list[Doc]:
        """Widget deployments: a bare array, as Didomi documents this list (W1)."""
        page = query.page(self.store.find("widget_deployments", list(organizations)))
        return list(page["data"])

    def get_deployment(self, organizations: Sequence[str], deployment_id: str) -> Doc:
        """One widget deployment."""
        return owned(
            self.store, "widget_deployments", deployment_id, organizations, "widget deployment"
        )

    def public_config(self, organization_id: str | None, widget_id: str) -> Doc:
        """The configuration of the widget's latest deployment (public, no authentication)."""
        widget = self.store.get("widgets", widget_id)
        if (
            organization_id is None
            or widget is None
            or widget["organization_id"] != organization_id
        ):
            raise NotFound("Page not found")
        deployments = self.store.find("widget_deployments", [organization_id], widget_id)
        if not deployments:
            raise NotFound("Page not found")
        return dict(deployments[-1]["config"])
