"""The seam to the plans area: a student's next standard is the first step of their plan;
the demo seed sets a school up."""

from __future__ import annotations

import pytest

from tests.instruction.helpers import more_students
from tests.plans.helpers import setup_district
from tests.world import build_world
from trellis.instruction.demo import seed_instruction
from trellis.instruction.models import FixedBlock, Period, Room, TeacherAvailability
from trellis.instruction.queries import class_today, next_steps
from trellis.plans.adapters import student_plan

pytestmark = pytest.mark.django_db


def test_next_standard_is_the_first_ready_step_of_the_plan() -> None:
    world = build_world()
    district = world.districts["a"]
    setup_district(district)
    students = [world.users["s_a1"], *more_students(world, "a1", 3)]
    steps = next_steps(students, district.id)
    built = student_plan(students[0])
    assert built is not None
    first_ready = next(s.code for s in built.plan.steps if s.state == "ready")
    step = steps[students[0].id]
    assert step is not None and step.code == first_ready
    # four grade-7 students with no evidence share that step: one group of four
    (group,) = class_today(world.classes["a1"]).result.groups
    assert group.standard == first_ready and len(group.student_ids) == 4


def test_no_framework_means_nothing_planned_and_everyone_independent() -> None:
    world = build_world()
    assert next_steps([world.users["s_a1"]], world.districts["a"].id) == {
        world.users["s_a1"].id: None}
    result = class_today(world.classes["a1"]).result
    assert not result.groups
    assert "No next standard in the plan yet" in result.independent[0].reason


def test_demo_seed_sets_up_every_school_once() -> None:
    world = build_world()
    district = world.districts["a"]
    totals = seed_instruction(district, solve=False)
    assert totals["schools"] == 2 and totals["fixed_blocks"] == 4
    school = world.schools["a1"]
    assert Period.objects.filter(school=school).count() == 7
    assert Room.objects.filter(school=school, name="Conference room").exists()
    assert TeacherAvailability.objects.filter(school=school).count() == 2 * 5  # two teachers
    again = seed_instruction(district, solve=False)
    assert again["fixed_blocks"] == 0 and FixedBlock.objects.count() == 4
