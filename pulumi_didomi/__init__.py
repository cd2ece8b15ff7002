"""Manage Didomi consent notices as infrastructure with Pulumi.

Resources: `NoticeDraftConfig`, `NoticeDeployment`, `WidgetDeployment`. Functions:
`get_notice_draft`, `get_notice_deployments`, `get_remote_widget_config`, each with its
`_output` form for Inputs. The API client lives
in `pulumi_didomi.client`, the local emulator in `pulumi_didomi.emulator`.
"""

from .functions import (
    get_notice_deployments,
    get_notice_deployments_output,
    get_notice_draft,
    get_notice_draft_output,
    get_remote_widget_config,
    get_remote_widget_config_output,
)
from .resources import NoticeDeployment, NoticeDraftConfig, WidgetDeployment

__version__ = "0.1.0"

__all__ = [
    "NoticeDeployment",
    "NoticeDraftConfig",
    "WidgetDeployment",
    "__version__",
    "get_notice_deployments",
    "get_notice_deployments_output",
    "get_notice_draft",
    "get_notice_draft_output",
    "get_remote_widget_config",
    "get_remote_widget_config_output",
]
