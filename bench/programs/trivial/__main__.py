"""N trivial dynamic resources (benchmark baseline)."""

import pulumi

from bench.trivial import Nothing

for index in range(pulumi.Config().require_int("count")):
    Nothing(f"nothing-{index}", index)
