"""Many pipelines, one organization: 3 `pulumi up` processes at the same moment (the real CLI,
each its own stack of 30 notices: a NoticeDraftConfig and a NoticeDeployment each), against one
emulator organization with Didomi's limits on (100 requests per 15 s, 3 deployments at once,
deployments running 1 s, as in `make bench`).

The client used to give a publication refused a deployment slot 8 attempts (about 9 s of
`Retry-After`), and then failed its pipeline: 2 runs in 7 of two such pipelines failed. Here
every pipeline must succeed, each notice be published exactly once, no 429 reach the user, and
the organization never run more than 3 deployments. A run passes only if it also had the
contention that used to fail: some publication waited at least `OLD_BUDGET` s for a slot (its
status says so); a run without it does not count, and the scenario is run again (at most
`ROUNDS` times; in simulation every seed of this scenario keeps one waiting at least 11 s,
`tests/client/test_slots_unit.py`). So a client that failed one run in four could not pass.

Those pipelines run with `didomi:coordination off`, as pipelines on different machines do: each
learns of the others from the server's answers only. On one machine (the default, `machine`)
they are paced together through the machine's broker (`pulumi_didomi.client._coordination`):
one line for the slots and one limiter, so that no deployment is refused a slot and no request
is refused by the rate limit.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.pipelines import PipelinesRun, run_pipelines
from tests.helpers import PulumiCLI

pytestmark = pytest.mark.e2e

#: Seconds of refusals the client used to sustain before failing a publication: 7 waits of a
#: 1 s `Retry-After` plus up to 0.25 s of jitter, between its 8 attempts.
OLD_BUDGET = 9.0
ROUNDS = 2


def _every_notice_published_once(run: PipelinesRun) -> str:
    """Every pipeline succeeded, each of the 90 notices was published once, no more than 3
    deployments ran at once; the pipelines' logs' ends."""
    logs = "\n".join(out[-3000:] for out in run.outputs)
    assert run.failed == [], logs
    assert run.deployments_per_notice == {1: 90}, run.deployments_per_notice
    assert run.max_running <= 3
    return logs


def test_three_pipelines_publish_every_notice_once(pulumi_cli: PulumiCLI, tmp_path: Path) -> None:
    waits = []
    for round_ in range(ROUNDS):
        path = tmp_path / f"round-{round_}"
        run = run_pipelines(pulumi_cli, path, 3, 30, 600, config={"didomi:coordination": "off"})
        _every_notice_published_once(run)
        for out in run.outputs:
            assert "error:" not in out and "TooManyRequests" not in out, out[-3000:]
        assert run.slot_refused > 0  # the organization's slots were contended...
        waits.append(run.longest_slot_wait)
        if waits[-1] >= OLD_BUDGET:  # ...long enough to fail the former client
            return
    pytest.fail(
        f"no publication waited {OLD_BUDGET} s for a slot in {ROUNDS} rounds (longest: "
        f"{waits}): the scenario no longer has the contention this test is about"
    )


def test_pipelines_of_one_machine_are_paced_together(pulumi_cli: PulumiCLI, tmp_path: Path) -> None:
    run = run_pipelines(pulumi_cli, tmp_path, 3, 30, 600)
    logs = _every_notice_published_once(run)
    # One line for the slots, one limiter: nothing refused; a POST per notice; the calls
    # above the minimum are status polls of a deployment not done yet (2 to 3 measured).
    assert (run.slot_refused, run.rate_limited) == (0, 0), logs
    assert run.by_route["POST /widgets/notices/deployments"] == 90, run.by_route
    assert run.calls <= run.minimum + 9, run.by_route


def test_runs_in_one_cli_home_do_not_meet(pulumi_cli: PulumiCLI, tmp_path: Path) -> None:
    """A second run (the first test's second round, `make bench`'s runs) has stacks of the same
    names: each organization's stacks live in a backend of its own, so both set up and publish."""
    for path in (tmp_path / "first", tmp_path / "second"):
        run = run_pipelines(pulumi_cli, path, 2, 1, 300)
        assert run.failed == [], run.outputs
        assert run.deployments_per_notice == {1: 2}, run.deployments_per_notice
