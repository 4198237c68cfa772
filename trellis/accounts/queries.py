"""Permission-checked reads of people and schools.

``access_*(user, id)`` returns the object when ``user`` may see it and raises
:class:`~trellis.accounts.permissions.NotFound` otherwise, whether it is missing or forbidden.
"""

from __future__ import annotations

from trellis.accounts.models import School, User
from trellis.accounts.permissions import (
    NotFound,
    schools_visible_to,
    staff_visible_to,
    students_visible_to,
)


def access_student(user: User, student_id: int) -> User:
    try:
        return students_visible_to(user).select_related("school").get(id=student_id)
    except User.DoesNotExist:
        raise NotFound from None


def access_staff_member(user: User, staff_id: int) -> User:
    try:
        return staff_visible_to(user).select_related("school").get(id=staff_id)
    except User.DoesNotExist:
        raise NotFound from None


def access_school(user: User, school_id: int) -> School:
    try:
        return schools_visible_to(user).get(id=school_id)
    except School.DoesNotExist:
        raise NotFound from None
