"""The `didomi` provider plugin run from its directory (`python <dir> <engine address>`)."""

import sys

from pulumi_didomi.provider import main

main(sys.argv[1:])
