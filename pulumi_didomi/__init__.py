"""Manage Didomi consent notices as infrastructure with Pulumi.

Resources: `Notice`, `NoticeDraftConfig`, `NoticeDeployment`, `Widget`, `WidgetDeployment`.
Functions: `get_notice_draft`, `get_notice_deployments`, `get_remote_widget_config`, each with
its `_output` form for Inputs. The API client lives in `pulumi_didomi.client`, the local emulator
in `pulumi_didomi.emulator`. Names are imported on first use (PEP 562): the provider process,
which unpickles resource providers, does not import the functions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import lazy_exports

if TYPE_CHECKING:
    from .functions import (
        get_notice_deployments,
        get_notice_deployments_output,
        get_notice_draft,
        get_notice_draft_output,
        get_remote_widget_config,
        get_remote_widget_config_output,
    )
    from .resources import (
        Notice,
        NoticeDeployment,
        NoticeDraftConfig,
        Widget,
        WidgetDeployment,
    )

__version__ = "0.1.0"

_MODULES = {
    "Notice": "resources",
    "NoticeDeployment": "resources",
    "NoticeDraftConfig": "resources",
    "Widget": "resources",
    "WidgetDeployment": "resources",
    "get_notice_deployments": "functions",
    "get_notice_deployments_output": "functions",
    "get_notice_draft": "functions",
    "get_notice_draft_output": "functions",
    "get_remote_widget_config": "functions",
    "get_remote_widget_config_output": "functions",
}


__getattr__ = lazy_exports(__name__, _MODULES, globals())


__all__ = [
    "Notice",
    "NoticeDeployment",
    "NoticeDraftConfig",
    "Widget",
    "WidgetDeployment",
    "__version__",
    "get_notice_deployments",
    "get_notice_deployments_output",
    "get_notice_draft",
    "get_notice_draft_output",
    "get_remote_widget_config",
    "get_remote_widget_config_output",
]
