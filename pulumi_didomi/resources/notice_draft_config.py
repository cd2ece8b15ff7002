"""`NoticeDraftConfig`: the one mutable draft configuration of a Didomi notice.

The resource id is the notice id: Didomi gives the draft a new id at every publish, so the
draft is found again (`deployed_at=null`) each time it is written. Only the fields the program
sets are managed; every other field is left exactly as it is on Didomi.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pulumi
from pulumi.dynamic import (
    CreateResult,
    ReadResult,
    Resource,
    UpdateResult,
)

from pulumi_didomi.core.fields import CONFIG_NAMES
from pulumi_didomi.core.notice_draft import (
    COMPUTED,
    IDENTITY,
    META,
    _written_by_others,
    changes,
    check_inputs,
    field_problems,
    fractional,
    inputs_of,
    managed_values,
    read_draft,
    write_draft,
)
from pulumi_didomi.core.values import did_you_mean, revision_of

from ._program import check_stack_settings, claim_notice
from ._support import DidomiProvider, say

__all__ = [
    "COMPUTED",
    "IDENTITY",
    "META",
    "NoticeDraftConfig",
    "NoticeDraftConfigProvider",
    "_written_by_others",
    "check_inputs",
    "field_problems",
    "fractional",
    "inputs_of",
    "managed_values",
    "read_draft",
    "write_draft",
]


# -- the dynamic provider (thin hooks) --------------------------------------------------------


class NoticeDraftConfigProvider(DidomiProvider):
    """Maps Pulumi's lifecycle onto the draft: adopt + PATCH, re-read, never delete."""

    validate = staticmethod(check_inputs)

    changes = staticmethod(changes)

    def create(self, props: dict[str, Any]) -> CreateResult:
        outs = write_draft(
            props["notice_id"],
            props.get("organization_id"),
            managed_values(props),
            revision=props.get("revision"),
        )
        return CreateResult(props["notice_id"], {**props, **outs})

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        outs = write_draft(
            news["notice_id"],
            news.get("organization_id"),
            managed_values(news),
            revision=news.get("revision"),
            previous=managed_values(olds),
            reviewed=olds.get("unmanaged"),
        )
        return UpdateResult({**news, **outs})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        outs = read_draft(props.get("notice_id") or id_, props.get("organization_id"), props)
        if outs is None:
            return ReadResult("", {})
        return ReadResult(id_, outs, inputs_of(outs))

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

    # Outputs, declared for type checkers only: Pulumi's SDK evaluates a resource class's
    # annotations again for every resource it registers (none of these converts a value).
    if TYPE_CHECKING:
        notice_id: pulumi.Output[str]
        organization_id: pulumi.Output[str]
        config_id: pulumi.Output[str]
        revision: pulumi.Output[str]
        version: pulumi.Output[float]
        updated_at: pulumi.Output[str]
        unmanaged: pulumi.Output[dict[str, Any]]
        unreviewed: pulumi.Output[list[str]]
        written_revision: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        notice_id: pulumi.Input[str],
        organization_id: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
        **fields: Any,
    ) -> None:
        unknown = sorted(set(fields) - CONFIG_NAMES)
        if unknown:
            raise TypeError(
                f"NoticeDraftConfig {resource_name!r}: unknown configuration field(s) "
                + "; ".join(f"{name} ({did_you_mean(name, CONFIG_NAMES)})" for name in unknown)
            )
        check_stack_settings()
        claimed = claim_notice("NoticeDraftConfig", resource_name, notice_id, organization_id)
        managed = {k: v for k, v in fields.items() if v is not None}
        self.managed_inputs: dict[str, Any] = managed
        self.notice_id_input = notice_id
        self.organization_id_input = organization_id
        self.revision_input: pulumi.Output[str] = pulumi.Output.from_input(
            {k: pulumi.Output.from_input(v) for k, v in managed.items()}
        ).apply(revision_of)
        props: dict[str, Any] = {
            "notice_id": claimed,
            "organization_id": organization_id,
            **managed,
            "revision": self.revision_input,
            "config_id": None,
            "version": None,
            "updated_at": None,
            "unmanaged": None,
            "unreviewed": None,
            "written_revision": None,
        }
        super().__init__(NoticeDraftConfigProvider(), resource_name, props, opts)
