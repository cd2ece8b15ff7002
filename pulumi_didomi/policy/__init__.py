"""Compliance rules for Didomi notice configurations, and a Pulumi policy pack running them.

`check(config, **thresholds)` returns the `Violation`s of a NoticeDraftConfig's inputs
(snake_case names) without the Pulumi engine, for programs and CI. The same rules run as the
policies of the pack in `PACK_DIR` (`pulumi preview --policy-pack <PACK_DIR>`; `python -m
pulumi_didomi.policy` prints it), which checks what each `NoticeDeployment` publishes, in both
hostings. Neither this package nor its rules import `pulumi` or `pulumi_policy`: only the pack's
`__main__.py` does.

Modules: `values` (reading a configuration, `UNKNOWN`), `durations` (units, conversion, limits),
`model` (`Rule`, its `Options` and `Violation`s), `evaluators` (how each rule reads a
configuration), `rules` (the rules, their sources, `check`), `resources` (what the pack sees),
`data_manager` (the rules of vendors and purposes and the notices listing them, `STACK_RULES`).
"""

from __future__ import annotations

from pathlib import Path

from .data_manager import STACK_RULES, StackRule
from .durations import DEFAULT_UNIT, MONTH_DAYS, UNITS, describe_duration, limit_days, within
from .model import Options, Rule, Violation
from .rules import DEFAULT_PROFILE, RULES, check
from .values import UNKNOWN

#: The policy pack's directory (`PulumiPolicy.yaml`, `__main__.py`).
PACK_DIR = Path(__file__).resolve().parent / "pack"

__all__ = [
    "DEFAULT_PROFILE",
    "DEFAULT_UNIT",
    "MONTH_DAYS",
    "PACK_DIR",
    "RULES",
    "STACK_RULES",
    "UNITS",
    "UNKNOWN",
    "Options",
    "Rule",
    "StackRule",
    "Violation",
    "check",
    "describe_duration",
    "limit_days",
    "within",
]
