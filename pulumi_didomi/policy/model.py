"""What a rule is, how it is set, and what it reports (no `pulumi` import).

A `Rule` names what it checks and why (its sources), its default enforcement level and the
settings (`Options`) it takes from its policy's config; running it on a configuration gives
`Violation`s. The rules themselves are in `rules.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from .values import Scope, camel, is_number

Level = Literal["mandatory", "advisory", "disabled"]


@dataclass(frozen=True)
class Violation:
    """One broken rule: which notice, which field, what the limit is and where it comes from."""

    rule: str  # the rule's id (`consent-duration`); its policy is `didomi-<id>`
    notice_id: str | None
    field: str  # e.g. `regulation_configurations[0] (gdpr).consent_duration`
    value: str  # what the configuration holds, as shown
    limit: str  # what the rule asks for
    source: str  # the source's URL
    message: str  # one sentence naming all of the above
    level: Level = "mandatory"  # the rule's default enforcement level

    @property
    def policy(self) -> str:
        """The policy's name in the pack."""
        return f"didomi-{self.rule}"

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Options:
    """A rule's settings (policy config keys in brackets)."""

    #: The longest duration allowed, in months (`maxMonths`).
    max_months: float = 6.0
    #: Other limits where a regulation configuration applies (`maxMonthsByGeo`): keys are
    #: `geo_locations` values (`FR`, `US_CA`; `US` also matches `US_CA`; `*` replaces
    #: `max_months`). The strictest limit of a configuration's geos applies.
    max_months_by_geo: Mapping[str, float] = field(default_factory=dict)
    #: Report a field the configuration leaves unset (`requireSet`): its value on Didomi is then
    #: whatever the console last saved, and nothing reviewed it.
    require_set: bool = True
    #: The regulations whose `regulation_configurations` entries are checked (`regulations`; `*`:
    #: all). The top-level fields are always checked.
    regulations: tuple[str, ...] = ("gdpr",)
    #: Also report on the `NoticeDraftConfig` resources themselves (`checkDrafts`), at the
    #: policy's level: a mandatory rule then blocks saving the draft, not only publishing it.
    check_drafts: bool = False


def positive_months(where: str, key: str, value: Any) -> float:
    """A limit in months, checked (`where`: who reads it, for the error)."""
    if not is_number(value) or value <= 0:
        raise ValueError(f"{where}: {key} must be a positive number of months, got {value!r}")
    return float(value)


@dataclass(frozen=True)
class Context:
    """One run of a rule: it names fields and words violations."""

    notice_id: str | None
    rule: Rule
    options: Options
    camel: bool

    def name(self, scope: Scope, key: str) -> str:
        key_name = camel(key) if self.camel else key
        if scope.index is None:
            return key_name
        items = camel("regulation_configurations") if self.camel else "regulation_configurations"
        where = f"{items}[{scope.index}]"
        if isinstance(scope.regulation, str):
            where += f" ({scope.regulation})"
        return f"{where}.{key_name}"

    def violation(self, scope: Scope, key: str, value: str, problem: str, limit: str) -> Violation:
        """`notice <id>: <field> <problem>; <limit> (<source title>: <url>)`."""
        name = self.name(scope, key)
        notice = self.notice_id if isinstance(self.notice_id, str) else "(id unknown)"
        source = self.rule.sources[0]
        message = f"notice {notice}: {name} {problem}; {limit} ({self.rule.source_title}: {source})"
        return Violation(
            self.rule.id, self.notice_id, name, value, limit, source, message, self.rule.level
        )


#: How a rule inspects a configuration (`evaluators.py`).
Evaluate = Callable[[Mapping[str, Any], Context], list[Violation]]


@dataclass(frozen=True)
class Rule:
    """A rule: its id, what it checks and why (sources), its default level and settings."""

    id: str
    title: str
    description: str  # with its sources' URLs
    sources: tuple[str, ...]
    source_title: str  # how messages name `sources[0]`
    level: Level
    evaluate: Evaluate
    require_set: bool = False  # the default of `Options.require_set`
    durations: bool = False  # takes `maxMonths` / `maxMonthsByGeo`
    items: bool = True  # checks regulation configurations (takes `regulations`)
    unset_problem: str = "is not set"

    @property
    def policy(self) -> str:
        """The policy's name in the pack."""
        return f"didomi-{self.id}"

    def defaults(self) -> Options:
        return Options(require_set=self.require_set)

    def config_schema(self) -> dict[str, dict[str, Any]]:
        """The JSON schema of the policy's config properties, with their defaults."""
        out: dict[str, dict[str, Any]] = {}
        if self.durations:
            out["maxMonths"] = {
                "type": "number",
                "minimum": 0,
                "default": 6,
                "description": "The longest duration allowed, in months (a month is 30.4375 "
                "days: 6 months = 183 days).",
            }
            out["maxMonthsByGeo"] = {
                "type": "object",
                "additionalProperties": {"type": "number", "minimum": 0},
                "default": {},
                "description": "Limits where a regulation configuration applies, by geo "
                'location: {"FR": 6} with maxMonths 12 asks 6 months for France, 12 elsewhere. '
                "The strictest limit of a configuration's geos applies; `*` (or a "
                "configuration without regulation configurations) gets the strictest of all.",
            }
        if self.items:
            out["regulations"] = {
                "type": "array",
                "items": {"type": "string"},
                "default": ["gdpr"],
                "description": "The regulations whose regulation configurations are checked "
                "(`*`: all); the top-level fields are always checked.",
            }
        out["requireSet"] = {
            "type": "boolean",
            "default": self.require_set,
            "description": "Report the field when the configuration leaves it unset.",
        }
        out["checkDrafts"] = {
            "type": "boolean",
            "default": False,
            "description": "Also report on NoticeDraftConfig resources (at this policy's level: "
            "mandatory then blocks saving the draft), not only on what a NoticeDeployment "
            "publishes.",
        }
        return out

    def options(self, config: Mapping[str, Any] | None = None) -> Options:
        """Options from the policy's config (camelCase keys, as in the schema)."""
        config = config or {}
        unknown = sorted(set(config) - set(self.config_schema()))
        if unknown:
            raise ValueError(f"{self.policy}: unknown config key(s) {', '.join(unknown)}")
        opts = self.defaults()
        if "maxMonths" in config:
            months = positive_months(self.policy, "maxMonths", config["maxMonths"])
            opts = replace(opts, max_months=months)
        if "maxMonthsByGeo" in config:
            by_geo = config["maxMonthsByGeo"]
            if not isinstance(by_geo, Mapping):
                raise ValueError(f"{self.policy}: maxMonthsByGeo must be an object")
            geos = {
                str(k): positive_months(self.policy, f"maxMonthsByGeo.{k}", v)
                for k, v in by_geo.items()
            }
            opts = replace(opts, max_months_by_geo=geos)
        if "regulations" in config:
            regulations = config["regulations"]
            if not isinstance(regulations, list) or not all(
                isinstance(r, str) for r in regulations
            ):
                raise ValueError(f"{self.policy}: regulations must be a list of regulation ids")
            opts = replace(opts, regulations=tuple(regulations))
        for key, attr in (("requireSet", "require_set"), ("checkDrafts", "check_drafts")):
            if key in config:
                if not isinstance(config[key], bool):
                    raise ValueError(f"{self.policy}: {key} must be true or false")
                opts = replace(opts, **{attr: config[key]})
        return opts

    def check(
        self,
        config: Mapping[str, Any],
        options: Options | None = None,
        notice_id: str | None = None,
        camel: bool = False,
    ) -> list[Violation]:
        """This rule's violations in `config` (snake_case NoticeDraftConfig inputs)."""
        if notice_id is None and isinstance(config.get("notice_id"), str):
            notice_id = config["notice_id"]
        ctx = Context(notice_id, self, options or self.defaults(), camel)
        return self.evaluate(config, ctx)
