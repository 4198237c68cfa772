"""Learning plans: "My plan", a student's plan page and its forms, the teacher's class page,
project review and scoring, and the plan API.

Whoever sees the student sees the plan (``access_student``): the student, their guardians
(read-only), their teachers, the school's and district's administrators; coaches see no
student. The student alone chooses activities, reflects, edits their profile and proposes
projects; teachers and administrators alone edit plans, observe and score projects. Goals are
set by the student and by teachers/administrators, not by guardians. The district's plan
settings are for its district administrators alone.

Rows: a student's plan names that student; the teacher's class page lists its students.
"""

from __future__ import annotations

from typing import Any

from tests.access_matrix import (
    ANY,
    DISTRICT,
    NONE,
    OWN,
    SCHOOL,
    Endpoint,
    classes,
    of_target,
    student_target,
    students,
)
from tests.access_matrix import class_target as klass
from tests.world import SCOPES, World

STAFF = {"teacher": OWN, "school_admin": SCHOOL, "district_admin": DISTRICT}
SEES_STUDENT = {"student": OWN, "guardian": OWN, "coach": NONE, **STAFF}


def extend_world(world: World) -> None:
    from tests.plans.helpers import setup_district, standard
    from trellis.plans.models import Goal, ProjectProposal

    for key, district in world.districts.items():
        setup_district(district)
        world.extra[f"plans_{key}"] = district
    for scope in SCOPES:
        student = world.student(scope)
        district = world.districts["b" if scope == "other_district" else "a"]
        goal = Goal.objects.create(district=district, student=student, kind="student",
                                   title="Matrix goal", standard_codes=["7.EE.A.2"],
                                   due=world_due())
        proposal = ProjectProposal.objects.create(
            district=district, student=student, standard=standard(district, "7.EE.A.1"),
            title="Matrix project", description="A poster.")
        world.extra[f"plans_goal_{scope}"] = goal
        world.extra[f"plans_proposal_{scope}"] = proposal


def world_due() -> Any:
    import datetime as dt

    from django.utils import timezone

    return timezone.localdate() + dt.timedelta(days=90)


def _goal(world: World, scope: str) -> dict[str, Any]:
    goal = world.extra[f"plans_goal_{scope}"]
    return {"student_id": goal.student_id, "goal_id": goal.id}


def _proposal(world: World, scope: str) -> dict[str, Any]:
    return {"proposal_id": world.extra[f"plans_proposal_{scope}"].id}


def _post(name: str, allowed: dict[str, frozenset[str]], target: Any = student_target,
          ok_status: int = 302) -> Endpoint:
    return Endpoint(name, allowed, target=target, method="POST", ok_status=ok_status)


ENDPOINTS = [
    Endpoint("plan-mine", {"student": ANY}),
    Endpoint("plan-student", SEES_STUDENT, target=student_target, rows=(students(of_target),)),
    # with nothing filled in, the goal form comes back with its SMART questions (200)
    _post("plan-goal-new", {"student": OWN, **STAFF}, ok_status=200),
    _post("plan-goal-delete", {"student": OWN, **STAFF}, target=_goal),
    _post("plan-choose", {"student": OWN}),
    _post("plan-reflect", {"student": OWN}),
    _post("plan-profile", {"student": OWN}),
    _post("plan-propose", {"student": OWN}),
    _post("plan-edit", STAFF),
    _post("plan-observe", STAFF),
    Endpoint("teach-class", STAFF, target=klass, rows=(students(of_target), classes(of_target))),
    _post("teach-observe", STAFF, target=klass),
    Endpoint("teach-project", STAFF, target=_proposal),
    _post("teach-project-review", STAFF, target=_proposal),
    Endpoint("api:api-plan", SEES_STUDENT, target=student_target, api=True),
    # the district's mastery rule, term calendar and map: its district administrators only
    Endpoint("plan-settings", {"district_admin": ANY}),
    # with nothing filled in, the form comes back with what to fix and saves nothing (400)
    Endpoint("plan-settings", {"district_admin": ANY}, method="POST", ok_status=400),
]
