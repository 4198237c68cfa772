"""Who may see what: the permission rules about people, the ones every app builds on.

Each rule is a queryset filter that knows the acting user, in the spirit of Kolibri's
composable permissions: ``students_visible_to(user)`` is the set of students ``user`` may see,
and so on. Views and API endpoints never filter by hand; they call an ``access_*`` function
(``trellis/*/queries.py``) built on these rules, which raises :class:`NotFound` both when the
object does not exist and when the user may not see it, so a caller cannot tell the two apart.

The rules:

- a **student** sees themself;
- a **guardian** sees only their own children;
- a **teacher** sees the students of the classes they teach, and those classes (the class
  rules are in :mod:`trellis.roster.permissions`, which owns classes);
- an **instructional coach** sees the teachers they coach;
- a **school administrator** sees everything in the schools they administer;
- a **district administrator** sees everything in their district;
- nobody ever crosses districts: every rule starts from the user's own district;
- people a roster import deactivated (no longer on the roster) are in nobody's lists: their
  history is kept for when a later roster lists them again. Only their district's
  administrators can still read it (``former_people_visible_to``): a school answers records
  requests for students who left, and an administrator checks who a roster file dropped.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.db.models import Q, QuerySet

from trellis.accounts.models import (
    CoachingLink,
    GuardianLink,
    Role,
    RoleAssignment,
    School,
    User,
)
from trellis.core.errors import NotFound as NotFound  # re-exported: callers catch it from here


class EnrolmentRules(Protocol):
    """What the rules here need to know about classes, answered by the app that owns them.

    Classes and enrolments belong to the roster, which sits above accounts in the house
    (``ARCHITECTURE.md``): it is rebuilt from OneRoster files and imports the people it
    enrols. The two rules below that depend on enrolment (a teacher sees the students of
    their classes; a school administrator also sees students enrolled in their schools'
    classes) ask this interface instead of importing the roster. The roster registers its
    implementation when Django starts (``RosterConfig.ready``). Without one, nobody sees a
    student through a class: a rule that cannot be answered grants nothing.
    """

    def students_taught_by(self, teacher: User, district_id: int) -> QuerySet[Any, Any]:
        """Subquery of the ids of students enrolled in a class ``teacher`` teaches."""
        ...

    def students_enrolled_in_schools(self, school_ids: set[int]) -> QuerySet[Any, Any]:
        """Subquery of the ids of students enrolled in a class of one of these schools."""
        ...


_enrolment_rules: EnrolmentRules | None = None


def register_enrolment_rules(rules: EnrolmentRules) -> None:
    """Called once by the roster app at start-up (and by nothing else)."""
    global _enrolment_rules
    _enrolment_rules = rules


def _students_taught_by(user: User, district_id: int) -> QuerySet[Any, Any]:
    if _enrolment_rules is None:
        return User.objects.none().values("id")
    return _enrolment_rules.students_taught_by(user, district_id)


def _students_enrolled_in_schools(school_ids: set[int]) -> QuerySet[Any, Any]:
    if _enrolment_rules is None:
        return User.objects.none().values("id")
    return _enrolment_rules.students_enrolled_in_schools(school_ids)


def district_id_of(user: User) -> int | None:
    """The tenant of an active, signed-in user; ``None`` (sees nothing) otherwise."""
    if not (user.is_authenticated and user.is_active):
        return None
    return user.district_id


def is_district_admin(user: User) -> bool:
    """An active, signed-in administrator of a district (imports, exports, refits...)."""
    return district_id_of(user) is not None and user.role == Role.DISTRICT_ADMIN


def administered_school_ids(user: User) -> set[int]:
    """Schools a school administrator runs: their primary school and any school role."""
    district_id = district_id_of(user)
    if district_id is None or user.role != Role.SCHOOL_ADMIN:
        return set()
    ids = {
        school_id
        for school_id in RoleAssignment.objects.filter(
            user=user, role=Role.SCHOOL_ADMIN, school__district_id=district_id
        ).values_list("school_id", flat=True)
        if school_id is not None
    }
    if user.school_id is not None:
        ids.add(user.school_id)
    return ids


def students_visible_to(user: User) -> QuerySet[User]:
    students = User.objects.filter(role=Role.STUDENT, deactivated_at__isnull=True)
    district_id = district_id_of(user)
    if district_id is None:
        return students.none()
    students = students.filter(district_id=district_id)
    match user.role:
        case Role.DISTRICT_ADMIN:
            return students
        case Role.SCHOOL_ADMIN:
            schools = administered_school_ids(user)
            return students.filter(
                Q(school_id__in=schools) | Q(id__in=_students_enrolled_in_schools(schools))
            )
        case Role.TEACHER:
            return students.filter(id__in=_students_taught_by(user, district_id))
        case Role.GUARDIAN:
            child_ids = GuardianLink.objects.filter(
                guardian=user, district_id=district_id
            ).values("student_id")
            return students.filter(id__in=child_ids)
        case Role.STUDENT:
            return students.filter(id=user.id)
        case _:
            return students.none()


def staff_visible_to(user: User) -> QuerySet[User]:
    """Teachers and coaches whose profile (and professional learning) ``user`` may see."""
    staff = User.objects.filter(role__in=[Role.TEACHER, Role.COACH], deactivated_at__isnull=True)
    district_id = district_id_of(user)
    if district_id is None:
        return staff.none()
    staff = staff.filter(district_id=district_id)
    match user.role:
        case Role.DISTRICT_ADMIN:
            return staff
        case Role.SCHOOL_ADMIN:
            return staff.filter(school_id__in=administered_school_ids(user))
        case Role.COACH:
            coached = CoachingLink.objects.filter(
                coach=user, district_id=district_id
            ).values("teacher_id")
            return staff.filter(Q(id__in=coached) | Q(id=user.id))
        case Role.TEACHER:
            return staff.filter(id=user.id)
        case _:
            return staff.none()


def former_people_visible_to(user: User) -> QuerySet[User]:
    """People a roster import deactivated, with their kept history: district admins only.

    They have left every school, class and link, so no narrower rule can place them; their
    district's administrators are the people who answer for the records the district keeps.
    """
    former = User.objects.filter(deactivated_at__isnull=False)
    district_id = district_id_of(user)
    if district_id is None or user.role != Role.DISTRICT_ADMIN:
        return former.none()
    return former.filter(district_id=district_id)


def schools_visible_to(user: User) -> QuerySet[School]:
    district_id = district_id_of(user)
    if district_id is None:
        return School.objects.none()
    schools = School.objects.filter(district_id=district_id)
    match user.role:
        case Role.DISTRICT_ADMIN:
            return schools
        case Role.SCHOOL_ADMIN:
            return schools.filter(id__in=administered_school_ids(user))
        case _:
            return schools.none()


def jobs_visible_to(user: User) -> QuerySet[Any]:
    """The background jobs (:class:`trellis.core.models.Job`) a person may watch: their own,
    and every job of their district for its district administrators."""
    from trellis.core.models import Job  # imported here: the top of this module is the rules'

    if not user.is_authenticated or user.district_id is None:
        return Job.objects.none()
    if user.role == Role.DISTRICT_ADMIN:
        return Job.objects.filter(district_id=user.district_id)
    return Job.objects.filter(created_by=user, district_id=user.district_id)
