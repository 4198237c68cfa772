"""``trellis framework``: import and export standards frameworks (CASE 1.0).

- ``trellis framework import FILE [--dry-run] [--district SOURCED_ID]`` validates a CFPackage
  and stores it (all or nothing), printing the counts of items and associations by type and
  what changed; on any problem it prints one line per problem (which item — identifier and
  code — and which field), imports nothing, and exits with status 1.
- ``trellis framework export --framework ID OUT.json`` writes a framework back out as a CASE
  1.0 CFPackage (``.gz`` at the end of the name compresses it). ``ID`` is the framework's
  number in Trellis or its CASE identifier. The export is audited.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path

from trellis.commands import django_setup, resolve_district


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "framework", help="import and export standards frameworks (CASE 1.0)",
        description="Import and export standards frameworks as CASE 1.0 CFPackages.",
    )
    commands = parser.add_subparsers(dest="framework_command", metavar="ACTION")
    commands.required = True

    load = commands.add_parser(
        "import", help="validate a CASE package and import it (all or nothing)",
        description="Validate a CASE 1.0 CFPackage (.json or .json.gz) and import it into a "
        "district. Re-importing a framework updates it in place.",
    )
    load.add_argument("file", type=Path, help="the CFPackage (.json or .json.gz)")
    load.add_argument("--dry-run", action="store_true", help="check and count; write nothing")
    load.add_argument("--district", help="sourced id of the district (needed when several)")
    load.set_defaults(func=cmd_import)

    dump = commands.add_parser(
        "export", help="write a framework as a CASE 1.0 CFPackage",
        description="Write a framework as a strictly valid CASE 1.0 CFPackage JSON file.",
    )
    dump.add_argument("--framework", required=True,
                      help="framework number in Trellis, or its CASE identifier")
    dump.add_argument("--district", help="sourced id of the district (for a CASE identifier)")
    dump.add_argument("out", type=Path, help="output file (.json, or .json.gz)")
    dump.set_defaults(func=cmd_export)


def cmd_import(args: argparse.Namespace) -> int:
    django_setup()
    from trellis.frameworks.actions import do_import_framework

    try:
        district = resolve_district(args.district)
    except LookupError as exc:
        print(f"trellis framework import: {exc}", file=sys.stderr)
        return 2
    report = do_import_framework(district, args.file, dry_run=args.dry_run)
    if not report.ok:
        print(f"{args.file}: cannot import", file=sys.stderr)
        for line in report.lines():
            print(line, file=sys.stderr)
        return 1
    print(f"District: {district.name}")
    for line in report.lines():
        print(line)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    django_setup()
    from trellis.frameworks.actions import do_export_framework
    from trellis.frameworks.models import Framework

    frameworks = Framework.objects.select_related("district")
    if args.framework.isdigit():
        frameworks = frameworks.filter(id=int(args.framework))
    else:
        frameworks = frameworks.filter(identifier=args.framework)
        if args.district:
            frameworks = frameworks.filter(district__sourced_id=args.district)
    found = list(frameworks[:2])
    if len(found) != 1:
        problem = "no such framework" if not found else "several districts have it: add --district"
        print(f"trellis framework export: {problem} ({args.framework})", file=sys.stderr)
        return 2
    exported = do_export_framework(found[0])
    text = json.dumps(exported, ensure_ascii=False, indent=1).encode("utf-8")
    out: Path = args.out
    out.write_bytes(gzip.compress(text, mtime=0) if out.suffix == ".gz" else text)
    print(
        f"Exported {found[0].title}: {len(exported['CFItems'])} items, "
        f"{len(exported['CFAssociations'])} associations -> {out}"
    )
    return 0
