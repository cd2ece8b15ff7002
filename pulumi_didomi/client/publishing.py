"""Publishing: notice and widget deployments, each created once whatever the network does.

A deployment POST is not idempotent and has no idempotency key. After an ambiguous failure
(timeout, dropped connection, 502/503/504 once sent) the client looks for the deployment the
attempt may have created, and sends again only if there is none.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar

from pydantic import BaseModel

from pulumi_didomi.limits import MAX_PARALLEL_DEPLOYMENTS

from ._sending import AmbiguousOutcome, api_error
from .deployments import Deployments
from .errors import DeploymentError, DeploymentTimeoutError, TransportError
from .models import NoticeDeployment, WidgetDeployment

log = logging.getLogger("pulumi_didomi.client")
M = TypeVar("M", bound=BaseModel)

_SLOTS_LOCK = threading.Lock()
_SLOTS: dict[tuple[str, str], threading.BoundedSemaphore] = {}

#: Polls after the first come after this fraction of the time already waited, within bounds (s).
POLL_STEP = 0.25
MIN_POLL_STEP = 0.25
MAX_POLL_STEP = 5.0


class DeploymentTiming:
    """When to poll a notice deployment of one API first: the time this process waited for the
    last one to be found done (1 s until one is seen). It only grows: a deployment found done
    at the first poll says it took no longer, not how much shorter; deployments that got faster
    are still found by one poll each."""

    def __init__(self) -> None:
        self.expected = 1.0

    def found_done(self, waited: float) -> None:
        """A deployment was found done after `waited` s."""
        self.expected = max(self.expected, waited)


_TIMINGS: dict[str, DeploymentTiming] = {}


def _timing(base_url: str) -> DeploymentTiming:
    with _SLOTS_LOCK:
        return _TIMINGS.setdefault(base_url, DeploymentTiming())


def _deploy_slot(base_url: str, organization_id: str) -> threading.BoundedSemaphore:
    """The process-wide semaphore bounding notice deployments in flight for an organization."""
    with _SLOTS_LOCK:
        return _SLOTS.setdefault(
            (base_url, organization_id), threading.BoundedSemaphore(MAX_PARALLEL_DEPLOYMENTS)
        )


class Publishing(Deployments):
    """Publishing notices and deploying widgets: the part of `DidomiClient` that creates
    deployments."""

    def publish_notice(
        self,
        notice_id: str,
        config_id: str,
        message: str = "",
        organization_id: str | None = None,
        wait: bool = True,
        timeout: float = 300.0,
    ) -> NoticeDeployment:
        """Publish a notice's draft: exactly one deployment per call, whatever the network does.

        The POST is not idempotent. After an ambiguous failure (timeout, dropped connection,
        502/503/504 once sent) the client looks for a deployment of this configuration first
        (a configuration can only ever be deployed once) and retries only if there is none.
        At most 3 deployments per organization are in flight from this process; a 429 from
        Didomi's quota is waited out. Its requests pass the process's other waiting requests,
        which leave it room in the rate limit. With `wait`, returns once the deployment
        succeeded.
        """
        org = self._org(organization_id)
        body = {
            "notice_id": notice_id,
            "organization_id": org,
            "production_config_id": config_id,
            "message": message,
        }

        def find() -> NoticeDeployment | None:
            found = self.list_notice_deployments(notice_id, org, production_config_id=config_id)
            return found[0] if found else None

        with self._publishing(), _deploy_slot(self.base_url, org):
            deployment = self._publish(
                "/widgets/notices/deployments", body, None, find, NoticeDeployment, once_only=True
            )
            if wait:
                deployment = self.wait_for_deployment(deployment.id, timeout, deployment)
        return deployment

    def wait_for_deployment(
        self,
        deployment_id: str,
        timeout: float = 300.0,
        current: NoticeDeployment | None = None,
    ) -> NoticeDeployment:
        """Poll until `success`; raise `DeploymentError` on `failure` or timeout.

        The first poll comes when this process's deployments have been found done
        (`DeploymentTiming`), the next ones in steps of a quarter of the time waited (0.25 to
        5 s): once a deployment's time is known, a deployment that takes as long needs one
        poll, and holds its slot no longer than that.
        """
        timing = _timing(self.base_url)
        deadline = time.monotonic() + timeout
        waited = 0.0
        delay = timing.expected
        deployment = current
        while True:
            if deployment is not None and deployment.status in ("success", "failure"):
                break
            if time.monotonic() >= deadline:
                raise DeploymentTimeoutError(
                    deployment_id,
                    f"notice deployment {deployment_id} was still "
                    f"{deployment.status if deployment else 'unknown'} after {timeout:.0f}s; "
                    "it may still finish: check it in the Didomi console",
                )
            self._sleep(min(delay, max(deadline - time.monotonic(), 0.0)))
            waited += delay
            delay = min(max(waited * POLL_STEP, MIN_POLL_STEP), MAX_POLL_STEP)
            deployment = self.get_notice_deployment(deployment_id)
        if waited and deployment.status == "success":
            timing.found_done(waited)
            if self._limiter is not None:
                # The pace the other requests leave room for in the rate limit.
                self._limiter.deployment_seconds = waited
        if deployment.status == "failure":
            raise DeploymentError(
                deployment_id,
                f"notice deployment {deployment_id} failed: {deployment.message or 'no message'}",
            )
        return deployment

    def deploy_widget(self, widget_id: str, organization_id: str | None = None) -> WidgetDeployment:
        """Deploy a widget: one deployment per call, reconciled after ambiguous failures.

        A widget may be deployed many times, so reconciliation looks for a deployment of the
        widget created since the first attempt (allowing 5 s of clock skew).
        """
        org = self._org(organization_id)
        since = datetime.now(timezone.utc) - timedelta(seconds=5)

        def find() -> WidgetDeployment | None:
            for d in self.list_widget_deployments(widget_id, org):
                if d.created_at and _parse_time(d.created_at) >= since:
                    return d
            return None

        return self._publish(
            "/widgets/deployments",
            {"widget_id": widget_id},
            {"organization_id": org},
            find,
            WidgetDeployment,
        )

    def _publish(
        self,
        route: str,
        body: dict[str, Any],
        params: dict[str, Any] | None,
        find: Callable[[], M | None],
        model: type[M],
        once_only: bool = False,
    ) -> M:
        """POST a publication; `find` looks for it after an ambiguous failure. `once_only`:
        the target can be published once only, so a 400 also asks `find`."""
        started = time.monotonic()
        attempt = 0
        ambiguous = False
        while True:
            attempt += 1
            try:
                response = self._send("POST", route, params=params, json=body, idempotent=False)
            except AmbiguousOutcome as exc:
                ambiguous = True
                log.info("publish %s: %s; checking whether it took effect", route, exc.cause)
                found = find()
                if found is not None:
                    return found
                if not self._retrier.may_retry(attempt, started):
                    raise TransportError(
                        f"could not publish via {route}: {exc.cause} on each of {attempt} "
                        "attempts, and no deployment was created; run again later"
                    ) from None
                self._retrier.wait(attempt)
                continue
            if response.status_code < 400:
                return model.model_validate(response.json())
            if response.status_code == 400 and (ambiguous or once_only):
                # An earlier, ambiguous attempt may have published after all; and a
                # configuration deployed by a concurrent caller (e.g. the process of a killed
                # run) was published exactly once: that deployment is the one.
                found = find()
                if found is not None:
                    return found
            raise api_error(response)


def _parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
