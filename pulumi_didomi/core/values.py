"""How the provider compares and writes the values of a notice draft (no `pulumi` import).

The rules, one place for both hostings:

- **Scalars and lists** a program sets are managed whole.
- **Objects** (`config`, `custom_json`, the `*_order` objects, and objects inside regulation
  configurations) are managed **key by key, deep**: only the keys the program sets are
  compared and written; keys present on Didomi that the stack never managed are kept. A key
  the stack managed before and the program no longer sets is removed (the previous managed
  shape comes from the stack's state).
- **`regulation_configurations`** means the whole list: items are matched by
  `regulation_id`; regulations on Didomi that the program does not list are disabled
  (`disabled_at`), listed ones that were disabled are enabled again.
- Everything else in the draft is **unmanaged**; `unmanaged_view` records it as the stack last
  wrote or read it, so that nothing unreviewed is ever published.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from pulumi_didomi.core.field_types import READ_ONLY_REGULATION_KEYS

if TYPE_CHECKING:
    from pulumi_didomi.client import NoticeConfig

REGULATIONS = "regulation_configurations"

Path = tuple[str, ...]


def normalize(value: Any) -> Any:
    """A canonical form: integral floats become ints (the engine sends numbers as doubles)."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {str(k): normalize(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [normalize(v) for v in value]
    return value


def canonical_json(value: Any) -> str:
    """Deterministic JSON: normalized, keys sorted."""
    return json.dumps(normalize(value), sort_keys=True, separators=(",", ":"))


def digest(value: Any, size: int = 16) -> str:
    """A short hex digest of a value's canonical JSON."""
    return hashlib.sha256(canonical_json(value).encode()).hexdigest()[:size]


def revision_of(values: Mapping[str, Any]) -> str:
    """A digest of the managed values of a draft (computed in the program, known in preview)."""
    return digest(dict(values))


def already_applied(
    olds: Mapping[str, Any], news: Mapping[str, Any], derived: Iterable[str] = ("revision",)
) -> bool:
    """Whether a resource's inputs `news` are exactly the ones the stack last applied (`olds`):
    they were checked then, and `check` does not validate them again (so a no-op preview never
    loads the validation, pydantic's models). Inputs a hosting derives (`derived`, the dynamic
    provider's pickled class) are left out of the comparison."""
    if not olds or has_unknown(dict(news)):
        return False
    ignored = {*derived, "__provider"}

    def given(inputs: Mapping[str, Any]) -> str:
        return canonical_json({k: v for k, v in inputs.items() if k not in ignored})

    return given(olds) == given(news)


def now_iso() -> str:
    """The current UTC time as Didomi writes it (ISO-8601, milliseconds, `Z`)."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# -- objects managed key by key -----------------------------------------------------------------


def leaf_paths(value: Any, prefix: Path = ()) -> set[Path]:
    """The paths a program manages inside an object: every non-object value (and empty object)."""
    if not isinstance(value, Mapping) or (not value and prefix):
        return {prefix} if prefix else set()
    paths: set[Path] = set()
    for key, child in value.items():
        paths |= leaf_paths(child, (*prefix, str(key)))
    return paths


def without_paths(value: Any, paths: Iterable[Path]) -> Any:
    """A copy of `value` without `paths`; objects emptied by a removal are removed too."""
    out = json.loads(json.dumps(value)) if isinstance(value, Mapping) else value
    if not isinstance(out, dict):
        return out
    for path in sorted(paths, key=len, reverse=True):
        _remove(out, path)
    return out


def _remove(obj: dict[str, Any], path: Path) -> None:
    if not path:
        return
    head, rest = path[0], path[1:]
    if head not in obj:
        return
    if not rest:
        del obj[head]
        return
    child = obj[head]
    if isinstance(child, dict):
        _remove(child, rest)
        if not child:
            del obj[head]


def overlay(base: Any, desired: Any) -> Any:
    """`desired` written over `base`: objects merged key by key, anything else replaced."""
    if not isinstance(desired, Mapping):
        return normalize(desired)
    out = dict(base) if isinstance(base, Mapping) else {}
    for key, value in desired.items():
        out[str(key)] = overlay(out.get(str(key)), value)
    return normalize(out)


def merge_object(remote: Any, desired: Any, previous: Any = None) -> Any:
    """The new value of an object field: Didomi's value, minus the keys the stack stopped
    managing (in `previous`, not in `desired`), with the program's keys written over it."""
    removed = leaf_paths(previous) - leaf_paths(desired)
    # A path now managed deeper (or shallower) than before is rewritten, not removed.
    removed = {p for p in removed if not _overlaps(p, leaf_paths(desired))}
    base = without_paths(remote, removed) if removed else remote
    if desired is None:
        return normalize(base)
    return overlay(base, desired)


def _overlaps(path: Path, paths: set[Path]) -> bool:
    return any(p[: len(path)] == path or path[: len(p)] == p for p in paths)


def project(desired: Any, actual: Any) -> Any:
    """`actual` seen through the shape of `desired`: only the keys the program sets, deep."""
    if isinstance(desired, Mapping):
        if not isinstance(actual, Mapping):
            return normalize(actual)
        return {str(k): project(v, actual.get(str(k))) for k, v in desired.items()}
    return normalize(actual)


# -- regulation configurations: the whole list, matched by regulation_id -------------------------


def _enabled(items: Any) -> list[Mapping[str, Any]]:
    return [i for i in items or [] if isinstance(i, Mapping) and not i.get("disabled_at")]


def project_regulations(desired: list[Any], actual: Any) -> list[Any]:
    """Didomi's regulation list seen through the program's: its items in the program's order
    (None where missing or disabled), then every other enabled regulation (to be disabled)."""
    if not isinstance(actual, list):
        return [None for _ in desired]
    enabled = _enabled(actual)
    by_reg: dict[Any, Mapping[str, Any]] = {}
    for item in enabled:
        by_reg.setdefault(item.get("regulation_id"), item)
    wanted = [w.get("regulation_id") for w in desired if isinstance(w, Mapping)]
    projected: list[Any] = []
    for want in desired:
        have = by_reg.get(want.get("regulation_id")) if isinstance(want, Mapping) else None
        projected.append(None if have is None else project(want, have))
    used = {id(by_reg[r]) for r in wanted if r in by_reg}
    for item in enabled:
        if id(item) not in used:
            projected.append(
                {
                    "regulation_id": item.get("regulation_id"),
                    "geo_locations": normalize(item.get("geo_locations")),
                }
            )
    return projected


def regulation_patch(
    desired: list[dict[str, Any]], actual: Any, previous: Any = None
) -> list[dict[str, Any]]:
    """The `regulation_configurations` items to PATCH so that Didomi holds exactly `desired`.

    Existing items are addressed by `id` and get only the keys that differ; new regulations are
    created; unlisted enabled ones are disabled; listed disabled ones are enabled again.
    """
    items = [i for i in actual or [] if isinstance(i, Mapping)]
    before = {p.get("regulation_id"): p for p in previous or [] if isinstance(p, Mapping)}
    by_reg: dict[Any, Mapping[str, Any]] = {}
    for item in sorted(items, key=lambda i: bool(i.get("disabled_at"))):
        by_reg.setdefault(item.get("regulation_id"), item)
    out: list[dict[str, Any]] = []
    matched: set[int] = set()
    for want in desired:
        regulation_id = want.get("regulation_id")
        have = by_reg.get(regulation_id)
        if have is None:
            out.append(normalize(dict(want)))
            continue
        matched.add(id(have))
        old = before.get(regulation_id) or {}
        patch: dict[str, Any] = {}
        for key in set(want) | {k for k, v in old.items() if isinstance(v, Mapping)}:
            if key == "regulation_id":
                continue
            value = want.get(key)
            if isinstance(value, Mapping) or (value is None and isinstance(old.get(key), Mapping)):
                new = merge_object(have.get(key), value, old.get(key))
            else:
                new = normalize(value)
            if canonical_json(new) != canonical_json(have.get(key)):
                patch[key] = new
        if have.get("disabled_at"):
            patch["disabled_at"] = None
        if patch:
            out.append({"id": have["id"], **patch})
    stamp = now_iso()
    for item in items:
        if id(item) not in matched and not item.get("disabled_at") and item.get("id"):
            out.append({"id": item["id"], "disabled_at": stamp})
    return out


# -- the managed view, differences, what to write ----------------------------------------------


def managed_view(desired: Mapping[str, Any], draft: Mapping[str, Any]) -> dict[str, Any]:
    """The draft's current values of the managed fields, shaped like the program's."""
    view: dict[str, Any] = {}
    for name, want in desired.items():
        if name == REGULATIONS and isinstance(want, list):
            view[name] = project_regulations(want, draft.get(name))
        else:
            view[name] = project(want, draft.get(name))
    return view


def differing(desired: Mapping[str, Any], actual: Mapping[str, Any]) -> list[str]:
    """Names of managed fields whose values differ after normalization."""
    return sorted(
        name
        for name in desired
        if canonical_json(desired[name]) != canonical_json(actual.get(name))
    )


def draft_patch(
    desired: Mapping[str, Any],
    draft: Mapping[str, Any],
    previous: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The PATCH body that brings `draft` to `desired`, given what the stack managed before.

    `previous` are the managed values the stack last wrote (None when adopting): object keys
    it managed and the program no longer sets are removed, even when a whole object field is
    no longer set.
    """
    previous = previous or {}
    body: dict[str, Any] = {}
    for name in set(desired) | {k for k, v in previous.items() if isinstance(v, Mapping)}:
        want = desired.get(name)
        have = draft.get(name)
        if name == REGULATIONS:
            if isinstance(want, list):
                items = regulation_patch(want, have, previous.get(name))
                if items:
                    body[name] = items
            continue
        if isinstance(want, Mapping) or (name not in desired and isinstance(have, Mapping)):
            new = merge_object(have, want, previous.get(name))
        else:
            new = normalize(want)
        if canonical_json(new) != canonical_json(have):
            body[name] = new
    return body


def unmanaged_view(
    draft: Mapping[str, Any],
    desired: Mapping[str, Any],
    fields: Iterable[str],
    owned: Mapping[str, Iterable[Path]] | None = None,
) -> dict[str, Any]:
    """Everything in the draft that the program does not manage, flat and comparable.

    Keys: a field name (`gcm_enabled`), `<object field>.<key>` for the unmanaged part of an
    object (`config.theme`), `regulation_configurations.<regulation_id>` for the unmanaged
    keys of a regulation configuration. Null values are left out (the engine drops them from
    outputs), so a field set to or from null shows as a key that appears or disappears.
    `owned`: paths of regulation configurations (by regulation id) that another resource owns
    (a vendor-list template's keys), left out.
    """
    out: dict[str, Any] = {}
    for name in sorted(fields):
        value = draft.get(name)
        want = desired.get(name)
        if name == REGULATIONS:
            listed = {w.get("regulation_id"): w for w in want or [] if isinstance(w, Mapping)}
            for index, item in enumerate(i for i in value or [] if isinstance(i, Mapping)):
                regulation_id = item.get("regulation_id")
                rest = {k: v for k, v in item.items() if k not in READ_ONLY_REGULATION_KEYS}
                rest.pop("regulation_id", None)
                paths = owned.get(str(regulation_id)) if owned else None
                if paths and not item.get("disabled_at"):
                    rest = without_paths(rest, paths)
                if name in desired:
                    # Whether it is enabled is the program's (the whole list is managed).
                    rest.pop("disabled_at", None)
                    rest = without_paths(rest, leaf_paths(listed.get(regulation_id) or {}))
                else:
                    rest["disabled_at"] = bool(rest.get("disabled_at"))
                key = f"{name}.{regulation_id}"
                out[key if key not in out else f"{key}#{index}"] = normalize(rest)
            continue
        if name in desired and not isinstance(want, Mapping):
            continue
        if isinstance(value, Mapping):
            remainder = without_paths(value, leaf_paths(want)) if name in desired else value
            for key, child in remainder.items():
                out[f"{name}.{key}"] = normalize(child)
            continue
        if name not in desired:
            out[name] = normalize(value)
    return dict(_without_nulls(out))


def _without_nulls(value: Any) -> Any:
    """`value` without null object entries, deep (the engine drops them from outputs)."""
    if isinstance(value, Mapping):
        return {str(k): _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return normalize(value)


def fingerprint(unmanaged: Mapping[str, Any] | None) -> str | None:
    """One digest of an unmanaged view (what a deployment checks before publishing)."""
    if unmanaged is None:
        return None
    return digest(dict(_without_nulls(dict(unmanaged))))


def changed_keys(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """Keys whose values (or digests) differ between two views."""
    keys = set(before) | set(after)
    return sorted(
        k for k in keys if canonical_json(before.get(k, "∅")) != canonical_json(after.get(k, "∅"))
    )


# -- values not known yet, and what a change replaces -------------------------------------------

#: The value the engine sends for properties that are not known yet (during preview).
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

#: Classes whose instances stand for a value not known yet; each hosting registers its own
#: (the dynamic providers' `pulumi.output.Unknown`, the native provider's `Computed`).
UNKNOWN_TYPES: list[type] = []


def has_unknown(value: Any) -> bool:
    """True if `value` is, or contains, a value not known yet (preview)."""
    if UNKNOWN_TYPES and isinstance(value, tuple(UNKNOWN_TYPES)):
        return True
    if isinstance(value, str):
        return value == UNKNOWN
    if isinstance(value, dict):
        return any(has_unknown(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(has_unknown(v) for v in value)
    return False


def replacements(olds: Mapping[str, Any], news: Mapping[str, Any], keys: Any) -> list[str]:
    """The inputs among `keys` whose change needs a new resource (unknown counts as changed).

    An `organization_id` left out of the program falls back to the stack's and replaces nothing.
    """
    replaced = []
    for key in keys:
        new = news.get(key)
        if (key == "organization_id" and new is None) or (key not in news and key not in olds):
            continue
        if has_unknown(new) or normalize(olds.get(key)) != normalize(new):
            replaced.append(key)
    return replaced


def draft_json(config: NoticeConfig) -> dict[str, Any]:
    """A configuration as plain JSON values (what the core's functions compare)."""
    return config.model_dump(mode="json")


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """`did you mean 'x'?` for the closest choice, or a pointer to the list."""
    match = difflib.get_close_matches(name, sorted(choices), n=1)
    return f"did you mean {match[0]!r}?" if match else "see the README for the field list"
