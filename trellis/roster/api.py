"""API: classes and rosters."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from trellis.accounts.api import PersonOut, person_out
from trellis.core.pagination import BoundedLimitOffset
from trellis.roster.models import Class
from trellis.roster.permissions import classes_visible_to
from trellis.roster.queries import access_class, class_students

router = Router(tags=["classes"])


class ClassOut(Schema):
    id: int
    title: str
    school_id: int
    course_id: int


@router.get("/classes", response=list[ClassOut], url_name="api-classes")
@paginate(BoundedLimitOffset)
def classes(request: HttpRequest) -> list[Class]:
    return classes_visible_to(request.user).order_by("title")  # type: ignore[arg-type,return-value]


@router.get("/classes/{class_id}/students", response=list[PersonOut], url_name="api-class-students")
def students(request: HttpRequest, class_id: int) -> list[PersonOut]:
    klass = access_class(request.user, class_id)  # type: ignore[arg-type]
    return [person_out(s) for s in class_students(klass)]
