"""The lifecycle of a custom vendor (no `pulumi` import): a third party the organization works
with (Didomi's "partner", `/metadata/partners`), its legal bases as lists of purpose ids and the
storages it discloses, created from code, updated in place, **deprecated** when it leaves the
stack (Didomi: a deprecated vendor "cannot be added to privacy centers or consent notices but is
not removed", so as not to break what already uses it), or deleted with `delete_on_destroy`.

Its storage disclosures (the nested list `storages`) are `pulumi_didomi.core.storages`'s.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pulumi_didomi.client.errors import ConfigurationError, ForbiddenError, NotFoundError
from pulumi_didomi.core import consent_impact, metadata, storages
from pulumi_didomi.core.metadata import UNITS
from pulumi_didomi.core.objects import ArchivableObject, adopt_prop, name_prop, organization_prop
from pulumi_didomi.core.properties import Description, Prop
from pulumi_didomi.core.resource import Context, Problem
from pulumi_didomi.core.storages import VENDOR_STORAGE
from pulumi_didomi.core.values import has_unknown

if TYPE_CHECKING:
    from pulumi_didomi.client import DidomiClient

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
            items=f"#/types/{storages.TOKEN}",
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


_COUNTRY = re.compile(r"^[A-Z]{2}$")


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
        problems += storages.problems(known("storages"))
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
        named += storages.new_purposes(inputs.get("storages"), olds.get("storages"))
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

    def impact(
        self, ctx: Context, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> list[str]:
        """A replacement (a new id); purposes moving between legal bases, naming the notices
        whose draft lists the vendor (read only then: one listing of the organization's drafts
        per run); a deletion `delete_on_destroy` asks for."""
        name = str(olds.get("name") or news.get("name") or "")
        replaces = self.diff(olds, news)[1]
        if replaces:
            return [
                *consent_impact.replacement_impact("vendor", name, replaces),
                *(
                    consent_impact.deletion_impact("vendor", name, id_, "as it is replaced")
                    if olds.get("delete_on_destroy")
                    else []
                ),
            ]
        out = []
        if consent_impact.legal_basis_moves(olds, news):
            notices, unread = consent_impact.notices_of_vendor(
                ctx, id_, news.get("organization_id")
            )
            out += consent_impact.legal_basis_impact(name, olds, news, notices, unread)
        if news.get("delete_on_destroy") is True and not olds.get("delete_on_destroy"):
            out += consent_impact.deletion_impact("vendor", name, id_, "when it leaves the stack")
        return out

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
        out["storages"] = [storages.storage_item(s) for s in storages.of_vendor(api, org, id_)]
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
            written = storages.sync(api, org, made["id"], fields.get("storages"), [])
        except Exception:  # nothing half made: the vendor goes with its storages
            api.delete_vendor(made["id"], org)
            metadata.remember("vendors", api, org, None, made["id"])
            raise
        return {**from_api(made), "storages": written}

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
        current = storages.of_vendor(api, org, id_)
        return {
            **from_api(found),
            "storages": storages.sync(api, org, id_, fields["storages"], current),
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
            out["storages"] = storages.shaped(out["storages"], props["storages"])
        return out
