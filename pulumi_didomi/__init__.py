"""Manage Didomi consent notices as infrastructure with Pulumi.

Resources: `NoticeDraftConfig`, `NoticeDeployment`, `WidgetDeployment`. Functions:
`get_notice_draft`, `get_notice_deployments`, `get_remote_widget_config`. The API client lives
in `pulumi_didomi.client`, the local emulator in `pulumi_didomi.emulator`.
"""

from .functions import get_notice_deployments, get_notice_draft, get_remote_widget_config
from .resources import NoticeDeployment, NoticeDraftConfig, WidgetDeployment

__version__ = "0.1.0"

__all__ = [
    "NoticeDeployment",
    "NoticeDraftConfig",
    "WidgetDeployment",
    "__version__",
    "get_notice_deployments",
    "get_notice_draft",
    "get_remote_widget_config",
]
