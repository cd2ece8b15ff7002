"""A Pulumi stack of one of the examples, run by the real CLI against the emulator."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.helpers import REPO, PulumiCLI, copy_project


@dataclass
class ExampleStack:
    cli: PulumiCLI
    dir: Path
    emulator: Any  # an EmulatorProcess or a Target: what has the API's `url`
    credential: str

    @classmethod
    def create(
        cls,
        cli: PulumiCLI,
        example: str,
        workdir: Path,
        emulator: Any,
        credential: str,
        config: dict[str, Any],
        src: Path | None = None,
    ) -> ExampleStack:
        src = src or REPO / "examples" / example
        dest = workdir / example
        copy_project(src, dest)
        if not (dest / "Pulumi.yaml").exists():
            (dest / "Pulumi.yaml").write_text(f"name: didomi-{example}\nruntime: python\n")
        stack = cls(cli, dest, emulator, credential)
        cli.run("stack", "init", "test", "--secrets-provider", "passphrase", cwd=dest)
        org, key, secret = credential.split(":", 2)
        stack.config("didomi:apiKey", key)
        stack.config("didomi:apiSecret", secret, secret=True)
        stack.config("didomi:organizationId", org)
        stack.config("didomi:apiUrl", emulator.url + "/v1")
        for name, value in config.items():
            stack.config(name, value)
        return stack

    def config(self, name: str, value: Any, secret: bool = False) -> None:
        text = value if isinstance(value, str) else json.dumps(value)
        args = ["config", "set", name, "--", text]
        if secret:
            args.insert(3, "--secret")
        self.cli.run(*args, cwd=self.dir)

    def pulumi(self, *args: str, check: bool = True):  # type: ignore[no-untyped-def]
        return self.cli.run(*args, cwd=self.dir, check=check)

    def up(self, *args: str, check: bool = True):  # type: ignore[no-untyped-def]
        return self.pulumi("up", "--yes", "--skip-preview", *args, check=check)

    def urn(self, type_name: str, name: str) -> str:
        """The URN of a resource of this stack (for `--target`)."""
        project = next(
            line.split(":", 1)[1].strip()
            for line in (self.dir / "Pulumi.yaml").read_text().splitlines()
            if line.startswith("name:")
        )
        return f"urn:pulumi:test::{project}::pulumi-python:dynamic/didomi:{type_name}::{name}"

    def outputs(self) -> dict[str, Any]:
        return dict(json.loads(self.pulumi("stack", "output", "--json").stdout))

    def export(self) -> dict[str, Any]:
        return self.cli.export(self.dir)

    def resources(self, type_name: str) -> list[dict[str, Any]]:
        res = self.export()["deployment"].get("resources") or []
        return [r for r in res if r["type"] == f"pulumi-python:dynamic/didomi:{type_name}"]
