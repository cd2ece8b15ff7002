"""The Didomi API client: typed models, sessions, retries and safe publishing."""

from ._retry import RetryPolicy
from .client import (
    DEFAULT_API_URL,
    DidomiClient,
    read_remote_widget_config,
    validate_config_fields,
)
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
    WRITABLE_CONFIG_FIELDS,
    Notice,
    NoticeConfig,
    NoticeConfigFields,
    NoticeDeployment,
    RegulationConfig,
    Widget,
    WidgetDeployment,
)

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
    "RateLimitedError",
    "RegulationConfig",
    "RetryPolicy",
    "ServerError",
    "TransportError",
    "Widget",
    "WidgetDeployment",
    "read_remote_widget_config",
    "validate_config_fields",
]
