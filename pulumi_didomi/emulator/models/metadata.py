"""Vendors (partners), purposes, vendor categories and storage disclosures (O1 `partners*`,
`purposes*`, `partners-categories`, `partners-storages*`; Didomi's developer docs, data manager
"Purposes"; `shared/reference/didomi-consent-setup.md` §2-§3).

Translatable purpose fields (`description`, `details`, the status descriptions, `reference`)
are stored as `{language: text}`: written as such with `$translations=true` (a plain string
sets the default language, `en`), answered as such with `$translations=true` and as the
default language's text otherwise (O1 `$translations`: "will return translatable fields as
objects with translations").
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict

from .common import DurationUnit, NotNull, Number, Object, RequestBody

#: The language a plain string sets, and answers show without `$translations=true`.
DEFAULT_LANGUAGE = "en"

StorageType = Literal["cookie", "web_storage", "app_storage"]


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def _uri(value: str) -> str:
    """O1 `format: uri`: a URI (RFC 3986: a scheme, a colon, then the rest)."""
    if not _SCHEME.match(value):
        raise ValueError("must be a URI such as 'https://example.com/privacy'")
    return value


Uri = Annotated[str, AfterValidator(_uri)]
#: A translatable field as written: a text (the default language) or `{language: text}`.
Translatable = str | dict[str, str]

#: The purpose fields Didomi translates.
TRANSLATABLE_FIELDS = (
    "description",
    "details",
    "enabled_status_description",
    "disabled_status_description",
    "reference",
)


# -- vendors (O1 partners, partners-input) ------------------------------------------------------


class PartnerNamespaces(RequestBody):
    """A vendor's ids in other vendor lists (O1 `partners.namespaces`)."""

    iab: str | None = None
    iab2: str | None = None
    didomi: str | None = None
    custom: str | None = None
    google: str | None = None


class _PartnerFields(RequestBody):
    tags: list[str] | None = None
    contact: str | None = None
    website: Uri | None = None
    website_optout: Uri | None = None
    hosts: list[str] | None = None
    url_patterns: list[str] | None = None
    taxonomy_id: str | None = None
    country: str | None = None
    namespaces: PartnerNamespaces | None = None
    default_purposes_id: list[str] | None = None
    legitimate_interest_purposes_id: list[str] | None = None
    spi_purposes_id: list[str] | None = None
    cookie_max_duration: Number | None = None
    cookie_max_duration_unit: DurationUnit | None = None
    uses_non_cookie_access: bool | None = None
    deprecated: bool | None = None
    notes: str | None = None


class PartnerInput(_PartnerFields):
    """`POST /metadata/partners` (O1 `partners-input`: `name` and `category_id` required)."""

    name: str
    category_id: str
    organization_id: str | None = None


class PartnerPatch(_PartnerFields):
    """`PATCH /metadata/partners/{id}`: the fields to change (`name` and `category_id` may be
    omitted, not null)."""

    name: Annotated[str | None, NotNull] = None
    category_id: Annotated[str | None, NotNull] = None


class Partner(_PartnerFields):
    """A vendor: global (Didomi's, no `organization_id`) or custom (an organization's)."""

    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    category_id: str
    organization_id: str | None = None
    urls: list[str] | None = None
    created_at: str
    updated_at: str
    version: Number


class PartnersCategory(BaseModel):
    """A vendor category (O1 `partners-categories`): Didomi's, the same for every
    organization."""

    id: str
    name: str
    created_at: str
    updated_at: str


# -- storage disclosures (O1 partners-storages, partners-storages-input) -----------------------


class _StorageFields(RequestBody):
    type: StorageType | None = None
    identifier: str | None = None
    purposes_id: list[str] | None = None
    domain: str | None = None
    max_age: Number | None = None
    max_age_unit: DurationUnit | None = None


class StorageInput(_StorageFields):
    """`POST /metadata/partners-storages`: a storage of a custom vendor (`partner_id`)."""

    partner_id: str | None = None
    organization_id: str | None = None


class StoragePatch(_StorageFields):
    """`PATCH /metadata/partners-storages/{id}` (its vendor and organization are kept)."""


class Storage(_StorageFields):
    """A storage (cookie, web storage, app storage) a vendor uses."""

    model_config = ConfigDict(extra="forbid")

    id: str
    partner_id: str
    organization_id: str
    created_at: str
    updated_at: str


def storage_rule_violations(storage: Object) -> dict[str, str]:
    """`{field: reason}` for O1's rules of a (merged) storage: `domain` for cookies and web
    storage, `max_age` for cookies."""
    problems: dict[str, str] = {}
    kind = storage.get("type")
    if kind in ("cookie", "web_storage") and not storage.get("domain"):
        problems["domain"] = f"required for a storage of type {kind!r} (O1)"
    if kind == "cookie" and storage.get("max_age") is None:
        problems["max_age"] = "required for a storage of type 'cookie' (O1)"
    return problems


# -- purposes (O1 purposes, purposes-input, purposes-patch-input) ------------------------------


class PurposeNamespaces(RequestBody):
    """A purpose's ids in other lists (O1 `purposes.namespaces`)."""

    iab: str | None = None
    iab2: str | None = None
    iab2_special_feature: str | None = None
    didomi: str | None = None
    custom: str | None = None


class _PurposeFields(RequestBody):
    enabled_status_description: Translatable | None = None
    disabled_status_description: Translatable | None = None
    reference: Translatable | None = None
    namespaces: PurposeNamespaces | None = None
    regulations_id: list[str] | None = None
    metadata: Object | None = None


class PurposeInput(_PurposeFields):
    """`POST /metadata/purposes`: at least its name (`description`) and `details` (Didomi's
    "Purposes" page)."""

    description: Translatable
    details: Translatable
    organization_id: str | None = None
    type: str = "purpose"


class PurposePatch(_PurposeFields):
    """`PATCH /metadata/purposes/{id}`: the fields to change (a translatable field is replaced
    whole)."""

    description: Annotated[Translatable | None, NotNull] = None
    details: Annotated[Translatable | None, NotNull] = None


class Purpose(BaseModel):
    """A purpose: global (Didomi's, no `organization_id`) or custom."""

    model_config = ConfigDict(extra="forbid")

    id: str
    description: Translatable
    details: Translatable | None = None
    enabled_status_description: Translatable | None = None
    disabled_status_description: Translatable | None = None
    reference: Translatable | None = None
    organization_id: str | None = None
    namespaces: dict[str, str] | None = None
    regulations_id: list[str] | None = None
    type: str = "purpose"
    metadata: Object | None = None
    created_at: str
    updated_at: str


def translations(value: Any) -> dict[str, str]:
    """A translatable field as written, as stored: `{language: text}`."""
    if isinstance(value, dict):
        return dict(value)
    return {DEFAULT_LANGUAGE: value}


def translated(value: Any, with_translations: bool) -> Any:
    """A stored translatable field as answered: the map with `$translations=true`, else the
    default language's text (the first language's when it has none)."""
    if with_translations or not isinstance(value, dict):
        return value
    if DEFAULT_LANGUAGE in value:
        return value[DEFAULT_LANGUAGE]
    return next(iter(value.values()), "")


__all__ = [
    "DEFAULT_LANGUAGE",
    "TRANSLATABLE_FIELDS",
    "Partner",
    "PartnerInput",
    "PartnerPatch",
    "PartnersCategory",
    "Purpose",
    "PurposeInput",
    "PurposePatch",
    "Storage",
    "StorageInput",
    "StoragePatch",
    "storage_rule_violations",
    "translated",
    "translations",
]
