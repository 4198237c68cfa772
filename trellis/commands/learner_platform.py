"""``trellis learner refit``: refit a district's learner model on its own logs (needs the DB).

    trellis learner refit [--district ID] [--as USERNAME]

Fits the default learner model on the district's evidence (blended with the shipped prior when
the district has few responses), makes the result the district's active parameter version in
one transaction, then recomputes every student's mastery, printing progress and a summary.
Without ``--district`` every district is refitted in turn. ``ID`` is the district's database id
or its OneRoster sourcedId. See :mod:`trellis.learning.refit`.

Each refit is audited (``learner.refit`` at the swap, ``learner.recompute`` at the end) with
``{"via": "cli", "os_user": ...}``; ``--as USERNAME`` names the operator's own Trellis account
as the actor (a district administrator of the district refitted), otherwise the actor is the
system (:mod:`trellis.commands.operator`).

The pure engine commands (``learner evaluate``, ``learner fit``) live in
:mod:`trellis.commands.learner`; this module adds ``refit`` to that group when it exists and
otherwise registers a top-level ``refit-learner`` command.
"""

from __future__ import annotations

import argparse
import sys
import time

from trellis.commands import django_setup
from trellis.commands.operator import add_operator_option, cli_details, operator_of


def _subcommands_of(parser: argparse.ArgumentParser) -> argparse._SubParsersAction | None:  # type: ignore[type-arg]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    return None


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    learner = subparsers.choices.get("learner")
    group = _subcommands_of(learner) if learner is not None else None
    help_text = "refit the district's learner model on its own evidence and recompute mastery"
    if group is not None:
        parser = group.add_parser("refit", help=help_text, description=__doc__,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
    else:
        parser = subparsers.add_parser("refit-learner", help=help_text, description=__doc__,
                                       formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--district", metavar="ID",
                        help="district id or sourcedId (default: every district)")
    add_operator_option(parser)
    parser.set_defaults(func=handle_refit)


def _print_progress(fraction: float, message: str) -> None:
    # one line per step; the recompute reports once per batch of students
    print(f"  {int(fraction * 100):3d}%  {message}", flush=True)


def handle_refit(args: argparse.Namespace) -> int:
    django_setup()
    from django.db.models import Q

    from trellis.accounts.models import District
    from trellis.learning.actions import do_refit_district
    from trellis.learning.queries import can_refit

    districts = District.objects.order_by("id")
    if args.district:
        match = Q(sourced_id=args.district)
        if args.district.isdigit():
            match |= Q(id=int(args.district))
        districts = districts.filter(match)
        if not districts.exists():
            known = ", ".join(f"{d.id} ({d.sourced_id})" for d in District.objects.all())
            print(f"trellis learner refit: error: no district {args.district!r} "
                  f"(known: {known or 'none'})", file=sys.stderr)
            return 2
    try:
        actor = operator_of(args)
    except LookupError as exc:
        print(f"trellis learner refit: error: {exc}", file=sys.stderr)
        return 2
    if actor is not None:
        refused = [d for d in districts if not (can_refit(actor) and actor.district_id == d.id)]
        if refused:
            names = ", ".join(d.name for d in refused)
            print(f"trellis learner refit: error: {actor.username} is not a district "
                  f"administrator of {names}", file=sys.stderr)
            return 2
    for district in districts:
        print(f"Refitting the learner model of {district.name} (id {district.id})")
        started = time.perf_counter()
        summary = do_refit_district(district, actor=actor, progress=_print_progress,
                                    details=cli_details())
        for line in summary.lines():
            print(f"  {line}")
        print(f"  total time      {time.perf_counter() - started:.2f} s")
    return 0
