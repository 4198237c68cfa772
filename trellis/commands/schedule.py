"""``trellis schedule``: build a school's week and export people's weeks, for operators.

- ``trellis schedule solve --school ID [--time-limit S] [--as USERNAME]`` groups every class
  of the school, solves the week (OR-Tools CP-SAT) in this process, checks it with the
  independent validator and stores it (the pages show it at once). It prints the score, the
  checks and the wishes not met — or, when the week cannot be built, the reasons in words (exit
  status 1). The solve is audited (``instruction.schedule.solve`` and ``.solved``) with
  ``{"via": "cli", "os_user": ...}``; ``--as`` names the operator's own account, one allowed to
  solve the school's week on its page (:mod:`trellis.commands.operator`).
- ``trellis schedule ics USERNAME OUT.ics`` writes a student's or teacher's current week as an
  iCalendar file (``-`` for standard output); the export is audited.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from trellis.commands import django_setup
from trellis.commands.operator import add_operator_option, cli_details, operator_of


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "schedule", help="build a school's weekly schedule; export a week as .ics",
        description="Weekly schedules: small groups, one-on-ones and fixed blocks in the "
                    "school's periods, people and rooms.",
    )
    commands = parser.add_subparsers(dest="schedule_command", metavar="ACTION")
    commands.required = True
    solve = commands.add_parser(
        "solve", help="group every class and solve the school's week",
        description="Group every class of the school, solve the week and store it.",
    )
    solve.add_argument("--school", type=int, required=True, help="the school's id")
    solve.add_argument("--time-limit", type=float, default=None,
                       help="seconds the solver may search (default: the setting, 10)")
    add_operator_option(solve)
    solve.set_defaults(func=cmd_solve)
    ics = commands.add_parser(
        "ics", help="write a person's week as an iCalendar file",
        description="Write a student's or teacher's current week as an .ics file.",
    )
    ics.add_argument("username", help="the student's or teacher's username")
    ics.add_argument("out", help="the file to write (.ics), or - for standard output")
    ics.set_defaults(func=cmd_ics)


def cmd_solve(args: argparse.Namespace) -> int:
    django_setup()
    from trellis.accounts.models import School
    from trellis.accounts.permissions import NotFound
    from trellis.instruction.actions import do_solve_week
    from trellis.instruction.queries import access_setup_school

    school = School.objects.filter(id=args.school).first()
    if school is None:
        print(f"trellis schedule solve: no school with id {args.school}", file=sys.stderr)
        return 1
    try:
        actor = operator_of(args)
        if actor is not None:
            access_setup_school(actor, school.id)
    except LookupError as exc:
        print(f"trellis schedule solve: {exc}", file=sys.stderr)
        return 1
    except NotFound:
        print(f"trellis schedule solve: {args.operator} may not solve the week of "
              f"{school.name}", file=sys.stderr)
        return 1
    week = do_solve_week(actor, school, inline=True, time_limit_s=args.time_limit,
                         details=cli_details())
    week.refresh_from_db()
    if week.status != "ready":
        print(f"The week of {school.name} cannot be built:", file=sys.stderr)
        for problem in week.problems or ["the solver failed; see the job log"]:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    soft = week.soft
    print(f"Week of {week.week_start} at {school.name}: {len(week.result['meetings'])} "
          f"sessions, solved in {week.solve_seconds:.1f} s.")
    print(f"  score {soft.get('score', 0):.1f}/100; one-on-ones "
          f"{soft.get('one_on_one_met')}/{soft.get('one_on_one_wanted')}; groups meeting twice "
          f"{soft.get('groups_fully_met')}/{soft.get('groups_total')}; teacher load "
          f"{soft.get('teacher_load_min')}–{soft.get('teacher_load_max')}")
    print(f"  independent check: {len(week.violations)} hard-rule violations")
    for violation in week.violations:
        print(f"    ! {violation}")
    for wish in soft.get("unmet", [])[:20]:
        print(f"  not met: {wish}")
    return 0


def cmd_ics(args: argparse.Namespace) -> int:
    django_setup()
    from trellis.accounts.models import Role, User
    from trellis.engine.scheduling import week_to_ics
    from trellis.instruction.actions import record_calendar_export
    from trellis.instruction.queries import (
        entries_for_ics,
        latest_ready_week,
        meetings_of_student,
        meetings_of_teacher,
        school_of,
    )

    person = User.objects.filter(username=args.username).first()
    if person is None:
        print(f"trellis schedule ics: no user {args.username!r}", file=sys.stderr)
        return 1
    if person.role not in (Role.STUDENT, Role.TEACHER):
        print(f"trellis schedule ics: {args.username!r} is not a student or teacher",
              file=sys.stderr)
        return 1
    week = latest_ready_week(school_of(person))
    if week is None:
        print(f"trellis schedule ics: no schedule has been built for {args.username!r}'s "
              "school yet (run `trellis schedule solve --school ID`)", file=sys.stderr)
        return 1
    meetings_of = meetings_of_student if person.role == Role.STUDENT else meetings_of_teacher
    entries = entries_for_ics(week, meetings_of(week, person.id))
    text = week_to_ics(entries, week.week_start, timezone=week.result.get("timezone", "UTC"),
                       calendar_name=f"{person.display_name} — Trellis week",
                       owner_id=str(person.id), uid_domain="trellis")
    record_calendar_export(None, person, week)
    if args.out == "-":
        sys.stdout.write(text)
    else:
        Path(args.out).write_text(text, encoding="utf-8", newline="")
        print(f"Wrote {len(entries)} sessions of {person.display_name} to {args.out}.")
    return 0
