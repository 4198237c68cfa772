"""API: the signed-in person and the people they may see."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from trellis.accounts.models import User
from trellis.accounts.queries import access_student

router = Router(tags=["people"])


class PersonOut(Schema):
    id: int
    username: str
    display_name: str
    role: str
    grade: str
    school_id: int | None


def person_out(user: User) -> PersonOut:
    return PersonOut(
        id=user.id, username=user.username, display_name=user.display_name, role=user.role,
        grade=user.grade, school_id=user.school_id,
    )


@router.get("/me", response=PersonOut, url_name="api-me")
def me(request: HttpRequest) -> PersonOut:
    return person_out(request.user)  # type: ignore[arg-type]


@router.get("/students/{student_id}", response=PersonOut, url_name="api-student")
def student(request: HttpRequest, student_id: int) -> PersonOut:
    return person_out(access_student(request.user, student_id))  # type: ignore[arg-type]
