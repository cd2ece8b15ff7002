"""What the data manager's resources and lookups share (no `pulumi` import): the organization's
vendors, purposes, vendor categories and storages as one run reads them (one bulk listing per
kind, kept current by the run's own writes), and the checks of their values.

A provider process serves one Pulumi command; its listings stand for `MAX_AGE` seconds, and an
id missing from one is looked for in a fresh listing before it is called unknown (an object
created meanwhile, by this run or another tool, is found).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pulumi_didomi.core.session import RunCache
from pulumi_didomi.core.values import has_unknown

if TYPE_CHECKING:
    from pulumi_didomi.client import DidomiClient

Problem = tuple[str, str]
Listing = dict[str, dict[str, Any]]

#: Seconds a listing stands for the organization's objects.
MAX_AGE = 30.0
#: The units of a duration (a vendor's cookies, a storage's max age).
UNITS = ("months", "days", "seconds")

_VENDORS = RunCache(ttl=MAX_AGE)
_PURPOSES = RunCache(ttl=MAX_AGE)
_STORAGES = RunCache(ttl=MAX_AGE)
_CATEGORIES = RunCache(ttl=3600.0)  # Didomi's, the same for every organization


def _listed(
    cache: RunCache, api: DidomiClient, key: Any, fetch: Callable[[], Listing], fresh: bool
) -> Listing:
    if fresh:
        cache.invalidate((id(api), key))
    listing: Listing = cache.get((id(api), key), fetch)
    return listing


def vendors(api: DidomiClient, org: str, fresh: bool = False) -> Listing:
    """Every vendor the organization sees (Didomi's global ones and its own), by id, with
    Didomi's field names: one bulk listing per run."""

    def fetch() -> Listing:
        return {v.id: v.model_dump(mode="json") for v in api.list_vendors(org)}

    return _listed(_VENDORS, api, org, fetch, fresh)


def purposes(api: DidomiClient, org: str, fresh: bool = False) -> Listing:
    """Every purpose the organization sees, by id, translatable fields as `{language: text}`."""

    def fetch() -> Listing:
        return {p.id: p.model_dump(mode="json") for p in api.list_purposes(org)}

    return _listed(_PURPOSES, api, org, fetch, fresh)


def storages(api: DidomiClient, org: str, fresh: bool = False) -> Listing:
    """Every storage the organization's vendors disclose, by id."""

    def fetch() -> Listing:
        return {s.id: s.model_dump(mode="json") for s in api.list_vendor_storages(org)}

    return _listed(_STORAGES, api, org, fetch, fresh)


def categories(api: DidomiClient) -> Listing:
    """Didomi's vendor categories, by id (read once per process)."""

    def fetch() -> Listing:
        return {c.id: c.model_dump(mode="json") for c in api.list_vendor_categories()}

    return _listed(_CATEGORIES, api, "", fetch, False)


def remember(
    kind: str, api: DidomiClient, org: str, doc: Mapping[str, Any] | None, id_: str
) -> None:
    """Keep a run's listing current after its own write (`doc` None: deleted)."""
    cache = {"vendors": _VENDORS, "purposes": _PURPOSES, "storages": _STORAGES}[kind]
    listing = cache.peek((id(api), org))
    if listing is None:
        return
    if doc is None:
        listing.pop(id_, None)
    else:
        listing[id_] = dict(doc)


def forget() -> None:
    """Forget every listing (a new run, as a new provider process starts it)."""
    for cache in (_VENDORS, _PURPOSES, _STORAGES, _CATEGORIES):
        cache.clear()


def unknown_ids(ids: list[str], listed: Callable[[bool], Listing]) -> list[str]:
    """Those of `ids` that are not in the listing, looked for again in a fresh one first."""
    missing = [i for i in ids if i not in listed(False)]
    if missing:
        fresh = listed(True)
        missing = [i for i in missing if i not in fresh]
    return missing


# -- checks of values (no call) -------------------------------------------------------------------

#: ISO 639-1 language codes: the languages a translation map may name (Didomi's translations
#: are keyed by them, with an optional region or script: `pt-BR`, `zh-Hant`).
_CODES = (
    "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs "
    "cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha "
    "he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn "
    "ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb "
    "nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd "
    "se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw "
    "ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu"
)
LANGUAGES = frozenset(_CODES.split())
_LANGUAGE = re.compile(r"^([a-z]{2})(?:[-_]([A-Z]{2}|[0-9]{3}|[A-Z][a-z]{3}))?$")


def language_problem(code: Any) -> str | None:
    """Why `code` is not a language code Didomi keys translations by (None when it is)."""
    match = _LANGUAGE.match(code) if isinstance(code, str) else None
    if match is None or match.group(1) not in LANGUAGES:
        return (
            f"{code!r} is not a language code: use an ISO 639-1 code such as 'en', 'fr', "
            "'de', optionally with a region ('pt-BR')"
        )
    return None


def translations_problems(field: str, value: Any) -> list[Problem]:
    """Problems of a translatable text: a non-empty map of language codes to non-empty texts."""
    if value is None or has_unknown(value):
        return []
    if not isinstance(value, Mapping):
        return [
            (field, f"must be a map of language code to text (e.g. {{'en': '...'}}), got {value!r}")
        ]
    if not value:
        return [
            (
                field,
                "must name at least one language (e.g. {'en': '...'}): an empty map has no text",
            )
        ]
    problems = []
    for code, text in value.items():
        reason = language_problem(code)
        if reason:
            problems.append((field, f"{field}.{code}: {reason}"))
        elif not has_unknown(text) and (not isinstance(text, str) or not text.strip()):
            problems.append((field, f"{field}.{code}: must be a non-empty text, got {text!r}"))
    return problems


def url_problem(value: Any) -> str | None:
    """Why `value` is not an http(s) URL (None when it is)."""
    if not isinstance(value, str):
        return f"must be a URL such as 'https://example.com/privacy', got {value!r}"
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"must be an http(s) URL such as 'https://example.com/privacy', got {value!r}"
    return None


def pattern_problem(value: Any) -> str | None:
    """Why `value` is not a regular expression (None when it is)."""
    if not isinstance(value, str) or not value:
        return f"must be a non-empty regular expression, got {value!r}"
    try:
        re.compile(value)
    except re.error as exc:
        return f"{value!r} is not a valid regular expression: {exc}"
    return None


def host_problem(value: Any) -> str | None:
    """Why `value` is not a host name (`tracker.example`; None when it is)."""
    if not isinstance(value, str) or not re.fullmatch(
        r"(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+", value
    ):
        return (
            f"must be a host name such as 'cdn.tracker.example' (no scheme or path), got {value!r}"
        )
    return None


def keys_problems(field: str, value: Any, allowed: tuple[str, ...]) -> list[Problem]:
    """Problems of a map whose keys are among `allowed` and whose values are strings."""
    if value is None or has_unknown(value) or not isinstance(value, Mapping):
        return []
    problems = []
    for key, item in value.items():
        if key not in allowed:
            problems.append((field, f"{field}.{key}: unknown key (allowed: {', '.join(allowed)})"))
        elif not has_unknown(item) and not isinstance(item, str):
            problems.append((field, f"{field}.{key}: must be a string, got {item!r}"))
    return problems


def text_of(value: Any) -> str:
    """A translatable text's English (else first) version."""
    if isinstance(value, Mapping):
        return str(value.get("en") or next(iter(value.values()), ""))
    return "" if value is None else str(value)


def known(values: Any) -> list[str]:
    """The ids of a list that are known already (not outputs still to come)."""
    if not isinstance(values, list):
        return []
    return [v for v in values if isinstance(v, str) and not has_unknown(v)]


def choices_problems(
    field: str, path: str, values: Any, allowed: Collection[str], what: str
) -> list[Problem]:
    """`<path>[i]: unknown <what> 'x' (one of: ...)` for each known item of a list that is not
    among `allowed` (`field`: the input the problem is reported on)."""
    return [
        (field, f"{path}[{index}]: unknown {what} {value!r} (one of: {', '.join(allowed)})")
        for index, value in enumerate(values if isinstance(values, list) else [])
        if not has_unknown(value) and value not in allowed
    ]
