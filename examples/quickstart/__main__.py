"""Quickstart: one consent notice's draft, its publication, and a privacy-widget deployment.

Stack config (set by `make demo` against the local emulator):
  didomi:apiKey, didomi:apiSecret (secret), didomi:organizationId, didomi:apiUrl
  noticeId, widgetId, publicApiKey      which notice and widget to manage
  consentDuration (default 6)           months before consent is asked again
"""

import pulumi

import pulumi_didomi as didomi

config = pulumi.Config()

draft = didomi.NoticeDraftConfig(
    "cookie-banner",
    notice_id=config.require("noticeId"),
    platform="web",
    targets=["www.example.com"],
    consent_duration=config.get_int("consentDuration") or 6,
    consent_duration_unit="months",
    negative_action="button",
    disagree_button_style="primary",
    config={
        "app": {"name": "Example", "privacyPolicyURL": "https://www.example.com/privacy"},
        "languages": {"enabled": ["en", "fr"], "default": "en"},
        "notice": {"position": "popup"},
    },
)

release = didomi.NoticeDeployment(
    "cookie-banner-release",
    draft=draft,
    message=config.get("releaseMessage") or "Managed by Pulumi",
)

widget = didomi.WidgetDeployment(
    "preference-center",
    widget_id=config.require("widgetId"),
    triggers={"release": config.get("widgetRelease") or "2026-11"},
    public_api_key=config.get("publicApiKey"),
)

pulumi.export("draft_revision", draft.revision)
pulumi.export("draft_config_id", draft.config_id)
pulumi.export("deployment_id", release.deployment_id)
pulumi.export("published_config_id", release.production_config_id)
pulumi.export("deployment_status", release.status)
pulumi.export("widget_deployment_id", widget.deployment_id)
pulumi.export("widget_remote_config_url", widget.remote_config_url)
