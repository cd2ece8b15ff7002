"""Deterministic API-call budgets of the real CLI against the emulator (N = 1 and 10), in both
hostings: the dynamic resources (`bench/programs/drafts`) and the `didomi` provider plugin
(`bench/programs/native-drafts`), the same budgets.

Deployments finish at once here (--deploy-seconds 0) so that no status poll is needed and
every count is exact; the rate limit is on, and the client's pacing keeps 429s at zero.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.scenarios import DraftsBench
from tests.helpers import PulumiCLI

pytestmark = pytest.mark.e2e

CONFIGS = "GET /widgets/notices/configs"
PATCH = "PATCH /widgets/notices/configs/{config_id}"
POST = "POST /widgets/notices/deployments"
LIST_DEPLOYMENTS = "GET /widgets/notices/deployments"
SESSION = "POST /sessions"


@pytest.mark.parametrize("program", ["drafts", "native-drafts"])
@pytest.mark.parametrize("n", [1, 10])
def test_call_budgets(n: int, program: str, pulumi_cli: PulumiCLI, tmp_path: Path) -> None:
    bench = DraftsBench(pulumi_cli, tmp_path, n, deploy_seconds=0, program=program)
    try:
        first = bench.first_up()
        rest = {s.name: s for s in bench.after_first_up()}
    finally:
        bench.close()

    # First up: one session, the drafts resolved by one GET (the first) and one bulk listing
    # (ceil(N/100) pages, from the second on), and per notice one PATCH and one POST. The
    # deployment checks the draft as its PATCH returned it, without reading it again.
    assert first.by_route == {SESSION: 1, CONFIGS: 1 if n == 1 else 2, PATCH: n, POST: n}
    assert first.minimum == 1 + 1 + 2 * n and first.calls <= first.minimum + 1
    assert rest["no-op preview"].by_route == {}
    assert rest["no-op up"].by_route == {}
    assert rest["change one field"].by_route == {SESSION: 1, CONFIGS: 1, PATCH: 1, POST: 1}
    assert rest["change one field"].calls == rest["change one field"].minimum
    # Refresh: one bulk listing of the organization's drafts and one of its deployments
    # (ceil(N/100) pages each), whatever N: 1 session + ceil(N/100) + ceil(N/100).
    assert rest["refresh"].by_route == {SESSION: 1, CONFIGS: 1, LIST_DEPLOYMENTS: 1}
    assert rest["refresh"].calls == rest["refresh"].minimum
    assert rest["destroy"].by_route == {}
    for scenario in [first, *rest.values()]:
        assert scenario.status_429 == 0 and scenario.retries == 0, scenario


def test_publications_overlap_the_drafts_writes_when_the_engine_hands_both(
    pulumi_cli: PulumiCLI, tmp_path: Path
) -> None:
    """The plugin with `--parallel 1000`, 30 notices, a rate limit of 20 requests per 3 s (the
    first up needs 92 or 93: session, the drafts' reads, 30 PATCH, 30 POST, 30 polls) and
    deployments of 0.5 s: the engine hands the provider every draft at once and each
    deployment once its draft is written. The publications' requests pass the writes still
    waiting for the window, so the first publication comes before the last draft is written
    (first come first served, the 13 writes waiting since the start would all go first).
    Order, not time, is asserted; no 429, no request beyond the minimum + 1."""
    bench = DraftsBench(
        pulumi_cli,
        tmp_path,
        30,
        deploy_seconds=0.5,
        rate_limit="20/3",
        client_rate_limit="20/3",
        program="native-drafts",
    )
    try:
        first = bench.first_up(parallel=1000)
        routes = [r["route"] for r in bench.emulator.requests()]
    finally:
        bench.close()
    assert first.status_429 == 0 and first.calls <= first.minimum + 1
    assert routes.index(POST) < len(routes) - 1 - routes[::-1].index(PATCH)
