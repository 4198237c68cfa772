"""API: a student's mastery of each standard (the same reading rule as the student profile)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema

from trellis.learning.queries import access_student_mastery

router = Router(tags=["mastery"])


class MasteryOut(Schema):
    standard_id: int
    code: str
    statement: str
    probability: float
    status: str
    evidence_count: int
    evidence_days: int
    last_change: float
    last_evidence_at: dt.datetime | None


class StudentMasteryOut(Schema):
    student_id: int
    model_version: int
    mastery_rule: str
    standards: list[MasteryOut]


@router.get("/students/{student_id}/mastery", response=StudentMasteryOut,
            url_name="api-student-mastery")
def student_mastery(request: HttpRequest, student_id: int) -> StudentMasteryOut:
    mastery = access_student_mastery(request.user, student_id)  # type: ignore[arg-type]
    return StudentMasteryOut(
        student_id=mastery.student.id,
        model_version=mastery.model_version,
        mastery_rule=mastery.rule.describe(),
        standards=[
            MasteryOut(
                standard_id=row.standard.id, code=row.standard.code,
                statement=row.standard.statement, probability=row.state.probability,
                status=row.status, evidence_count=row.state.evidence_count,
                evidence_days=row.days, last_change=row.state.last_change,
                last_evidence_at=(row.state.last_evidence.occurred_at
                                  if row.state.last_evidence else None),
            )
            for row in mastery.rows
        ],
    )
