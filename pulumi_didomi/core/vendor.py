"""The lifecycle of a custom vendor (no `pulumi` import): a third party the organization works
with (Didomi's "partner", `/metadata/partners`), its legal bases as lists of purpose ids and the
storages it discloses (`/metadata/partners-storages`), created from code, updated in place,
**deprecated** when it leaves the stack (Didomi: a deprecated vendor "cannot be added to privacy
centers or consent notices but is not removed", so as not to break what already uses it), or
deleted with `delete_on_destroy`.

Storage disclosures are a nested list (`storages`), matched by type, identifier and domain:
the program's list is the vendor's (storages on Didomi it does not list are deleted; a program
that does not set `storages` leaves them alone).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pulumi_didomi.client.errors import ConfigurationError, ForbiddenError, NotFoundError
from pulumi_didomi.core import consent_impact, metadata
from pulumi_didomi.core.objects import ArchivableObject, adopt_prop, name_prop, organization_prop
from pulumi_didomi.core.properties import PACKAGE, Description, ObjectType, Prop
from pulumi_didomi.core.resource import Context, Problem
from pulumi_didomi.core.values import has_unknown, normalize

if TYPE_CHECKING:
    from pulumi_didomi.client import DidomiClient

UNITS = ("months", "days", "seconds")
STORAGE_TYPES = ("cookie", "web_storage", "app_storage")
#: A vendor's ids in other lists (Didomi's `namespaces`).
NAMESPACES = ("iab", "iab2", "didomi", "custom", "google")
#: The legal bases: program name, Didomi's name, what it means.
LEGAL_BASES = (
    ("default_purposes", "default_purposes_id", "consent"),
    ("legitimate_interest_purposes", "legitimate_interest_purposes_id", "legitimate interest"),
    ("spi_purposes", "spi_purposes_id", "sensitive personal information"),
)
#: Program names Didomi spells otherwise (storages: `purposes` is `purposes_id`).
API_NAMES = {name: api for name, api, _ in LEGAL_BASES}

STORAGE_TYPE = f"{PACKAGE}:index:VendorStorage"
STORAGE_KEYS = ("type", "identifier", "domain", "max_age", "max_age_unit", "purposes")

VENDOR_STORAGE = ObjectType(
    STORAGE_TYPE,
    "A storage the vendor uses on users' devices (Didomi's `/metadata/partners-storages`).",
    (
        Prop(
            "type",
            "string",
            "What is stored: one of " + ", ".join(STORAGE_TYPES) + ".",
            required=True,
            enum=STORAGE_TYPES,
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


def _text(name: str, doc: str) -> Prop:
    return Prop(name, "string", doc + " Left as it is on Didomi when unset.")


def _ids(name: str, basis: str) -> Prop:
    return Prop(
        name,
        "array",
        f"The ids of the purposes the vendor processes data for on {basis} (a `Purpose`'s id, "
        "or one of Didomi's from `getPurpose`). Left as it is on Didomi when unset.",
        items="string",
    )


VENDOR = Description(
    "Vendor",
    "A custom vendor of the organization (Didomi's data manager): a third party the "
    "organization works with, its legal bases as lists of purpose ids and the storages it "
    "discloses. List it in a notice by id in the notice's `config` (`app.vendors.include`). "
    "When the resource leaves the stack the vendor is deprecated (it can no longer be added to "
    "notices, and stays for the notices and consent that already name it), unless "
    "`deleteOnDestroy` is set; a vendor deprecated elsewhere is restored by the next update. "
    "Adopt an existing vendor with `pulumi import` (the provider plugin) or `adoptId`. "
    "Didomi's global vendors (IAB and others) are read with `getVendor`, never managed.",
    (
        name_prop("vendor"),
        Prop(
            "category_id",
            "string",
            "The vendor's category: the id of one of Didomi's vendor categories "
            "(`/metadata/partners-categories`, e.g. `analytics`, `advertising`).",
            required=True,
            rule="nonempty",
        ),
        _text("website", "The vendor's privacy policy or website (an http(s) URL)."),
        _text("website_optout", "Where users opt out of the vendor (an http(s) URL)."),
        _text("contact", "How to contact the vendor."),
        _text("country", "Where the vendor is (ISO 3166-1 alpha-2 code, e.g. `FR`)."),
        _text("notes", "Free-form notes on the vendor."),
        Prop("tags", "array", "Extra classification of the vendor.", items="string"),
        Prop(
            "hosts",
            "array",
            "The host names the vendor's trackers come from (`cdn.tracker.example`), for "
            "Didomi's compliance reports.",
            items="string",
        ),
        Prop(
            "url_patterns",
            "array",
            "Regular expressions of the URLs that identify the vendor.",
            items="string",
        ),
        *(_ids(name, basis) for name, _, basis in LEGAL_BASES),
        Prop(
            "cookie_max_duration",
            "number",
            "The longest time the vendor's cookies stay (with `cookieMaxDurationUnit`).",
            rule="positive",
        ),
        Prop(
            "cookie_max_duration_unit",
            "string",
            "The unit of `cookieMaxDuration`: one of " + ", ".join(UNITS) + ".",
            enum=UNITS,
            enum_name="DurationUnit",
        ),
        Prop(
            "uses_non_cookie_access",
            "boolean",
            "Whether the vendor uses other means of storage than cookies.",
        ),
        Prop(
            "namespaces",
            "object",
            "The vendor's ids in other lists, by namespace (" + ", ".join(NAMESPACES) + "), "
            "managed key by key.",
        ),
        Prop(
            "storages",
            "array",
            "The storages the vendor uses on users' devices, matched by type, identifier and "
            "domain: the program's list is the vendor's (others on Didomi are deleted); left as "
            "they are on Didomi when unset.",
            items=f"#/types/{STORAGE_TYPE}",
        ),
        organization_prop(),
        Prop(
            "delete_on_destroy",
            "boolean",
            "Delete the vendor for good when it leaves the stack instead of deprecating it "
            "(consent already collected for it keeps naming an id Didomi no longer knows). "
            "Default false.",
            default=False,
        ),
        adopt_prop("vendor"),
        Prop("deprecated", "boolean", "Whether the vendor is deprecated on Didomi.", input=False),
        Prop("created_at", "string", "When Didomi created the vendor.", input=False),
        Prop("updated_at", "string", "When the vendor was last updated.", input=False),
    ),
    id_doc="the vendor id (what notices list it by)",
    types=(VENDOR_STORAGE,),
    positional=("name",),
)

# -- names: the program's and Didomi's ------------------------------------------------------------


def to_api(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Program names to Didomi's (storages are written apart)."""
    return {API_NAMES.get(k, k): v for k, v in fields.items() if k != "storages"}


def from_api(found: Mapping[str, Any]) -> dict[str, Any]:
    """Didomi's names to the program's."""
    back = {v: k for k, v in API_NAMES.items()}
    return {back.get(k, k): v for k, v in found.items() if v is not None}


def storage_item(found: Mapping[str, Any]) -> dict[str, Any]:
    """A storage as the program writes it."""
    item = {k: found.get(k) for k in STORAGE_KEYS if k != "purposes"}
    item["purposes"] = found.get("purposes_id")
    return {k: v for k, v in item.items() if v is not None}


def storage_key(item: Mapping[str, Any]) -> tuple[str, str, str]:
    """What identifies a storage of a vendor: its type, identifier and domain."""
    return (str(item.get("type")), str(item.get("identifier")), str(item.get("domain") or ""))


def _storage_body(item: Mapping[str, Any]) -> dict[str, Any]:
    body = {k: v for k, v in item.items() if k != "purposes" and v is not None}
    if item.get("purposes") is not None:
        body["purposes_id"] = list(item["purposes"])
    return body


def _differs(there: Mapping[str, Any], item: Mapping[str, Any]) -> bool:
    """Whether a storage on Didomi (as the program writes it) differs from the program's in a
    key the program sets."""
    return any(normalize(there.get(k)) != normalize(v) for k, v in item.items() if v is not None)


# -- checks ---------------------------------------------------------------------------------------

_COUNTRY = re.compile(r"^[A-Z]{2}$")


def _storage_problems(storages: Any) -> list[Problem]:
    if not isinstance(storages, list):
        return []
    problems: list[Problem] = []
    seen: dict[tuple[str, str, str], int] = {}
    for index, item in enumerate(storages):
        where = f"storages[{index}]"
        if has_unknown(item):
            continue
        if not isinstance(item, Mapping):
            problems.append(("storages", f"{where}: must be a map (type, identifier, ...)"))
            continue
        for key in item:
            if key not in STORAGE_KEYS:
                close = difflib.get_close_matches(str(key), STORAGE_KEYS, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                problems.append(("storages", f"{where}.{key}: unknown key{hint}"))
        kind = item.get("type")
        if kind not in STORAGE_TYPES and not has_unknown(kind):
            problems.append(
                (
                    "storages",
                    f"{where}.type: must be one of {', '.join(STORAGE_TYPES)}, got {kind!r}",
                )
            )
        identifier = item.get("identifier")
        if not has_unknown(identifier) and (
            not isinstance(identifier, str) or not identifier.strip()
        ):
            problems.append(("storages", f"{where}.identifier: required: the cookie or item name"))
        if kind in ("cookie", "web_storage") and not item.get("domain"):
            problems.append(("storages", f"{where}.domain: required for a {kind} storage"))
        max_age = item.get("max_age")
        if kind == "cookie" and max_age is None:
            problems.append(("storages", f"{where}.max_age: required for a cookie"))
        elif (
            max_age is not None
            and not has_unknown(max_age)
            and (isinstance(max_age, bool) or not isinstance(max_age, (int, float)) or max_age <= 0)
        ):
            problems.append(
                ("storages", f"{where}.max_age: must be a positive number, got {max_age!r}")
            )
        unit = item.get("max_age_unit")
        if unit is not None and unit not in UNITS and not has_unknown(unit):
            problems.append(
                ("storages", f"{where}.max_age_unit: must be one of {', '.join(UNITS)}")
            )
        listed = item.get("purposes")
        if (
            listed is not None
            and not has_unknown(listed)
            and (not isinstance(listed, list) or not all(isinstance(p, str) for p in listed))
        ):
            problems.append(("storages", f"{where}.purposes: must be a list of purpose ids"))
        key = storage_key(item)
        if key in seen:
            problems.append(("storages", f"{where}: the same storage as storages[{seen[key]}]"))
        seen[key] = index
    return problems


class Vendor(ArchivableObject):
    """A custom vendor: created (or adopted), updated in place, deprecated (or deleted) when
    it leaves the stack."""

    description = VENDOR
    fields = tuple(
        p.name
        for p in VENDOR.inputs
        if p.name not in ("organization_id", "delete_on_destroy", "adopt_id")
    )
    keyed = ("namespaces",)
    archived = "deprecated"
    live = False
    archived_word = "deprecated"
    kept = " (it can no longer be added to notices; the notices and consent that name it keep it)"

    # -- before any call ---------------------------------------------------------------------

    def check(self, inputs: Mapping[str, Any]) -> list[Problem]:
        """The description's rules, URLs, country, hosts, URL patterns (regular expressions),
        legal bases, storages and namespaces."""
        problems = super().check(inputs)

        def known(name: str) -> Any:
            value = inputs.get(name)
            return None if has_unknown(value) else value

        for name in ("website", "website_optout"):
            if known(name) is not None and (reason := metadata.url_problem(known(name))):
                problems.append((name, reason))
        country = known("country")
        if isinstance(country, str) and not _COUNTRY.match(country):
            problems.append(
                ("country", f"must be a two-letter country code such as 'FR', got {country!r}")
            )
        for name, rule in (
            ("hosts", metadata.host_problem),
            ("url_patterns", metadata.pattern_problem),
        ):
            for index, value in enumerate(known(name) or []):
                if not has_unknown(value) and (reason := rule(value)):
                    problems.append((name, f"{name}[{index}]: {reason}"))
        if (
            known("cookie_max_duration") is not None
            and inputs.get("cookie_max_duration_unit") is None
        ):
            problems.append(
                (
                    "cookie_max_duration_unit",
                    "required with cookie_max_duration: one of " + ", ".join(UNITS),
                )
            )
        consent = set(metadata.known(inputs.get("default_purposes")))
        both = sorted(consent & set(metadata.known(inputs.get("legitimate_interest_purposes"))))
        if both:
            problems.append(
                (
                    "legitimate_interest_purposes",
                    f"{', '.join(both)}: a purpose has one legal basis, and these are in "
                    "default_purposes (consent) too; keep each in one list",
                )
            )
        problems += _storage_problems(known("storages"))
        problems += metadata.keys_problems("namespaces", inputs.get("namespaces"), NAMESPACES)
        return problems

    def check_remote(
        self, ctx: Context, inputs: Mapping[str, Any], olds: Mapping[str, Any]
    ) -> list[Problem]:
        """The category and the purposes the vendor names exist; an adopted vendor is one of
        the organization's (reads only; what the stack applied is not read again)."""
        api, org = ctx.client(inputs.get("organization_id"))
        problems: list[Problem] = []
        category = inputs.get("category_id")
        if (
            isinstance(category, str)
            and not has_unknown(category)
            and category != olds.get("category_id")
        ):
            listed = metadata.categories(api)
            if category not in listed:
                close = difflib.get_close_matches(category, list(listed), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                problems.append(
                    (
                        "category_id",
                        f"unknown category {category!r}{hint}; Didomi's categories: "
                        + ", ".join(sorted(listed)),
                    )
                )
        named: list[tuple[str, str, str]] = []
        for name, _, _ in LEGAL_BASES:
            before = set(olds.get(name) or [])
            named += [
                (name, f"{name}[{i}]", p)
                for i, p in enumerate(inputs.get(name) or [])
                if isinstance(p, str) and not has_unknown(p) and p not in before
            ]
        before_storages = {
            p
            for s in olds.get("storages") or []
            if isinstance(s, Mapping)
            for p in s.get("purposes") or []
        }
        for index, item in enumerate(inputs.get("storages") or []):
            if isinstance(item, Mapping):
                for j, p in enumerate(metadata.known(item.get("purposes"))):
                    if p not in before_storages:
                        named.append(("storages", f"storages[{index}].purposes[{j}]", p))
        if named:
            missing = set(
                metadata.unknown_ids(
                    [p for _, _, p in named], lambda fresh: metadata.purposes(api, org, fresh)
                )
            )
            for field, where, purpose in named:
                if purpose in missing:
                    problems.append(
                        (
                            field,
                            f"{where}: no purpose {purpose!r} in organization {org} (a "
                            "Purpose's id, or one of Didomi's from get_purpose)",
                        )
                    )
        adopt = inputs.get("adopt_id")
        if isinstance(adopt, str) and not has_unknown(adopt) and adopt != olds.get("adopt_id"):
            try:
                self.adoptable(api, adopt, org)
            except ConfigurationError as exc:
                problems.append(("adopt_id", str(exc)))
        return problems

    def impact(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> list[str]:
        """Purposes moving between legal bases; a replacement (a new id)."""
        name = str(olds.get("name") or news.get("name") or "")
        replaces = self.diff(olds, news)[1]
        return [
            *consent_impact.replacement_impact("vendor", name, replaces),
            *([] if replaces else consent_impact.legal_basis_impact(name, olds, news)),
        ]

    # -- the API calls ---------------------------------------------------------------------------

    def get(
        self, api: DidomiClient, id_: str, org: str, imported: bool = False
    ) -> dict[str, Any] | None:
        found = metadata.vendors(api, org).get(id_)
        if found is None:
            try:
                found = api.get_vendor(id_, org).model_dump(mode="json")
            except (NotFoundError, ForbiddenError):
                return None
        if found.get("organization_id") != org:
            return None  # Didomi's global vendors, another organization's: not this stack's
        out = from_api(found)
        out["storages"] = [storage_item(s) for s in self._storages(api, org, id_)]
        return out

    def adoptable(self, api: DidomiClient, id_: str, org: str) -> dict[str, Any]:
        found = self.get(api, id_, org)
        if found is None:
            raise ConfigurationError(
                f"vendor {id_} is not a custom vendor of organization {org} (Didomi's global "
                "vendors are read with get_vendor, never managed): check adopt_id and "
                "organization_id"
            )
        return found

    def make(
        self, api: DidomiClient, org: str, name: Any, fields: dict[str, Any]
    ) -> dict[str, Any]:
        made = api.create_vendor(to_api({"name": name, **fields}), org).model_dump(mode="json")
        metadata.remember("vendors", api, org, made, made["id"])
        try:
            storages = self._sync(api, org, made["id"], fields.get("storages"), [])
        except Exception:  # nothing half made: the vendor goes with its storages
            api.delete_vendor(made["id"], org)
            metadata.remember("vendors", api, org, None, made["id"])
            raise
        return {**from_api(made), "storages": storages}

    def patch(
        self, api: DidomiClient, id_: str, org: str, fields: dict[str, Any]
    ) -> dict[str, Any]:
        written = to_api(fields)
        if written:
            found = api.update_vendor(id_, written, org).model_dump(mode="json")
            metadata.remember("vendors", api, org, found, id_)
        else:
            found = metadata.vendors(api, org).get(id_) or api.get_vendor(id_, org).model_dump(
                mode="json"
            )
        if "storages" not in fields:  # not written: as the stack last read them (`projected`)
            return from_api(found)
        current = self._storages(api, org, id_)
        return {
            **from_api(found),
            "storages": self._sync(api, org, id_, fields["storages"], current),
        }

    def archive(self, ctx: Context, api: DidomiClient, id_: str, state: Mapping[str, Any]) -> None:
        """Deprecate the vendor (default) or delete it for good."""
        org = self.org_of(ctx, state)
        if state.get("delete_on_destroy"):
            api.delete_vendor(id_, org)
            metadata.remember("vendors", api, org, None, id_)
            ctx.tell(f"Vendor {id_}: deleted (consent already collected for it keeps its id)")
            return
        super().archive(ctx, api, id_, state)

    def projected(self, props: Mapping[str, Any], found: Mapping[str, Any]) -> dict[str, Any]:
        """Storages in the program's order (matched by key), each with the keys the program
        sets; the others after them, whole (drift)."""
        out = super().projected(props, found)
        if "storages" in out and "storages" not in found:  # unchanged by this update
            out["storages"] = props["storages"]
        if isinstance(out.get("storages"), list) and isinstance(props.get("storages"), list):
            wanted = {storage_key(s): s for s in props["storages"] if isinstance(s, Mapping)}
            order = {key: i for i, key in enumerate(wanted)}
            shaped = []
            for item in out["storages"]:
                mine = wanted.get(storage_key(item))
                shaped.append({k: v for k, v in item.items() if mine is None or k in mine})
            out["storages"] = sorted(shaped, key=lambda s: order.get(storage_key(s), len(order)))
        return out

    # -- storages --------------------------------------------------------------------------------

    @staticmethod
    def _storages(api: DidomiClient, org: str, vendor_id: str) -> list[dict[str, Any]]:
        listed = metadata.storages(api, org).values()
        return [s for s in listed if s.get("partner_id") == vendor_id]

    def _sync(
        self,
        api: DidomiClient,
        org: str,
        vendor_id: str,
        desired: Any,
        current: list[dict[str, Any]],
    ) -> list[dict[str, Any]]:
        """Bring the vendor's storages to `desired` (None: leave them): a POST per new one, a
        PATCH per changed one, a DELETE per one the program no longer lists. The storages as
        the program writes them."""
        if not isinstance(desired, list):
            return [storage_item(s) for s in current]
        by_key = {storage_key(storage_item(s)): s for s in current}
        out = []
        for item in desired:
            body = _storage_body(item)
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
