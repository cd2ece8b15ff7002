"""`python -m pulumi_didomi.policy`: the policy pack's directory, or a check without the engine.

With no argument, prints the pack's directory (`pulumi preview --policy-pack "$(python -m
pulumi_didomi.policy)"`). With JSON files, each a NoticeDraftConfig's inputs (snake_case names),
prints their violations and exits with 1 when one breaks a rule that is mandatory by default.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from . import DEFAULT_PROFILE, PACK_DIR, check


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args:
        print(PACK_DIR)
        return 0
    if args[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    status = 0
    for name in args:
        config = json.loads(Path(name).read_text())
        for violation in check(config):
            level = DEFAULT_PROFILE[violation.policy]
            print(f"{name}: [{level}] {violation.policy}: {violation.message}")
            if level == "mandatory":
                status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
