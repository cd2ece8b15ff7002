"""Unit tests of the client's pacing (`pulumi_didomi.client._pacing`), on a fake clock.

`FirstUp` drives the real `RateLimiter` through a whole first `up` of N notices in simulated
time, as the provider runs it when the engine hands it every draft and deployment at once: each
request is counted by a server that sees it arrive at a random moment between its sending and
its answer, so that the limiter's promise (never more than the server allows) is checked on
every request, and the time the run takes is deterministic.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections import deque
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pulumi_didomi.client import _pacing as pacing
from pulumi_didomi.client._pacing import RateLimiter, slot_share
from pulumi_didomi.limits import MAX_PARALLEL_DEPLOYMENTS


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_a_request_holds_its_place_in_the_window_until_after_its_answer() -> None:
    """The server counts a request when it arrives, somewhere between its sending and its
    answer: the client counts it from before it is sent until a window after the answer."""
    limiter = RateLimiter(3, 1.0, margin=0.0)
    for _ in range(3):
        assert limiter.try_acquire(0.0) == 0.0
    assert limiter.try_acquire(0.5) > 0  # three in flight: no room, whatever the time
    limiter.release(0.25)
    limiter.release(0.75)
    limiter.release(0.75)
    assert limiter.try_acquire(1.0) == 0.25  # the first answer leaves the window at 1.25
    assert limiter.try_acquire(1.25) == 0.0
    assert limiter.try_acquire(1.5) == 0.25  # the next ones at 1.75


def test_rate_limiter_paces_a_sliding_window() -> None:
    clock = FakeClock()
    sent: list[float] = []
    limiter = RateLimiter(3, 1.0, margin=0.0)
    for _ in range(7):
        limiter.acquire(clock, clock.sleep)
        sent.append(clock.now)
        limiter.release(clock.now)  # answered at once
    assert sent == [0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 2.0]
    # No window of 1 s ever holds more than 3 requests.
    assert all(sum(1 for t in sent if s <= t < s + 1.0) <= 3 for s in sent)


def test_rate_limiter_follows_the_servers_count_only_when_it_is_not_all_ours() -> None:
    """The server's `RateLimit` header limits the client only by the requests it counts that the
    client did not send (another pipeline, another tool): when they are all ours, the client's
    own window paces the rest of the window to the request, with no idling."""
    clock = FakeClock()

    def send(limiter: RateLimiter) -> None:
        limiter.acquire(clock, clock.sleep)
        limiter.release(clock.now)

    ours = RateLimiter(100, 15.0, margin=0.25)
    for _ in range(96):
        send(ours)
    ours.observe("limit=100, remaining=4, reset=15", clock)  # the 96 it counts are ours
    for _ in range(4):
        send(ours)
    assert clock.now == 0.0  # the whole window used, no pause
    send(ours)
    assert clock.now == 15.25  # the 101st waits for the first to leave the window (+ margin)


def test_the_others_requests_leave_the_client_what_they_leave_the_server() -> None:
    """93 requests of another client in the server's window: ours holds what is left, less a
    reserve for their requests in flight (`RESERVE`), until they leave the server's window:
    none before its `reset` (when its oldest one does), all a window after they were seen."""
    clock = FakeClock()
    limiter = RateLimiter(100, 15.0, margin=0.0)
    limiter.acquire(clock, clock.sleep)
    limiter.release(clock.now)
    limiter.observe("limit=100, remaining=6, reset=10", clock)  # 94 counted, 1 ours
    assert limiter._limit(0.0) == 100 - 93 - RateLimiter.RESERVE == 1
    assert limiter.try_acquire(0.0) > 0  # our one request fills it
    assert limiter._limit(9.9) == 1  # nothing of theirs left before `reset`
    assert limiter._limit(12.5) == 100 - 47 - RateLimiter.RESERVE  # half gone by then
    assert limiter._limit(15.0) == 100  # all gone a window after


def test_while_others_spend_the_budget_few_requests_go_at_once() -> None:
    """Each request is decided on the server's count of the others' requests; sent in a burst,
    many would rest on the same old count: while the others spend the budget, no more than
    `RESERVE` are in flight at once. A publication's requests keep half the reserve."""
    clock = FakeClock()
    limiter = RateLimiter(100, 15.0, margin=0.0)
    limiter.observe("limit=100, remaining=60, reset=15", clock)  # 40 of the others'
    assert [limiter.try_acquire(0.0) for _ in range(RateLimiter.RESERVE)] == [0.0] * 6
    assert limiter.try_acquire(0.0) > 0  # room in the window, but 6 in flight
    limiter.release(0.01)
    assert limiter.try_acquire(0.01) == 0.0
    busy = RateLimiter(100, 15.0, margin=0.0)
    busy.observe("limit=100, remaining=10, reset=15", clock)  # 90 of the others'
    assert busy._limit(0.0) == 100 - 90 - RateLimiter.RESERVE
    assert busy._limit(0.0, urgent=True) == 100 - 90 - RateLimiter.URGENT_RESERVE


def test_the_slots_are_shared_as_the_budget_is() -> None:
    """Alone, a pipeline takes Didomi's 3 deployment slots; while other clients spend the
    budget too, its part of the requests the server counts, of the 3 slots, rounded up, and
    one more while the window has `SPARE` requests to spare."""

    def pipeline(ours: int, counted: int) -> RateLimiter:
        limiter = RateLimiter(100, 15.0, margin=0.0)
        for _ in range(ours):
            limiter.try_acquire(0.0)
            limiter.release(0.0)
        limiter.observe(f"limit=100, remaining={100 - counted}, reset=15", FakeClock())
        return limiter

    assert pipeline(0, 0).slot_cap(0.0) == 3
    assert pipeline(40, 45).slot_cap(0.0) == 3  # 5 of others': not sharing yet
    assert pipeline(25, 95).slot_cap(0.0) == 1  # a quarter: 1 slot
    assert pipeline(45, 95).slot_cap(0.0) == 2  # about half: 2
    assert pipeline(10, 40).slot_cap(0.0) == 2  # a quarter, and 60 to spare: one more
    assert pipeline(25, 95).slot_cap(30.0) == 3  # the others' requests left the window
    assert RateLimiter(25, 15.0).slot_cap(0.0) == 1  # a share: never more than its slots


def test_a_share_of_the_budget_is_kept_to_and_slots_follow_it() -> None:
    """A pipeline paced at its share (`didomi:rateLimit` 33/15 for one of 3) keeps its whole
    share while the others keep to theirs, and takes that share of Didomi's 3 deployment
    slots, rounded up so that all are used (a half: 2, a third or a quarter: 1)."""
    clock = FakeClock()
    third = RateLimiter(33, 15.0)
    third.observe("limit=100, remaining=34, reset=15", clock)  # 66 of the others'
    assert third._limit(0.0) == 33
    third.observe("limit=100, remaining=20, reset=15", clock)  # the others take more
    assert third._limit(0.0) == 100 - 80 - RateLimiter.RESERVE
    assert [slot_share((n, 15.0)) for n in (100, 67, 50, 34, 33, 25, 1)] == [3, 2, 2, 1, 1, 1, 1]
    assert slot_share((200, 30.0)) == 3 and slot_share((20, 3.0)) == 3  # rates, not counts
    assert RateLimiter(50, 15.0).slots == 2 and RateLimiter(100, 15.0).slots == 3


def test_a_publications_request_goes_before_the_others() -> None:
    limiter = RateLimiter(10, 1.0, margin=0.0)
    with limiter._waiting(urgent=True):  # a publication's request is waiting
        assert limiter.try_acquire(0.0) > 0  # the others let it pass
        assert limiter.try_acquire(0.0, urgent=True) == 0.0
    assert limiter.try_acquire(0.0) == 0.0


def test_the_other_requests_leave_room_for_the_publications_under_way() -> None:
    limiter = RateLimiter(100, 15.0, margin=0.0)
    with limiter.publication():
        sent = 0
        while limiter.try_acquire(0.0) == 0.0:
            sent += 1
        # The publication may need its POST and a poll: 2 of the 100 are left to it.
        assert sent == 98
        assert limiter.try_acquire(0.0, urgent=True) == 0.0
    assert limiter.try_acquire(0.0) == 0.0  # once it is done, the rest of the window is free


def test_a_drafts_write_leaves_room_for_the_publication_that_follows_it() -> None:
    """With `pulumi up --parallel` above the resources, the engine hands the provider each
    deployment a moment after its draft is written: a draft's write counts as a publication to
    come, so that the drafts written at once leave the rest of the window to their
    publications (a POST and a poll each), which then take that place."""
    limiter = RateLimiter(100, 15.0, margin=0.0)
    sent = 0
    while limiter.try_acquire(0.0, draft=True) == 0.0:
        sent += 1
    assert sent == 33  # 33 writes and their publications' 66 requests: 99 of 100
    for _ in range(sent):
        limiter.release(0.01, draft=True)
    assert limiter._coming(1.0) == 33
    assert limiter.try_acquire(1.0, draft=True) > 0  # a 34th would leave its own too little
    with limiter.publication():  # the first publication begins, 0.8 s after its draft
        assert limiter._coming(1.0) == 32 and limiter._publications == 1
        assert limiter.try_acquire(1.0, urgent=True) == 0.0
    # A publication followed a draft: the drafts written later are expected published too.
    assert limiter._follow is True and limiter._coming(pacing.EXPECTED + 1.0) == 0


def test_drafts_not_followed_by_their_publications_soon_are_not_held_back_again() -> None:
    """At the engine's default parallelism the deployments come once every draft is written:
    the first `EXPECTED` s with no publication begun tell so, and the writes then take the
    window as any request does."""
    limiter = RateLimiter(100, 15.0, margin=0.0)
    while limiter.try_acquire(0.0, draft=True) == 0.0:
        limiter.release(0.0, draft=True)
    assert limiter.try_acquire(pacing.EXPECTED - 0.01, draft=True) > 0
    sent = 33
    while limiter.try_acquire(pacing.EXPECTED, draft=True) == 0.0:
        limiter.release(pacing.EXPECTED, draft=True)
        sent += 1
    assert sent == 100 and limiter._follow is False


def test_without_publications_the_window_is_used_at_once() -> None:
    limiter = RateLimiter(100, 15.0, margin=0.0)
    assert all(limiter.try_acquire(0.0) == 0.0 for _ in range(100))
    assert limiter.try_acquire(0.0) > 0


# -- a first `up` in simulated time ---------------------------------------------------------


@dataclass(order=True)
class _Event:
    at: float
    seq: int
    action: Callable[[float], None] = field(compare=False)


class FirstUp:
    """A first `up` of `n` notices: a session, ceil(n/100) listings, then per notice a PATCH,
    and (registered `registration` s after its answer) a publication of its draft: a POST, then
    polls until the deployment, `running` for `deploy_seconds`, is done; 3 at once, like
    Didomi's slots. Every request takes `latency` s; the server sees it arrive at a random
    moment in between and allows `limit` per `window` s.

    `aware`: the publications are told to the limiter (urgent requests, room left), as
    `DidomiClient.publish_notice` does; otherwise every request is an ordinary one.
    """

    def __init__(
        self,
        n: int,
        *,
        aware: bool = True,
        limit: int = 100,
        window: float = 15.0,
        latency: float = 0.003,
        deploy_seconds: float = 1.0,
        registration: float = 0.005,
        seed: int = 0,
    ) -> None:
        self.n = n
        self.aware = aware
        self.limit = limit
        self.window = window
        self.latency = latency
        self.deploy_seconds = deploy_seconds
        self.registration = registration
        self.limiter = RateLimiter(limit, window)
        self.random = random.Random(seed)
        self.arrivals: list[float] = []
        self.requests = 0
        self.first_post: float | None = None
        self.finished = 0.0
        self._events: list[_Event] = []
        self._seq = itertools.count()
        self._urgent: deque[tuple[Callable[[float], None], ExitStack]] = deque()
        self._ordinary: deque[Callable[[float], None]] = deque()
        self._wake_at: float | None = None
        self._free_slots = MAX_PARALLEL_DEPLOYMENTS
        self._slot_queue: deque[Callable[[float], None]] = deque()

    def run(self) -> FirstUp:
        self._at(0.0, lambda t: self._request(t, False, self._listed(math_ceil(self.n / 100))))
        while self._events:
            event = heapq.heappop(self._events)
            event.action(event.at)
        return self

    # -- the workload -----------------------------------------------------------------------

    def _listed(self, listings: int) -> Callable[[float], None]:
        def after(t: float) -> None:
            if listings:
                self._request(t, False, self._listed(listings - 1))
            else:
                for _ in range(self.n):
                    self._request(t, False, self._written)

        return after

    def _written(self, t: float) -> None:
        self._at(t + self.registration, self._publish)

    def _publish(self, t: float) -> None:
        publication = ExitStack()
        if self.aware:
            publication.enter_context(self.limiter.publication())

        def with_slot(t: float) -> None:
            def posted(t: float, arrival: float) -> None:
                self.first_post = t if self.first_post is None else self.first_post
                done_at = arrival + self.deploy_seconds
                self._at(t + 1.0, lambda t: self._poll(t, publication, done_at, 1.0))

            self._request(t, self.aware, posted, with_arrival=True)

        if self._free_slots:
            self._free_slots -= 1
            with_slot(t)
        else:
            self._slot_queue.append(with_slot)

    def _poll(self, t: float, publication: ExitStack, done_at: float, delay: float) -> None:
        def answered(t: float, arrival: float) -> None:
            if arrival < done_at:  # still running: poll again later, like wait_for_deployment
                later = min(delay * 1.5, 5.0)
                self._at(t + later, lambda t: self._poll(t, publication, done_at, later))
                return
            publication.close()
            self.finished = max(self.finished, t)
            if self._slot_queue:
                self._slot_queue.popleft()(t)
            else:
                self._free_slots += 1

        self._request(t, self.aware, answered, with_arrival=True)

    # -- requests through the limiter -------------------------------------------------------

    def _request(
        self, t: float, urgent: bool, then: Callable[..., None], with_arrival: bool = False
    ) -> None:
        def send(t: float) -> None:
            arrival = t + self.random.uniform(0, self.latency)
            self.arrivals.append(arrival)
            self.requests += 1

            def answered(t: float) -> None:
                self.limiter.release(t)
                then(t, arrival) if with_arrival else then(t)
                self._pump(t)

            self._at(t + self.latency, answered)

        if urgent:
            stack = ExitStack()
            stack.enter_context(self.limiter._waiting(urgent=True))
            self._urgent.append((send, stack))
        else:
            self._ordinary.append(send)
        self._pump(t)

    def _pump(self, t: float) -> None:
        waits: list[float] = []
        while self._urgent:
            wait = self.limiter.try_acquire(t, urgent=True)
            if wait > 0:
                waits.append(wait)
                break
            send, stack = self._urgent.popleft()
            stack.close()
            send(t)
        while self._ordinary:
            wait = self.limiter.try_acquire(t)
            if wait > 0:  # every ordinary request waits alike: no use asking for each
                waits.append(wait)
                break
            self._ordinary.popleft()(t)
        if waits:
            wake = t + min(waits)
            if self._wake_at is None or wake < self._wake_at or self._wake_at <= t:
                self._wake_at = wake
                self._at(wake, self._pump)

    def _at(self, t: float, action: Callable[[float], None]) -> None:
        heapq.heappush(self._events, _Event(t, next(self._seq), action))

    # -- what the server saw ----------------------------------------------------------------

    def most_in_a_window(self) -> int:
        """The most requests the server counted in any `window` s (sliding, from each
        arrival)."""
        arrivals = sorted(self.arrivals)
        most, start = 0, 0
        for end, at in enumerate(arrivals):
            while arrivals[start] <= at - self.window:
                start += 1
            most = max(most, end - start + 1)
        return most


def math_ceil(x: float) -> int:
    return -int(-x // 1)


def test_a_first_up_of_200_notices_at_the_rate_limits_bound() -> None:
    """The engine hands the provider every draft and every deployment at once (`--parallel`
    above 2N, the plugin): 603 requests, where 100 per 15 s allow no less than 90 s (the
    7th window opens at 90 s). Publications first, with room left for them, finish at ~92 s;
    first come first served, the drafts' writes take each window's budget as it opens and the
    slots idle between: ~97 s, the first publication at 30 s."""
    aware = FirstUp(200).run()
    assert aware.requests == 603
    assert aware.most_in_a_window() <= 100
    assert aware.first_post is not None and aware.first_post < 16
    assert 90 < aware.finished < 93

    unaware = FirstUp(200, aware=False).run()
    assert unaware.requests == 603
    assert unaware.most_in_a_window() <= 100
    assert unaware.first_post is not None and unaware.first_post > 30
    assert unaware.finished > 96


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(1, 150),
    latency=st.floats(0.001, 2.0),
    deploy_seconds=st.floats(0.1, 4.0),
    seed=st.integers(0, 2**16),
)
def test_the_server_never_counts_more_than_its_limit(
    n: int, latency: float, deploy_seconds: float, seed: int
) -> None:
    """Whatever the latency (and where in it the server sees a request arrive), the server's
    sliding window never holds more than the limit: no 429 from our own pacing."""
    run = FirstUp(
        n, limit=20, window=3.0, latency=latency, deploy_seconds=deploy_seconds, seed=seed
    ).run()
    assert run.most_in_a_window() <= 20
    assert run.requests >= 1 + math_ceil(n / 100) + 3 * n  # and every publication finished
    assert run.finished > 0


# -- the client's requests through its pacing -------------------------------------------------


def test_a_publications_requests_are_urgent_and_every_request_leaves_the_window() -> None:
    """`publish_notice` counts as a publication under way while it waits and publishes, its
    POST and polls are urgent, the other requests are not; a draft's PATCH is told as a draft's
    write, whose publication is then expected (and takes that place once it begins); each
    request sent is released, answered or failed (a dropped connection included)."""
    import httpx

    from pulumi_didomi.client import DidomiClient
    from pulumi_didomi.client._pacing import _SHARED
    from pulumi_didomi.client._session import TokenCache

    polls: list[int] = []

    def answer(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/v1/sessions":
            return httpx.Response(201, json={"access_token": "t"})
        if request.method == "POST":
            return httpx.Response(201, json=_deployment("running"))
        if path.endswith("/dep-1"):
            polls.append(1)
            return httpx.Response(200, json=_deployment("success" if len(polls) > 1 else "running"))
        if path == "/v1/widgets/notices/drop":
            raise httpx.ConnectError("dropped")
        if request.method == "PATCH":
            draft = {"id": "cfg-1", "organization_id": "org-1", "notice_id": "n-1"}
            return httpx.Response(200, json=draft)
        return httpx.Response(200, json={"id": "n-1", "organization_id": "org-1", "name": "n"})

    seen: list[tuple[bool, bool, int]] = []
    coming: list[int] = []
    limiter = RateLimiter(100, 15.0)
    acquire = limiter.acquire

    def spy(
        clock: Callable[[], float],
        sleep: Callable[[float], None],
        urgent: bool = False,
        draft: bool = False,
    ) -> None:
        seen.append((urgent, draft, limiter._publications))
        coming.append(limiter._coming(clock()))
        acquire(clock, sleep, urgent, draft)

    limiter.acquire = spy  # type: ignore[method-assign]
    base = "http://pacing.test/v1"
    _SHARED[(base, "key")] = limiter
    try:
        api = DidomiClient(
            "key",
            "s3cr3t-value",
            base_url=base,
            organization_id="org-1",
            transport=httpx.MockTransport(answer),
            tokens=TokenCache(),
            sleep=lambda _: None,
        )
        api.get_notice("n-1")
        api.update_draft("cfg-1", {"consent_duration": 6}, checked=True)
        assert api.publish_notice("n-1", "cfg-1").status == "success"
        with pytest.raises(Exception, match="could not reach"):
            api.get_notice("drop")
    finally:
        del _SHARED[(base, "key")]
    # session, GET notice: ordinary; the draft's PATCH: a draft's write; POST and two polls:
    # urgent, during a publication.
    assert seen[:6] == [
        (False, False, 0),
        (False, False, 0),
        (False, True, 0),
        (True, False, 1),
        (True, False, 1),
        (True, False, 1),
    ]
    # Once written, the draft's publication is to come, until it begins.
    assert coming[:6] == [0, 0, 0, 0, 0, 0] and limiter._follow is True
    assert all(not urgent and not d and n == 0 for urgent, d, n in seen[6:])
    assert limiter._publications == 0 and limiter._urgent_waiting == 0
    assert limiter._in_flight == 0 and len(limiter._answered) == len(seen)


def _deployment(status: str) -> dict[str, object]:
    return {
        "id": "dep-1",
        "notice_id": "n-1",
        "organization_id": "org-1",
        "production_config_id": "cfg-1",
        "status": status,
    }
