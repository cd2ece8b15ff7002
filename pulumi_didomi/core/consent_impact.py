"""What a change does to consent already collected (no `pulumi` import): the warnings a preview
prints when a publication adds or removes vendors or purposes of a notice, when a vendor's legal
bases change (naming the notices whose draft lists it: the one read here, `notices_of_vendor`),
when a vendor or purpose is replaced by a new one, or when a vendor will be deleted rather than
deprecated.

What Didomi documents (README "Consent impact in the preview"):
- the web SDK shows the notice again, to users who already chose, when a new vendor is added to
  it, except to those who chose within the "window for recollecting consent"
  (`daysBeforeShowingAgain`; 0 by default in the SDK, 30 days for notices made in the console);
  during that window their consent status is partial (developers.didomi.io, web SDK, notice
  "Behavior");
- Didomi gives a notice's vendors and purposes numeric ids when the notice is published, and
  the Didomi consent string stores those (developers.didomi.io, "Purposes & Vendors Numerical
  IDs"): an object replaced by a new one (a new id) is, for consent already collected, another
  vendor or purpose.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from pulumi_didomi.client.errors import DidomiError, redact
from pulumi_didomi.core.drafts import BOOK
from pulumi_didomi.core.values import draft_json, has_unknown

if TYPE_CHECKING:
    from pulumi_didomi.core.resource import Context

_PENDING = "(an id not known yet: created in this run)"


def _configs(values: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """The notice's `config` objects: its own and each regulation configuration's."""
    config = values.get("config")
    if isinstance(config, Mapping):
        yield config
    for item in values.get("regulation_configurations") or []:
        if isinstance(item, Mapping) and isinstance(item.get("config"), Mapping):
            yield item["config"]


def _ids(value: Any) -> list[str]:
    if has_unknown(value) and not isinstance(value, list):
        return [_PENDING]
    if not isinstance(value, list):
        return []
    return [v if isinstance(v, str) and not has_unknown(v) else _PENDING for v in value]


def listed(values: Mapping[str, Any] | None) -> tuple[set[str], set[str]]:
    """The vendors (custom and IAB `include` lists) and purposes (`essentialPurposes`, the
    preferences categories' `purposeId`) a notice's managed values name."""
    vendors: set[str] = set()
    purposes: set[str] = set()
    for config in _configs(values or {}):
        app = config.get("app")
        if isinstance(app, Mapping):
            found = app.get("vendors")
            if isinstance(found, Mapping):
                vendors.update(_ids(found.get("include")))
                iab = found.get("iab")
                if isinstance(iab, Mapping):
                    vendors.update(_ids(iab.get("include")))
            purposes.update(_ids(app.get("essentialPurposes")))
        preferences = config.get("preferences")
        categories = preferences.get("categories") if isinstance(preferences, Mapping) else None
        for category in categories if isinstance(categories, list) else []:
            children = category.get("children") if isinstance(category, Mapping) else None
            for child in children if isinstance(children, list) else []:
                if isinstance(child, Mapping) and child.get("purposeId") is not None:
                    purposes.update(_ids([child["purposeId"]]))
    return vendors, purposes


def _names(ids: set[str]) -> str:
    return ", ".join(sorted(ids))


def publication_impact(
    notice_id: Any, before: Mapping[str, Any] | None, after: Mapping[str, Any] | None
) -> list[str]:
    """Warnings for a new publication of a notice whose managed values go from `before` (what
    the stack published) to `after`."""
    if not isinstance(before, Mapping) or not isinstance(after, Mapping):
        return []
    old_vendors, old_purposes = listed(before)
    new_vendors, new_purposes = listed(after)
    notice = f"notice {notice_id}" if isinstance(notice_id, str) else "the notice"
    out = []
    added = new_vendors - old_vendors
    if added:
        out.append(
            f"consent impact: {notice} is published with vendors added ({_names(added)}): "
            "Didomi's SDK shows the notice again to users who already chose, except to those "
            "who chose within its window for recollecting consent (daysBeforeShowingAgain), "
            "whose consent stays partial until the window ends"
        )
    removed = old_vendors - new_vendors
    if removed:
        out.append(
            f"consent impact: {notice} is published with vendors removed ({_names(removed)}): "
            "it no longer asks consent for them; users' stored consent still names them by "
            "their numeric ids"
        )
    for what, ids in (
        ("added", new_purposes - old_purposes),
        ("removed", old_purposes - new_purposes),
    ):
        if ids:
            out.append(
                f"consent impact: {notice} is published with purposes {what} ({_names(ids)}): "
                "the choices users see change"
            )
    return out


#: A vendor's legal bases: the program's name, what it means.
_BASES = (
    ("default_purposes", "consent"),
    ("legitimate_interest_purposes", "legitimate interest"),
    ("spi_purposes", "sensitive personal information"),
)


def legal_basis_moves(olds: Mapping[str, Any], news: Mapping[str, Any]) -> list[str]:
    """How a vendor's purposes move between legal bases (`consent - p`, `legitimate interest +
    p`): none when the program does not set them, or sets values not known yet."""
    moves = []
    for name, basis in _BASES:
        if name not in news or has_unknown(news.get(name)):
            continue
        before, after = set(_ids(olds.get(name))), set(_ids(news.get(name)))
        if after - before:
            moves.append(f"{basis} + {_names(after - before)}")
        if before - after:
            moves.append(f"{basis} - {_names(before - after)}")
    return moves


def notices_listing(vendor_id: str, drafts: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The notices (ids, sorted) whose values (`drafts`: by notice id) list the vendor."""
    return sorted(n for n, values in drafts.items() if vendor_id in listed(values)[0])


def notices_of_vendor(ctx: Context, vendor_id: str, org: Any) -> tuple[list[str] | None, str]:
    """The notices whose draft lists the vendor, from the run's one listing of the
    organization's drafts (`drafts.BOOK`); None and why when they cannot be read (the preview
    goes on without them)."""
    organization = org if isinstance(org, str) else None
    if ctx.settings.missing(organization):
        return None, "no Didomi settings to read them with"
    try:
        api, org_id = ctx.client(organization)
        found = BOOK.drafts(api, org_id)
    except DidomiError as exc:
        return None, redact(str(exc))
    return notices_listing(vendor_id, {n: draft_json(d) for n, d in found.items()}), ""


def legal_basis_impact(
    vendor: str,
    olds: Mapping[str, Any],
    news: Mapping[str, Any],
    notices: list[str] | None = None,
    unread: str = "",
) -> list[str]:
    """A warning when a vendor's purposes move between legal bases, or are added or removed,
    naming the `notices` that list it (None: not read, `unread` says why)."""
    moves = legal_basis_moves(olds, news)
    if not moves:
        return []
    change = f"consent impact: vendor {vendor}'s legal bases change ({'; '.join(moves)}): "
    if notices == []:
        return [
            change + "no notice's draft lists it, so no notice asks consent for it on these "
            "legal bases until one lists it and is published"
        ]
    if notices is None:
        which = "the notices listing it" + (f" (not read: {unread})" if unread else "")
    else:
        which = f"the notices listing it in their draft ({_names(set(notices))})"
    return [
        change + f"{which} ask for, and apply, consent accordingly at their next publication; "
        "consent users already gave was given for the old legal bases"
    ]


def deletion_impact(kind: str, name: str, id_: Any, when: str) -> list[str]:
    """A warning that a vendor or purpose is deleted from Didomi (`when`: on what)."""
    known = f" ({id_})" if isinstance(id_, str) and id_ else ""
    return [
        f"consent impact: {kind} {name}{known} is deleted from Didomi {when} "
        "(delete_on_destroy): consent already collected for it is orphaned (it names an id "
        "Didomi no longer knows); without delete_on_destroy it would be deprecated and kept"
    ]


def replacement_impact(kind: str, id_: str, replaces: list[str]) -> list[str]:
    """A warning when a vendor or purpose is replaced by a new object (a new id)."""
    if not replaces:
        return []
    return [
        f"consent impact: {kind} {id_} is replaced by a new one ({', '.join(replaces)} changed): "
        "the new one gets a new id, and a new numeric id at the next publication of the "
        "notices listing it; consent collected for the old one does not apply to it"
    ]
