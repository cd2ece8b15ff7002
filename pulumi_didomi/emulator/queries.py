"""Feathers-style queries: equality and operator filters, `$sort`, `$limit`, `$skip`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request

from pulumi_didomi.limits import PAGE_SIZE  # default and maximum `$limit` (silent cap)

from .errors import BadRequest
from .store import Doc

_OPERATORS = {"$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin"}


def _coerce(raw: str, like: Any) -> Any:
    if raw == "null":
        return None
    if isinstance(like, bool):
        return raw.lower() == "true"
    if isinstance(like, (int, float)):
        try:
            return float(raw)
        except ValueError:
            return raw
    return raw


def _compare(value: Any, op: str, raw: Any) -> bool:
    if op == "$in" or op == "$nin":
        options = raw if isinstance(raw, list) else [raw]
        hit = any(value == _coerce(o, value) for o in options)
        return hit if op == "$in" else not hit
    target = _coerce(raw, value)
    if op == "$eq":
        return bool(value == target)
    if op == "$ne":
        return bool(value != target)
    if value is None or target is None:
        return False
    try:
        if op == "$gt":
            return bool(value > target)
        if op == "$gte":
            return bool(value >= target)
        if op == "$lt":
            return bool(value < target)
        if op == "$lte":
            return bool(value <= target)
    except TypeError:
        return False
    raise BadRequest(f"Invalid query operator {op}")


@dataclass
class Query:
    """A parsed Feathers query: filters, `$sort`, `$limit`, `$skip`."""

    filters: list[tuple[str, str, Any]]
    sort: list[tuple[str, int]]
    limit: int
    skip: int

    @classmethod
    def parse(cls, request: Request, ignore: frozenset[str] = frozenset()) -> Query:
        """Parse the query string of `request`."""
        filters: list[tuple[str, str, Any]] = []
        sort: list[tuple[str, int]] = []
        limit, skip = PAGE_SIZE, 0
        params = request.query_params
        for key in dict.fromkeys(params.keys()):
            values = params.getlist(key)
            if key == "$limit":
                limit = _int_param(key, values[-1], minimum=0)
            elif key == "$skip":
                skip = _int_param(key, values[-1], minimum=0)
            elif key.startswith("$sort[") and key.endswith("]"):
                direction = values[-1]
                if direction not in ("1", "-1"):
                    raise BadRequest(f"{key} must be 1 or -1")
                sort.append((key[6:-1], int(direction)))
            elif key.startswith("$") or key in ignore:
                continue
            elif "[" in key and key.endswith("]"):
                name, op = key[:-1].split("[", 1)
                if op.rstrip("[]") not in _OPERATORS:
                    raise BadRequest(f"Invalid query operator {op} on {name}")
                op = op.rstrip("[]")
                filters.append((name, op, values if op in ("$in", "$nin") else values[-1]))
            else:
                filters.append((key, "$eq", values[-1]))
        return cls(filters, sort, min(limit, PAGE_SIZE), skip)

    def matches(self, doc: Doc) -> bool:
        """True when `doc` passes every filter."""
        return all(_compare(doc.get(name), op, raw) for name, op, raw in self.filters)

    def page(self, docs: list[Doc]) -> dict[str, Any]:
        """Filter, sort and paginate into Didomi's envelope."""
        found = [d for d in docs if self.matches(d)]
        for name, direction in reversed(self.sort):
            found.sort(
                key=lambda d: (d.get(name) is None, d.get(name) or ""), reverse=direction == -1
            )
        return {
            "total": len(found),
            "limit": self.limit,
            "skip": self.skip,
            "data": found[self.skip : self.skip + self.limit],
        }


def _int_param(name: str, raw: str, minimum: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be an integer") from None
    if value < minimum:
        raise BadRequest(f"{name} must be >= {minimum}")
    return value
