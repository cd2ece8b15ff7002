"""The lifecycle of a notice's draft configuration (no `pulumi` import): check the inputs,
tell what changed, adopt the draft and PATCH what differs, read it back.

The resource id is the notice id: Didomi gives the draft a new id at every publish, so the
draft is found again (`deployed_at=null`) each time it is written. Only the fields the program
sets are managed; every other field is left exactly as it is on Didomi.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_didomi.core.drafts import read_draft, write_draft
from pulumi_didomi.core.fields import (
    CONFIG_NAMES,
    CONFIG_PROPS,
    REGULATION_CONFIGURATION,
    config_problems,
    managed_values,
)
from pulumi_didomi.core.objects import organization_prop
from pulumi_didomi.core.properties import (
    Description,
    Naming,
    Prop,
    input_problems,
)
from pulumi_didomi.core.publication import PUBLICATION, PUBLICATION_PARTS, publication_of
from pulumi_didomi.core.resource import Changes, Context, Found, Resource
from pulumi_didomi.core.template_links import (
    TEMPLATE_LINK,
    TEMPLATE_NOTICE,
    link_problems,
    links_revision,
    owned_by_regulation,
)
from pulumi_didomi.core.values import (
    UNKNOWN,
    canonical_json,
    did_you_mean,
    differing,
    has_unknown,
    replacements,
    revision_of,
)


def draft_revision(props: Mapping[str, Any], values: Mapping[str, Any] | None = None) -> str:
    """The revision of a draft: its managed values, and the revisions of the templates linked
    to its notice (a draft without templates: the managed values alone, as before templates)."""
    values = managed_values(props) if values is None else values
    links = links_revision(props.get("templates"), props.get("notice_id"))
    if links is None:
        return revision_of(values)
    return revision_of({**values, "#templates": links})


def _revision(inputs: Mapping[str, Any], _naming: Naming) -> str:
    return draft_revision(inputs)


NOTICE_DRAFT_CONFIG = Description(
    "NoticeDraftConfig",
    "The draft configuration of a Didomi notice, managed field by field: fields the program "
    "does not set are left as they are on Didomi (and recorded in `unmanaged`). Objects are "
    "managed key by key; `regulationConfigurations` is managed as a whole list. Nothing is "
    "deleted when the resource leaves the stack. Import with the notice id: the fields the "
    "program then sets become the managed ones.",
    (
        Prop(
            "notice_id",
            "string",
            "The id of the Didomi notice whose draft this is.",
            required=True,
            replaces=True,
            hint="the id of the Didomi notice (e.g. 'GG2rdGfN')",
        ),
        organization_prop(),
        Prop(
            "templates",
            "array",
            "The vendor-list templates linked to this notice: each a `NoticeTemplate`'s `link` "
            "output (the dynamic resources take the `NoticeTemplate` itself). The keys they own "
            "in the linked regulations (`config.app.vendors`, "
            "`config.app.essentialPurposes`, `config.preferences.categories`, `template_id`) "
            "are theirs: the draft must not set them, leaves them out of its drift and review, "
            "and publishes again when a template's values change.",
            items=f"#/types/{TEMPLATE_LINK.token}",
        ),
        *CONFIG_PROPS,
        Prop(
            "revision",
            "string",
            "A digest of the managed values, known at preview; a change means a new "
            "publication for the `NoticeDeployment` that publishes this draft.",
            input=False,
            derive=_revision,
            uses=(*sorted(CONFIG_NAMES), "notice_id", "templates"),
        ),
        Prop("config_id", "string", "The id of the draft configuration now.", input=False),
        Prop("version", "number", "The draft's version on Didomi.", input=False),
        Prop("updated_at", "string", "When the draft was last updated.", input=False),
        Prop(
            "unmanaged",
            "object",
            "The draft's fields this program does not manage, as the stack last wrote or read "
            "them (reviewed).",
            input=False,
        ),
        Prop(
            "unreviewed",
            "array",
            "Unmanaged fields changed on Didomi that no refresh has shown yet: the deployment "
            "refuses to publish them.",
            input=False,
            items="string",
        ),
        Prop(
            "written_revision",
            "string",
            "The revision the draft last received from this resource.",
            input=False,
        ),
        Prop(
            "publication",
            f"#/types/{PUBLICATION.token}",
            "What a `NoticeDeployment` needs to publish exactly this draft: pass it as the "
            "deployment's `draft`.",
            input=False,
            secret=True,
            handoff=PUBLICATION_PARTS,
        ),
    ),
    id_doc="the notice id",
    types=(REGULATION_CONFIGURATION, PUBLICATION, TEMPLATE_NOTICE, TEMPLATE_LINK),
    unique=("notice_id", "organization_id"),
    positional=("notice_id", "organization_id"),
)

#: Inputs that are not configuration fields.
IDENTITY = NOTICE_DRAFT_CONFIG.replaces
#: Outputs computed by the provider: the draft as last written, what the program does not
#: manage (`unmanaged`, as the stack last wrote or read it), the unmanaged keys found changed
#: on Didomi and not yet shown by a refresh (`unreviewed`), the revision last written, and the
#: publication it hands to its deployment.
COMPUTED = (
    "config_id",
    "version",
    "updated_at",
    "unmanaged",
    "unreviewed",
    "written_revision",
    "publication",
)
#: Bookkeeping inputs set by the resource class (`managed_fields` by releases before 0.2), and
#: the templates linked to the notice.
META = ("revision", "managed_fields", "templates")


def check_inputs(news: Mapping[str, Any]) -> list[tuple[str, str]]:
    """`(field, reason)` for every invalid input; unknown values (preview) are skipped."""
    problems = input_problems(NOTICE_DRAFT_CONFIG, news, has_unknown, skip=CONFIG_NAMES)
    values = managed_values(news)
    allowed = CONFIG_NAMES | set(IDENTITY) | set(COMPUTED) | set(META) | {"__provider"}
    unknown_fields = sorted(set(news) - allowed)
    problems += [
        (name, f"not a writable Didomi notice configuration field ({_closest(name)})")
        for name in unknown_fields
    ]
    unsendable = {name for name, _ in problems}  # said already (NaN, bytes, ...)
    problems += config_problems({k: v for k, v in values.items() if k not in unsendable})
    if "templates" not in unsendable:
        problems += link_problems(
            news.get("templates"), news.get("notice_id"), news.get("regulation_configurations")
        )
    return problems


def _closest(name: str) -> str:
    return did_you_mean(name, CONFIG_NAMES)


def inputs_of(outputs: Mapping[str, Any]) -> dict[str, Any]:
    """The inputs matching refreshed outputs, so that previews show drift as `old => new`."""
    names = {*IDENTITY, *META, *managed_values(outputs)}
    return {k: v for k, v in outputs.items() if k in names}


def changes(olds: Mapping[str, Any], news: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """The inputs that changed (managed fields, identity) and those among them that replace."""
    replaces = replacements(olds, news, IDENTITY)
    values, before = managed_values(news), managed_values(olds)
    changed = set(replaces) | set(differing(values, olds)) | (set(values) ^ set(before))
    templates = news.get("templates")
    if has_unknown(templates) or canonical_json(olds.get("templates")) != canonical_json(templates):
        changed.add("templates")
    return sorted(changed), replaces


class NoticeDraftConfig(Resource):
    """The one mutable draft of a notice: adopted and PATCHed field by field, read back with
    drift, never deleted (configurations cannot be). Its id is the notice id."""

    description = NOTICE_DRAFT_CONFIG

    def check(self, inputs: Mapping[str, Any]) -> list[tuple[str, str]]:
        return check_inputs(inputs)

    def diff(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> Changes:
        return changes(olds, news)

    def create(self, ctx: Context, inputs: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        """Adopt the notice's draft and PATCH the managed fields that differ."""
        values, revision = _managed(inputs)
        written = write_draft(
            ctx,
            inputs["notice_id"],
            inputs.get("organization_id"),
            values,
            revision,
            owned=owned_by_regulation(inputs.get("templates"), inputs.get("notice_id")),
        )
        return str(inputs["notice_id"]), _state({**inputs, **written}, values, revision)

    def preview_create(self, inputs: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        values, revision = _managed(inputs)
        pending = {**self.pending(inputs), "written_revision": revision}
        return str(inputs["notice_id"]), _state({**inputs, **pending}, values, revision)

    def update(
        self, ctx: Context, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Resolve the current draft again and PATCH what differs (object keys the program no
        longer sets are removed)."""
        values, revision = _managed(news)
        written = write_draft(
            ctx,
            news["notice_id"],
            news.get("organization_id"),
            values,
            revision,
            previous=managed_values(olds),
            reviewed=olds.get("unmanaged"),
            owned=owned_by_regulation(news.get("templates"), news.get("notice_id")),
        )
        return _state({**news, **written}, values, revision)

    def preview_update(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> dict[str, Any]:
        """Only the managed fields change: what the stack reviewed of the rest stays known, so
        that the deployment's preview shows the revision it will publish."""
        values, revision = _managed(news)
        pending = {"version": UNKNOWN, "updated_at": UNKNOWN, "written_revision": revision}
        return _state({**olds, **news, **pending}, values, revision)

    def read(self, ctx: Context, id_: str, state: Mapping[str, Any]) -> Found | None:
        notice_id = state.get("notice_id") or id_
        outs = read_draft(
            ctx, notice_id, state.get("organization_id"), {**state, "notice_id": notice_id}
        )
        if outs is None:
            return None
        values = managed_values(outs)
        # Drift makes the revision the live values' (read_draft records it as the revision
        # last written); otherwise the stack's stands.
        revision = outs.get("written_revision") or draft_revision(state, values)
        inputs = {**inputs_of(outs), "revision": revision}
        return Found(_state({**outs, **inputs}, values, revision), inputs)

    def delete(self, ctx: Context, id_: str, state: Mapping[str, Any]) -> None:
        ctx.tell(
            f"NoticeDraftConfig {id_}: removed from the stack only; the draft of notice {id_} "
            "keeps its current values on Didomi (configurations cannot be deleted)"
        )


def _managed(inputs: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
    """The managed values and their revision (as `check` derived it, else computed)."""
    values = managed_values(inputs)
    return values, inputs.get("revision") or draft_revision(inputs, values)


def _state(outs: Mapping[str, Any], values: Mapping[str, Any], revision: str) -> dict[str, Any]:
    """The resource's state: its outputs, the revision and the publication they make."""
    state = {**outs, "revision": revision}
    state["publication"] = publication_of({**state, **values})
    return state
