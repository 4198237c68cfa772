"""The demo seeding: every student with a grade gets evidence, a goal and a plan worth
looking at; running it again adds nothing."""

from __future__ import annotations

from tests.world import World
from trellis.learning.models import EvidenceEvent
from trellis.plans.adapters import student_plan
from trellis.plans.demo import seed_plans
from trellis.plans.models import Goal, PlanSettings


def test_seed_plans_gives_every_student_a_plan_and_is_repeatable(pw: World) -> None:
    district = pw.districts["a"]
    lines: list[str] = []
    counts = seed_plans(district, lines.append)
    students = [pw.users[n] for n in ("s_a1", "s_a1b", "s_a2")]
    assert counts["students"] == len(students)
    assert counts["goals"] == len(students)
    for student in students:
        assert EvidenceEvent.objects.filter(student=student).exists()
        built = student_plan(student)
        assert built is not None
        assert built.plan.goals and built.plan.steps
    assert PlanSettings.objects.get(district=district).term_calendar["holidays"]
    assert counts["mastered"] >= 1
    assert any("Plans:" in line for line in lines)
    before = (EvidenceEvent.objects.count(), Goal.objects.count())
    seed_plans(district)
    assert (EvidenceEvent.objects.count(), Goal.objects.count()) == before
