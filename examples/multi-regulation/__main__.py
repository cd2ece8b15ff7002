"""One notice, two regulations: GDPR everywhere, CPRA in California.

Stack config: `noticeId`; optional `consentDuration` (months, default 6) for GDPR.
"""

import pulumi

import pulumi_didomi as didomi

config = pulumi.Config()

draft = didomi.NoticeDraftConfig(
    "global-notice",
    notice_id=config.require("noticeId"),
    platform="web",
    targets=["shop.example.com"],
    regulation_configurations=[
        {
            "regulation_id": "gdpr",
            "is_default_regulation_config": True,
            "geo_locations": ["*"],
            "consent_duration": config.get_int("consentDuration") or 6,
            "consent_duration_unit": "months",
        },
        {
            "regulation_id": "cpra",
            "geo_locations": ["US_CA"],
            "consent_duration": 12,
            "consent_duration_unit": "months",
        },
    ],
)
release = didomi.NoticeDeployment("global-notice-release", draft=draft, message="GDPR + CPRA")
pulumi.export("deployment_id", release.deployment_id)
pulumi.export("revision", draft.revision)
