"""Demo content for Today and schedules: bells, rooms, availability and fixed blocks.

:func:`seed_instruction` gives every school of the demo district what a real school's
scheduler would enter on the School setup page, deterministically:

- Monday–Friday, six 50-minute periods from 08:00 and an after-school period (15:10–16:10),
  in America/Chicago;
- a classroom for every teacher of the school (32 seats), three small-group rooms (6), a
  conference room for one-on-ones (2) and a computer lab (24);
- one prep period a day for each teacher (their position in the staff list picks which);
- a "Homework club" after school on Tuesday and Thursday (extended learning) with eight students,
  and a dual-enrollment course at the community college on Monday and Wednesday in the last
  period for the three students of the highest grade (off-site: no room);

and then, with ``solve=True``, builds each school's week (the same job the pages start), so the
showcase teacher's Today page and the showcase student's week have something to show. Run it
after the roster, frameworks and plans are seeded (the groups come from the students' plans).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction

from trellis.accounts.models import District, Role, School
from trellis.instruction.actions import do_solve_week, school_people
from trellis.instruction.models import (
    BellSchedule,
    FixedBlock,
    Period,
    Room,
    TeacherAvailability,
)

Progress = Callable[[str], object]

PERIOD_STARTS = [dt.time(8, 0), dt.time(9, 0), dt.time(10, 0), dt.time(11, 0),
                 dt.time(12, 30), dt.time(13, 30)]
DEMO_SOLVE_SECONDS = 8.0


def _end(start: dt.time, minutes: int) -> dt.time:
    moment = dt.datetime.combine(dt.date(2000, 1, 1), start) + dt.timedelta(minutes=minutes)
    return moment.time()


@transaction.atomic
def _seed_school(school: School) -> dict[str, int]:
    district_id = school.district_id
    BellSchedule.objects.update_or_create(
        school=school, defaults={"district_id": district_id,
                                 "days": ["Mon", "Tue", "Wed", "Thu", "Fri"],
                                 "timezone": "America/Chicago"})
    periods = []
    for number, start in enumerate(PERIOD_STARTS, start=1):
        period, _ = Period.objects.get_or_create(
            school=school, name=f"P{number}",
            defaults={"district_id": district_id, "start": start, "end": _end(start, 50)})
        periods.append(period)
    after, _ = Period.objects.get_or_create(
        school=school, name="After school",
        defaults={"district_id": district_id, "start": dt.time(15, 10),
                  "end": dt.time(16, 10), "after_school": True})
    teachers = list(school_people(school, Role.TEACHER).order_by("sourced_id", "id"))
    students = list(school_people(school, Role.STUDENT).order_by("sourced_id", "id"))
    rooms = [(f"Room {101 + n}", 32) for n in range(len(teachers))]
    rooms += [("Small-group room A", 6), ("Small-group room B", 6), ("Small-group room C", 6),
              ("Conference room", 2), ("Computer lab", 24)]
    for name, capacity in rooms:
        Room.objects.get_or_create(school=school, name=name,
                                   defaults={"district_id": district_id, "capacity": capacity})
    if not TeacherAvailability.objects.filter(school=school).exists():
        TeacherAvailability.objects.bulk_create([
            TeacherAvailability(district_id=district_id, school=school, teacher=teacher,
                                day=day, period=periods[n % len(periods)], note="Prep period")
            for n, teacher in enumerate(teachers) for day in range(5)
        ])
    blocks = 0
    if students and not FixedBlock.objects.filter(school=school).exists():
        club = FixedBlock.objects.create(
            district_id=district_id, school=school, kind=FixedBlock.Kind.EXTENDED_LEARNING,
            title="Homework club", teacher=teachers[0] if teachers else None,
            room=Room.objects.get(school=school, name="Computer lab"),
            slots=[[1, after.id], [3, after.id]])
        club.students.set(students[:8])
        oldest = sorted(students, key=lambda s: (s.grade or "", s.id), reverse=True)[:3]
        college = FixedBlock.objects.create(
            district_id=district_id, school=school, kind=FixedBlock.Kind.DUAL_ENROLLMENT,
            title="College algebra at Maple Valley Community College",
            slots=[[0, periods[-1].id], [2, periods[-1].id]])
        college.students.set(oldest)
        blocks = 2
    return {"periods": len(periods) + 1, "rooms": len(rooms), "teachers": len(teachers),
            "fixed_blocks": blocks}


def seed_instruction(
    district: District, progress: Progress | None = None, *, solve: bool = True
) -> dict[str, int]:
    """Set up every school of ``district`` (idempotent) and, with ``solve``, build its week."""
    say = progress or (lambda message: None)
    totals = {"schools": 0, "periods": 0, "rooms": 0, "fixed_blocks": 0, "weeks": 0}
    for school in School.objects.filter(district=district).order_by("name"):
        counts = _seed_school(school)
        totals["schools"] += 1
        for key in ("periods", "rooms", "fixed_blocks"):
            totals[key] += counts[key]
        say(f"  {school.name}: {counts['periods']} periods, {counts['rooms']} rooms, "
            f"prep periods for {counts['teachers']} teachers")
        if solve and counts["teachers"]:
            week = do_solve_week(None, school, inline=True, time_limit_s=DEMO_SOLVE_SECONDS,
                                 details={"via": "demo"})
            week.refresh_from_db()
            if week.status == "ready":
                totals["weeks"] += 1
                say(f"  {school.name}: week built — {len(week.result['meetings'])} sessions, "
                    f"score {week.soft_score:.0f}/100, {len(week.violations)} violations")
            else:
                say(f"  {school.name}: the week could not be built: {'; '.join(week.problems)}")
    return totals
