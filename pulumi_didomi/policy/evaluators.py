"""How the rules inspect a configuration: each function here is a `Rule.evaluate` (no `pulumi`
import). A configuration and its scopes are read as `values.py` says; values not known yet
(`UNKNOWN`, in a preview) are not judged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .durations import DEFAULT_UNIT, UNITS, describe_duration, describe_limit, limit_for, within
from .model import Context, Evaluate, Violation
from .values import Scope, is_number, is_set, is_unknown, scopes, shown

# -- durations -----------------------------------------------------------------------------------


def duration_rule(value_key: str, unit_key: str, custom_key: str | None) -> Evaluate:
    """`value_key` (in `unit_key`) is within the limit where it applies: at the top level and in
    each checked regulation configuration; only where `custom_key` (if any) is true."""

    def evaluate(config: Mapping[str, Any], ctx: Context) -> list[Violation]:
        top, items = scopes(config, ctx.options.regulations)

        def applies(scope: Scope) -> bool | None:
            if custom_key is None:
                return True
            custom = scope.effective(custom_key)
            return None if is_unknown(custom) else custom is True

        # Where the top-level value is in force: the checked regulation configurations that
        # inherit it; anywhere when the configuration has none (or they are not known yet).
        geos: tuple[str, ...] = ("*",)
        if items:
            inheriting = [s for s in items if not is_set(s.own(value_key)) and applies(s)]
            geos = tuple(g for s in inheriting for g in s.geos())
        out = []
        if applies(top):
            # No regulation configuration inherits it: the default limit applies.
            out += _check_duration(ctx, top, value_key, unit_key, top, geos, items)
        for scope in items or []:
            if not applies(scope):
                continue
            if is_set(scope.own(value_key)):
                out += _check_duration(ctx, scope, value_key, unit_key, scope, scope.geos(), None)
            elif not applies(top):
                # The top-level value applies only through this regulation configuration.
                out += _check_duration(ctx, scope, value_key, unit_key, top, scope.geos(), None)
        return out

    return evaluate


def _check_duration(
    ctx: Context,
    scope: Scope,
    value_key: str,
    unit_key: str,
    source: Scope,
    geos: tuple[str, ...],
    items: list[Scope] | None,
) -> list[Violation]:
    value = source.own(value_key)
    unit = scope.effective(unit_key)
    unit = DEFAULT_UNIT if unit is None else unit
    months, geo = limit_for(geos, ctx.options)
    limit = f"must be at most {describe_limit(months)}" + (f" where {geo} applies" if geo else "")
    inherited = "" if source is scope else f" (inherited from {ctx.name(source, value_key)})"
    if value is None:
        all_override = source.index is None and bool(items) and not geos
        if not ctx.options.require_set or all_override:
            return []
        return [ctx.violation(scope, value_key, "not set", ctx.rule.unset_problem, limit)]
    if is_unknown(value) or is_unknown(unit) or not is_number(value) or unit not in UNITS:
        return []  # not known yet, or refused by the provider's own checks
    if within(float(value), unit, months):
        return []
    text = describe_duration(float(value), unit)
    problem = f"is {text}{inherited}"
    return [ctx.violation(scope, value_key, text, problem, limit)]


# -- the first layer -----------------------------------------------------------------------------


def reject_button(config: Mapping[str, Any], ctx: Context) -> list[Violation]:
    """`negative_action` is "button" (top level only)."""
    top = Scope(config)
    value = config.get("negative_action")
    limit = 'must be "button": a "Disagree to all" button next to "Agree" on the first layer'
    if is_unknown(value) or value == "button":
        return []
    if value is None:
        if not ctx.options.require_set:
            return []
        problem = "is not set (the notice then keeps whatever Didomi holds, maybe no reject)"
        return [ctx.violation(top, "negative_action", "not set", problem, limit)]
    problem = f"is {shown(value)}"
    if value == "link":
        problem += ' (a "Continue without agreeing" link, not a button)'
    return [ctx.violation(top, "negative_action", shown(value), problem, limit)]


def expect_value(keys: tuple[str, ...], expected: Any, limit: str, unset_problem: str) -> Evaluate:
    """Each key, at the top level and in each checked regulation configuration, equals
    `expected` when set (and is set at the top level when `require_set`)."""

    def evaluate(config: Mapping[str, Any], ctx: Context) -> list[Violation]:
        top, items = scopes(config, ctx.options.regulations)
        out = []
        for scope in [top, *(items or [])]:
            for key in keys:
                value = scope.own(key)
                if is_unknown(value) or value == expected:
                    continue
                if value is None:
                    if scope.index is None and ctx.options.require_set:
                        out.append(ctx.violation(scope, key, "not set", unset_problem, limit))
                    continue
                out.append(ctx.violation(scope, key, shown(value), f"is {shown(value)}", limit))
        return out

    return evaluate


#: Consent-mode integrations: (enabled flag, "set a default status" flag, default statuses of
#: purposes that need consent). Functionality and security storage are not consent purposes.
CONSENT_MODES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "gcm_enabled",
        "gcm_set_default_status",
        (
            "gcm_analytics_default_status",
            "gcm_ads_default_status",
            "gcm_personalization_default_status",
            "gcm_ad_user_data_default_status",
            "gcm_ad_personalization_default_status",
        ),
    ),
    ("microsoft_enabled", "microsoft_set_default_status", ("microsoft_ad_storage_default_status",)),
    (
        "amazon_enabled",
        "amazon_set_default_status",
        ("amazon_ad_storage_default_status", "amazon_ad_user_data_default_status"),
    ),
)


def consent_mode_defaults(config: Mapping[str, Any], ctx: Context) -> list[Violation]:
    """No consent-mode purpose of `CONSENT_MODES` is granted by default where its integration
    and its default status are on."""
    top, items = scopes(config, ctx.options.regulations)
    limit = "must be false (denied until the user chooses: silence is a refusal)"
    out = []
    for scope in [top, *(items or [])]:
        for enabled, set_default, statuses in CONSENT_MODES:
            if scope.effective(enabled) is False or scope.effective(set_default) is False:
                continue
            for key in statuses:
                if scope.own(key) is True:
                    problem = "is true (granted before the user made any choice)"
                    out.append(ctx.violation(scope, key, "true", problem, limit))
    return out
