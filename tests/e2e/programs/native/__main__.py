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
