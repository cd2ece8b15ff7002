"""Pulumi resources for Didomi: notices, drafts, notice deployments, widgets, widget
deployments."""

from .notice import Notice, NoticeProvider
from .notice_deployment import NoticeDeployment, NoticeDeploymentProvider
from .notice_draft_config import NoticeDraftConfig, NoticeDraftConfigProvider
from .widget import Widget, WidgetProvider
from .widget_deployment import WidgetDeployment, WidgetDeploymentProvider

__all__ = [
    "Notice",
    "NoticeDeployment",
    "NoticeDeploymentProvider",
    "NoticeDraftConfig",
    "NoticeDraftConfigProvider",
    "NoticeProvider",
    "Widget",
    "WidgetDeployment",
    "WidgetDeploymentProvider",
    "WidgetProvider",
]
