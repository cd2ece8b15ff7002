"""What both backends need: finding a record of the caller's organizations, bumping versions."""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import Forbidden, NotFound
from ..store import Doc, Store, now_iso


def owned(
    store: Store, collection: str, doc_id: str, organizations: Sequence[str], what: str
) -> Doc:
    """The record `doc_id` if it belongs to one of `organizations`; `NotFound` otherwise.

    Another organization's records are answered exactly like missing ones (no leak).
    """
    doc = store.get(collection, doc_id)
    if doc is None or doc["organization_id"] not in organizations:
        raise NotFound(f"No record found for id '{doc_id}'", {"type": what})
    return doc


def touched(doc: Doc, versioned: bool = True) -> Doc:
    """`doc` with a fresh `updated_at` and, when `versioned`, its `version` bumped."""
    doc["updated_at"] = now_iso()
    if versioned:
        doc["version"] = int(doc.get("version") or 0) + 1
    return doc


def owner(organizations: Sequence[str]) -> str:
    """The organization a new record belongs to: the first the request may see (the one it
    names, else the caller's first)."""
    if not organizations:
        raise Forbidden("This key belongs to no organization")
    return organizations[0]
