"""Thin routers, one per Didomi resource: parse the request, call the backend, render."""

from fastapi import APIRouter

from ..auth import Accounts, Authenticate
from ..backend import (
    MetadataBackend,
    NoticesBackend,
    TemplatesBackend,
    TextsBackend,
    WidgetsBackend,
)
from ..ratelimit import SlidingWindowLimiter
from ..stats import Stats
from .configs import configs_router
from .notice_deployments import notice_deployments_router
from .notices import notices_router
from .operator import operator_router
from .organizations import organizations_router
from .partners import partners_router
from .public import public_router
from .purposes import purposes_router
from .sessions import sessions_router
from .storages import storages_router
from .templates import templates_router
from .texts import texts_router
from .widget_deployments import widget_deployments_router
from .widgets import widgets_router

__all__ = ["api_routers", "operator_router"]


def api_routers(
    notices: NoticesBackend,
    widgets: WidgetsBackend,
    metadata: MetadataBackend,
    templates: TemplatesBackend,
    texts: TextsBackend,
    accounts: Accounts,
    authenticate: Authenticate,
    limiter: SlidingWindowLimiter | None,
    stats: Stats,
) -> list[APIRouter]:
    """The routers of the emulated API, in the order the app must include them.

    Order matters: fixed paths (`/widgets/notices/configs`, `/widgets/notices/templates`,
    `/widgets/deployments`...) come before the `{id}` paths that would also match them.
    """
    return [
        sessions_router(accounts, authenticate.tokens, limiter, stats),
        organizations_router(accounts, authenticate),
        notice_deployments_router(notices, authenticate),
        configs_router(notices, authenticate),
        templates_router(templates, authenticate),
        texts_router(texts, authenticate),
        notices_router(notices, authenticate),
        widget_deployments_router(widgets, authenticate),
        widgets_router(widgets, authenticate),
        public_router(widgets, accounts),
        partners_router(metadata, authenticate),
        storages_router(metadata, authenticate),
        purposes_router(metadata, authenticate),
    ]
