"""Mastery routes: a student's mastery and its "why" follow the student-profile rule; the
learner-model page and refit are for district administrators."""

from __future__ import annotations

from typing import Any

from tests.access_matrix import ANY, DISTRICT, NONE, OWN, SCHOOL, Endpoint, student_target
from tests.world import World

PROFILE_RULE = {"student": OWN, "guardian": OWN, "teacher": OWN, "coach": NONE,
                "school_admin": SCHOOL, "district_admin": DISTRICT}


def extend_world(world: World) -> None:
    from trellis.frameworks.models import Framework, Standard

    for key, district in world.districts.items():
        framework = Framework.objects.create(district=district, identifier=f"learning-{key}",
                                             title="Mastery matrix framework")
        world.extra[f"learning_standard_{key}"] = Standard.objects.create(
            framework=framework, identifier=f"learning-{key}-std", code="7.EE.A.1",
            statement="Apply properties of operations.")


def standard_mastery_target(world: World, scope: str) -> dict[str, Any]:
    key = "b" if scope == "other_district" else "a"
    return {"student_id": world.student(scope).id,
            "standard_id": world.extra[f"learning_standard_{key}"].id}


ENDPOINTS = [
    Endpoint("student-mastery", PROFILE_RULE, target=student_target),
    Endpoint("student-standard-mastery", PROFILE_RULE, target=standard_mastery_target),
    Endpoint("api:api-student-mastery", {k: v for k, v in PROFILE_RULE.items() if v},
             target=student_target, api=True),
    Endpoint("learner-model", {"district_admin": ANY}),
    # without the button's confirmation the admin is sent back to the page (no job starts)
    Endpoint("learner-refit", {"district_admin": ANY}, method="POST", ok_status=302),
]
