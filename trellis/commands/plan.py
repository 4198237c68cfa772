"""``trellis plan``: a student's personalized learning plan, for operators and scripts.

- ``trellis plan show USERNAME`` prints the plan in words: pace, goals, and the pathway in
  order (each step's standard code, mode, target date and why it is there);
- ``trellis plan show USERNAME --json`` prints the plan as JSON —
  ``{"goals": [...], "pathway": [{"code": "7.EE.A.1", "mode": "small_group",
  "target_date": "2026-12-04", ...}, ...], ...}``, the engine's ``LearningPlan.to_dict()``,
  the same document as ``GET /api/v1/students/{id}/plan``.

An unknown user, or a user who is not a student, is an error (exit status 1) naming them.
Reading a plan is not a write; nothing is audited.
"""

from __future__ import annotations

import argparse
import json
import sys

from trellis.commands import django_setup


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "plan", help="show a student's personalized learning plan",
        description="Show a student's personalized learning plan (computed from the evidence).",
    )
    commands = parser.add_subparsers(dest="plan_command", metavar="ACTION")
    commands.required = True
    show = commands.add_parser(
        "show", help="print a student's current plan",
        description="Print a student's current plan: goals, pace and the pathway in order.",
    )
    show.add_argument("username", help="the student's username")
    show.add_argument("--json", action="store_true", help="print the plan as JSON")
    show.set_defaults(func=cmd_show)


def cmd_show(args: argparse.Namespace) -> int:
    django_setup()
    from trellis.accounts.models import Role, User
    from trellis.plans.adapters import student_plan

    user = User.objects.filter(username=args.username).first()
    if user is None:
        print(f"trellis plan show: no user {args.username!r}", file=sys.stderr)
        return 1
    if user.role != Role.STUDENT:
        print(f"trellis plan show: {args.username!r} is not a student (role: "
              f"{user.get_role_display() or 'none'}); plans are for students", file=sys.stderr)
        return 1
    built = student_plan(user)
    if built is None:
        print(f"trellis plan show: the district of {args.username!r} has no standards "
              "framework yet, so there is no plan", file=sys.stderr)
        return 1
    data = built.to_dict()
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    pace = data["pace"]
    print(f"Plan of {user.display_name} ({user.username}) on {data['as_of']}")
    print(f"Pace: {pace['status'].replace('_', ' ')}. {pace['explanation']}")
    print(data["mastery_rule"]["description"])
    for flag in data["flags"]:
        print(f"! {flag['message']}")
    print("Goals:" if data["goals"] else "Goals: none yet")
    for goal in data["goals"]:
        print(f"  - {goal['title']} (by {goal['due']}): {round(goal['progress'] * 100)}%, "
              f"{goal['status'].replace('_', ' ')}. {goal['reason']}")
    print("Pathway:" if data["pathway"] else "Pathway: nothing to learn next")
    for step in data["pathway"]:
        print(f"  {step['position']:>2}. {step['code']:<14} {step['mode']:<18} "
              f"{step['target_date']}  {step['reason']}")
    return 0
