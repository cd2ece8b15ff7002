"""The compliance rules of a Didomi notice configuration, with their sources, and `check` (no
`pulumi` import).

`check(config, **thresholds)` runs them on a `NoticeDraftConfig`'s inputs (snake_case names, see
`values.py`); durations are converted as `durations.py` says; each rule's `evaluate` is in
`evaluators.py`. The pack (`pack/__main__.py`) makes one policy of each rule in `RULES`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from .evaluators import consent_mode_defaults, duration_rule, expect_value, reject_button
from .model import Level, Rule, Violation, positive_months

# -- sources (docs: ../shared/reference/didomi-api.md §10) ---------------------------------------

CNIL_SIX_MONTHS = "https://www.quantic-avocats.com/2020/11/05/cookies-cnil/"
DIDOMI_CNIL = (
    "https://support.didomi.io/ensure-that-you-are-compliant-with-the-new-cnil-cookie-"
    "recommendations"
)
DIDOMI_DEFAULT_13_MONTHS = (
    "https://support.didomi.io/cmp-/-what-are-the-default-conditions-under-which-a-consent-"
    "banner-is-redisplayed-to-a-user-after-they-have-made-an-initial-choice"
)
CNIL_FINES = (
    "https://www.scl.org/12482-french-data-protection-regulator-fines-google-and-facebook-for-"
    "making-it-harder-to-refuse-cookies-than-to-accept-them/"
)
EDPB_TASKFORCE = (
    "https://www.fedma.org/2023/01/the-edpb-adopts-a-report-on-the-outcome-of-the-cookie-banner-"
    "task-force/"
)
EDPB_TASKFORCE_LI = (
    "https://cms.law/en/ita/publication/consistency-between-data-protection-authorities-on-cookies"
)
LI_FOR_COOKIES = (
    "https://thedataprivacygroup.com/blog/is-legitimate-interest-a-viable-legal-basis-for-the-"
    "use-of-cookies/"
)
DIDOMI_REFUSE_BUTTON = "https://blog.didomi.io/cnil-cookie-recommendations-compliance"
DIDOMI_GCM = (
    "https://developers.didomi.io/cmp/web-sdk/third-parties/direct-integrations/google-consent-mode"
)


_CNIL_DURATION = (
    "The CNIL recommends keeping the user's choice (consent or refusal) for 6 months, down from "
    "13; a longer period must be justified"
)

CONSENT_DURATION = Rule(
    "consent-duration",
    "Consent is kept at most 6 months",
    f"{_CNIL_DURATION} ({CNIL_SIX_MONTHS}; {DIDOMI_CNIL}). Checks `consent_duration` "
    "(months/days/seconds; no unit = months) at the top level and in every GDPR regulation "
    "configuration; left unset, the notice keeps Didomi's value, 13 months by default "
    f"({DIDOMI_DEFAULT_13_MONTHS}).",
    (CNIL_SIX_MONTHS, DIDOMI_CNIL, DIDOMI_DEFAULT_13_MONTHS),
    "CNIL recommendation",
    "mandatory",
    duration_rule("consent_duration", "consent_duration_unit", None),
    require_set=True,
    durations=True,
    unset_problem="is not set (Didomi's default re-asks only after 13 months: "
    f"{DIDOMI_DEFAULT_13_MONTHS})",
)

DENIED_CONSENT_DURATION = Rule(
    "denied-consent-duration",
    "A refusal is kept at most 6 months",
    f"{_CNIL_DURATION} ({CNIL_SIX_MONTHS}; {DIDOMI_CNIL}). When "
    "`denied_consent_duration_custom` is true, checks `denied_consent_duration` (months/days/"
    "seconds; no unit = months) at the top level and in every GDPR regulation configuration.",
    (CNIL_SIX_MONTHS, DIDOMI_CNIL),
    "CNIL recommendation",
    "mandatory",
    duration_rule(
        "denied_consent_duration", "denied_consent_duration_unit", "denied_consent_duration_custom"
    ),
    require_set=True,
    durations=True,
    unset_problem="is not set although denied_consent_duration_custom is true",
)

REJECT_BUTTON = Rule(
    "reject-button",
    "Refusing is as easy as accepting: a reject button on the first layer",
    "Refusing must be as simple as accepting (CNIL, " + CNIL_SIX_MONTHS + "); the CNIL fined "
    f"Google and Facebook because refusing took more clicks than accepting ({CNIL_FINES}); most "
    "EU authorities see no reject option on a layer with an accept button, or a link in place "
    f"of a reject button, as an infringement ({EDPB_TASKFORCE}); Didomi added a first-layer "
    f"refuse button for this ({DIDOMI_REFUSE_BUTTON}). Checks `negative_action` is "
    '"button".',
    (CNIL_FINES, EDPB_TASKFORCE, CNIL_SIX_MONTHS, DIDOMI_REFUSE_BUTTON),
    "CNIL sanction, EDPB cookie banner taskforce",
    "mandatory",
    reject_button,
    require_set=True,
    items=False,
)

DISAGREE_BUTTON_STYLE = Rule(
    "disagree-button-style",
    "The reject button has the same visual weight as the accept button",
    "Deceptive button contrast, or too little visual support for the only alternative to "
    f"accepting, can invalidate consent (EDPB cookie banner taskforce, {EDPB_TASKFORCE}). "
    'Checks `disagree_button_style` is "primary" at the top level and in every GDPR regulation '
    "configuration.",
    (EDPB_TASKFORCE,),
    "EDPB cookie banner taskforce",
    "advisory",
    expect_value(
        ("disagree_button_style",),
        "primary",
        'must be "primary", the style of the Agree button',
        "is not set",
    ),
)

DENY_APPLIES_TO_LI = Rule(
    "deny-applies-to-legitimate-interest",
    "Disagreeing also stops legitimate-interest processing",
    "Trackers that need consent cannot rely on legitimate interest instead (ePrivacy; EDPB "
    f"cookie banner taskforce on the assertion of legitimate interest, {EDPB_TASKFORCE_LI}; "
    f"{LI_FOR_COOKIES}): a refusal should not leave them running. Checks "
    "`notice_deny_applies_to_li` and `preferences_deny_applies_to_li` are not false at the top "
    "level and in every GDPR regulation configuration.",
    (EDPB_TASKFORCE_LI, LI_FOR_COOKIES),
    "EDPB cookie banner taskforce",
    "advisory",
    expect_value(
        ("notice_deny_applies_to_li", "preferences_deny_applies_to_li"),
        True,
        "must be true: a refusal also withdraws legitimate-interest processing",
        "is not set",
    ),
)

CONSENT_MODE_DEFAULTS = Rule(
    "consent-mode-defaults",
    "Consent-mode purposes are denied until the user chooses",
    f"The user's silence is a refusal ({CNIL_SIX_MONTHS}) and pre-ticked boxes are no consent "
    f"({EDPB_TASKFORCE}); in Didomi's consent-mode settings a default status true means granted "
    f"before any choice ({DIDOMI_GCM}). Checks the default statuses of Google, Microsoft and "
    "Amazon consent mode purposes that need consent (analytics, ads, personalization, ad user "
    "data, ad storage) are not true, unless that integration or its default status is off.",
    (CNIL_SIX_MONTHS, EDPB_TASKFORCE, DIDOMI_GCM),
    "CNIL: silence is a refusal",
    "advisory",
    consent_mode_defaults,
)

#: Every rule, by id.
RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        CONSENT_DURATION,
        DENIED_CONSENT_DURATION,
        REJECT_BUTTON,
        DISAGREE_BUTTON_STYLE,
        DENY_APPLIES_TO_LI,
        CONSENT_MODE_DEFAULTS,
    )
}

#: The default enforcement level of each policy of the pack.
DEFAULT_PROFILE: dict[str, Level] = {r.policy: r.level for r in RULES.values()}

_THRESHOLDS = frozenset(
    {
        "max_months",
        "max_months_by_geo",
        "denied_max_months",
        "denied_max_months_by_geo",
        "regulations",
        "require_set",
    }
)


def check(
    config: Mapping[str, Any],
    *,
    notice_id: str | None = None,
    rules: Iterable[str] | None = None,
    disabled: Iterable[str] = (),
    camel: bool = False,
    **thresholds: Any,
) -> list[Violation]:
    """Every violation of the rules in a NoticeDraftConfig's inputs (snake_case names).

    `rules`: only these rule ids (default: all); `disabled`: rule ids to skip (a `didomi-`
    policy name works too). Thresholds: `max_months` (6), `max_months_by_geo` ({}; e.g.
    `max_months=12, max_months_by_geo={"FR": 6}`), `denied_max_months` and
    `denied_max_months_by_geo` (default: the same as for consent), `regulations` (("gdpr",)),
    `require_set` (default: each rule's). `notice_id` (default: `config["notice_id"]`) names the
    notice in messages; `camel` names fields as the native provider does (`consentDuration`).
    """
    unknown = sorted(set(thresholds) - _THRESHOLDS)
    if unknown:
        raise TypeError(
            f"check(): unknown threshold(s) {', '.join(unknown)}; "
            f"expected {', '.join(sorted(_THRESHOLDS))}"
        )
    skip = {_rule_id(r) for r in disabled}
    wanted = [_rule_id(r) for r in rules] if rules is not None else list(RULES)
    out: list[Violation] = []
    for rule_id in wanted:
        if rule_id in skip:
            continue
        rule = RULES[rule_id]
        opts = rule.defaults()
        if "regulations" in thresholds:
            opts = replace(opts, regulations=tuple(thresholds["regulations"]))
        if thresholds.get("require_set") is not None:
            opts = replace(opts, require_set=bool(thresholds["require_set"]))
        if rule is CONSENT_DURATION or rule is DENIED_CONSENT_DURATION:
            prefix = "denied_" if rule is DENIED_CONSENT_DURATION else ""
            months = thresholds.get(f"{prefix}max_months", thresholds.get("max_months"))
            by_geo = thresholds.get(f"{prefix}max_months_by_geo")
            if by_geo is None:
                by_geo = thresholds.get("max_months_by_geo")
            if months is not None:
                opts = replace(opts, max_months=positive_months("check()", "max_months", months))
            if by_geo is not None:
                geos = {
                    k: positive_months("check()", f"max_months_by_geo[{k}]", v)
                    for k, v in by_geo.items()
                }
                opts = replace(opts, max_months_by_geo=geos)
        out += rule.check(config, opts, notice_id, camel)
    return out


def _rule_id(name: str) -> str:
    rule_id = name.removeprefix("didomi-")
    if rule_id not in RULES:
        raise ValueError(f"unknown rule {name!r}; one of {', '.join(RULES)}")
    return rule_id
