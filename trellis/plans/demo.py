"""Demo plans: a term calendar, goals, evidence, reflections and a project for the demo district.

:func:`seed_plans` runs after the demo district, its framework (the Coherence Map) and its
content exist. It stores the district's term calendar (the school year of the roster, with
Thanksgiving and winter break as holidays) and, so every demo student has a plan worth looking
at:

- every student gets evidence on a standard they are ready for at their grade — some of it
  enough to master it (so the plan has moved on), the rest in progress;
- every student gets a goal: the next standards of their grade, due in about seven weeks;
- some students (and always the showcase student) get a learner profile, a reflection, and
  the showcase student a project proposal waiting for the teacher.

Evidence goes through :func:`trellis.learning.actions.do_record_evidence` (the one write path),
dated over the past days so the mastery rule's "separate days" is met. Everything is seeded
from the student's sourced id, so the same district gets the same plans; running it again adds
nothing (idempotency keys, and goals are only added to students who have none).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from trellis.accounts.models import District, Role, User
from trellis.core.models import DemoAccount
from trellis.engine.planning import standards_of_grade
from trellis.frameworks.models import Standard
from trellis.learning.actions import do_record_evidence
from trellis.learning.models import MasteryState
from trellis.plans.actions import (
    do_propose_project,
    do_reflect,
    do_set_goal,
    do_update_plan_settings,
    do_update_profile,
)
from trellis.plans.adapters import (
    MapContext,
    default_calendar,
    learner_grade,
    map_context,
)
from trellis.plans.models import Goal, ProjectProposal, Reflection

Progress = Callable[[str], object]

INTERESTS = ["music", "soccer", "art", "space", "animals", "cooking", "video games", "dance",
             "basketball", "building things"]
LEARNS_BEST = [["video", "practice_set"], ["practice_set", "reading"], ["lesson", "video"],
               ["reading", "project"], ["project", "video"]]


def _number(text: str) -> int:
    """A stable pseudo-random number from a string (no global random state)."""
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)


def _holidays(start: dt.date, end: dt.date) -> list[list[str] | str]:
    """Thanksgiving (Thursday and Friday) and winter break inside the school year."""
    holidays: list[list[str] | str] = []
    for year in range(start.year, end.year + 1):
        november = dt.date(year, 11, 1)
        thursday = november + dt.timedelta(days=(3 - november.weekday()) % 7 + 21)
        holidays += [thursday.isoformat(), (thursday + dt.timedelta(days=1)).isoformat()]
        holidays.append([dt.date(year, 12, 21).isoformat(), dt.date(year + 1, 1, 1).isoformat()])
    return holidays


def _school_day(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def seed_plans(district: District, progress: Progress | None = None) -> dict[str, int]:
    """Seed the demo plans (see the module docstring); returns counts."""
    say = progress or (lambda message: None)
    today = timezone.localdate()
    year = default_calendar(district.id, today)
    do_update_plan_settings(None, district, term_calendar={
        "start": year.start.isoformat(), "end": year.end.isoformat(),
        "holidays": _holidays(year.start, year.end)})
    context = map_context(district.id, today)
    if context is None:
        say("No framework in the district: no plans to seed.")
        return {"students": 0}
    showcase = set(DemoAccount.objects.filter(user__role=Role.STUDENT)
                   .values_list("user_id", flat=True))
    students = list(User.objects.filter(district=district, role=Role.STUDENT)
                    .order_by("sourced_id", "id"))
    say(f"Seeding learning plans for {len(students)} students…")
    counts = {"students": 0, "evidence": 0, "goals": 0, "reflections": 0, "mastered": 0}
    now = timezone.now()
    of_grade: dict[str, set[str]] = {}
    for index, student in enumerate(students):
        # one transaction per student: one commit instead of one per piece of evidence
        with transaction.atomic():
            _seed_student(student, index, context, showcase, of_grade, counts, now, today)
        if index % 100 == 99:
            say(f"  …{index + 1} students")
    say(f"Plans: {counts['students']} students with evidence ({counts['evidence']} pieces, "
        f"{counts['mastered']} standards mastered), {counts['goals']} goals, "
        f"{counts['reflections']} reflections.")
    return counts


def _seed_student(
    student: User, index: int, context: MapContext, showcase: set[int],
    of_grade: dict[str, set[str]], counts: dict[str, int], now: dt.datetime, today: dt.date,
) -> None:
    grade = learner_grade(student)
    if grade is None:
        return
    seed = _number(student.sourced_id or student.username)
    classification = context.rule.classify(
        context.graph, {}, assumed_mastered=context.below_grade(grade))
    if grade not in of_grade:
        of_grade[grade] = set(standards_of_grade(context.graph, grade))
    ready = [c for c in classification.ready if c in of_grade[grade]] or list(
        classification.ready)
    if not ready:
        return
    counts["students"] += 1
    first = ready[seed % len(ready)]
    standard_id = context.standard_id(first)
    if standard_id is None:
        return
    standard = Standard.objects.get(id=standard_id)
    masters = student.id in showcase or index % 3 == 0
    answers = 30 if masters else 3 + seed % 3
    for n in range(answers):
        days_ago = max(0, 3 - n) if masters else (answers - n)
        correct = masters or (n + seed) % 3 != 0
        _, created = do_record_evidence(
            student, kind="practice", standards=[standard], correct=correct,
            idempotency_key=f"demo-plan-{first}-{n}",
            occurred_at=now - dt.timedelta(days=days_ago, minutes=answers - n),
        )
        counts["evidence"] += int(created)
        if masters and n >= 4:
            row = MasteryState.objects.get(student=student, standard=standard)
            if context.rule.status(row.probability, row.evidence_days,
                                   row.evidence_count) == "mastered":
                counts["mastered"] += 1
                break
    goal_codes = [c for c in ready if c != first][:2] or [first]
    if not Goal.objects.filter(student=student).exists():
        due = _school_day(today + dt.timedelta(days=49))
        title = ("Master " + " and ".join(goal_codes)) if seed % 3 else (
            "Ready for the next unit")
        do_set_goal(student, student, title=title, standard_codes=goal_codes, due=due,
                    context=context)
        counts["goals"] += 1
    if (student.id in showcase or seed % 4 == 0) and not Reflection.objects.filter(
            student=student).exists():
        do_reflect(student, first, learned=f"I can do {first} problems now.",
                   hard="Keeping track of negative signs.", feeling=3 + seed % 3)
        counts["reflections"] += 1
        do_update_profile(
            student, interests=[INTERESTS[seed % len(INTERESTS)],
                                INTERESTS[(seed // 7) % len(INTERESTS)]],
            strengths=["explaining to friends"] if seed % 2 else ["drawing"],
            learns_best=LEARNS_BEST[seed % len(LEARNS_BEST)], languages=["English"])
    if student.id in showcase and not ProjectProposal.objects.filter(
            student=student).exists() and goal_codes:
        project_standard_id = context.standard_id(goal_codes[0])
        if project_standard_id is not None:
            do_propose_project(
                student, Standard.objects.select_related("framework").get(
                    id=project_standard_id),
                title="Plan a class party budget",
                description=f"I will make a poster that shows {goal_codes[0]} with the "
                "costs of food and music for a class party.")
