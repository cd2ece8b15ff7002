"""`pulumi-didomi <command>` and `python -m pulumi_didomi <command>`.

Commands: `export` (an existing organization as a Pulumi project). Each command's module is
imported only when it runs, so that `import pulumi_didomi` stays cheap.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

#: Command -> (module with `main(argv) -> int`, one-line summary).
COMMANDS = {
    "export": (
        "pulumi_didomi.export.cli",
        "write a Pulumi project declaring an existing Didomi organization",
    ),
}

USAGE = (
    "usage: pulumi-didomi <command> [options]   (pulumi-didomi <command> --help)\n\ncommands:\n"
    + "".join(f"  {name:<10}{summary}\n" for name, (_, summary) in COMMANDS.items())
)


def main(argv: Sequence[str] | None = None) -> int:
    """Dispatch to a command; 2 for an unknown one."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(USAGE, end="")
        return 0 if args else 2
    if args[0] == "--version":
        from pulumi_didomi import __version__

        print(f"pulumi-didomi {__version__}")
        return 0
    command = COMMANDS.get(args[0])
    if command is None:
        print(f"pulumi-didomi: unknown command {args[0]!r}\n{USAGE}", end="", file=sys.stderr)
        return 2
    run = importlib.import_module(command[0]).main
    return int(run(args[1:]))


if __name__ == "__main__":
    sys.exit(main())
