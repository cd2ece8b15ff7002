"""The lifecycle of a vendor-list template (no `pulumi` import): one set of vendors, purposes,
IAB settings and preference categories (`/widgets/notices/templates` and its config), applied
to chosen regulations of chosen notices.

Applying a template erases and replaces the linked regulations' vendor and purpose settings
(docs.didomi.io, "Manage vendors list template"); the keys it owns are listed in
`template_links`. The template writes them into the linked notices' drafts itself (only what
differs, through the run's draft book), whether or not Didomi applies it on its own; the
publication of each notice stays with its `NoticeDeployment`, through its draft's `templates`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pulumi_didomi.client.errors import ConfigurationError, NotFoundError
from pulumi_didomi.core import consent_impact
from pulumi_didomi.core.objects import adopt_prop, name_prop, organization_prop
from pulumi_didomi.core.properties import Description, Naming, Part, Prop
from pulumi_didomi.core.resource import Changes, Context, Found, Problem, Resource
from pulumi_didomi.core.session import RunCache
from pulumi_didomi.core.template_drafts import (
    apply,
    linked_notices,
    linked_regulations,
    notices_problems,
)
from pulumi_didomi.core.template_links import (
    IAB_KEYS,
    OWNED_INPUTS,
    TEMPLATE_LINK,
    TEMPLATE_NOTICE,
    applied,
    owned_revision,
    owned_values,
    owned_view,
)
from pulumi_didomi.core.values import UNKNOWN, canonical_json, has_unknown, normalize

if TYPE_CHECKING:
    from pulumi_didomi.client import DidomiClient


def _revision(inputs: Mapping[str, Any], _naming: Naming) -> str:
    return owned_revision(owned_values(inputs))


def _template_config(props: Mapping[str, Any]) -> dict[str, Any]:
    """The template's config as Didomi holds it (`config` and `regulation_settings`)."""
    body: dict[str, Any] = {"config": applied({}, owned_values(props))}
    signals = props.get("privacy_signals")
    body["regulation_settings"] = {"privacySignals": signals} if signals is not None else None
    config: dict[str, Any] = normalize(body)
    return config


#: How the template makes its `link` from its properties (each hosting alike).
LINK_PARTS: tuple[tuple[str, Part], ...] = (
    ("template_id", Part(("template_id",))),
    ("name", Part(("name",))),
    ("notices", Part(("notices",))),
    ("owned_values", Part(OWNED_INPUTS, owned_values)),
    ("revision", Part(("revision",))),
    ("written_revision", Part(("written_revision",))),
)

NOTICE_TEMPLATE = Description(
    "NoticeTemplate",
    "A vendor-list template (Didomi's 'Manage vendor lists'): one set of vendors, essential "
    "purposes, IAB settings and preference categories, applied to chosen regulations of chosen "
    "notices. Applying it erases and replaces, in each linked regulation configuration, "
    "`config.app.vendors`, `config.app.essentialPurposes` and `config.preferences.categories` "
    "(the keys it owns; one owner per key). A change is written into the linked notices' "
    "drafts; each notice is published by its `NoticeDeployment`, once, when its "
    "`NoticeDraftConfig` takes this template's `link` in `templates`. When the resource "
    "leaves the stack the template is deleted and the notices keep the values it last wrote.",
    (
        name_prop("template"),
        Prop(
            "vendors",
            "array",
            "The vendors on the list, by id: custom ones as a `Vendor`'s `id`, Didomi's global "
            "ones by id (`getVendor`). Written as `config.app.vendors.include`.",
            items="string",
        ),
        Prop(
            "iab",
            "object",
            "The IAB TCF settings of the list (`config.app.vendors.iab`): "
            + ", ".join(IAB_KEYS)
            + ".",
        ),
        Prop(
            "essential_purposes",
            "array",
            "The purposes marked as essential, by id (`config.app.essentialPurposes`).",
            items="string",
        ),
        Prop(
            "preference_categories",
            "array",
            "The purposes' categories of the preferences screen "
            "(`config.preferences.categories`, Didomi's shape).",
            items="object",
        ),
        Prop(
            "privacy_signals",
            "array",
            "The template's privacy signals (`regulation_settings.privacySignals`).",
            items="object",
        ),
        Prop(
            "notices",
            "array",
            "The notices the template applies to, each with its regulations (default gdpr).",
            items=f"#/types/{TEMPLATE_NOTICE.token}",
        ),
        organization_prop(),
        adopt_prop("template"),
        Prop("template_id", "string", "The template's id.", input=False),
        Prop("config_id", "string", "The id of the template's config.", input=False),
        Prop("version", "number", "The template's version on Didomi.", input=False),
        Prop(
            "revision",
            "string",
            "A digest of what the template writes into the linked regulations, known at "
            "preview; a change publishes the linked notices again.",
            input=False,
            derive=_revision,
            uses=OWNED_INPUTS,
        ),
        Prop(
            "written_revision",
            "string",
            "The revision the template last applied to the linked notices.",
            input=False,
        ),
        Prop(
            "link",
            f"#/types/{TEMPLATE_LINK.token}",
            "What the drafts of the linked notices take in their `templates`.",
            input=False,
            handoff=LINK_PARTS,
        ),
    ),
    id_doc="the template id",
    types=(TEMPLATE_NOTICE, TEMPLATE_LINK),
)

#: The organization's templates and template configs, listed once per run.
_TEMPLATES = RunCache(ttl=30.0)


def _listing(api: DidomiClient, org: str, fresh: bool = False) -> dict[str, dict[str, Any]]:
    """The organization's templates by id, each with its `config` record: two bulk listings."""
    key = (id(api), org)
    if fresh:
        _TEMPLATES.invalidate(key)

    def fetch() -> dict[str, dict[str, Any]]:
        configs = {c.template_id: c.model_dump(mode="json") for c in api.list_template_configs(org)}
        return {
            t.id: {**t.model_dump(mode="json"), "config_record": configs.get(t.id)}
            for t in api.list_templates(org)
        }

    found: dict[str, dict[str, Any]] = _TEMPLATES.get(key, fetch)
    return found


def _remember(api: DidomiClient, org: str, template_id: str, doc: dict[str, Any] | None) -> None:
    listing = _TEMPLATES.peek((id(api), org))
    if listing is None:
        return
    if doc is None:
        listing.pop(template_id, None)
    else:
        listing[template_id] = doc


class NoticeTemplate(Resource):
    """A vendor-list template: created (or adopted), its config written, applied to the
    linked notices' drafts; refreshed with the drafts' owned keys; deleted when it leaves."""

    description = NOTICE_TEMPLATE

    # -- before any call -------------------------------------------------------------------

    def check(self, inputs: Mapping[str, Any]) -> list[Problem]:
        problems = super().check(inputs)
        iab = inputs.get("iab")
        if isinstance(iab, Mapping):
            problems += [
                ("iab", f"iab.{key}: unknown IAB setting (one of: {', '.join(IAB_KEYS)})")
                for key in iab
                if key not in IAB_KEYS
            ]
        for name in ("preference_categories", "privacy_signals"):
            for index, item in enumerate(inputs.get(name) or []):
                if not has_unknown(item) and not isinstance(item, Mapping):
                    problems.append((name, f"{name}[{index}]: must be a map, got {item!r}"))
        problems += notices_problems(inputs.get("notices"))
        return problems

    def diff(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> Changes:
        changed, replaces = super().diff(olds, news)
        if (
            olds.get("written_revision") not in (None, olds.get("revision"))
            and "notices" not in changed
        ):
            changed.append("notices")  # a linked notice no longer holds what it applied
        return changed, replaces

    def impact(
        self, ctx: Context, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> list[str]:
        """The notices a changed vendor list is applied to (and republished, through their
        drafts), and what it adds or removes."""
        before, after = owned_values(olds), owned_values(news)
        if canonical_json(before) == canonical_json(after) or has_unknown(after):
            return []
        entries = linked_regulations(news.get("notices"))
        where = ", ".join(f"{n} ({', '.join(r)})" for n, r in entries.items()) or "none"
        name = news.get("name") or olds.get("name")
        warnings = [
            f"NoticeTemplate {name!r}: its vendor list changes; it is applied to the drafts of "
            f"{len(entries)} notice(s): {where}. Each is published again by its "
            "NoticeDeployment (the drafts that take this template's link)"
        ]
        for notice_id in entries:  # each linked notice is published with the new list
            warnings += consent_impact.publication_impact(
                notice_id, {"config": applied({}, before)}, {"config": applied({}, after)}
            )
        return warnings

    # -- the lifecycle -----------------------------------------------------------------------

    def create(self, ctx: Context, inputs: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        api, org = ctx.client(inputs.get("organization_id"))
        entries = linked_regulations(inputs.get("notices"))
        adopt = inputs.get("adopt_id")
        if adopt:
            found = _listing(api, org).get(str(adopt)) or _listing(api, org, fresh=True).get(
                str(adopt)
            )
            if found is None:
                raise ConfigurationError(
                    f"no notice template {adopt} in organization {org}: check adopt_id and "
                    "organization_id"
                )
            template_id = str(adopt)
            ctx.tell(f"NoticeTemplate {template_id}: adopted")
        else:
            made = api.create_template(str(inputs["name"]), list(entries), org)
            template_id = made.id
            found = {**made.model_dump(mode="json"), "config_record": None}
        outs = self._write(ctx, api, org, template_id, found, inputs, {})
        return template_id, outs

    def update(
        self, ctx: Context, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> dict[str, Any]:
        api, org = ctx.client(news.get("organization_id"))
        found = _listing(api, org).get(id_)
        if found is None:
            found = _listing(api, org, fresh=True).get(id_)
        if found is None:
            raise ConfigurationError(
                f"notice template {id_} is gone from Didomi: run `pulumi refresh` (the template "
                "is then created again)"
            )
        return self._write(ctx, api, org, id_, found, news, olds)

    def _write(
        self,
        ctx: Context,
        api: DidomiClient,
        org: str,
        template_id: str,
        found: Mapping[str, Any],
        props: Mapping[str, Any],
        olds: Mapping[str, Any],
    ) -> dict[str, Any]:
        """The template, its config and the linked drafts brought to the program's values,
        writing only what differs; notices no longer listed are unlinked (values kept)."""
        entries = linked_regulations(props.get("notices"))
        fields: dict[str, Any] = {}
        if found.get("name") != props.get("name"):
            fields["name"] = props["name"]
        if sorted(found.get("notices_id") or []) != sorted(entries):
            fields["notices_id"] = list(entries)
        template = dict(found)
        if fields:
            template.update(api.update_template(template_id, fields, org).model_dump(mode="json"))
        record = found.get("config_record")
        if record is None:  # Didomi makes a template's config with it (the emulator's reading)
            _listing(api, org, fresh=True)
            record = (_listing(api, org).get(template_id) or {}).get("config_record")
        if record is None:
            raise ConfigurationError(
                f"notice template {template_id} has no config on Didomi: delete it in the "
                "console and run `pulumi up` again"
            )
        wanted = _template_config(props)
        differ = {
            k: v for k, v in wanted.items() if canonical_json(v) != canonical_json(record.get(k))
        }
        if differ:
            record = api.update_template_config(record["id"], differ, org).model_dump(mode="json")
        template["config_record"] = record
        _remember(api, org, template_id, template)
        owned = owned_values(props)
        removed = linked_regulations(olds.get("notices"))
        for notice_id, regulations in entries.items():
            gone = [r for r in removed.get(notice_id, []) if r not in regulations]
            apply(ctx, api, org, template_id, notice_id, regulations, owned, gone)
        for notice_id, regulations in removed.items():
            if notice_id not in entries:
                apply(ctx, api, org, template_id, notice_id, [], owned, regulations)
        revision = owned_revision(owned)
        return self._outputs(props, template, revision, revision)

    def _outputs(
        self,
        props: Mapping[str, Any],
        template: Mapping[str, Any],
        revision: str,
        written: str,
    ) -> dict[str, Any]:
        record = template.get("config_record") or {}
        outs = {
            **props,
            "organization_id": template.get("organization_id") or props.get("organization_id"),
            "template_id": template.get("id"),
            "config_id": record.get("id"),
            "version": template.get("version"),
            "revision": revision,
            "written_revision": written,
        }
        outs["link"] = {name: part.value(outs) for name, part in LINK_PARTS}
        return outs

    def read(self, ctx: Context, id_: str, state: Mapping[str, Any]) -> Found | None:
        """The template, its config and the linked regulations now: a console edit of the
        template shows as a diff of its inputs; a linked notice whose draft no longer holds
        the template's values (edited in the console) shows in `notices`, and the next `up`
        applies the template again."""
        api, org = ctx.client(state.get("organization_id"))
        found = _listing(api, org).get(id_)
        if found is None:
            return None
        record = found.get("config_record") or {}
        config = record.get("config") if isinstance(record.get("config"), Mapping) else {}
        live = owned_view(config)
        props: dict[str, Any] = {
            k: v for k, v in state.items() if k in {p.name for p in self.description.inputs}
        }
        props["name"] = found.get("name")
        vendors = live.get("app.vendors") or {}
        for name, value in (
            ("vendors", vendors.get("include")),
            ("iab", vendors.get("iab")),
            ("essential_purposes", live.get("app.essentialPurposes")),
            ("preference_categories", live.get("preferences.categories")),
        ):
            if value is not None or state.get(name) is not None:
                props[name] = value
        signals = (record.get("regulation_settings") or {}).get("privacySignals")
        if signals is not None or state.get("privacy_signals") is not None:
            props["privacy_signals"] = signals
        owned = owned_values(props)
        linked, stale = linked_notices(api, org, id_, found.get("notices_id") or [], owned, state)
        if stale:
            ctx.tell(
                f"NoticeTemplate {id_}: the drafts of these notices no longer hold the template's "
                f"values (changed on Didomi): {', '.join(stale)}. The next `pulumi up` applies "
                "the template to them again"
            )
        props["notices"] = linked
        if not state:  # an import: the organization from Didomi
            props["organization_id"] = found.get("organization_id")
        revision = owned_revision(owned)
        written = revision if not stale else f"stale:{revision}"
        outs = self._outputs(props, found, revision, written)
        return Found(outs, {k: v for k, v in props.items() if v is not None})

    def delete(self, ctx: Context, id_: str, state: Mapping[str, Any]) -> None:
        """Unlink the notices (they keep the values the template last wrote), delete the
        template and its config."""
        api, org = ctx.client(state.get("organization_id"))
        for notice_id, regulations in linked_regulations(state.get("notices")).items():
            apply(ctx, api, org, id_, notice_id, [], {}, regulations)
        try:
            api.delete_template(id_, org)
        except NotFoundError:
            ctx.tell(f"NoticeTemplate {id_}: already gone from Didomi")
            return
        _remember(api, org, id_, None)
        ctx.tell(
            f"NoticeTemplate {id_}: deleted; its notices keep the vendor lists it last wrote "
            "(their drafts now own them)"
        )

    # -- what a preview can tell -----------------------------------------------------------

    def preview_create(self, inputs: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        return "", self._preview(inputs, {"template_id": UNKNOWN, "config_id": UNKNOWN})

    def preview_update(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> dict[str, Any]:
        kept = {k: olds.get(k) for k in ("template_id", "config_id")}
        return self._preview(news, {**kept, "version": UNKNOWN})

    def _preview(self, inputs: Mapping[str, Any], computed: Mapping[str, Any]) -> dict[str, Any]:
        revision = (
            UNKNOWN
            if any(has_unknown(inputs.get(k)) for k in OWNED_INPUTS)
            else owned_revision(owned_values(inputs))
        )
        outs = {**inputs, "version": UNKNOWN, **computed}
        outs.update(revision=revision, written_revision=revision)
        outs["link"] = {name: part.value(outs) for name, part in LINK_PARTS}
        return outs
