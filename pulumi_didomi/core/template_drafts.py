"""How a vendor-list template reaches its notices (no `pulumi` import): the program's links
(which notices, which regulations), applying the template to their drafts (one PATCH per notice
at most, only what differs, through the run's draft book) and reading back which linked
regulations still hold what it wrote.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pulumi_didomi.client.errors import APIError, ConfigurationError, InvalidRequestError
from pulumi_didomi.core.drafts import BOOK
from pulumi_didomi.core.metadata import choices_problems
from pulumi_didomi.core.regulations import REGULATION_IDS
from pulumi_didomi.core.resource import Context, Problem
from pulumi_didomi.core.template_links import (
    OWNED_KEYS,
    applied,
    enabled_item,
    owned_differs,
    regulations_of,
)
from pulumi_didomi.core.values import draft_json, has_unknown

if TYPE_CHECKING:
    from pulumi_didomi.client import DidomiClient


def linked_regulations(notices: Any) -> dict[str, list[str]]:
    """The program's notices: regulations by notice id."""
    out: dict[str, list[str]] = {}
    for entry in notices if isinstance(notices, list) else []:
        if isinstance(entry, Mapping) and isinstance(entry.get("notice_id"), str):
            out.setdefault(entry["notice_id"], [])
            out[entry["notice_id"]] += [
                r for r in regulations_of(entry) if r not in out[entry["notice_id"]]
            ]
    return out


def linked_notices(
    api: DidomiClient,
    org: str,
    template_id: str,
    notices_id: list[str],
    owned: Mapping[str, Any],
    state: Mapping[str, Any],
) -> tuple[list[dict[str, Any]], list[str]]:
    """The notices linked on Didomi, with their linked regulations (from the run's listing of
    drafts), and the notices whose linked regulations do not hold the template's values."""
    declared = linked_regulations(state.get("notices"))
    given = {
        e["notice_id"]: e
        for e in state.get("notices") or []
        if isinstance(e, Mapping) and isinstance(e.get("notice_id"), str)
    }
    out: list[dict[str, Any]] = []
    stale: list[str] = []
    ordered = [n for n in declared if n in notices_id] + [
        n for n in notices_id if n not in declared
    ]
    for notice_id in ordered:
        draft = BOOK.draft(api, org, notice_id)
        items = draft_json(draft).get("regulation_configurations") if draft is not None else []
        regulations = [
            str(item.get("regulation_id"))
            for item in items or []
            if isinstance(item, Mapping)
            and item.get("template_id") == template_id
            and not item.get("disabled_at")
        ]
        holding = [
            r
            for r in regulations
            if not owned_differs((enabled_item(items, r) or {}).get("config"), owned)
        ]
        if notice_id in declared and sorted(holding) == sorted(declared[notice_id]):
            out.append(dict(given[notice_id]))  # as the program wrote it
            continue
        if notice_id in declared:
            stale.append(notice_id)
        out.append({"notice_id": notice_id, "regulations": holding})
    return out, stale


def apply(
    ctx: Context,
    api: DidomiClient,
    org: str,
    template_id: str,
    notice_id: str,
    regulations: list[str],
    owned: Mapping[str, Any],
    unlink: list[str],
) -> None:
    """Link `regulations` of the notice's draft to the template and write its owned keys
    there; unlink `unlink` (their values stay). One PATCH at most, only when something
    differs."""
    try:
        draft = BOOK.resolve(api, org, notice_id)
    except APIError as exc:
        if exc.status != 404:
            raise
        raise ConfigurationError(
            f"NoticeTemplate {template_id}: notice {notice_id} has no draft on Didomi (is the "
            "notice id right?); nothing was applied to it"
        ) from None
    for attempt in (0, 1):
        items = draft_json(draft).get("regulation_configurations") or []
        body: list[dict[str, Any]] = []
        for regulation in regulations:
            item = enabled_item(items, regulation)
            if item is None:
                body.append(
                    {
                        "regulation_id": regulation,
                        "template_id": template_id,
                        "config": applied({}, owned),
                    }
                )
                continue
            patch: dict[str, Any] = {}
            if item.get("template_id") != template_id:
                patch["template_id"] = template_id
            if owned_differs(item.get("config"), owned):
                patch["config"] = applied(item.get("config"), owned)
            if patch:
                body.append({"id": item["id"], **patch})
        for regulation in unlink:
            item = enabled_item(items, regulation)
            if item is not None and item.get("template_id") == template_id:
                body.append({"id": item["id"], "template_id": None})
        if not body:
            return
        try:
            written = api.update_draft(draft.id, {"regulation_configurations": body}, checked=True)
        except InvalidRequestError:
            if attempt:
                raise
            fresh = BOOK.fresh(api, org, notice_id)  # published since listed: its id rotated
            if fresh.id == draft.id:
                raise
            draft = fresh
            continue
        BOOK.record_write(api, org, written)
        what = ", ".join(OWNED_KEYS)
        ctx.tell(
            f"NoticeTemplate {template_id}: applied to notice {notice_id} "
            f"({', '.join(regulations) or 'unlinked: ' + ', '.join(unlink)}; {what})"
        )
        return


def notices_problems(notices: Any) -> list[Problem]:
    """Problems of a template's `notices`: each a map {notice_id, regulations}, every notice
    once, known regulation ids."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, entry in enumerate(notices if isinstance(notices, list) else []):
        where = f"notices[{index}]"
        if has_unknown(entry):
            continue
        if not isinstance(entry, Mapping):
            problems.append(("notices", f"{where}: must be a map {{notice_id, regulations}}"))
            continue
        unknown = sorted(set(entry) - {"notice_id", "regulations"})
        if unknown:
            problems.append(
                (
                    "notices",
                    f"{where}: unknown keys {', '.join(unknown)} (notice_id, regulations)",
                )
            )
        notice_id = entry.get("notice_id")
        if not has_unknown(notice_id) and (not isinstance(notice_id, str) or not notice_id):
            problems.append(("notices", f"{where}.notice_id: required: the id of a notice"))
        elif isinstance(notice_id, str) and not has_unknown(notice_id):
            if notice_id in seen:
                problems.append(
                    (
                        "notices",
                        f"{where}: notice {notice_id} is listed twice (list it once, "
                        "with all its regulations)",
                    )
                )
            seen.add(notice_id)
        regulations = entry.get("regulations")
        if regulations is not None and not has_unknown(regulations):
            if not isinstance(regulations, list) or not regulations:
                problems.append(
                    (
                        "notices",
                        f"{where}.regulations: must be a non-empty list of regulation ids",
                    )
                )
                continue
            problems += choices_problems(
                "notices", f"{where}.regulations", regulations, REGULATION_IDS, "regulation"
            )
    return problems
