"""Rendering stored records as responses."""

from collections.abc import Callable
from typing import Any

from ..store import Doc, public_view


def page_view(page: dict[str, Any], view: Callable[[Doc], Doc] = public_view) -> dict[str, Any]:
    """A Feathers page with each item rendered by `view`."""
    return {**page, "data": [view(d) for d in page["data"]]}


def api_version(header: str | None) -> int:
    """The configuration API version of header `v` (reference §1): 2, else 1 (the default)."""
    return 2 if (header or "").strip() == "2" else 1


def config_view(version: int) -> Callable[[Doc], Doc]:
    """How a configuration renders: `v: 1` leaves out `regulation_configurations`."""

    def view(doc: Doc) -> Doc:
        out = public_view(doc)
        if version < 2:
            out.pop("regulation_configurations", None)
        return out

    return view
