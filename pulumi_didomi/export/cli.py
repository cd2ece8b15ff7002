"""`pulumi-didomi export` (and `python -m pulumi_didomi export`): the command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any, TextIO

DESCRIPTION = """\
Write a ready Pulumi project declaring an existing Didomi organization: each notice (Notice),
its draft with exactly the values on Didomi (NoticeDraftConfig: config, custom_json and
regulation_configurations included), a NoticeDeployment for each notice whose live deployment
its draft still holds, each widget (Widget), the custom purposes and vendors (Purpose, Vendor),
the vendor-list templates (NoticeTemplate, which the drafts of its notices take in `templates`)
and the approved texts (NoticeText, which drafts refer to by `text_id`).

Settings are the provider's: DIDOMI_API_KEY, DIDOMI_API_SECRET, DIDOMI_ORGANIZATION_ID,
DIDOMI_API_URL, DIDOMI_RATE_LIMIT (--organization and --api-url override two of them). No
credential is written to the project: the program reads the stack's didomi:* configuration
(`pulumi config set --secret didomi:apiSecret ...`).

Reading costs 1 session + ceil(N/100) pages of notices + ceil(N/100) pages of drafts +
ceil(D/100) pages of deployments + ceil(W/100) pages of widgets, nothing per notice; with
--vendors (the default) one listing of the custom purposes, of the vendors and of their
storages besides; with --templates (the default) one listing of the templates, of their
configs, of the texts and of their contents (the configs' and contents' skipped when there are
no templates or texts). A selection (--notice, --widget, --name) exports the custom vendors and
purposes its notices list and the purposes those vendors use, the templates linked to its
notices and the texts they use.

The first `pulumi up` writes and publishes nothing. --hosting dynamic (Python's default)
adopts on create: Notice(adopt_id=...) and Widget(adopt_id=...), each NoticeDraftConfig adopts
its notice's draft (no write when the values are equal), each NoticeDeployment records the
live deployment instead of publishing again. --hosting native (the provider plugin; the only
one in TypeScript) writes import.json for `pulumi import --file import.json --yes`, holding
the notices, widgets, purposes, vendors, templates and texts: an imported NoticeDraftConfig
would manage no field, so drafts and deployments adopt on create in the first `pulumi up`, as
above.
"""


def parser() -> argparse.ArgumentParser:
    """The arguments of `export`."""
    p = argparse.ArgumentParser(
        prog="pulumi-didomi export",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--out", metavar="DIR", help="the new project's directory (default: ./PROJECT)")
    p.add_argument("--project", help="the Pulumi project name (default: didomi-<organization>)")
    p.add_argument("--language", choices=("python", "typescript"), default="python")
    p.add_argument(
        "--hosting",
        choices=("dynamic", "native"),
        help="dynamic resources (Python's default) or the provider plugin (TypeScript's)",
    )
    p.add_argument(
        "--fields",
        choices=("changed", "all"),
        default="changed",
        help="manage the fields that differ from a fresh draft's defaults (default; "
        "regulation_configurations always), or every field that is not null",
    )
    p.add_argument(
        "--deployments",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="declare a NoticeDeployment for each notice with a live deployment (default on)",
    )
    p.add_argument(
        "--notice",
        action="append",
        default=[],
        metavar="ID",
        help="export this notice (repeatable; with --notice or --widget, only those listed)",
    )
    p.add_argument("--widget", action="append", default=[], metavar="ID", help="the same, widgets")
    p.add_argument("--name", metavar="GLOB", help="only notices and widgets whose name matches")
    p.add_argument(
        "--include-archived",
        action="store_true",
        help="export archived notices too (their draft only: a Notice would restore them)",
    )
    p.add_argument(
        "--widgets",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="read and export the widgets (default on)",
    )
    p.add_argument(
        "--vendors",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="read and export the custom purposes and vendors, the notices referring to them by "
        "their resources' ids (default on; with --notice, --widget or --name, those the "
        "exported notices list and the purposes those vendors use)",
    )
    p.add_argument(
        "--templates",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="read and export the vendor-list templates and approved texts, the notices "
        "referring to them (default on; with --notice, --widget or --name, the templates linked "
        "to the exported notices and the texts they use)",
    )
    p.add_argument("--organization", metavar="ORG", help="overrides DIDOMI_ORGANIZATION_ID")
    p.add_argument("--api-url", metavar="URL", help="overrides DIDOMI_API_URL")
    p.add_argument("--force", action="store_true", help="write into a non-empty directory")
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="a progress bar on stderr (default: when stderr is a terminal)",
    )
    return p


class Progress:
    """A progress bar over the listings (tqdm, on stderr), or nothing."""

    def __init__(self, total: int, stream: TextIO, show: bool) -> None:
        self.bar: Any = None
        self.counts: list[str] = []
        if show:
            from tqdm import tqdm  # type: ignore[import-untyped]

            self.bar = tqdm(total=total, file=stream, unit="listing", desc="Reading Didomi")

    def __call__(self, what: str, count: int | None) -> None:
        if self.bar is None:
            return
        if count is None:
            self.bar.set_description_str(f"Reading {what}")
            return
        self.counts.append(f"{count} {what}")
        self.bar.set_postfix_str(", ".join(self.counts))
        self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            if self.bar.n == self.bar.total:
                self.bar.set_description_str("Read")
            self.bar.close()


def main(argv: Sequence[str] | None = None, stderr: TextIO | None = None) -> int:
    """Run `export`; 0 on success, 1 when Didomi fails, 2 for bad settings or arguments."""
    from pulumi_didomi.client.errors import ConfigurationError, DidomiError
    from pulumi_didomi.export import Options, Settings, export
    from pulumi_didomi.export.plan import Hosting
    from pulumi_didomi.export.project import default_project

    err = stderr or sys.stderr
    args = parser().parse_args(argv)
    hosting: Hosting = args.hosting or ("native" if args.language == "typescript" else "dynamic")
    options = Options(
        language=args.language,
        hosting=hosting,
        fields=args.fields,
        deployments=args.deployments,
        notice_ids=tuple(args.notice),
        widget_ids=tuple(args.widget),
        name=args.name,
        include_archived=args.include_archived,
        widgets=args.widgets,
        metadata=args.vendors,
        shared=args.templates,
    )
    try:
        overrides = {"didomi:apiUrl": args.api_url, "didomi:organizationId": args.organization}
        settings = Settings.resolve(overrides)
        project = args.project or default_project(settings.organization_id or "organization")
        show = args.progress if args.progress is not None else err.isatty()
        listings = (
            (4 if args.widgets else 3)
            + (3 if options.reads_metadata else 0)
            + (4 if options.reads_shared else 0)
        )
        progress = Progress(listings, err, show)
        try:
            result = export(args.out or project, options, settings, project, args.force, progress)
        finally:
            progress.close()
    except (ConfigurationError, FileExistsError) as exc:
        return _fail(err, str(exc), 2)
    except DidomiError as exc:
        return _fail(err, str(exc), 1)
    plan = result.plan
    deployed = sum(1 for n in plan.notices if n.deploy)
    from pulumi_didomi.export.render import KINDS, count, count_of

    objects = "".join(f", {count_of(plan, k)}" for k in KINDS if count(plan, k))
    print(
        f"Exported {len(plan.notices)} notices ({deployed} with a NoticeDeployment) and "
        f"{len(plan.widgets)} widgets{objects} of {plan.org.id} to {result.out} "
        f"({result.call_count} API calls, {result.seconds:.1f} s); "
        f"{len(plan.left_out)} left out. Next: see {result.out / 'README.md'}"
    )
    return 0


def _fail(stream: TextIO, message: str, code: int) -> int:
    print(f"pulumi-didomi export: error: {message}", file=stream)
    return code
