"""Rostering commands: ``trellis roster import FILE.zip [--dry-run]`` and
``trellis roster export OUT.zip``.

``import`` reads a OneRoster 1.2 CSV zip (bulk or delta), checks every record, and applies it
in one transaction — all or nothing — printing what was created, updated, deleted and left
unchanged, and how many people were deactivated (kept with their learning history, unable to
sign in). With ``--dry-run`` it does everything and then rolls back, so the report is exactly
what an import would do. Exit code 0 on success; 1 with every problem (file, line, column) on
stderr otherwise. ``export`` writes the district back as a bulk zip.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from trellis.commands import django_setup, resolve_district

if TYPE_CHECKING:
    from trellis.roster.import_report import ApplyReport


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    roster = subparsers.add_parser(
        "roster",
        help="import or export a OneRoster 1.2 CSV zip",
        description="Load a district's roster from its student information system (OneRoster "
        "1.2 CSV, bulk or delta) or export it back.",
    )
    commands = roster.add_subparsers(dest="roster_command", metavar="ACTION")
    commands.required = True

    load = commands.add_parser(
        "import",
        help="check and apply a OneRoster zip (all or nothing)",
        description="Check a OneRoster 1.2 zip and apply it in one transaction. Nothing is "
        "changed when any record has a problem; every problem is listed on stderr.",
    )
    load.add_argument("file", type=Path, help="the OneRoster .zip (or a folder of CSV files)")
    load.add_argument("--dry-run", action="store_true", help="check and report, change nothing")
    load.add_argument(
        "--district",
        metavar="SOURCED_ID",
        help="the district to import into (default: the district the file names)",
    )
    load.add_argument(
        "--demographics",
        action="store_true",
        help="also import demographics.csv (only when the district has opted in)",
    )
    load.set_defaults(func=cmd_import)

    dump = commands.add_parser(
        "export",
        help="write a district's roster as a OneRoster zip",
        description="Export the roster-managed records of a district as a OneRoster 1.2 bulk "
        "zip (audited as an export).",
    )
    dump.add_argument("out", type=Path, help="the .zip to write")
    dump.add_argument(
        "--district",
        metavar="SOURCED_ID",
        help="which district (required when the database holds more than one)",
    )
    dump.add_argument(
        "--demographics", action="store_true", help="include demographics.csv (sensitive)"
    )
    dump.set_defaults(func=cmd_export)


def _print_report(report: ApplyReport) -> None:
    name = report.district_name or "?"
    kind = "Dry run" if report.dry_run else "Import"
    print(f"{kind} of {report.source_name} into {name} ({report.district_sourced_id})")
    if report.modes:
        print("Files: " + ", ".join(f"{kind} ({mode})" for kind, mode in report.modes.items()))
    if report.counts:
        print(report.table())
    if report.deactivation_note:
        print(report.deactivation_note)
    for ignored in report.ignored_files:
        print(f"ignored {ignored.name}: {ignored.reason}")
    for warning in report.warnings:
        print(f"warning: {warning}")
    print(f"{report.headline} ({report.seconds:.1f} s)")


def cmd_import(args: argparse.Namespace) -> int:
    django_setup()
    from trellis.accounts.models import District
    from trellis.roster.actions_import import do_import_roster_file

    if not args.file.exists():
        print(f"trellis roster import: {args.file} does not exist", file=sys.stderr)
        return 2
    try:
        district = resolve_district(args.district, required=False)
    except LookupError as exc:
        print(f"trellis roster import: {exc}", file=sys.stderr)
        return 2
    # A delta usually leaves the district org out: then the only district is the obvious one.
    only = District.objects.get() if District.objects.count() == 1 else None

    def progress(stage: str, done: int, total: int) -> None:
        if sys.stderr.isatty():
            share = f" {done * 100 // total}%" if total else ""
            print(f"\r{stage}…{share}   ", end="", file=sys.stderr, flush=True)

    report = do_import_roster_file(
        args.file,
        district=district,
        dry_run=args.dry_run,
        actor=None,
        include_demographics=args.demographics,
        progress=progress,
        source_name=args.file.name,
        fallback_district=only,
    )
    if sys.stderr.isatty():
        print("\r" + " " * 60 + "\r", end="", file=sys.stderr)
    _print_report(report)
    if report.issues:
        for issue in report.issues:
            print(str(issue), file=sys.stderr)
        print(
            f"trellis roster import: {len(report.issues)} problem(s); nothing was changed",
            file=sys.stderr,
        )
        return 1
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    django_setup()
    from trellis.roster.actions_export import write_roster_export

    try:
        district = resolve_district(args.district)
    except LookupError as exc:
        print(f"trellis roster export: {exc}", file=sys.stderr)
        return 2
    args.out.parent.mkdir(parents=True, exist_ok=True)
    counts = write_roster_export(
        district, args.out, actor=None, include_demographics=args.demographics
    )
    summary = ", ".join(f"{count:,} {name}" for name, count in counts.items())
    print(f"Exported {district.name} to {args.out}: {summary}")
    return 0
