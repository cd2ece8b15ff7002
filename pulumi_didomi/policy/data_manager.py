"""Compliance rules of the data manager's resources: vendors and purposes, alone and as the
notices and vendor-list templates of the stack list them (no `pulumi` import).

Unlike the rules of a notice configuration (`rules.py`), these look at several resources at
once: a `NoticeDraftConfig` lists the vendors and purposes whose outputs its `config` takes
(the engine's property dependencies), a `NoticeTemplate` the vendors whose outputs its
`vendors` take (it is linked to its `notices` and to the drafts whose `templates` take it), a
`Vendor` uses the purposes whose outputs its legal bases and storages take. Values a preview
does not know are not judged. The pack makes a policy of each (`didomi-<id>`): a resource
policy for what one resource tells, a stack policy for the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .durations import DEFAULT_UNIT, UNITS, describe_duration, describe_limit, within
from .model import Level, positive_months
from .resources import DRAFTS, StackResource, _get, notice_id
from .values import is_number, is_unknown

VENDORS = frozenset({"pulumi-python:dynamic/didomi:Vendor", "didomi:index:Vendor"})
PURPOSES = frozenset({"pulumi-python:dynamic/didomi:Purpose", "didomi:index:Purpose"})
TEMPLATES = frozenset(
    {"pulumi-python:dynamic/didomi:NoticeTemplate", "didomi:index:NoticeTemplate"}
)

CNIL_GUIDELINES = "https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000042388197"
CNIL_13_MONTHS = (
    "https://www.starfox-analytics.com/en/blog-posts/exemption-de-consentement-selon-la-cnil"
)
DIDOMI_DEFAULT_13_MONTHS = (
    "https://support.didomi.io/cmp-/-what-are-the-default-conditions-under-which-a-consent-"
    "banner-is-redisplayed-to-a-user-after-they-have-made-an-initial-choice"
)
DIDOMI_PURPOSES = "https://developers.didomi.io/api-and-platform/data-manager/purposes"
DIDOMI_LEGAL_BASES = "https://support.didomi.io/create-a-vendor"
DIDOMI_CUSTOM_VENDOR = "https://docs.didomi.io/data-manager/vendors/create-custom-vendor"

#: A finding: the message and the URN of the resource it is reported on.
Finding = tuple[str, str]


@dataclass(frozen=True)
class StackRule:
    """A rule over the stack's vendors, purposes and drafts."""

    id: str
    title: str
    description: str  # with its sources' URLs
    sources: tuple[str, ...]
    source_title: str
    level: Level
    #: The findings in the stack's resources, given the policy's limit in months (if any).
    evaluate: Callable[[Sequence[StackResource], float], list[Finding]]
    #: The default of `maxMonths` (None: the rule takes no limit).
    max_months: float | None = None

    @property
    def policy(self) -> str:
        return f"didomi-{self.id}"

    def config_schema(self) -> dict[str, dict[str, Any]]:
        if self.max_months is None:
            return {}
        return {
            "maxMonths": {
                "type": "number",
                "minimum": 0,
                "default": self.max_months,
                "description": "The longest lifetime allowed, in months.",
            }
        }

    def months(self, config: Mapping[str, Any] | None = None) -> float:
        """The policy's `maxMonths` (its default when unset)."""
        config = config or {}
        unknown = sorted(set(config) - set(self.config_schema()))
        if unknown:
            raise ValueError(f"{self.policy}: unknown config key(s) {', '.join(unknown)}")
        if "maxMonths" in config:
            return positive_months(self.policy, "maxMonths", config["maxMonths"])
        return float(self.max_months or 0)

    def check(
        self, resources: Sequence[StackResource], max_months: float | None = None
    ) -> list[Finding]:
        """The findings in `resources` (`max_months`: default the rule's)."""
        return self.evaluate(resources, float(max_months or self.max_months or 0))

    def cite(self) -> str:
        return f"({self.source_title}: {self.sources[0]})"


# -- reading the resources ------------------------------------------------------------------------


def _name(resource: StackResource) -> str:
    return resource.name


#: The inputs through which a draft lists vendors and purposes (both hostings' names).
_DRAFT_LISTS = ("config", "regulation_configurations", "regulationConfigurations")


def _listed(
    draft: StackResource,
    kinds: frozenset[str],
    by_urn: Mapping[str, StackResource],
    keys: Sequence[str] = _DRAFT_LISTS,
) -> list[StackResource]:
    """The resources of `kinds` whose outputs the inputs `keys` of a resource take: what a
    notice lists in its `config` (or its regulation configurations), by default."""
    urns: list[str] = []
    for key in keys:
        urns += list(draft.property_dependencies.get(key, ()))
    return [by_urn[u] for u in dict.fromkeys(urns) if u in by_urn and by_urn[u].type in kinds]


def _uses(vendor: StackResource, by_urn: Mapping[str, StackResource]) -> list[StackResource]:
    """The purposes whose outputs a vendor's legal bases or storages take."""
    urns = [u for urns in vendor.property_dependencies.values() for u in urns]
    return [by_urn[u] for u in dict.fromkeys(urns) if u in by_urn and by_urn[u].type in PURPOSES]


def _notice(draft: StackResource) -> str:
    nid = notice_id(draft.props)
    return f"notice {nid}" if isinstance(nid, str) else f"the notice of {draft.name!r}"


# -- the rules ------------------------------------------------------------------------------------


def _durations(vendor: StackResource) -> list[tuple[str, Any, Any]]:
    """`(field, value, unit)` of the lifetimes a vendor declares."""
    props = vendor.props
    out = [
        (
            "cookie_max_duration",
            _get(props, "cookie_max_duration"),
            _get(props, "cookie_max_duration_unit"),
        )
    ]
    storages = _get(props, "storages")
    for index, item in enumerate(storages if isinstance(storages, list) else []):
        if isinstance(item, Mapping):
            unit = _get(item, "max_age_unit")
            out.append((f"storages[{index}].max_age", _get(item, "max_age"), unit))
    return out


def _cookie_lifetime(resources: Sequence[StackResource], max_months: float) -> list[Finding]:
    out = []
    for vendor in (r for r in resources if r.type in VENDORS):
        for field, value, unit in _durations(vendor):
            if not is_number(value) or is_unknown(unit):
                continue
            unit = unit if unit in UNITS else DEFAULT_UNIT
            if within(float(value), unit, max_months):
                continue
            out.append(
                (
                    f"vendor {vendor.name!r}: {field} is {describe_duration(value, unit)}; must be "
                    f"at most {describe_limit(max_months)} {VENDOR_COOKIE_LIFETIME.cite()}",
                    vendor.urn,
                )
            )
    return out


def _languages(draft: StackResource) -> list[str]:
    config = _get(draft.props, "config")
    languages = config.get("languages") if isinstance(config, Mapping) else None
    enabled = languages.get("enabled") if isinstance(languages, Mapping) else None
    return [e for e in enabled if isinstance(e, str)] if isinstance(enabled, list) else []


def _purpose_languages(resources: Sequence[StackResource], _: float) -> list[Finding]:
    by_urn = {r.urn: r for r in resources}
    out = []
    for draft in (r for r in resources if r.type in DRAFTS):
        enabled = _languages(draft)
        if not enabled:
            continue
        purposes = _listed(draft, PURPOSES, by_urn)
        for vendor in _listed(draft, VENDORS, by_urn):
            purposes += [p for p in _uses(vendor, by_urn) if p not in purposes]
        for purpose in purposes:
            for field in ("description", "details"):
                texts = _get(purpose.props, field)
                if not isinstance(texts, Mapping):
                    continue
                missing = [code for code in enabled if not texts.get(code)]
                if missing:
                    out.append(
                        (
                            f"{_notice(draft)} enables {', '.join(missing)}, and purpose "
                            f"{purpose.name!r} has no {field} in {', '.join(missing)}: add "
                            f"them {PURPOSE_LANGUAGES.cite()}",
                            purpose.urn,
                        )
                    )
    return out


_BASES = ("default_purposes", "legitimate_interest_purposes", "spi_purposes")


def _without_basis(vendor: StackResource) -> bool:
    """A vendor known to have no purpose in any of its legal bases."""
    bases = [_get(vendor.props, b) for b in _BASES]
    return not any(is_unknown(b) or (isinstance(b, list) and b) for b in bases)


def _template(template: StackResource, resources: Sequence[StackResource]) -> str:
    """`template 'eu-vendors' ('EU vendor list'; linked to notice N1, notice N2)`: its resource
    name, its `name` and the notices it is linked to, as far as they are known: those of the
    drafts whose `templates` take it, and the notice ids of its `notices`."""
    linked = [
        _notice(d)
        for d in resources
        if d.type in DRAFTS and template.urn in d.property_dependencies.get("templates", ())
    ]
    entries = _get(template.props, "notices")
    for entry in entries if isinstance(entries, list) else []:
        nid = _get(entry, "notice_id") if isinstance(entry, Mapping) else None
        if isinstance(nid, str) and f"notice {nid}" not in linked:
            linked.append(f"notice {nid}")
    name = _get(template.props, "name")
    about = [f"{name!r}"] if isinstance(name, str) else []
    if linked:
        about.append("linked to " + ", ".join(linked))
    return f"template {template.name!r}" + (f" ({'; '.join(about)})" if about else "")


def _legal_basis(resources: Sequence[StackResource], _: float) -> list[Finding]:
    by_urn = {r.urn: r for r in resources}
    listings = [(d, _notice(d), _listed(d, VENDORS, by_urn)) for d in resources if d.type in DRAFTS]
    listings += [
        (t, _template(t, resources), _listed(t, VENDORS, by_urn, ("vendors",)))
        for t in resources
        if t.type in TEMPLATES
    ]
    out = []
    for lister, who, vendors in listings:
        for vendor in (v for v in vendors if _without_basis(v)):
            out.append(
                (
                    f"{who} lists vendor {vendor.name!r}, which has no legal basis: "
                    "list its purposes in default_purposes (consent), "
                    f"legitimate_interest_purposes or spi_purposes {VENDOR_LEGAL_BASIS.cite()}",
                    lister.urn,
                )
            )
    return out


VENDOR_COOKIE_LIFETIME = StackRule(
    "vendor-cookie-lifetime",
    "A vendor's cookies live at most 13 months",
    "The CNIL's guidelines on trackers (délibération 2020-091, "
    f"{CNIL_GUIDELINES}) limit the lifetime of the trackers it exempts from consent to 13 "
    f"months, without extension on revisit ({CNIL_13_MONTHS}), and Didomi asks again after 13 "
    f"months ({DIDOMI_DEFAULT_13_MONTHS}). Checks a Vendor's `cookie_max_duration` (+ unit) and "
    "each storage's `max_age` (+ unit).",
    (CNIL_13_MONTHS, CNIL_GUIDELINES, DIDOMI_DEFAULT_13_MONTHS),
    "CNIL",
    "mandatory",
    _cookie_lifetime,
    max_months=13.0,
)

PURPOSE_LANGUAGES = StackRule(
    "purpose-languages",
    "Purposes speak every language their notices enable",
    "Users must be told why their data is processed in clear and plain language (Didomi's "
    f"data manager, {DIDOMI_PURPOSES}): a purpose shown by a notice in a language it has no "
    "text for is shown in another. Checks the `description` and `details` of the Purposes a "
    "notice lists (in its `config`, or through the Vendors it lists) against the notice's "
    "`config.languages.enabled`.",
    (DIDOMI_PURPOSES,),
    "Didomi data manager",
    "advisory",
    _purpose_languages,
)

VENDOR_LEGAL_BASIS = StackRule(
    "vendor-legal-basis",
    "A vendor a notice or a vendor-list template lists has a legal basis",
    "A vendor processes data for purposes on a legal basis: consent or legitimate interest "
    f"({DIDOMI_LEGAL_BASES}; {DIDOMI_CUSTOM_VENDOR}); a vendor listed without any asks for "
    "nothing and applies nothing. Checks the Vendors a notice lists in its `config`, and those "
    "a NoticeTemplate lists in its `vendors`, have at least one purpose in `default_purposes`, "
    "`legitimate_interest_purposes` or `spi_purposes`.",
    (DIDOMI_LEGAL_BASES, DIDOMI_CUSTOM_VENDOR),
    "Didomi: legal bases of vendors",
    "mandatory",
    _legal_basis,
)

#: The data manager's rules, by id.
STACK_RULES: dict[str, StackRule] = {
    r.id: r for r in (VENDOR_COOKIE_LIFETIME, PURPOSE_LANGUAGES, VENDOR_LEGAL_BASIS)
}
