"""`NoticeDraftConfig`: the one mutable draft configuration of a Didomi notice.

The resource id is the notice id: Didomi gives the draft a new id at every publish, so the
draft is found again (`deployed_at=null`) each time it is written. Only the fields the program
sets are managed; every other field is left exactly as it is on Didomi.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi.dynamic import (
    CreateResult,
    DiffResult,
    ReadResult,
    Resource,
    UpdateResult,
)
from pydantic import ValidationError

from pulumi_didomi.client import (
    WRITABLE_CONFIG_FIELDS,
    InvalidRequestError,
    NoticeConfig,
    NoticeConfigFields,
)
from pulumi_didomi.client.models import config_rule_violations

from ._support import (
    DidomiProvider,
    RunCache,
    client,
    differing,
    has_unknown,
    managed_view,
    normalize,
    replacements,
    revision_of,
    say,
)

#: Inputs that are not configuration fields.
IDENTITY = ("notice_id", "organization_id")
#: Outputs computed by the provider.
COMPUTED = ("config_id", "version", "updated_at")
#: Bookkeeping inputs set by the resource class.
META = ("revision", "managed_fields")

_drafts_cache = RunCache()


# -- Didomi logic (plain functions) -----------------------------------------------------------


def managed_values(props: Mapping[str, Any]) -> dict[str, Any]:
    """The configuration fields a program manages, normalized."""
    names = props.get("managed_fields") or [k for k in props if k in WRITABLE_CONFIG_FIELDS]
    return {name: normalize(props[name]) for name in names if name in props}


def check_inputs(news: Mapping[str, Any]) -> list[tuple[str, str]]:
    """`(field, reason)` for every invalid input; unknown values (preview) are skipped."""
    problems: list[tuple[str, str]] = []
    notice_id = news.get("notice_id")
    if not has_unknown(notice_id) and (not isinstance(notice_id, str) or not notice_id.strip()):
        problems.append(("notice_id", "required: the id of the Didomi notice (e.g. 'GG2rdGfN')"))
    org = news.get("organization_id")
    if org is not None and not has_unknown(org) and (not isinstance(org, str) or not org.strip()):
        problems.append(("organization_id", "must be a non-empty string when set"))
    values = managed_values(news)
    allowed = WRITABLE_CONFIG_FIELDS | set(IDENTITY) | set(COMPUTED) | set(META) | {"__provider"}
    unknown_fields = sorted(set(news) - allowed)
    problems += [
        (name, f"not a writable Didomi notice configuration field ({_closest(name)})")
        for name in unknown_fields
    ]
    known = {k: v for k, v in values.items() if not has_unknown(v)}
    problems += field_problems(known)
    if len(known) == len(values):
        problems += config_rule_violations(known)
    return problems


def field_problems(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Type, enum and range errors of configuration values, one message per field."""
    try:
        NoticeConfigFields.model_validate(dict(values), strict=True)
    except ValidationError as exc:
        grouped: dict[str, list[str]] = {}
        for error in exc.errors():
            loc = [str(p) for p in error["loc"]]
            # Union members ("int", "float") are not places: keep the path to the value.
            path = ".".join(p for p in loc if p not in ("int", "float", "str", "bool"))
            grouped.setdefault(path, []).append(_describe(error))
        return [
            (path.split(".")[0], f"{path}: {' or '.join(dict.fromkeys(msgs))}")
            for path, msgs in grouped.items()
        ]
    return []


def _describe(error: Any) -> str:
    if error["type"] == "literal_error":
        allowed = error.get("ctx", {}).get("expected", "")
        return f"{error['input']!r} is not allowed; expected one of {allowed}"
    return f"{error['msg'].lower()} (got {error.get('input')!r})"


def _closest(name: str) -> str:
    import difflib

    match = difflib.get_close_matches(name, sorted(WRITABLE_CONFIG_FIELDS), n=1)
    return f"did you mean {match[0]!r}?" if match else "see the README for the field list"


def regulation_patch(desired: list[dict[str, Any]], draft: NoticeConfig) -> list[dict[str, Any]]:
    """Desired regulation configurations, addressed to the draft's items by `regulation_id`."""
    existing = {
        r.regulation_id: r.id for r in draft.regulation_configurations or [] if r.regulation_id
    }
    out = []
    for item in desired:
        item = dict(item)
        current = existing.get(str(item.get("regulation_id")))
        if current:
            item["id"] = current
        out.append(item)
    return out


def write_draft(
    notice_id: str, organization_id: str | None, values: dict[str, Any]
) -> dict[str, Any]:
    """Resolve the notice's current draft and PATCH the managed fields that differ."""
    api, org = client(organization_id)
    draft = api.current_draft(notice_id, org)
    for attempt in (1, 2):
        changed = differing(values, managed_view(values, draft))
        if not changed:
            break
        body = {name: values[name] for name in changed}
        if "regulation_configurations" in body:
            body["regulation_configurations"] = regulation_patch(
                body["regulation_configurations"], draft
            )
        try:
            draft = api.update_draft(draft.id, body)
            break
        except InvalidRequestError:
            # Published between the lookup and the PATCH (its id rotated): find it again once.
            fresh = api.current_draft(notice_id, org)
            if attempt == 2 or fresh.id == draft.id:
                raise
            draft = fresh
    return _outputs(org, draft, values)


def _outputs(org: str, draft: NoticeConfig, values: dict[str, Any]) -> dict[str, Any]:
    return {
        "notice_id": draft.notice_id,
        "organization_id": org,
        **managed_view(values, draft),
        "config_id": draft.id,
        "version": draft.version,
        "updated_at": draft.updated_at,
    }


def read_draft(
    notice_id: str, organization_id: str | None, state: Mapping[str, Any]
) -> dict[str, Any] | None:
    """The managed values on Didomi now (None if the notice is gone); bulk-listed per run.

    When nothing managed changed, the stored outputs are returned as they are: the draft's id
    rotates at every publish, which is not drift.
    """
    api, org = client(organization_id)
    drafts = _drafts_cache.get((api.base_url, org), lambda: api.drafts(org))
    draft = drafts.get(notice_id)
    if draft is None:
        return None
    values = managed_values(state)
    current = managed_view(values, draft)
    if not differing(values, current):
        return dict(state)
    return {**dict(state), **_outputs(org, draft, values)}


# -- the dynamic provider (thin hooks) --------------------------------------------------------


class NoticeDraftConfigProvider(DidomiProvider):
    """Maps Pulumi's lifecycle onto the draft: adopt + PATCH, re-read, never delete."""

    validate = staticmethod(check_inputs)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replaces = replacements(olds, news, IDENTITY)
        values = managed_values(news)
        changed = replaces or differing(values, olds) or set(values) != set(managed_values(olds))
        return DiffResult(changes=bool(changed), replaces=replaces, delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        outs = write_draft(props["notice_id"], props.get("organization_id"), managed_values(props))
        return CreateResult(props["notice_id"], {**props, **outs})

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        outs = write_draft(news["notice_id"], news.get("organization_id"), managed_values(news))
        return UpdateResult({**news, **outs})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        outs = read_draft(props.get("notice_id") or id_, props.get("organization_id"), props)
        if outs is None:
            return ReadResult("", {})
        return ReadResult(id_, outs)

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        say(
            f"NoticeDraftConfig {id_}: removed from the stack only; the draft of notice {id_} "
            "keeps its current values on Didomi (configurations cannot be deleted)"
        )


# -- the resource -------------------------------------------------------------------------------


class NoticeDraftConfig(Resource, module="didomi", name="NoticeDraftConfig"):
    """The draft configuration of a Didomi notice, managed field by field.

    Pass the notice id and any writable configuration field (see the README); fields you do
    not pass are left as they are on Didomi. `revision` is a digest of the managed values,
    known at preview: give it (or the resource) to a `NoticeDeployment` to publish.
    """

    notice_id: pulumi.Output[str]
    organization_id: pulumi.Output[str]
    config_id: pulumi.Output[str]
    revision: pulumi.Output[str]
    version: pulumi.Output[float]
    updated_at: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        notice_id: pulumi.Input[str],
        organization_id: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
        **fields: Any,
    ) -> None:
        unknown = sorted(set(fields) - WRITABLE_CONFIG_FIELDS)
        if unknown:
            raise TypeError(
                f"NoticeDraftConfig {resource_name!r}: unknown configuration field(s) "
                f"{', '.join(unknown)}; writable fields are listed in the README"
            )
        managed = {k: v for k, v in fields.items() if v is not None}
        self.managed_inputs: dict[str, Any] = managed
        self.notice_id_input = notice_id
        self.organization_id_input = organization_id
        self.revision_input: pulumi.Output[str] = pulumi.Output.from_input(
            {k: pulumi.Output.from_input(v) for k, v in managed.items()}
        ).apply(revision_of)
        props: dict[str, Any] = {
            "notice_id": notice_id,
            "organization_id": organization_id,
            **managed,
            "managed_fields": sorted(managed),
            "revision": self.revision_input,
            "config_id": None,
            "version": None,
            "updated_at": None,
        }
        super().__init__(NoticeDraftConfigProvider(), resource_name, props, opts)
