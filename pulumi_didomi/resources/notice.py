"""`Notice`: a consent notice created from code; archived (not deleted) when it leaves the
stack unless `delete_on_destroy` is set."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pulumi
from pulumi.dynamic import Resource

from pulumi_didomi.core import notice

from ._program import check_stack_settings
from ._support import ObjectProvider

__all__ = ["Notice", "NoticeProvider"]


class NoticeProvider(ObjectProvider):
    """Create (or adopt), rename in place, archive on delete (`pulumi_didomi.core.notice`)."""

    lifecycle = notice.LIFECYCLE


class Notice(Resource, module="didomi", name="Notice"):
    """A Didomi consent notice. Manage its draft with
    `NoticeDraftConfig(notice_id=notice.id, ...)`; put `script_tag` in the website's pages."""

    # Outputs, declared for type checkers only: Pulumi's SDK evaluates a resource class's
    # annotations again for every resource it registers (none of these converts a value).
    if TYPE_CHECKING:
        name: pulumi.Output[str]
        organization_id: pulumi.Output[str]
        archived_at: pulumi.Output[str | None]
        created_at: pulumi.Output[str]
        updated_at: pulumi.Output[str]
        sdk_loader_url: pulumi.Output[str]
        script_tag: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        name: pulumi.Input[str],
        *,
        organization_id: pulumi.Input[str] | None = None,
        privacy_experience_id: pulumi.Input[str] | None = None,
        environment: pulumi.Input[str] | None = None,
        external_source: pulumi.Input[str] | None = None,
        external_id: pulumi.Input[str] | None = None,
        public_api_key: pulumi.Input[str] | None = None,
        delete_on_destroy: pulumi.Input[bool] | None = None,
        adopt_id: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        check_stack_settings()
        props: dict[str, Any] = {
            "name": name,
            "organization_id": organization_id,
            "privacy_experience_id": privacy_experience_id,
            "environment": environment,
            "external_source": external_source,
            "external_id": external_id,
            "public_api_key": public_api_key,
            "delete_on_destroy": delete_on_destroy,
            "adopt_id": adopt_id,
            **{p.name: None for p in notice.NOTICE.props if not p.input},
        }
        super().__init__(NoticeProvider(), resource_name, props, opts)
