"""Shared set-up for the instruction tests (not a test module).

``bells(school)`` gives a school four periods and an after-school period, rooms, and
``more_students`` fills a class of the permission world. ``stub_next_steps`` replaces the
plans seam (:func:`trellis.instruction.queries.next_steps`) with fixed next standards and
abilities, so the grouping a test sees is known in advance.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pytest

from tests.world import PASSWORD, World
from trellis.accounts.actions import do_create_user
from trellis.accounts.models import Role, School, User
from trellis.instruction import queries
from trellis.instruction.models import BellSchedule, Period, Room
from trellis.instruction.queries import NextStep
from trellis.roster.actions import do_enroll


def bells(school: School, *, rooms: bool = True) -> list[Period]:
    BellSchedule.objects.create(district_id=school.district_id, school=school,
                                days=["Mon", "Tue", "Wed", "Thu", "Fri"],
                                timezone="America/Chicago")
    periods = [
        Period.objects.create(district_id=school.district_id, school=school, name=f"P{n}",
                              start=dt.time(8 + n - 1), end=dt.time(8 + n - 1, 50))
        for n in range(1, 5)
    ]
    periods.append(Period.objects.create(
        district_id=school.district_id, school=school, name="After school",
        start=dt.time(15), end=dt.time(16), after_school=True))
    if rooms:
        for name, capacity in (("Room 101", 30), ("Small-group room", 6), ("Office", 2)):
            Room.objects.create(district_id=school.district_id, school=school, name=name,
                                capacity=capacity)
    return periods


def more_students(world: World, class_key: str, count: int) -> list[User]:
    """``count`` more students in class ``class_key`` (named Ana 1, Ana 2, ...)."""
    klass = world.classes[class_key]
    made = []
    for n in range(1, count + 1):
        student = do_create_user(
            klass.district, f"s_{class_key}_{n}", Role.STUDENT, first_name="Ana",
            last_name=str(n), school=klass.school, grade="07", password=PASSWORD,
        )
        do_enroll(klass, student, "student")
        made.append(student)
    return made


def stub_next_steps(
    monkeypatch: pytest.MonkeyPatch,
    steps: Mapping[int, tuple[str, float] | None],
    modes: Mapping[int, str] | None = None,
) -> None:
    """Student id → (next standard, mastery probability), and optionally the plan's mode;
    unlisted students: nothing next."""

    def fake(students: list[User], district_id: int) -> dict[int, NextStep | None]:
        found: dict[int, NextStep | None] = {}
        for student in students:
            step = steps.get(student.id)
            found[student.id] = None if step is None else NextStep(
                step[0], "", step[1], mode=(modes or {}).get(student.id))
        return found

    monkeypatch.setattr(queries, "next_steps", fake)
