"""The data manager (`/metadata/*`): vendors (Didomi's partners), their categories and storage
disclosures, and purposes. Lists are read in bulk (`$limit`/`$skip` pages of 100); purposes are
read and written with `$translations=true`, so that translatable fields are `{language: text}`."""

from __future__ import annotations

from typing import Any

from ._base import ClientBase
from .models import Purpose, Vendor, VendorCategory, VendorStorage

#: Didomi's query parameter for translatable fields as `{language: text}` (O1, data manager docs).
_TRANSLATIONS = {"$translations": "true"}


class Metadata(ClientBase):
    """Vendors, vendor categories, storage disclosures and purposes: the part of
    `DidomiClient` for `/metadata/*`."""

    # -- vendors ---------------------------------------------------------------------------------

    def list_vendors(self, organization_id: str | None = None) -> list[Vendor]:
        """Every vendor an organization sees: Didomi's global ones and its own."""
        params = {"organization_id": self._org(organization_id)}
        return [Vendor.model_validate(v) for v in self._pages("/metadata/partners", params)]

    def get_vendor(self, vendor_id: str, organization_id: str | None = None) -> Vendor:
        """One vendor."""
        params = {"organization_id": self._org(organization_id)}
        data = self._call("GET", "/metadata/partners/{id}", params=params, id=vendor_id)
        return Vendor.model_validate(data)

    def create_vendor(self, fields: dict[str, Any], organization_id: str | None = None) -> Vendor:
        """Create a custom vendor (`name` and `category_id` required)."""
        body = {**fields, "organization_id": self._org(organization_id)}
        return Vendor.model_validate(self._call("POST", "/metadata/partners", json=body))

    def update_vendor(
        self, vendor_id: str, fields: dict[str, Any], organization_id: str | None = None
    ) -> Vendor:
        """PATCH a custom vendor (`deprecated: true` deprecates it)."""
        params = {"organization_id": self._org(organization_id)}
        data = self._call(
            "PATCH", "/metadata/partners/{id}", params=params, json=fields, id=vendor_id
        )
        return Vendor.model_validate(data)

    def delete_vendor(self, vendor_id: str, organization_id: str | None = None) -> Vendor:
        """Delete a custom vendor (and its storages) for good."""
        params = {"organization_id": self._org(organization_id)}
        data = self._call("DELETE", "/metadata/partners/{id}", params=params, id=vendor_id)
        return Vendor.model_validate(data)

    def list_vendor_categories(self) -> list[VendorCategory]:
        """Didomi's vendor categories."""
        return [
            VendorCategory.model_validate(c)
            for c in self._pages("/metadata/partners-categories", {})
        ]

    # -- storage disclosures ---------------------------------------------------------------------

    def list_vendor_storages(self, organization_id: str | None = None) -> list[VendorStorage]:
        """Every storage the organization's vendors disclose."""
        params = {"organization_id": self._org(organization_id)}
        pages = self._pages("/metadata/partners-storages", params)
        return [VendorStorage.model_validate(s) for s in pages]

    def create_vendor_storage(
        self, vendor_id: str, fields: dict[str, Any], organization_id: str | None = None
    ) -> VendorStorage:
        """Disclose a storage of a custom vendor."""
        params = {"organization_id": self._org(organization_id)}
        body = {**fields, "partner_id": vendor_id}
        data = self._call("POST", "/metadata/partners-storages", params=params, json=body)
        return VendorStorage.model_validate(data)

    def update_vendor_storage(
        self, storage_id: str, fields: dict[str, Any], organization_id: str | None = None
    ) -> VendorStorage:
        """PATCH a storage disclosure."""
        params = {"organization_id": self._org(organization_id)}
        data = self._call(
            "PATCH", "/metadata/partners-storages/{id}", params=params, json=fields, id=storage_id
        )
        return VendorStorage.model_validate(data)

    def delete_vendor_storage(self, storage_id: str, organization_id: str | None = None) -> None:
        """Delete a storage disclosure."""
        params = {"organization_id": self._org(organization_id)}
        self._call("DELETE", "/metadata/partners-storages/{id}", params=params, id=storage_id)

    # -- purposes --------------------------------------------------------------------------------

    def list_purposes(self, organization_id: str | None = None) -> list[Purpose]:
        """Every purpose an organization sees (Didomi's global ones and its own), translatable
        fields as `{language: text}`."""
        params = {"organization_id": self._org(organization_id), **_TRANSLATIONS}
        return [Purpose.model_validate(p) for p in self._pages("/metadata/purposes", params)]

    def get_purpose(self, purpose_id: str, organization_id: str | None = None) -> Purpose:
        """One purpose, with its translations."""
        params = {"organization_id": self._org(organization_id), **_TRANSLATIONS}
        data = self._call("GET", "/metadata/purposes/{id}", params=params, id=purpose_id)
        return Purpose.model_validate(data)

    def create_purpose(self, fields: dict[str, Any], organization_id: str | None = None) -> Purpose:
        """Create a custom purpose; translatable fields as `{language: text}`."""
        org = self._org(organization_id)
        params = {"organization_id": org, **_TRANSLATIONS}
        body = {**fields, "organization_id": org}
        return Purpose.model_validate(
            self._call("POST", "/metadata/purposes", params=params, json=body)
        )

    def update_purpose(
        self, purpose_id: str, fields: dict[str, Any], organization_id: str | None = None
    ) -> Purpose:
        """PATCH a custom purpose (a translatable field is written whole)."""
        params = {"organization_id": self._org(organization_id), **_TRANSLATIONS}
        data = self._call(
            "PATCH", "/metadata/purposes/{id}", params=params, json=fields, id=purpose_id
        )
        return Purpose.model_validate(data)

    def delete_purpose(self, purpose_id: str, organization_id: str | None = None) -> Purpose:
        """Delete a custom purpose for good."""
        params = {"organization_id": self._org(organization_id), **_TRANSLATIONS}
        data = self._call("DELETE", "/metadata/purposes/{id}", params=params, id=purpose_id)
        return Purpose.model_validate(data)
