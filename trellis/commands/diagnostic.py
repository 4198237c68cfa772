"""``trellis diagnostic``: the adaptive check, for operators and scripts.

- ``trellis diagnostic calibrate --district ID [--dry-run] [--min-responses N] [--as USERNAME]``
  fits each item's slip and guess from the district's evidence
  (:mod:`trellis.diagnostics.calibration`); new checks use them, checks under way keep their
  bank. Audited with ``{"via": "cli", "os_user": ...}``; ``--as`` names the operator's own
  account, a district administrator of the district (:mod:`trellis.commands.operator`);
- ``trellis diagnostic status --class ID [--json]`` prints each student of a class: finished,
  taking it, paused or not taken, with the latest result's counts (likely known, ready).

An unknown district or class is an error (exit status 1) naming it.
"""

from __future__ import annotations

import argparse
import json
import sys

from trellis.commands import django_setup
from trellis.commands.operator import add_operator_option, cli_details, operator_of


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "diagnostic", help="the adaptive check: calibrate items, class status",
        description="The adaptive diagnostic check: calibrate items, see a class's status.")
    commands = parser.add_subparsers(dest="diagnostic_command", metavar="ACTION")
    commands.required = True
    calibrate = commands.add_parser(
        "calibrate", help="fit items' slip and guess from the district's evidence")
    calibrate.add_argument("--district", required=True, help="district id or sourcedId")
    calibrate.add_argument("--dry-run", action="store_true", help="fit, print, store nothing")
    calibrate.add_argument("--min-responses", type=int, default=5,
                           help="answers an item needs to be fitted (default 5)")
    add_operator_option(calibrate)
    calibrate.set_defaults(func=cmd_calibrate)
    status = commands.add_parser("status", help="each student of a class and their check")
    status.add_argument("--class", dest="class_id", type=int, required=True, help="class id")
    status.add_argument("--framework", type=int, default=None, help="framework id")
    status.add_argument("--json", action="store_true", help="print JSON")
    status.set_defaults(func=cmd_status)


def cmd_calibrate(args: argparse.Namespace) -> int:
    django_setup()
    from django.db.models import Q

    from trellis.accounts.models import District
    from trellis.accounts.permissions import is_district_admin
    from trellis.diagnostics.actions import do_calibrate

    match = Q(sourced_id=args.district)
    if args.district.isdigit():
        match |= Q(id=int(args.district))
    district = District.objects.filter(match).first()
    if district is None:
        print(f"trellis diagnostic calibrate: no district {args.district!r}", file=sys.stderr)
        return 1
    try:
        actor = operator_of(args)
    except LookupError as exc:
        print(f"trellis diagnostic calibrate: {exc}", file=sys.stderr)
        return 1
    if actor is not None and not (is_district_admin(actor) and actor.district_id == district.id):
        print(f"trellis diagnostic calibrate: {actor.username} is not a district administrator "
              f"of {district.name}", file=sys.stderr)
        return 1
    report = do_calibrate(district, user=actor, dry_run=args.dry_run,
                          min_responses=args.min_responses, details=cli_details())
    print("\n".join(report.lines()))
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    django_setup()
    from trellis.diagnostics.queries import class_heatmap
    from trellis.roster.models import Class

    klass = Class.objects.filter(id=args.class_id).first()
    if klass is None:
        print(f"trellis diagnostic status: no class {args.class_id}", file=sys.stderr)
        return 1
    heatmap = class_heatmap(klass, args.framework)
    rows = []
    for row in heatmap.rows:
        result = row.finished.result if row.finished else {}
        rows.append({
            "student": row.student.username, "name": row.student.display_name,
            "state": row.state, "invited": row.invited,
            "answered": row.session.items_answered if row.session else 0,
            "likely_known": len(result.get("likely_known", [])),
            "ready": len(result.get("frontier", [])),
            "finished_at": row.finished.finished_at.isoformat()
            if row.finished and row.finished.finished_at else None,
        })
    if args.json:
        print(json.dumps({"class": klass.id, "framework": heatmap.framework.id
                          if heatmap.framework else None, "students": rows}, indent=2))
        return 0
    title = heatmap.framework.title if heatmap.framework else "no subject with items"
    print(f"{klass.title} — {title}")
    for r in rows:
        extra = (f"{r['likely_known']} likely known, {r['ready']} ready" if r["finished_at"]
                 else f"{r['answered']} answered")
        invited = " (asked to take it)" if r["invited"] else ""
        print(f"  {r['name']:<30} {r['state']:<12} {extra}{invited}")
    not_taken = sum(1 for r in rows if r["finished_at"] is None)
    print(f"{len(rows)} students, {not_taken} without a finished check")
    return 0
