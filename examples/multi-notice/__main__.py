"""Several notices, web and app, sharing compliance defaults in plain Python.

Stack config: `notices`, a JSON list of {"name", "id", "platform", "targets"}; optional
`consentDuration` (months, default 6) applied to every notice.
"""

import pulumi

import pulumi_didomi as didomi

config = pulumi.Config()

# One place for the policy every notice follows (CNIL: 6 months, reject on the first layer).
DEFAULTS = {
    "consent_duration": config.get_int("consentDuration") or 6,
    "consent_duration_unit": "months",
    "negative_action": "button",
    "disagree_button_style": "primary",
    "notice_deny_applies_to_li": True,
}

for notice in config.require_object("notices"):
    draft = didomi.NoticeDraftConfig(
        notice["name"],
        notice_id=notice["id"],
        platform=notice["platform"],
        targets=notice.get("targets", []),
        **DEFAULTS,
    )
    release = didomi.NoticeDeployment(
        f"{notice['name']}-release", draft=draft, message="Shared defaults"
    )
    pulumi.export(f"{notice['name']}_deployment", release.deployment_id)
