"""Permission-checked reads of classes and their rosters, and of people off the roster."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from trellis.accounts.models import Role, User
from trellis.accounts.permissions import NotFound, former_people_visible_to
from trellis.roster.models import Class, Enrollment
from trellis.roster.permissions import classes_visible_to


def access_class(user: User, class_id: int) -> Class:
    try:
        return classes_visible_to(user).select_related("school", "course").get(id=class_id)
    except Class.DoesNotExist:
        raise NotFound from None


def class_students(klass: Class) -> QuerySet[User]:
    """Everyone the roster enrolls in the class as a student, whatever their account's role
    (OneRoster allows a staff account enrolled as a student): the roster as the roster says it,
    for class pages and roster exports. The caller got ``klass`` through :func:`access_class`.
    """
    return User.objects.filter(
        enrollments__klass=klass, enrollments__role=Enrollment.Role.STUDENT
    ).order_by("last_name", "first_name")


def class_learners(klass: Class) -> QuerySet[User]:
    """The class's learners: enrolled as students *and* holding a student account — the
    people with evidence, mastery, a plan and check-ups (those are refused to other
    accounts). For Today's groups, schedules, the check-up heatmap and the class's plans. The
    caller got ``klass`` through :func:`access_class`."""
    return User.objects.filter(
        enrollments__klass=klass, enrollments__role=Enrollment.Role.STUDENT,
        role=Role.STUDENT,
    ).order_by("last_name", "first_name", "id")


def with_student_counts(classes: QuerySet[Class]) -> QuerySet[Class]:
    """The classes with their school and course, each annotated with ``student_count`` (the
    students the roster enrols), in the same one query."""
    return classes.select_related("school", "course").annotate(
        student_count=Count(
            "enrollments", filter=Q(enrollments__role=Enrollment.Role.STUDENT), distinct=True
        )
    )


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
