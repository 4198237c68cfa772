"""JSON API of the instruction area: a class's groups today, a person's solved week.

Reads go through the same ``access_*`` functions as the pages (a missing and a forbidden
object both answer 404).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from trellis.instruction.queries import (
    access_student_week,
    access_teacher_week,
    access_today_class,
    class_today,
    latest_ready_week,
    meetings_of_student,
    meetings_of_teacher,
    school_of,
)

router = Router(tags=["instruction"])


class GroupOut(Schema):
    group_id: str
    standard: str
    student_ids: list[int]
    activity: str
    rationale: str
    pinned: bool


class OneOnOneOut(Schema):
    student_id: int
    kinds: list[str]
    reasons: list[str]


class IndependentOut(Schema):
    student_id: int
    standard: str | None
    reason: str


class TodayOut(Schema):
    class_id: int
    groups: list[GroupOut]
    one_on_one: list[OneOnOneOut]
    independent: list[IndependentOut]
    notes: list[str]


class MeetingOut(Schema):
    day: str
    period: str
    start: str
    end: str
    kind: str
    title: str
    teacher: str | None
    room: str | None


class WeekOut(Schema):
    week_start: str | None
    status: str
    meetings: list[MeetingOut]


@router.get("/today/classes/{class_id}", response=TodayOut, url_name="api-today-class")
def today_for_class(request: HttpRequest, class_id: int) -> dict[str, Any]:
    klass = access_today_class(request.user, class_id)  # type: ignore[arg-type]
    result = class_today(klass).result
    return {
        "class_id": klass.id,
        "groups": [
            {"group_id": g.group_id, "standard": g.standard,
             "student_ids": [int(s) for s in g.student_ids], "activity": g.activity,
             "rationale": g.rationale, "pinned": g.pinned}
            for g in result.groups
        ],
        "one_on_one": [
            {"student_id": int(f.student_id), "kinds": [str(k) for k in f.kinds],
             "reasons": list(f.reasons)}
            for f in result.one_on_one
        ],
        "independent": [
            {"student_id": int(i.student_id), "standard": i.standard, "reason": i.reason}
            for i in result.independent
        ],
        "notes": list(result.notes),
    }


def _week(person: Any, meetings_of: Any) -> dict[str, Any]:
    ready = latest_ready_week(school_of(person))
    if ready is None:
        return {"week_start": None, "status": "none", "meetings": []}
    days, periods = ready.result["days"], ready.result["periods"]
    return {
        "week_start": ready.week_start.isoformat(),
        "status": ready.status,
        "meetings": [
            {"day": days[m["day"]], "period": periods[m["period"]]["name"],
             "start": periods[m["period"]]["start"], "end": periods[m["period"]]["end"],
             "kind": m["kind"], "title": m["title"], "teacher": m["teacher"], "room": m["room"]}
            for m in meetings_of(ready, person.id)
        ],
    }


@router.get("/schedule/students/{student_id}", response=WeekOut, url_name="api-student-week")
def student_week(request: HttpRequest, student_id: int) -> dict[str, Any]:
    student = access_student_week(request.user, student_id)  # type: ignore[arg-type]
    return _week(student, meetings_of_student)


@router.get("/schedule/staff/{staff_id}", response=WeekOut, url_name="api-teacher-week")
def teacher_week(request: HttpRequest, staff_id: int) -> dict[str, Any]:
    teacher = access_teacher_week(request.user, staff_id)  # type: ignore[arg-type]
    return _week(teacher, meetings_of_teacher)
