"""N do-nothing native resources (the native provider's baseline)."""

import pulumi

for index in range(pulumi.Config().require_int("count")):
    pulumi.CustomResource("nothing:index:Nothing", f"nothing-{index}", {"index": index})
