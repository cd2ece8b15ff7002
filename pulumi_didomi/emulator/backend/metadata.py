"""The data manager: vendors (partners), purposes, vendor categories and vendors' storage
disclosures (O1 `/metadata/*`; `shared/reference/didomi-consent-setup.md` §2-§3).

Global records (Didomi's: `seeds.py`) are stored under the organization `""` and answered
without `organization_id`; every caller sees them and none may change them (403). Custom records
belong to one organization: another's are answered like missing ones (404).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from ..errors import BadRequest, Forbidden
from ..models import TRANSLATABLE_FIELDS, storage_rule_violations, translations
from ..queries import Query
from ..store import Doc, Store, new_id, now_iso
from . import seeds
from .records import owned, touched

#: The organization global records are stored under.
GLOBAL = ""

_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")

_LEGAL_BASES = ("default_purposes_id", "legitimate_interest_purposes_id", "spi_purposes_id")


class MetadataBackend:
    """Operations on the data manager of the emulated API.

    `organizations` arguments are the caller's visible organizations: their custom records and
    Didomi's global ones are visible; others' are answered as missing.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self._seed()

    def _seed(self) -> None:
        """Didomi's global catalogue, once per database."""

        def seed() -> str:
            now = now_iso()
            for collection, docs in (
                ("partners_categories", seeds.categories(now)),
                ("purposes", seeds.purposes(now)),
                ("partners", seeds.vendors(now)),
            ):
                for doc in docs:
                    self.store.insert(collection, {**doc, "organization_id": GLOBAL})
            return now

        self.store.meta("metadata_seeded", seed)

    def _visible(self, collection: str, organizations: Sequence[str]) -> list[Doc]:
        return self.store.find(collection, [GLOBAL, *organizations])

    def _find(self, collection: str, doc_id: str, organizations: Sequence[str], what: str) -> Doc:
        """A global record or one of the caller's (404 otherwise)."""
        doc = self.store.get(collection, doc_id)
        if doc is not None and doc["organization_id"] == GLOBAL:
            return doc
        return owned(self.store, collection, doc_id, organizations, what)

    def _custom(self, collection: str, doc_id: str, organizations: Sequence[str], what: str) -> Doc:
        """One of the caller's records, to change: a global one is Didomi's (403)."""
        doc = self._find(collection, doc_id, organizations, what)
        if doc["organization_id"] == GLOBAL:
            raise Forbidden(
                f"The {what} {doc_id} is a global {what} of Didomi: it cannot be changed",
                {"id": f"a global {what} (Didomi's): read only"},
            )
        return doc

    @staticmethod
    def _owner(organizations: Sequence[str], given: str | None) -> str:
        """The organization a new record belongs to: the one named, else the caller's first."""
        if given is not None:
            if given not in organizations:
                raise Forbidden(f"You do not have access to organization {given}")
            return given
        if not organizations:
            raise Forbidden("This key belongs to no organization")
        return organizations[0]

    # -- categories ----------------------------------------------------------------------------

    def list_categories(self, query: Query) -> dict[str, Any]:
        """A page of vendor categories (Didomi's, the same for every organization)."""
        return query.page(self.store.find("partners_categories", [GLOBAL]))

    def _check_category(self, category_id: Any) -> None:
        if category_id is not None and self.store.get("partners_categories", category_id) is None:
            known = ", ".join(d["id"] for d in self.store.find("partners_categories", [GLOBAL]))
            raise BadRequest.fields(
                "Invalid partner",
                {"category_id": f"unknown category {category_id!r} (one of: {known})"},
            )

    # -- vendors ---------------------------------------------------------------------------------

    def list_partners(
        self, organizations: Sequence[str], query: Query, urls: Sequence[str] = ()
    ) -> dict[str, Any]:
        """A page of vendors, global and the caller's; with `urls`, those matching one of them
        (by host or URL pattern), each with the URLs it matched (O1 `url`)."""
        found = self._visible("partners", organizations)
        if urls:
            matched = []
            urls = [u for u in urls if _URL.match(u)]  # O1: URLs (answered as `format: uri`)
            for doc in found:
                hits = [u for u in urls if _matches(doc, u)]
                if hits:
                    matched.append({**doc, "urls": hits})
            found = matched
        return query.page(found)

    def get_partner(self, organizations: Sequence[str], partner_id: str) -> Doc:
        """One vendor, global or the caller's."""
        return self._find("partners", partner_id, organizations, "partner")

    def create_partner(self, organizations: Sequence[str], fields: Doc) -> Doc:
        """A custom vendor of the caller's organization (its category must exist)."""
        org = self._owner(organizations, fields.pop("organization_id", None))
        self._check_category(fields.get("category_id"))
        now = now_iso()
        doc = {
            **_stored(fields),
            "id": new_id(),
            "organization_id": org,
            "deprecated": bool(fields.get("deprecated", False)),
            "created_at": now,
            "updated_at": now,
            "version": 0,
        }
        return self.store.insert("partners", doc)

    def patch_partner(self, organizations: Sequence[str], partner_id: str, changes: Doc) -> Doc:
        """Change a custom vendor's fields (`deprecated` included)."""
        changes.pop("organization_id", None)
        with self.store.transaction():
            doc = self._custom("partners", partner_id, organizations, "partner")
            self._check_category(changes.get("category_id"))
            return self.store.replace("partners", touched({**doc, **_stored(changes)}))

    def delete_partner(self, organizations: Sequence[str], partner_id: str) -> Doc:
        """Delete a custom vendor and its storages."""
        with self.store.transaction():
            doc = self._custom("partners", partner_id, organizations, "partner")
            for storage in self.store.find("partners_storages", [doc["organization_id"]]):
                if storage.get("partner_id") == partner_id:
                    self.store.delete("partners_storages", storage["id"])
            self.store.delete("partners", partner_id)
            return doc

    def deprecated_partners(self, organization_id: str, ids: Sequence[str]) -> list[str]:
        """Those of `ids` that are deprecated vendors visible to the organization."""
        found = {d["id"]: d for d in self._visible("partners", [organization_id])}
        return [i for i in ids if i in found and found[i].get("deprecated")]

    def deprecated_added(self, before: Doc, after: Doc) -> dict[str, str]:
        """`{field: reason}` when a configuration change adds a deprecated vendor to a notice's
        vendor lists (O1 `partners.deprecated`: they "cannot be added to ... consent notices");
        one listed already may stay."""
        added = listed_vendors(after) - listed_vendors(before)
        deprecated = self.deprecated_partners(after["organization_id"], sorted(added))
        if not deprecated:
            return {}
        return {
            "config": f"deprecated vendors cannot be added to a notice: {', '.join(deprecated)}"
        }

    # -- storage disclosures ---------------------------------------------------------------------

    def list_storages(self, organizations: Sequence[str], query: Query) -> dict[str, Any]:
        """A page of the caller's vendors' storages."""
        return query.page(self.store.find("partners_storages", list(organizations)))

    def get_storage(self, organizations: Sequence[str], storage_id: str) -> Doc:
        """One storage of a vendor of the caller's."""
        return owned(self.store, "partners_storages", storage_id, organizations, "storage")

    def create_storage(self, organizations: Sequence[str], fields: Doc) -> Doc:
        """A storage of a custom vendor of the caller's (O1: `partner_id` owns it)."""
        partner_id = fields.pop("partner_id", None)
        if not partner_id:
            raise BadRequest.fields(
                "Invalid storage", {"partner_id": "required: the vendor that uses the storage"}
            )
        fields.pop("organization_id", None)
        with self.store.transaction():
            partner = self.store.get("partners", partner_id)
            if partner is None or partner["organization_id"] not in organizations:
                raise BadRequest.fields(
                    "Invalid storage",
                    {"partner_id": f"no custom vendor {partner_id!r} in your organizations"},
                )
            _check_storage(fields)
            now = now_iso()
            doc = {
                **fields,
                "id": new_id(),
                "partner_id": partner_id,
                "organization_id": partner["organization_id"],
                "created_at": now,
                "updated_at": now,
            }
            return self.store.insert("partners_storages", doc, parent_id=partner_id)

    def patch_storage(self, organizations: Sequence[str], storage_id: str, changes: Doc) -> Doc:
        """Change a storage (its vendor stays)."""
        with self.store.transaction():
            doc = self.get_storage(organizations, storage_id)
            merged = {**doc, **changes}
            _check_storage(merged)
            return self.store.replace("partners_storages", touched(merged, versioned=False))

    def delete_storage(self, organizations: Sequence[str], storage_id: str) -> Doc:
        """Delete a storage."""
        with self.store.transaction():
            doc = self.get_storage(organizations, storage_id)
            self.store.delete("partners_storages", storage_id)
            return doc

    # -- purposes ----------------------------------------------------------------------------------

    def list_purposes(self, organizations: Sequence[str], query: Query) -> dict[str, Any]:
        """A page of purposes, global and the caller's."""
        return query.page(self._visible("purposes", organizations))

    def get_purpose(self, organizations: Sequence[str], purpose_id: str) -> Doc:
        """One purpose, global or the caller's."""
        return self._find("purposes", purpose_id, organizations, "purpose")

    def create_purpose(self, organizations: Sequence[str], fields: Doc) -> Doc:
        """A custom purpose of the caller's organization."""
        org = self._owner(organizations, fields.pop("organization_id", None))
        now = now_iso()
        doc = {
            **_stored_texts(fields),
            "id": new_id(),
            "organization_id": org,
            "created_at": now,
            "updated_at": now,
        }
        return self.store.insert("purposes", doc)

    def patch_purpose(self, organizations: Sequence[str], purpose_id: str, changes: Doc) -> Doc:
        """Change a custom purpose (a translatable field is replaced whole)."""
        changes.pop("organization_id", None)
        with self.store.transaction():
            doc = self._custom("purposes", purpose_id, organizations, "purpose")
            merged = {**doc, **_stored_texts(changes)}
            return self.store.replace("purposes", touched(merged, versioned=False))

    def delete_purpose(self, organizations: Sequence[str], purpose_id: str) -> Doc:
        """Delete a custom purpose, unless a vendor that is not deprecated uses it (a legal
        basis or a storage): 400 naming them."""
        with self.store.transaction():
            doc = self._custom("purposes", purpose_id, organizations, "purpose")
            users = self.purpose_users(doc["organization_id"], purpose_id)
            if users:
                raise BadRequest(
                    f"Purpose {purpose_id} is in use by {', '.join(users)}: remove it from them "
                    "(or deprecate them) before deleting it",
                    {"id": f"in use by {', '.join(users)}"},
                )
            self.store.delete("purposes", purpose_id)
            return doc

    def purpose_users(self, organization_id: str, purpose_id: str) -> list[str]:
        """The vendors (not deprecated) of the organization using the purpose, as
        `vendor <id> (<name>)`, with the fields naming it."""
        users = []
        live = {
            d["id"]: d
            for d in self.store.find("partners", [organization_id])
            if not d.get("deprecated")
        }
        storages: dict[str, list[str]] = {}
        for storage in self.store.find("partners_storages", [organization_id]):
            if purpose_id in (storage.get("purposes_id") or []):
                storages.setdefault(storage["partner_id"], []).append("storages")
        for partner_id, partner in live.items():
            fields = [b for b in _LEGAL_BASES if purpose_id in (partner.get(b) or [])]
            fields += storages.get(partner_id, [])[:1]
            if fields:
                users.append(f"vendor {partner_id} ({partner['name']}: {', '.join(fields)})")
        return users


def listed_vendors(config: Doc) -> set[str]:
    """The vendor ids a notice configuration lists (`config.app.vendors.include` and
    `config.app.vendors.iab.include`, its own and its regulation configurations')."""
    found: set[str] = set()
    configs = [
        config.get("config"),
        *(
            r.get("config")
            for r in config.get("regulation_configurations") or []
            if isinstance(r, dict)
        ),
    ]
    for item in configs:
        app = item.get("app") if isinstance(item, dict) else None
        vendors = app.get("vendors") if isinstance(app, dict) else None
        if not isinstance(vendors, dict):
            continue
        iab = vendors.get("iab")
        for listed in (
            vendors.get("include"),
            iab.get("include") if isinstance(iab, dict) else None,
        ):
            if isinstance(listed, list):
                found.update(v for v in listed if isinstance(v, str))
    return found


def _check_storage(storage: Doc) -> None:
    problems = storage_rule_violations(storage)
    if problems:
        raise BadRequest.fields("Invalid storage", problems)


def _stored_texts(fields: Doc) -> Doc:
    """Translatable fields as stored: `{language: text}`."""
    return {
        k: translations(v) if k in TRANSLATABLE_FIELDS and v is not None else v
        for k, v in _stored(fields).items()
    }


def _stored(fields: Doc) -> Doc:
    """Fields as stored: `namespaces` without the ids set to null (a null id is no id)."""
    namespaces = fields.get("namespaces")
    if isinstance(namespaces, dict):
        return {**fields, "namespaces": {k: v for k, v in namespaces.items() if v is not None}}
    return fields


def _matches(partner: Doc, url: str) -> bool:
    """Whether a URL is the vendor's: its host is one of the vendor's `hosts` (or below one),
    or one of its `url_patterns` (regular expressions) finds it."""
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return False
    for known in partner.get("hosts") or []:
        known = str(known).lower()
        if host and (host == known or host.endswith("." + known)):
            return True
    for pattern in partner.get("url_patterns") or []:
        try:
            if re.search(str(pattern), url):
                return True
        except re.error:
            continue
    return False
