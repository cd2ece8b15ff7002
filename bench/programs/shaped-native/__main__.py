"""N do-nothing native resources of the Didomi resources' shape (baseline by size)."""

import pulumi

from bench.shaped import (
    DEPLOYMENT_OUTPUTS,
    DRAFT_OUTPUTS,
    deployment_inputs,
    draft_inputs,
    schema_properties,
)

SHAPED = "nothing:index:Shaped"
#: The properties the `didomi` SDK declares: sent unset (None), as its generated classes do.
DRAFT_DECLARED = schema_properties("didomi:index:NoticeDraftConfig")
DEPLOYMENT_DECLARED = schema_properties("didomi:index:NoticeDeployment")

for index in range(pulumi.Config().require_int("count") // 2):
    draft = pulumi.CustomResource(
        SHAPED,
        f"notice-{index}",
        {**dict.fromkeys([*DRAFT_DECLARED, *DRAFT_OUTPUTS]), **draft_inputs(index)},
    )
    pulumi.CustomResource(
        SHAPED,
        f"notice-{index}-release",
        {
            **dict.fromkeys([*DEPLOYMENT_DECLARED, *DEPLOYMENT_OUTPUTS]),
            **deployment_inputs(index),
            "draft": draft.publication,  # type: ignore[attr-defined]
        },
        pulumi.ResourceOptions(depends_on=[draft]),
    )
