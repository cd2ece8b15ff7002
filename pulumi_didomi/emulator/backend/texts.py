"""Approved texts and their contents (O1 `/widgets/notices/texts*`; consent-setup §6).

A text is a name and the platforms it serves; its contents are versions of its wording, each
submitted to the Didomi team, who approve or reject it (the emulator's operator route stands
in for them). An approved content cannot be changed or deleted: a change is a new content
(O1). Changing a submitted or rejected content submits it again.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import BadRequest, NotFound
from ..queries import Query
from ..store import Doc, Store, new_id, now_iso
from .records import owned, touched

#: Didomi's messages are O1's descriptions; `errors` names the field.
_APPROVED = {
    "status": "approved: an approved content cannot change; create a new content for the same "
    "text and have it approved"
}


class TextsBackend:
    """Operations on notice texts and text contents of the emulated API.

    `organizations` arguments are the caller's visible organizations: records of others are
    answered as missing.
    """

    def __init__(self, store: Store) -> None:
        self.store = store

    # -- texts -------------------------------------------------------------------------------

    def list_texts(self, organizations: Sequence[str], query: Query) -> list[Doc]:
        """Texts: a bare array, as O1 documents this list (`$limit`/`$skip` apply)."""
        return list(query.page(self.store.find("texts", list(organizations)))["data"])

    def get_text(self, organizations: Sequence[str], text_id: str) -> Doc:
        """One text."""
        return owned(self.store, "texts", text_id, organizations, "text")

    def create_text(self, organization_id: str, fields: Doc) -> Doc:
        """A text of the organization (no platforms and not the default unless given)."""
        now = now_iso()
        text = {
            "platforms": [],
            "default": False,
            **fields,
            "id": new_id(),
            "organization_id": organization_id,
            "created_at": now,
            "updated_at": now,
            "version": 0,
        }
        return self.store.insert("texts", text)

    def write_text(
        self, organizations: Sequence[str], text_id: str, fields: Doc, replace: bool
    ) -> Doc:
        """PUT (`replace`: fields not given return to their defaults) or PATCH a text; its
        organization stays."""
        fields.pop("organization_id", None)
        with self.store.transaction():
            text = self.get_text(organizations, text_id)
            base = {**text, "platforms": [], "default": False} if replace else text
            return self.store.replace("texts", touched({**base, **fields}))

    # -- contents ------------------------------------------------------------------------------

    def list_contents(self, organizations: Sequence[str], query: Query) -> list[Doc]:
        """Text contents: a bare array, as O1 documents this list (filter `text_id=`)."""
        return list(query.page(self.store.find("text_contents", list(organizations)))["data"])

    def get_content(self, organizations: Sequence[str], content_id: str) -> Doc:
        """One text content."""
        return owned(self.store, "text_contents", content_id, organizations, "text content")

    def create_content(self, organization_id: str, fields: Doc) -> Doc:
        """A new content of a text of the organization: `submitted`, the text's next
        `content_version` (from 1)."""
        text_id = fields.pop("text_id")
        fields.pop("organization_id", None)
        with self.store.transaction():
            text = self.store.get("texts", text_id)
            if text is None or text["organization_id"] != organization_id:
                raise BadRequest.fields(
                    "Invalid text content",
                    {"text_id": f"no text {text_id!r} in organization {organization_id}"},
                )
            versions = [
                c["content_version"]
                for c in self.store.find("text_contents", [organization_id], text_id)
            ]
            now = now_iso()
            content = {
                "includes_purposes": False,
                **fields,
                "id": new_id(),
                "text_id": text_id,
                "organization_id": organization_id,
                "status": "submitted",
                "content_version": max(versions, default=0) + 1,
                "created_at": now,
                "updated_at": now,
                "version": 0,
            }
            return self.store.insert("text_contents", content, parent_id=text_id)

    def write_content(
        self, organizations: Sequence[str], content_id: str, fields: Doc, replace: bool
    ) -> Doc:
        """PUT (`replace`) or PATCH a content that is not approved (400 otherwise); it is
        submitted again. Its text and organization stay."""
        fields.pop("text_id", None)
        fields.pop("organization_id", None)
        with self.store.transaction():
            content = self.get_content(organizations, content_id)
            if content["status"] == "approved":
                raise BadRequest(
                    "Text contents cannot be modified once their status is approved", _APPROVED
                )
            base = {**content, "includes_purposes": False} if replace else content
            changed = {**base, **fields, "status": "submitted"}
            return self.store.replace("text_contents", touched(changed))

    def delete_content(self, organizations: Sequence[str], content_id: str) -> Doc:
        """Delete a content that is not approved (400 otherwise)."""
        with self.store.transaction():
            content = self.get_content(organizations, content_id)
            if content["status"] == "approved":
                raise BadRequest(
                    "Text contents cannot be deleted once their status is approved", _APPROVED
                )
            self.store.delete("text_contents", content_id)
            return content

    def review(self, content_id: str, status: str) -> Doc:
        """The Didomi team's decision on a content (operator route): `approved` or
        `rejected`; an approved content stays approved (400)."""
        with self.store.transaction():
            content = self.store.get("text_contents", content_id)
            if content is None:
                raise NotFound(f"No record found for id '{content_id}'", {"type": "text content"})
            if content["status"] == "approved" and status != "approved":
                raise BadRequest.fields("The text content is already approved", _APPROVED)
            return self.store.replace("text_contents", touched({**content, "status": status}))
