"""Permission-checked reads of classes and their rosters, and of people off the roster."""

from __future__ import annotations

from django.db.models import QuerySet

from trellis.accounts.models import User
from trellis.accounts.permissions import (
    NotFound,
    classes_visible_to,
    former_people_visible_to,
)
from trellis.roster.models import Class, Enrollment


def access_class(user: User, class_id: int) -> Class:
    try:
        return classes_visible_to(user).select_related("school", "course").get(id=class_id)
    except Class.DoesNotExist:
        raise NotFound from None


def class_students(klass: Class) -> QuerySet[User]:
    """Students enrolled in a class the caller already obtained through :func:`access_class`."""
    return User.objects.filter(
        enrollments__klass=klass, enrollments__role=Enrollment.Role.STUDENT
    ).order_by("last_name", "first_name")


def class_teachers(klass: Class) -> QuerySet[User]:
    return User.objects.filter(
        enrollments__klass=klass, enrollments__role=Enrollment.Role.TEACHER
    ).order_by("last_name", "first_name")


def access_former_person(user: User, person_id: int) -> User:
    """A person a roster import deactivated, for their district's administrators."""
    try:
        return former_people_visible_to(user).get(id=person_id)
    except User.DoesNotExist:
        raise NotFound from None
