"""A program on the native provider's generated SDK (pulumi_didomi.native).

Config: `notice` (the notice id), `duration` (consent_duration, default 6), `message`.
"""

import pulumi

import pulumi_didomi.native as didomi

config = pulumi.Config()
banner = didomi.NoticeDraftConfig(
    "banner",
    notice_id=config.require("notice"),
    platform="web",
    consent_duration=config.get_int("duration") or 6,
    regulation_configurations=[
        didomi.RegulationConfigurationArgs(regulation_id="gdpr", is_default_regulation_config=True)
    ],
)
release = didomi.NoticeDeployment(
    "release", draft=banner.publication, message=config.get("message") or "from the stack"
)
pulumi.export("revision", banner.revision)
pulumi.export("deployment", release.deployment_id)

# Config `widget` (+ `publicKey`): a widget deployment. Config `functions`: the invokes.
if config.get("widget"):
    pc = didomi.WidgetDeployment(
        "pc",
        widget_id=config.require("widget"),
        public_api_key=config.get("publicKey"),
        triggers={"release": config.get("release") or "1"},
    )
    pulumi.export("widget_url", pc.remote_config_url)
    if config.get_bool("functions"):
        remote = didomi.get_remote_widget_config_output(
            public_api_key=config.require("publicKey"), widget_id=pc.widget_id
        )
        pulumi.export("widget_name", remote.config.apply(lambda c: c.get("name")))
if config.get_bool("functions"):
    draft = didomi.get_notice_draft_output(notice_id=banner.notice_id)
    pulumi.export("draft_duration", draft.values.apply(lambda v: v.get("consent_duration")))
    history = didomi.get_notice_deployments_output(notice_id=release.notice_id)
    pulumi.export("deployments", history.deployments.apply(len))
    plain = didomi.get_notice_draft(notice_id=config.require("notice"))
    pulumi.export("plain_draft_id", plain.config_id)
