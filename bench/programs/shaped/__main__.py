"""N do-nothing pairs of the Didomi resources' shape (benchmark baseline by size)."""

import pulumi

from bench.trivial import shaped_pair

for index in range(pulumi.Config().require_int("count") // 2):
    shaped_pair(index)
