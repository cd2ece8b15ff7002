"""A new website's consent, created in the same `pulumi up` as the website: a notice named after
the site, its draft targeted at the site's domain and published, a preference centre deployed.
`pulumi destroy` archives the notice and the widget; every deployment stays in Didomi's log.

Stack config:
  didomi:apiKey, didomi:apiSecret (secret), didomi:organizationId, didomi:apiUrl
  site            the website's name (default "Example shop")
  domain          its domain (default "shop.example.com")
  consentDuration months before consent is asked again (default 6)
  noticeName      the notice's name (default "<site> consent notice")
  widget          fields of the preference centre, as a JSON object (e.g. {"name": "Privacy"})
  adoptNotice, adoptWidget   ids of an existing notice and widget to manage instead of creating
                  them (the dynamic resources' adoption; with the plugin, `pulumi import`)
  hosting         "dynamic" (default: pulumi_didomi's dynamic resources, nothing to install) or
                  "native" (the `didomi` provider plugin, through pulumi_didomi.native)
"""

import pulumi

config = pulumi.Config()
native = config.get("hosting") == "native"
if native:
    import pulumi_didomi.native as didomi
else:
    import pulumi_didomi as didomi  # type: ignore[no-redef]

site = config.get("site") or "Example shop"
domain = config.get("domain") or "shop.example.com"

notice = didomi.Notice(
    "notice",
    name=config.get("noticeName") or f"{site} consent notice",
    adopt_id=config.get("adoptNotice"),
)

draft = didomi.NoticeDraftConfig(
    "notice-draft",
    notice_id=notice.id,
    platform="web",
    targets=[domain],
    consent_duration=config.get_int("consentDuration") or 6,
    consent_duration_unit="months",
    negative_action="button",
    disagree_button_style="primary",
    config={
        "app": {"name": site, "privacyPolicyURL": f"https://{domain}/privacy"},
        "languages": {"enabled": ["en", "fr"], "default": "en"},
    },
)

release = didomi.NoticeDeployment(
    "notice-release",
    draft=draft.publication if native else draft,
    message=f"{site}: published by Pulumi",
)

widget_fields = {
    "name": f"{site} preference center",
    "format": "hosted",
    "template_id": "full_preference_center",
    "enabled_languages": ["en", "fr"],
    "default_language": "en",
    **(config.get_object("widget") or {}),
}
preferences = didomi.Widget(
    "preference-center",
    adopt_id=config.get("adoptWidget"),
    **widget_fields,
)

preferences_release = didomi.WidgetDeployment(
    "preference-center-release",
    widget_id=preferences.id,
    triggers={"widget": preferences.updated_at},
)

pulumi.export("notice_id", notice.id)
pulumi.export("script_tag", notice.script_tag)
pulumi.export("sdk_loader_url", notice.sdk_loader_url)
pulumi.export("deployment_id", release.deployment_id)
pulumi.export("widget_id", preferences.id)
pulumi.export("widget_deployment_id", preferences_release.deployment_id)
