"""`pulumi-didomi export`: an existing Didomi organization as a ready Pulumi project.

`export(out, options)` reads the organization in bulk (`read`), decides what the program
declares (`plan`), writes the program (`render`) and the project's other files (`project`).
Settings are the provider's (`core.session.Settings.resolve()`: `DIDOMI_API_KEY`,
`DIDOMI_API_SECRET`, `DIDOMI_ORGANIZATION_ID`, `DIDOMI_API_URL`, `DIDOMI_RATE_LIMIT`); no
credential is written to the project.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pulumi_didomi.client.errors import ConfigurationError
from pulumi_didomi.core.session import Settings
from pulumi_didomi.export.plan import Options, Plan, make_plan
from pulumi_didomi.export.project import (
    default_project,
    project_files,
    valid_project,
    write_files,
)
from pulumi_didomi.export.read import Step, read_organization

if TYPE_CHECKING:
    from pulumi_didomi.client import DidomiClient

__all__ = ["Options", "Result", "Settings", "export"]


@dataclass(frozen=True)
class Result:
    """What an export did."""

    out: Path
    plan: Plan
    files: list[Path]
    #: API calls by route (`GET /widgets/notices`), the session included.
    calls: dict[str, int]
    seconds: float

    @property
    def call_count(self) -> int:
        return sum(self.calls.values())


def check_options(options: Options) -> None:
    """Refuse combinations no program can have."""
    if options.language == "typescript" and options.hosting == "dynamic":
        raise ConfigurationError(
            "dynamic resources are Python only: a TypeScript program uses the provider plugin "
            "(--hosting native, the default with --language typescript)"
        )


#: Where each missing setting comes from, for the command's message.
_ENVIRONMENT = {
    "apiKey": "DIDOMI_API_KEY",
    "apiSecret": "DIDOMI_API_SECRET",
    "organizationId": "DIDOMI_ORGANIZATION_ID (or --organization)",
}


def client_for(settings: Settings) -> tuple[DidomiClient, str]:
    """A client and the organization to read, or one message naming every missing setting."""
    missing = [_ENVIRONMENT[key] for key in settings.missing()]
    if missing:
        raise ConfigurationError(
            f"missing Didomi settings: {', '.join(missing)}. Export them as environment "
            "variables (the provider's settings: DIDOMI_API_URL and DIDOMI_RATE_LIMIT too)"
        )
    assert settings.organization_id
    api = settings.new_client()
    return api, settings.organization_id


def export(
    out: str | Path,
    options: Options | None = None,
    settings: Settings | None = None,
    project: str | None = None,
    force: bool = False,
    step: Step | None = None,
) -> Result:
    """Read the organization of `settings` (default: `Settings.resolve()`) and write a Pulumi
    project declaring it into `out` (a new or empty directory, unless `force`)."""
    options = options or Options()
    check_options(options)
    out = Path(out)
    if project is not None and not valid_project(project):
        raise ConfigurationError(f"{project!r} is not a valid Pulumi project name")
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not force)):
        raise FileExistsError(f"{out} is not an empty directory: choose another, or pass --force")
    settings = settings or Settings.resolve()
    started = time.monotonic()
    api, org = client_for(settings)
    with api:
        found = read_organization(
            api,
            org,
            widgets=options.widgets,
            step=step,
            metadata=options.reads_metadata,
            shared=options.reads_shared,
        )
    seconds = time.monotonic() - started
    plan = make_plan(found, options)
    files = project_files(plan, project or default_project(org))
    written = write_files(out, files, force)
    return Result(out, plan, written, dict(found.calls), seconds)
