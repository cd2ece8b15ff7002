"""The Didomi API client: typed models, sessions, retries and safe publishing.

Names are imported on first use (PEP 562), so that a Pulumi program or a no-op preview that
never calls Didomi does not pay for httpx.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pulumi_didomi._lazy import lazy_exports
from pulumi_didomi.limits import DEFAULT_API_URL

if TYPE_CHECKING:
    from ._retry import RetryPolicy
    from .client import DidomiClient
    from .config_fields import WRITABLE_CONFIG_FIELDS, NoticeConfigFields, RegulationConfig
    from .configs import validate_config_fields
    from .errors import (
        APIError,
        ConfigurationError,
        ConflictError,
        DeploymentError,
        DeploymentTimeoutError,
        DidomiError,
        ForbiddenError,
        InvalidRequestError,
        NotAuthenticatedError,
        NotFoundError,
        RateLimitedError,
        ServerError,
        TransportError,
    )
    from .models import (
        Notice,
        NoticeConfig,
        NoticeDeployment,
        NoticeTemplate,
        NoticeTemplateConfig,
        NoticeText,
        NoticeTextContent,
        Purpose,
        Vendor,
        VendorCategory,
        VendorStorage,
        Widget,
        WidgetDeployment,
    )
    from .widgets import read_remote_widget_config


_MODULES: dict[str, str] = {
    "APIError": "errors",
    "ConfigurationError": "errors",
    "ConflictError": "errors",
    "DeploymentError": "errors",
    "DeploymentTimeoutError": "errors",
    "DidomiClient": "client",
    "DidomiError": "errors",
    "ForbiddenError": "errors",
    "InvalidRequestError": "errors",
    "NotAuthenticatedError": "errors",
    "NotFoundError": "errors",
    "Notice": "models",
    "Purpose": "models",
    "Vendor": "models",
    "VendorCategory": "models",
    "VendorStorage": "models",
    "NoticeConfig": "models",
    "NoticeConfigFields": "config_fields",
    "NoticeDeployment": "models",
    "NoticeTemplate": "models",
    "NoticeTemplateConfig": "models",
    "NoticeText": "models",
    "NoticeTextContent": "models",
    "RateLimitedError": "errors",
    "RegulationConfig": "config_fields",
    "RetryPolicy": "_retry",
    "ServerError": "errors",
    "TransportError": "errors",
    "WRITABLE_CONFIG_FIELDS": "config_fields",
    "Widget": "models",
    "WidgetDeployment": "models",
    "read_remote_widget_config": "widgets",
    "validate_config_fields": "configs",
}


__getattr__ = lazy_exports(__name__, _MODULES, globals())


__all__ = [
    "DEFAULT_API_URL",
    "WRITABLE_CONFIG_FIELDS",
    "APIError",
    "ConfigurationError",
    "ConflictError",
    "DeploymentError",
    "DeploymentTimeoutError",
    "DidomiClient",
    "DidomiError",
    "ForbiddenError",
    "InvalidRequestError",
    "NotAuthenticatedError",
    "NotFoundError",
    "Notice",
    "NoticeConfig",
    "NoticeConfigFields",
    "NoticeDeployment",
    "NoticeTemplate",
    "NoticeTemplateConfig",
    "NoticeText",
    "NoticeTextContent",
    "Purpose",
    "RateLimitedError",
    "RegulationConfig",
    "RetryPolicy",
    "ServerError",
    "TransportError",
    "Vendor",
    "VendorCategory",
    "VendorStorage",
    "Widget",
    "WidgetDeployment",
    "read_remote_widget_config",
    "validate_config_fields",
]
