"""API: a student's learning plan as JSON — the same ``LearningPlan.to_dict()`` that
``trellis plan show --json`` prints, for whoever may see the student."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from trellis.plans.adapters import student_plan
from trellis.plans.queries import access_plan

router = Router(tags=["plans"])


@router.get("/students/{student_id}/plan", response=dict[str, Any], url_name="api-plan")
def plan(request: HttpRequest, student_id: int) -> dict[str, Any]:
    """The plan now: goals, pathway (code, mode, target date, reason, activities), pace."""
    access = access_plan(request.user, student_id)  # type: ignore[arg-type]
    built = student_plan(access.student)
    if built is None:
        return {"goals": [], "pathway": [], "detail": "the district has no framework yet"}
    return built.to_dict()
