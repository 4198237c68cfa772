"""``trellis content``: load practice items into a district's item bank.

    trellis content import-oatutor [PATH] [--dry-run] [--district SOURCED_ID]
    trellis content import-qti FILE(.xml|.zip|folder) [--align CODE,...] [--dry-run]
                               [--district SOURCED_ID]

``import-oatutor`` reads an OATutor content pool (default: the shared
``data/content/oatutor-elementary-algebra``, found beside the repository or under
``$TRELLIS_SHARED_DIR``) and aligns each problem to Common Core standards through the shipped
crosswalk, so the district must have the standards framework imported first. ``import-qti``
reads QTI 3.0 items (``--align`` names the standards they practise); an unsupported
interaction is reported by name.

Both are all-or-nothing: any problem (named by file, line, item and field) means nothing is
imported and the exit status is 1. A re-import updates items in place by identifier.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from trellis.commands import django_setup, resolve_district


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "content", help="import practice items (OATutor, QTI 3.0)", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = parser.add_subparsers(dest="content_command", metavar="ACTION")
    actions.required = True

    oatutor = actions.add_parser("import-oatutor", help="import an OATutor content pool")
    oatutor.add_argument("path", nargs="?", type=Path,
                         help="pool folder (default: the shared OATutor elementary algebra)")
    oatutor.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
    oatutor.add_argument("--district", help="sourced id of the district (needed when several)")
    oatutor.set_defaults(func=handle_import_oatutor)

    qti = actions.add_parser("import-qti", help="import QTI 3.0 items (.xml, .zip package)")
    qti.add_argument("path", type=Path, help="a QTI item file, folder or content-package zip")
    qti.add_argument("--align", default="",
                     help="standard codes the items practise, comma-separated (e.g. 4.NF.B.3)")
    qti.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
    qti.add_argument("--district", help="sourced id of the district (needed when several)")
    qti.set_defaults(func=handle_import_qti)


def _finish(report: Any) -> int:
    if not report.ok:
        print(f"trellis content: nothing imported: {len(report.issues)} problem(s)",
              file=sys.stderr)
        for issue in report.issues:
            print(f"  {issue}", file=sys.stderr)
        return 1
    print(report.summary())
    return 0


def handle_import_oatutor(args: argparse.Namespace) -> int:
    django_setup()
    from trellis.content.actions import do_import_oatutor
    from trellis.content.items import default_oatutor_path

    path = args.path or default_oatutor_path()
    if not Path(path).exists():
        print(f"trellis content: error: {path} does not exist", file=sys.stderr)
        return 2
    try:
        district = resolve_district(args.district)
    except LookupError as error:
        print(f"trellis content: error: {error}", file=sys.stderr)
        return 2
    return _finish(do_import_oatutor(district, path, dry_run=args.dry_run))


def handle_import_qti(args: argparse.Namespace) -> int:
    django_setup()
    from trellis.content.actions import do_import_qti

    if not args.path.exists():
        print(f"trellis content: error: {args.path} does not exist", file=sys.stderr)
        return 2
    try:
        district = resolve_district(args.district)
    except LookupError as error:
        print(f"trellis content: error: {error}", file=sys.stderr)
        return 2
    return _finish(do_import_qti(district, args.path, dry_run=args.dry_run,
                                 align_to=args.align.split(",")))
