"""The `didomi` Pulumi provider plugin (a native provider over `pulumi_didomi.core`).

Launched by the engine as `pulumi-resource-didomi` (the console script this package installs),
or through a language host from the plugin directory `PLUGIN_DIR` (`PulumiPlugin.yaml`,
`runtime: python`). Programs use it through the generated SDK `pulumi_didomi_native`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pulumi_didomi import __version__

#: The plugin directory to name in `plugins: providers:` of a `Pulumi.yaml`.
PLUGIN_DIR = Path(__file__).with_name("plugin")


def version() -> str:
    """The provider's version: the package's (`pulumi_didomi.__version__`, which the
    distribution's version is read from), without the cost of importlib.metadata at start."""
    return __version__


def main(args: list[str] | None = None) -> None:
    """Serve the provider to the engine (arguments: the engine's address, flags)."""
    from .server import serve

    serve(sys.argv[1:] if args is None else args, version())
