"""What the export declares of the organization's custom purposes and vendors: which of them
(all, or those the selected notices use), their values as a program sets them, and the
references that notices and vendors make to them (`tracker.id` instead of an opaque id).

With a selection of notices (`--notice`, `--widget`, `--name`) the export declares the custom
vendors the selected notices' drafts list (custom and IAB `include`, per regulation too), the
custom purposes they list (`essentialPurposes`, a preference's `purposeId`) and the purposes
those vendors use (legal bases, storages); Didomi's global ones stay literal ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pulumi_didomi.core.consent_impact import listed
from pulumi_didomi.core.metadata import text_of
from pulumi_didomi.core.purpose import Purpose
from pulumi_didomi.core.purpose import from_api as purpose_fields
from pulumi_didomi.core.storages import storage_item
from pulumi_didomi.core.values import normalize
from pulumi_didomi.core.vendor import Vendor
from pulumi_didomi.core.vendor import from_api as vendor_fields
from pulumi_didomi.export.layout import Atom
from pulumi_didomi.export.read import NoticeFound, Organization, describe

if TYPE_CHECKING:
    from pulumi_didomi.export.plan import Namer

#: A vendor's legal bases (lists of purpose ids), and as Didomi names them.
LEGAL_BASES = ("default_purposes", "legitimate_interest_purposes", "spi_purposes")
_API_LEGAL_BASES = tuple(f"{name}_id" for name in LEGAL_BASES)

#: Where a notice's configuration names vendors and purposes by id (didomi-consent-setup §1).
_ID_LISTS = ("include", "essentialPurposes")


@dataclass(frozen=True)
class ObjectPlan:
    """One custom purpose or vendor of the program (`kind`: `Purpose`, `Vendor`)."""

    kind: str
    found: dict[str, Any]
    base: str
    var: str
    values: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.found["id"])


def _set(value: Any) -> bool:
    return value is not None and value != [] and value != {}


def purpose_values(purpose: Mapping[str, Any]) -> dict[str, Any]:
    """The purpose's fields a program sets: its texts (`{language: text}`) and the others that
    are set, in the resource's order."""
    found = purpose_fields(purpose)
    return {k: normalize(found[k]) for k in Purpose.fields if _set(found.get(k))}


def vendor_values(vendor: Mapping[str, Any]) -> dict[str, Any]:
    """The vendor's fields a program sets (those that are set), its storages as the program
    writes them, in the resource's order."""
    found = vendor_fields({k: v for k, v in vendor.items() if k != "storages"})
    found["storages"] = [storage_item(s) for s in vendor.get("storages") or []]
    return {k: normalize(found[k]) for k in Vendor.fields if _set(found.get(k))}


def with_refs(value: Any, refs: Mapping[str, Atom], key: str = "") -> Any:
    """`value` with the ids of exported vendors and purposes replaced by references to their
    resources (`tracker.id`), in the lists that name them (`vendors.include`,
    `essentialPurposes`, a preference's `purposeId`, a vendor's legal bases and storages)."""
    if isinstance(value, Mapping):
        return {k: with_refs(v, refs, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        if key in (*_ID_LISTS, *LEGAL_BASES, "purposes"):
            return [refs.get(v, v) if isinstance(v, str) else with_refs(v, refs) for v in value]
        return [with_refs(v, refs) for v in value]
    if key == "purposeId" and isinstance(value, str):
        return refs.get(value, value)
    return value


def used_by(
    notices: Iterable[NoticeFound],
    org: Organization,
    configs: Iterable[Mapping[str, Any]] = (),
) -> set[str]:
    """The ids of the vendors and purposes the notices' drafts (and `configs`, values shaped
    as a draft's: the exported templates') list, and of the purposes those vendors (when not
    deprecated) use in their legal bases and storages."""
    ids: set[str] = set()
    for values in [*(found.draft for found in notices), *configs]:
        vendors, purposes = listed(values)
        ids |= vendors | purposes
    for vendor in org.vendors:
        if vendor["id"] in ids and not vendor.get("deprecated"):
            for basis in _API_LEGAL_BASES:
                ids.update(vendor.get(basis) or [])
            for storage in vendor.get("storages") or []:
                ids.update(storage.get("purposes_id") or [])
    return ids


def plan_objects(
    org: Organization, namer: Namer, used: set[str] | None = None
) -> tuple[list[ObjectPlan], dict[str, Atom], list[str]]:
    """The custom purposes, then vendors, to declare (all, or those whose id is in `used`),
    sorted by name; the references to them by id; `Name (id): reason` of those left out."""
    objects: list[ObjectPlan] = []
    refs: dict[str, Atom] = {}
    left_out: list[str] = []
    purposes = sorted(org.purposes, key=lambda p: (text_of(p.get("description")), p["id"]))
    for found in purposes:
        if used is not None and found["id"] not in used:
            continue
        base, var = namer.pick(text_of(found.get("description")), "purpose")
        objects.append(ObjectPlan("Purpose", found, base, var, purpose_values(found)))
        refs[str(found["id"])] = Atom(f"{var}.id")
    for found in sorted(org.vendors, key=lambda v: (str(v.get("name")).lower(), v["id"])):
        if used is not None and found["id"] not in used:
            continue
        if found.get("deprecated"):
            left_out.append(f"{describe(found)}: deprecated vendor (declaring it would restore it)")
            continue
        base, var = namer.pick(str(found.get("name") or ""), "vendor")
        values = with_refs(vendor_values(found), refs)
        objects.append(ObjectPlan("Vendor", found, base, var, values))
        refs[str(found["id"])] = Atom(f"{var}.id")
    return objects, refs, left_out
