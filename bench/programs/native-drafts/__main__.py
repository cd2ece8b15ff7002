"""N notices of one organization on the native provider: a draft and a deployment each."""

import pulumi

import pulumi_didomi.native as didomi

config = pulumi.Config()
changed = config.get_int("changed")  # index of the notice whose consent duration changes

for index, notice_id in enumerate(config.require_object("notices")):
    draft = didomi.NoticeDraftConfig(
        f"notice-{index}",
        notice_id=notice_id,
        platform="web",
        targets=[f"site-{index}.example.com"],
        consent_duration=3 if index == changed else 6,
        consent_duration_unit="months",
        negative_action="button",
        disagree_button_style="primary",
    )
    didomi.NoticeDeployment(f"notice-{index}-release", draft=draft.publication, message="bench")
