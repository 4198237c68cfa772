"""Who may see which classes: the permission rules that need the roster's tables.

The person-level rules live in :mod:`trellis.accounts.permissions`, below the roster in the
house; the rules here add what only the roster knows (who teaches and who attends a class).
The roster also answers the two questions the person-level rules ask about enrolment
(:class:`EnrolmentRules`), registered with accounts when Django starts.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from trellis.accounts.models import Role, User
from trellis.accounts.permissions import administered_school_ids, district_id_of
from trellis.roster.models import Class, Enrollment


def taught_class_ids(user: User, district_id: int) -> QuerySet[Enrollment, Any]:
    """Subquery: the classes ``user`` teaches."""
    return Enrollment.objects.filter(
        user=user, role=Enrollment.Role.TEACHER, district_id=district_id
    ).values("klass_id")


def classes_visible_to(user: User) -> QuerySet[Class]:
    """Classes whose roster ``user`` may see (students see theirs on their home page only)."""
    classes = Class.objects.all()
    district_id = district_id_of(user)
    if district_id is None:
        return classes.none()
    classes = classes.filter(district_id=district_id)
    match user.role:
        case Role.DISTRICT_ADMIN:
            return classes
        case Role.SCHOOL_ADMIN:
            return classes.filter(school_id__in=administered_school_ids(user))
        case Role.TEACHER:
            return classes.filter(id__in=taught_class_ids(user, district_id))
        case _:
            return classes.none()


def classes_attended_by(user: User) -> QuerySet[Class]:
    """The classes a student is enrolled in (for their own home page)."""
    district_id = district_id_of(user)
    if district_id is None:
        return Class.objects.none()
    return Class.objects.filter(
        district_id=district_id,
        enrollments__user=user,
        enrollments__role=Enrollment.Role.STUDENT,
    ).distinct()


class EnrolmentRules:
    """The roster's answers to :class:`trellis.accounts.permissions.EnrolmentRules`."""

    def students_taught_by(self, teacher: User, district_id: int) -> QuerySet[Any, Any]:
        return Enrollment.objects.filter(
            role=Enrollment.Role.STUDENT, klass_id__in=taught_class_ids(teacher, district_id)
        ).values("user_id")

    def students_enrolled_in_schools(self, school_ids: set[int]) -> QuerySet[Any, Any]:
        return Enrollment.objects.filter(
            role=Enrollment.Role.STUDENT, klass__school_id__in=school_ids
        ).values("user_id")
