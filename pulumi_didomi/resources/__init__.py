"""Pulumi resources for Didomi: drafts, notice deployments, widget deployments."""

from .notice_deployment import NoticeDeployment, NoticeDeploymentProvider
from .notice_draft_config import NoticeDraftConfig, NoticeDraftConfigProvider
from .widget_deployment import WidgetDeployment, WidgetDeploymentProvider

__all__ = [
    "NoticeDeployment",
    "NoticeDeploymentProvider",
    "NoticeDraftConfig",
    "NoticeDraftConfigProvider",
    "WidgetDeployment",
    "WidgetDeploymentProvider",
]
