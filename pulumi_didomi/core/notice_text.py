"""Approved texts (no `pulumi` import): legally reviewed wording shared across notices
(`/widgets/notices/texts` and `/widgets/notices/texts-contents`), and the rule that a notice is
never published with a text Didomi's team has not approved.

Didomi versions a text's wording as contents: a new content is submitted for approval by the
Didomi team, an approved content cannot be modified or deleted (OA descriptions). So a change
of wording is a new text: the resource is replaced, and the drafts that refer to it by output
(`text_id`) change, which publishes their notices again. OA gives a content one string and no
language: the translations (`{language: text}`) are sent as that string, their JSON (the
reading this provider made; Didomi's documentation does not say how a content carries
languages).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pulumi_didomi.client.errors import ConfigurationError
from pulumi_didomi.core import metadata
from pulumi_didomi.core.objects import adopt_prop, name_prop, organization_prop
from pulumi_didomi.core.properties import Description, Prop
from pulumi_didomi.core.resource import Changes, Context, Found, Problem, Resource
from pulumi_didomi.core.session import RunCache
from pulumi_didomi.core.values import UNKNOWN, canonical_json, normalize

if TYPE_CHECKING:
    from pulumi_didomi.client import DidomiClient

PLATFORMS = ("web", "amp", "app", "ctv")
STATUSES = ("submitted", "approved", "rejected")

NOTICE_TEXT = Description(
    "NoticeText",
    "An approved text (Didomi's 'approved texts'): wording shared by notices, reviewed by "
    "Didomi's team before a notice may use it. Its content is submitted for approval when the "
    "text is created; `status` says where the approval stands (a refresh reads it again). "
    "Didomi does not allow editing an approved text: a change of `content` or "
    "`includesPurposes` creates a new text (replacement), and the drafts that refer to it "
    "(`textMode: approved`, `textId`: this text's id) publish their notices again. A "
    "`NoticeDeployment` refuses to publish a notice whose text is not approved. When the "
    "resource leaves the stack the text stays on Didomi (its API cannot delete texts).",
    (
        name_prop("text"),
        Prop(
            "content",
            "object",
            "The wording, by language (`{en: '...', fr: '...'}`); a change creates a new text.",
            required=True,
            needed=True,
            replaces=True,
        ),
        Prop(
            "includes_purposes",
            "boolean",
            "Whether the content includes the complete list of purposes; a change creates a "
            "new text.",
            replaces=True,
            default=False,
        ),
        Prop(
            "platforms",
            "array",
            "The platforms the text can be used on (" + ", ".join(PLATFORMS) + ").",
            items="string",
        ),
        organization_prop(),
        adopt_prop("text"),
        Prop("content_id", "string", "The id of the submitted content.", input=False),
        Prop(
            "status",
            "string",
            "Where the content's approval stands: " + ", ".join(STATUSES) + ".",
            input=False,
        ),
        Prop("content_version", "number", "The content's version for this text.", input=False),
        Prop("created_at", "string", "When Didomi created the text.", input=False),
    ),
    id_doc="the text id (what a draft's `textId` refers to)",
)

#: The organization's texts and their contents, listed once per run.
_CONTENTS = RunCache(ttl=30.0)
_TEXTS = RunCache(ttl=30.0)


def contents(api: DidomiClient, org: str, fresh: bool = False) -> dict[str, list[dict[str, Any]]]:
    """The organization's text contents by text id (newest version first): one bulk listing."""
    key = (id(api), org)
    if fresh:
        _CONTENTS.invalidate(key)

    def fetch() -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {}
        for content in api.list_text_contents(org):
            out.setdefault(content.text_id, []).append(content.model_dump(mode="json"))
        for found in out.values():
            found.sort(key=lambda c: -(c.get("content_version") or 0))
        return out

    found: dict[str, list[dict[str, Any]]] = _CONTENTS.get(key, fetch)
    return found


def texts(api: DidomiClient, org: str, fresh: bool = False) -> dict[str, dict[str, Any]]:
    """The organization's texts by id: one bulk listing."""
    if fresh:
        _TEXTS.invalidate((id(api), org))

    def fetch() -> dict[str, dict[str, Any]]:
        return {t.id: t.model_dump(mode="json") for t in api.list_texts(org)}

    found: dict[str, dict[str, Any]] = _TEXTS.get((id(api), org), fetch)
    return found


def current(found: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The content a text shows now, of its contents newest first: the newest approved one,
    else the newest (None without content)."""
    approved = (c for c in found if c.get("status") == "approved")
    return next(approved, found[0] if found else None)


def encode(content: Mapping[str, Any]) -> str:
    """The translations as the one string a content carries."""
    return json.dumps(normalize(dict(content)), sort_keys=True, ensure_ascii=False)


def decode(content: Any) -> dict[str, Any]:
    """A content's string as translations (a plain string: English)."""
    if not isinstance(content, str):
        return {}
    try:
        found = json.loads(content)
    except ValueError:
        return {"en": content}
    return found if isinstance(found, dict) else {"en": content}


class NoticeText(Resource):
    """An approved text: created with its content submitted, renamed in place, replaced when
    its wording changes, left on Didomi when it leaves the stack."""

    description = NOTICE_TEXT

    def check(self, inputs: Mapping[str, Any]) -> list[Problem]:
        problems = super().check(inputs)
        problems += metadata.translations_problems("content", inputs.get("content"))
        problems += metadata.choices_problems(
            "platforms", "platforms", inputs.get("platforms"), PLATFORMS, "platform"
        )
        return problems

    def diff(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> Changes:
        changed, replaces = super().diff(olds, news)
        if "content" in changed and "content" not in replaces:
            replaces.append("content")
        return changed, replaces

    def create(self, ctx: Context, inputs: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        api, org = ctx.client(inputs.get("organization_id"))
        if inputs.get("adopt_id"):
            return self._adopt(ctx, api, org, str(inputs["adopt_id"]), inputs)
        fields: dict[str, Any] = {"name": inputs["name"], "default": False}
        if inputs.get("platforms") is not None:
            fields["platforms"] = list(inputs["platforms"])
        text = api.create_text(fields, org).model_dump(mode="json")
        content = api.create_text_content(
            text["id"],
            encode(inputs["content"]),
            bool(inputs.get("includes_purposes", False)),
            org,
        ).model_dump(mode="json")
        ctx.tell(
            f"NoticeText {text['id']}: created; its content {content['id']} is "
            f"{content.get('status')} (Didomi's team approves it; a notice using it is not "
            "published before)"
        )
        _CONTENTS.invalidate((id(api), org))
        return str(text["id"]), _outputs(inputs, text, content, org)

    def _adopt(
        self, ctx: Context, api: DidomiClient, org: str, id_: str, inputs: Mapping[str, Any]
    ) -> tuple[str, dict[str, Any]]:
        """Manage an existing text: its wording (the content it shows now) must be the
        program's, since an approved content cannot be edited; a rename or other platforms are
        one PATCH, nothing is written otherwise."""
        text = texts(api, org).get(id_) or texts(api, org, fresh=True).get(id_)
        if text is None:
            raise ConfigurationError(
                f"adopt_id: no notice text {id_} in organization {org}: check adopt_id and "
                "organization_id"
            )
        content = current(contents(api, org).get(id_) or [])
        wording = decode(content.get("content")) if content is not None else None
        purposes = bool(content.get("includes_purposes")) if content is not None else None
        if canonical_json(wording) != canonical_json(inputs.get("content")) or purposes != bool(
            inputs.get("includes_purposes", False)
        ):
            shown = (
                "has no content on Didomi"
                if content is None
                else "shows other wording on Didomi than content and includes_purposes say"
            )
            raise ConfigurationError(
                f"adopt_id: notice text {id_} {shown} (an approved content cannot be edited): "
                "set them to the text's wording to adopt it, or leave adopt_id out to create a "
                "new text"
            )
        fields: dict[str, Any] = {}
        if text.get("name") != inputs.get("name"):
            fields["name"] = inputs["name"]
        if inputs.get("platforms") is not None and list(inputs["platforms"]) != text.get(
            "platforms"
        ):
            fields["platforms"] = list(inputs["platforms"])
        if fields:
            text = api.update_text(id_, fields, org).model_dump(mode="json")
        written = ", ".join(fields) or "nothing"
        ctx.tell(f"NoticeText {id_}: adopted; written: {written}")
        return id_, _outputs(inputs, text, content or {}, org)

    def read(self, ctx: Context, id_: str, state: Mapping[str, Any]) -> Found | None:
        """The text and its content now: the approval status, and a content submitted since
        elsewhere (a new wording) as drift of `content`."""
        api, org = ctx.client(state.get("organization_id"))
        text = texts(api, org).get(id_)
        if text is None:
            return None
        found = contents(api, org).get(id_) or []
        content = next((c for c in found if c.get("id") == state.get("content_id")), None)
        newest = found[0] if found else None
        if not state:  # an import: the wording the text shows now
            content = current(found)
        elif newest is not None and (content is None or newest.get("status") != "rejected"):
            content = newest  # submitted elsewhere since: what this text now says
        inputs = {
            k: state[k]
            for k in ("includes_purposes", "platforms", "organization_id", "adopt_id")
            if state.get(k) is not None
        }
        inputs["name"] = text.get("name")
        if state.get("platforms") is not None or not state:
            inputs["platforms"] = text.get("platforms")
        if content is not None:
            inputs["content"] = decode(content.get("content"))
            if state.get("includes_purposes") is not None or not state:
                inputs["includes_purposes"] = bool(content.get("includes_purposes"))
        if not state:
            inputs["organization_id"] = text.get("organization_id")
        outs = _outputs(inputs, text, content or {}, org)
        return Found(outs, inputs)

    def update(
        self, ctx: Context, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> dict[str, Any]:
        """A rename or other platforms: one PATCH of the text (its content is untouched)."""
        api, org = ctx.client(news.get("organization_id"))
        fields: dict[str, Any] = {}
        if news.get("name") != olds.get("name"):
            fields["name"] = news["name"]
        if news.get("platforms") is not None and news.get("platforms") != olds.get("platforms"):
            fields["platforms"] = list(news["platforms"])
        text = (
            api.update_text(id_, fields, org).model_dump(mode="json")
            if fields
            else {"id": id_, "created_at": olds.get("created_at")}
        )
        kept = {k: olds.get(k) for k in ("content_id", "status", "content_version")}
        return {**olds, **self.given(news), **kept, "created_at": text.get("created_at")}

    def delete(self, ctx: Context, id_: str, state: Mapping[str, Any]) -> None:
        ctx.tell(
            f"NoticeText {id_}: removed from the stack only; the text stays on Didomi (its API "
            "cannot delete texts; an approved content cannot be deleted)"
        )

    def preview_create(self, inputs: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        return "", {**inputs, **self.pending(inputs)}

    def preview_update(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> dict[str, Any]:
        return {**olds, **self.given(news)}


def _outputs(
    props: Mapping[str, Any], text: Mapping[str, Any], content: Mapping[str, Any], org: str
) -> dict[str, Any]:
    return {
        **props,
        "organization_id": text.get("organization_id") or org,
        "content_id": content.get("id"),
        "status": content.get("status"),
        "content_version": content.get("content_version"),
        "created_at": text.get("created_at"),
    }


# -- the rule at publication -------------------------------------------------------------------


def text_ids(draft: Mapping[str, Any]) -> list[str]:
    """The approved texts a draft uses: its `text_id` and its enabled regulations' (none when
    its `text_mode` is custom)."""
    if draft.get("text_mode") == "custom":
        return []
    found = [draft.get("text_id")]
    for item in draft.get("regulation_configurations") or []:
        if isinstance(item, Mapping) and not item.get("disabled_at"):
            found.append(item.get("text_id"))
    return sorted({t for t in found if isinstance(t, str) and t and t != UNKNOWN})


def unapproved_text_problem(
    api: DidomiClient, org: str, notice_id: str, draft: Mapping[str, Any]
) -> str | None:
    """Why the notice must not be published with its texts (None when each is approved):
    one bulk listing of the organization's text contents per run, read again once when a
    text looks unapproved (approved since)."""
    used = text_ids(draft)
    if not used:
        return None
    for attempt in (0, 1):
        listing = contents(api, org, fresh=bool(attempt))
        missing = [
            t for t in used if not any(c.get("status") == "approved" for c in listing.get(t, []))
        ]
        if not missing:
            return None
    parts = []
    for text_id in missing:
        found = listing.get(text_id) or []
        status = found[0].get("status") if found else "without content"
        parts.append(f"{text_id} ({status})")
    return (
        f"notice {notice_id} uses approved texts that Didomi's team has not approved: "
        f"{', '.join(parts)}. Nothing was published: a notice is evidence of how consent was "
        "collected, and Didomi only lets approved wording be shown. Publish once the text is "
        "approved (`pulumi refresh` shows the NoticeText's status; then `pulumi up`); a "
        "rejected text needs new wording (change the NoticeText's content: a new text is "
        "submitted)"
    )
