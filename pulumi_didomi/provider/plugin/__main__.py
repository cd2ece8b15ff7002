"""The `didomi` provider plugin run from its directory (`python <dir> <engine address>`)."""

import sys

try:
    from pulumi_didomi.provider import main
except ModuleNotFoundError as exc:  # the language host chose a Python without the package
    sys.exit(
        f"the didomi provider plugin runs with {sys.executable}, which cannot import {exc.name}: "
        "install pulumi-didomi into the virtualenv the plugin should run with (the project's "
        "`virtualenv` runtime option, or the virtualenv this directory is installed in), or name "
        "that virtualenv's bin directory in `plugins: providers:` instead"
    )

main(sys.argv[1:])
