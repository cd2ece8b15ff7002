"""Rendering stored records as responses: unset fields are left out, as in Didomi's examples,
except those its examples show as `null` (`models.NOTICE_NULL_FIELDS`, `CONFIG_NULL_FIELDS`);
and the 405 answer of the methods a path does not take."""

import csv
import io
import json
from collections.abc import Callable, Collection
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from ..errors import MethodNotAllowed
from ..models import CONFIG_NULL_FIELDS, NOTICE_NULL_FIELDS, TRANSLATABLE_FIELDS, translated
from ..store import Doc, public_view


def _set_fields(doc: Doc, shown_null: Collection[str] = ()) -> Doc:
    """The public fields of `doc` that are set; `shown_null` ones are `null` when unset."""
    out = {k: v for k, v in public_view(doc).items() if v is not None}
    return {**out, **{k: None for k in shown_null if k not in out}}


def page_view(page: dict[str, Any], view: Callable[[Doc], Doc]) -> dict[str, Any]:
    """A Feathers page with each item rendered by `view`."""
    return {**page, "data": [view(d) for d in page["data"]]}


def notice_view(doc: Doc) -> Doc:
    """A notice: `archived_at` null while live (N1), other unset fields left out."""
    return _set_fields(doc, NOTICE_NULL_FIELDS)


def deployment_view(doc: Doc) -> Doc:
    """A notice deployment."""
    return _set_fields(doc)


def record_view(doc: Doc) -> Doc:
    """A template, template configuration, text or text content: unset fields left out."""
    return _set_fields(doc)


def metadata_view(doc: Doc) -> Doc:
    """A vendor, category, storage or purpose: unset fields left out, and no
    `organization_id` on Didomi's global ones (stored under the organization `""`)."""
    out = _set_fields(doc)
    if out.get("organization_id") == "":
        del out["organization_id"]
    return out


def purpose_view(with_translations: bool) -> Callable[[Doc], Doc]:
    """How a purpose renders: translatable fields as `{language: text}` with
    `$translations=true`, else as the default language's text."""

    def view(doc: Doc) -> Doc:
        out = metadata_view(doc)
        for name in TRANSLATABLE_FIELDS:
            if name in out:
                out[name] = translated(out[name], with_translations)
        return out

    return view


def api_version(header: str | None) -> int:
    """The configuration API version of header `v` (reference §1): 2, else 1 (the default)."""
    return 2 if (header or "").strip() == "2" else 1


def config_view(version: int) -> Callable[[Doc], Doc]:
    """How a configuration renders: `v: 1` leaves out `regulation_configurations`; regulation
    configurations are rendered as stored, nulls included (N6: nullable by default)."""

    def view(doc: Doc) -> Doc:
        out = _set_fields(doc, CONFIG_NULL_FIELDS)
        if version < 2:
            out.pop("regulation_configurations", None)
        return out

    return view


def attachment(body: Any, filename: str) -> Response:
    """`body` as JSON, to be saved as `filename` (`download`, O1)."""
    return JSONResponse(body, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def csv_attachment(rows: list[Doc], filename: str) -> Response:
    """Rows as a CSV attachment (`download` on a list, O1): one column per field, in the order
    first seen; objects and lists as JSON, null as an empty cell."""
    columns = list(dict.fromkeys(k for row in rows for k in row))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"))


_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def refuse_other_methods(router: APIRouter, path: str, allow: tuple[str, ...], why: str) -> None:
    """Answer the methods `path` does not take with 405 and `Allow` (Feathers' MethodNotAllowed),
    so that a fixed path is never read as an id of a broader route (`PATCH /widgets/notices`
    is not a PATCH of the widget `notices`). Include it before those broader routes."""

    @router.api_route(
        path, methods=[m for m in _METHODS if m not in allow], include_in_schema=False
    )
    def not_allowed() -> Any:
        raise MethodNotAllowed(why, allow)
