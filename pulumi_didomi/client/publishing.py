"""Publishing: notice and widget deployments, each created once whatever the network does.

A deployment POST is not idempotent and has no idempotency key. After an ambiguous failure
(timeout, dropped connection, 502/503/504 once sent) the client looks for the deployment the
attempt may have created, and sends again only if there is none.

A notice deployment takes one of the organization's 3 deployment slots, shared with every
other pipeline publishing to it: a refusal (429) is waited out in the process's line for the
slots (`_slots`), not counted as a failed attempt.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any, Generic, TypeVar

import httpx
from pydantic import BaseModel

from pulumi_didomi.limits import MAX_PARALLEL_DEPLOYMENTS

from ._remote import Gate, RemoteLimiter, TurnT
from ._retry import parse_retry_after
from ._sending import AmbiguousOutcome, api_error, response_body
from ._slots import slot_gate
from .deployments import Deployments
from .errors import DeploymentError, DeploymentTimeoutError, RateLimitedError, TransportError
from .models import NoticeDeployment, WidgetDeployment

log = logging.getLogger("pulumi_didomi.client")
M = TypeVar("M", bound=BaseModel)

_SLOTS_LOCK = threading.Lock()

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


#: Seconds between two "still waiting for a deployment slot" messages of one publication.
SAY_EVERY = 30.0


class _SlotTurn(Generic[TurnT]):
    """One notice publication's turn at its organization's deployment slots: waits in the
    process's line, tells the user why it waits, and gives the slot back."""

    def __init__(
        self,
        gate: Gate[TurnT],
        notice_id: str,
        timeout: float,
        on_wait: Callable[[str], None] | None,
    ) -> None:
        self.gate = gate
        self.notice_id = notice_id
        self.timeout = timeout
        self.on_wait = on_wait
        self.turn = gate.enter(time.monotonic())
        self.holding = False
        self._said_at: float | None = None

    def before_post(self, refusal: httpx.Response | None) -> None:
        """Wait for this publication's turn (unless its POST is being repeated after an
        ambiguous failure); raise `RateLimitedError` if its time runs out first."""
        if self.turn.posting:
            return
        if not self.gate.wait_turn(self.turn, self.timeout):
            waited = self.turn.waited(time.monotonic())
            raise RateLimitedError(
                "POST",
                "/widgets/notices/deployments",
                429,
                response_body(refusal) if refusal is not None else {},
                hint=f"notice {self.notice_id} was not published: no deployment slot of the "
                f"organization came free for this process in {self.timeout:.0f} s (refused "
                f"{self.turn.refusals} times over {waited:.0f} s; Didomi runs 3 notice "
                "deployments at once per organization, shared by every pipeline publishing "
                "to it). Nothing was published; run `pulumi up` again, or raise the "
                "NoticeDeployment's timeout",
                retry_after=self.turn.retry_after,
            )

    def refused(self, response: httpx.Response) -> None:
        """Didomi refused the slot: back in line, and say so (at most every `SAY_EVERY` s)."""
        now = time.monotonic()
        after = parse_retry_after(response.headers.get("Retry-After"))
        delay = self.gate.refused(self.turn, now, after)
        log.info("notice %s: no deployment slot; next try in %.1f s", self.notice_id, delay)
        if self.on_wait is None:
            return
        if self._said_at is None or now - self._said_at >= SAY_EVERY:
            self._said_at = now
            waited = self.turn.waited(now)
            since = f"waited {waited:.0f} s, " if waited >= 1 else ""
            held = self.gate.held
            whose = f"{held} of them this pipeline's" if held else "all of other pipelines"
            self.on_wait(
                f"notice {self.notice_id}: waiting for a deployment slot: the organization's "
                f"{MAX_PARALLEL_DEPLOYMENTS} notice deployments are running ({whose}); "
                f"{since}next try in {delay:.1f} s, gives up after {self.timeout:.0f} s "
                "without a slot coming free"
            )

    def won(self) -> None:
        """The POST created a deployment: it holds a slot until `done`."""
        self.gate.won(self.turn, time.monotonic())
        self.holding = True
        waited = self.turn.waited(time.monotonic())
        if self.on_wait is not None and self._said_at is not None:
            self.on_wait(
                f"notice {self.notice_id}: deployment slot won after {waited:.0f} s "
                f"({self.turn.refusals} refusals)"
            )

    def done(self) -> None:
        """The deployment is over (or this publication gave up): the slot is free."""
        if self.holding:
            self.holding = False
            self.gate.release(time.monotonic())
        else:
            self.gate.leave(self.turn)


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
        on_wait: Callable[[str], None] | None = None,
    ) -> NoticeDeployment:
        """Publish a notice's draft: exactly one deployment per call, whatever the network does.

        The POST is not idempotent. After an ambiguous failure (timeout, dropped connection,
        502/503/504 once sent) the client looks for a deployment of this configuration first
        (a configuration can only ever be deployed once) and retries only if there is none.

        Didomi runs 3 notice deployments at once per organization, for every pipeline
        publishing to it. The publication waits for a slot in the process's line (`_slots`):
        a refusal (429) is waited out, honouring `Retry-After`, until a slot is won, or until
        `timeout` seconds pass with no slot of this process won or freed (then
        `RateLimitedError`, nothing published). `on_wait` is told, in words, while it waits.
        Its requests pass the process's other waiting requests, which leave it room in the
        rate limit. With `wait`, returns once the deployment succeeded (within `timeout` more
        seconds).
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

        cap = self._limiter.slot_cap if self._limiter is not None else None
        gate: Gate[Any] = slot_gate(self.base_url, org, self._slots, cap)
        if isinstance(self._limiter, RemoteLimiter):  # the machine's line (`_coordination`)
            gate = self._limiter.gate(org, gate)
        with self._publishing():
            turn = _SlotTurn(gate, notice_id, timeout, on_wait)
            try:
                deployment = self._publish(
                    "/widgets/notices/deployments",
                    body,
                    None,
                    find,
                    NoticeDeployment,
                    once_only=True,
                    slot=turn,
                )
                if wait:
                    deployment = self.wait_for_deployment(deployment.id, timeout, deployment)
            finally:
                turn.done()
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
        slot: _SlotTurn[Any] | None = None,
    ) -> M:
        """POST a publication; `find` looks for it after an ambiguous failure. `once_only`:
        the target can be published once only, so a 400 also asks `find`. `slot`: the
        publication needs a deployment slot; a 429 refusing one is waited out there."""
        started = time.monotonic()
        attempt = 0
        ambiguous = False
        refusal: httpx.Response | None = None
        while True:
            attempt += 1
            if slot is not None:
                slot.before_post(refusal)
            try:
                response = self._send(
                    "POST",
                    route,
                    params=params,
                    json=body,
                    idempotent=False,
                    slot_refusals=slot is not None,
                )
            except AmbiguousOutcome as exc:
                ambiguous = True
                log.info("publish %s: %s; checking whether it took effect", route, exc.cause)
                found = find()
                if found is not None:
                    if slot is not None:
                        slot.won()
                    return found
                if not self._retrier.may_retry(attempt, started):
                    raise TransportError(
                        f"could not publish via {route}: {exc.cause} on each of {attempt} "
                        "attempts, and no deployment was created; run again later"
                    ) from None
                self._retrier.wait(attempt)
                continue
            if slot is not None and response.status_code == 429:
                refusal = response
                slot.refused(response)
                continue
            if response.status_code < 400:
                if slot is not None:
                    slot.won()
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
