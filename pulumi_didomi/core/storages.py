"""A vendor's storage disclosures (no `pulumi` import): the cookies and other items a custom
vendor says it keeps on users' devices (Didomi's `/metadata/partners-storages`), declared as the
`storages` list of a `Vendor`.

The program's list is the vendor's: storages are matched by type, identifier and domain
(`storage_key`); one the program adds is created, one whose keys differ is updated, one on
Didomi the program does not list is deleted; a program that does not set `storages` leaves them
alone. Storages are read from one bulk listing of the organization's per run
(`metadata.storages`), kept current by the run's own writes. Didomi spells a storage's purposes
`purposes_id`; the program, `purposes`.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pulumi_didomi.core import metadata
from pulumi_didomi.core.metadata import UNITS, Problem
from pulumi_didomi.core.properties import PACKAGE, ObjectType, Prop
from pulumi_didomi.core.values import has_unknown, normalize

if TYPE_CHECKING:
    from pulumi_didomi.client import DidomiClient

TYPES = ("cookie", "web_storage", "app_storage")
TOKEN = f"{PACKAGE}:index:VendorStorage"
KEYS = ("type", "identifier", "domain", "max_age", "max_age_unit", "purposes")

VENDOR_STORAGE = ObjectType(
    TOKEN,
    "A storage the vendor uses on users' devices (Didomi's `/metadata/partners-storages`).",
    (
        Prop(
            "type",
            "string",
            "What is stored: one of " + ", ".join(TYPES) + ".",
            required=True,
            enum=TYPES,
            enum_name="StorageType",
        ),
        Prop("identifier", "string", "The name of the cookie or storage item.", required=True),
        Prop("domain", "string", "The domain it is set on (required for cookies and web storage)."),
        Prop("max_age", "number", "How long it stays on the device (required for cookies)."),
        Prop(
            "max_age_unit",
            "string",
            "The unit of `maxAge`: one of " + ", ".join(UNITS) + " (default months).",
            enum=UNITS,
            enum_name="DurationUnit",
        ),
        Prop("purposes", "array", "The ids of the purposes it is used for.", items="string"),
    ),
)

# -- a storage as the program writes it, and as Didomi holds it --------------------------------


def storage_item(found: Mapping[str, Any]) -> dict[str, Any]:
    """A storage as the program writes it (from Didomi's)."""
    item = {k: found.get(k) for k in KEYS if k != "purposes"}
    item["purposes"] = found.get("purposes_id")
    return {k: v for k, v in item.items() if v is not None}


def storage_key(item: Mapping[str, Any]) -> tuple[str, str, str]:
    """What identifies a storage of a vendor: its type, identifier and domain."""
    return (str(item.get("type")), str(item.get("identifier")), str(item.get("domain") or ""))


def _body(item: Mapping[str, Any]) -> dict[str, Any]:
    """The program's storage as Didomi takes it."""
    body = {k: v for k, v in item.items() if k != "purposes" and v is not None}
    if item.get("purposes") is not None:
        body["purposes_id"] = list(item["purposes"])
    return body


def _differs(there: Mapping[str, Any], item: Mapping[str, Any]) -> bool:
    """Whether a storage on Didomi (as the program writes it) differs from the program's in a
    key the program sets."""
    return any(normalize(there.get(k)) != normalize(v) for k, v in item.items() if v is not None)


# -- checks -------------------------------------------------------------------------------------


def problems(storages: Any) -> list[Problem]:
    """The problems of a vendor's `storages` (values not known yet skipped), each named by
    its place in the list (`storages[1].domain`)."""
    if not isinstance(storages, list):
        return []
    found: list[Problem] = []
    seen: dict[tuple[str, str, str], int] = {}
    for index, item in enumerate(storages):
        where = f"storages[{index}]"
        if has_unknown(item):
            continue
        if not isinstance(item, Mapping):
            found.append(("storages", f"{where}: must be a map (type, identifier, ...)"))
            continue
        found += [("storages", reason) for reason in _item_problems(where, item)]
        key = storage_key(item)
        if key in seen:
            found.append(("storages", f"{where}: the same storage as storages[{seen[key]}]"))
        seen[key] = index
    return found


def _item_problems(where: str, item: Mapping[str, Any]) -> list[str]:
    out = []
    for key in item:
        if key not in KEYS:
            close = difflib.get_close_matches(str(key), KEYS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            out.append(f"{where}.{key}: unknown key{hint}")
    kind = item.get("type")
    if kind not in TYPES and not has_unknown(kind):
        out.append(f"{where}.type: must be one of {', '.join(TYPES)}, got {kind!r}")
    identifier = item.get("identifier")
    if not has_unknown(identifier) and (not isinstance(identifier, str) or not identifier.strip()):
        out.append(f"{where}.identifier: required: the cookie or item name")
    if kind in ("cookie", "web_storage") and not item.get("domain"):
        out.append(f"{where}.domain: required for a {kind} storage")
    max_age = item.get("max_age")
    if kind == "cookie" and max_age is None:
        out.append(f"{where}.max_age: required for a cookie")
    elif (
        max_age is not None
        and not has_unknown(max_age)
        and (isinstance(max_age, bool) or not isinstance(max_age, (int, float)) or max_age <= 0)
    ):
        out.append(f"{where}.max_age: must be a positive number, got {max_age!r}")
    unit = item.get("max_age_unit")
    if unit is not None and unit not in UNITS and not has_unknown(unit):
        out.append(f"{where}.max_age_unit: must be one of {', '.join(UNITS)}")
    listed = item.get("purposes")
    if (
        listed is not None
        and not has_unknown(listed)
        and (not isinstance(listed, list) or not all(isinstance(p, str) for p in listed))
    ):
        out.append(f"{where}.purposes: must be a list of purpose ids")
    return out


def new_purposes(storages: Any, before: Any) -> list[tuple[str, str, str]]:
    """The purposes `storages` name that no storage of `before` (what the stack applied)
    named, as `(field, place, id)` (values not known yet skipped): those to look up."""
    applied = {
        p
        for s in (before if isinstance(before, list) else [])
        if isinstance(s, Mapping)
        for p in s.get("purposes") or []
    }
    return [
        ("storages", f"storages[{index}].purposes[{j}]", p)
        for index, item in enumerate(storages if isinstance(storages, list) else [])
        if isinstance(item, Mapping)
        for j, p in enumerate(metadata.known(item.get("purposes")))
        if p not in applied
    ]


# -- the API calls ------------------------------------------------------------------------------


def of_vendor(api: DidomiClient, org: str, vendor_id: str) -> list[dict[str, Any]]:
    """The vendor's storages on Didomi (Didomi's spelling), from the run's listing."""
    listed = metadata.storages(api, org).values()
    return [s for s in listed if s.get("partner_id") == vendor_id]


def sync(
    api: DidomiClient,
    org: str,
    vendor_id: str,
    desired: Any,
    current: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """Bring the vendor's storages from `current` (Didomi's) to `desired` (None: leave them): a
    POST per new one, a PATCH per changed one, a DELETE per one the program no longer lists.
    The storages as the program writes them."""
    if not isinstance(desired, list):
        return [storage_item(s) for s in current]
    by_key = {storage_key(storage_item(s)): s for s in current}
    out = []
    for item in desired:
        body = _body(item)
        there = by_key.pop(storage_key(item), None)
        if there is None:
            saved = api.create_vendor_storage(vendor_id, body, org).model_dump(mode="json")
        elif _differs(storage_item(there), item):
            saved = api.update_vendor_storage(there["id"], body, org).model_dump(mode="json")
        else:
            saved = there
        metadata.remember("storages", api, org, saved, saved["id"])
        out.append(storage_item(saved))
    for gone in by_key.values():
        api.delete_vendor_storage(gone["id"], org)
        metadata.remember("storages", api, org, None, gone["id"])
    return out


def shaped(found: list[Any], wanted: list[Any]) -> list[Any]:
    """The storages on Didomi (`found`, as the program writes them) as the program lists them
    (`wanted`): in its order (matched by key), each with the keys it sets; the others after
    them, whole (drift)."""
    mine = {storage_key(s): s for s in wanted if isinstance(s, Mapping)}
    order = {key: i for i, key in enumerate(mine)}
    out = []
    for item in found:
        given = mine.get(storage_key(item))
        out.append({k: v for k, v in item.items() if given is None or k in given})
    return sorted(out, key=lambda s: order.get(storage_key(s), len(order)))
