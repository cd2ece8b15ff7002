"""The package's resources and functions, one registration each: both hostings, the schema,
the generated SDKs and docs are built from these (a new resource is one line here)."""

from __future__ import annotations

from pulumi_didomi.core.functions import (
    Function,
    GetNoticeDeployments,
    GetNoticeDraft,
    GetPurpose,
    GetRemoteWidgetConfig,
    GetVendor,
)
from pulumi_didomi.core.notice import Notice
from pulumi_didomi.core.notice_deployment import NoticeDeployment
from pulumi_didomi.core.notice_draft import NoticeDraftConfig
from pulumi_didomi.core.notice_template import NoticeTemplate
from pulumi_didomi.core.notice_text import NoticeText
from pulumi_didomi.core.properties import EnumType, ObjectType
from pulumi_didomi.core.purpose import Purpose
from pulumi_didomi.core.resource import Resource
from pulumi_didomi.core.vendor import Vendor
from pulumi_didomi.core.widget import Widget
from pulumi_didomi.core.widget_deployment import WidgetDeployment

#: The resources by type token (`didomi:index:<Name>`).
RESOURCES: dict[str, Resource] = {
    r.token: r
    for r in (
        Notice(),
        NoticeDraftConfig(),
        NoticeDeployment(),
        Widget(),
        WidgetDeployment(),
        Purpose(),
        Vendor(),
        NoticeTemplate(),
        NoticeText(),
    )
}

#: The functions by token.
FUNCTIONS: dict[str, Function] = {
    f.token: f
    for f in (
        GetNoticeDraft(),
        GetNoticeDeployments(),
        GetRemoteWidgetConfig(),
        GetVendor(),
        GetPurpose(),
    )
}

#: The object types the resources' properties use, by token.
TYPES: dict[str, ObjectType] = {t.token: t for r in RESOURCES.values() for t in r.description.types}

#: The enum types of the allowed values of properties (resources' and object types'), by token.
ENUMS: dict[str, EnumType] = {
    e.token: e
    for p in (
        *(p for r in RESOURCES.values() for p in r.description.props),
        *(p for t in TYPES.values() for p in t.props),
    )
    if (e := p.enum_type())
}


def resource_named(name: str) -> Resource:
    """The resource of type `didomi:index:<name>`."""
    return RESOURCES[f"didomi:index:{name}"]
