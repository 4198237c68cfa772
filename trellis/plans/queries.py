"""Who may see and steer a learning plan — built on the one set of permission rules.

Every read of a student goes through :func:`~trellis.accounts.queries.access_student`, so the
people who see a plan are exactly those who see the student:

- the **student** sees and owns their plan: sets goals, chooses activities, reflects, edits
  their profile and proposes projects;
- a **guardian** sees their own child's plan, read-only;
- **teachers** of the student's classes, and the school's and district's **administrators**,
  see the plan and steer it: edits, teacher goals, observations, project reviews and scores;
- coaches see no student plans (they coach teachers), and nobody crosses districts;
- a district's **plan settings** (mastery rule, term calendar, the map plans walk) are its
  district administrators' alone.

A missing and a forbidden object both raise
:class:`~trellis.accounts.permissions.NotFound`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from trellis.accounts.models import District, Role, User
from trellis.accounts.permissions import NotFound, is_district_admin, students_visible_to
from trellis.accounts.queries import access_student
from trellis.plans.models import ProjectProposal
from trellis.roster.models import Class
from trellis.roster.queries import access_class

STEERING_ROLES = frozenset({Role.TEACHER, Role.SCHOOL_ADMIN, Role.DISTRICT_ADMIN})


@dataclass(frozen=True)
class PlanAccess:
    """What the viewer may do with one student's plan."""

    student: User
    owner: bool  # the student themself
    steer: bool  # a teacher or administrator of the student
    read_only: bool  # a guardian

    @property
    def mode(self) -> str:
        return "student" if self.owner else "staff" if self.steer else "guardian"


def can_steer(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role in STEERING_ROLES)


def access_plan(user: User, student_id: int) -> PlanAccess:
    """The student whose plan ``user`` opens, with what ``user`` may do there."""
    student = access_student(user, student_id)
    owner = user.id == student.id
    return PlanAccess(student=student, owner=owner, steer=can_steer(user),
                      read_only=not owner and not can_steer(user))


def access_own_plan(user: User, student_id: int) -> User:
    """The student themself, for what only they do (choose, reflect, propose, profile)."""
    access = access_plan(user, student_id)
    if not access.owner:
        raise NotFound
    return access.student


def access_steered_plan(user: User, student_id: int) -> User:
    """A student whose plan ``user`` may steer (teachers and administrators)."""
    access = access_plan(user, student_id)
    if not access.steer:
        raise NotFound
    return access.student


def access_teaching_class(user: User, class_id: int) -> Class:
    """A class whose page of plans ``user`` opens (its teachers and administrators)."""
    if not can_steer(user):
        raise NotFound
    return access_class(user, class_id)


def proposals_visible_to(user: User) -> QuerySet[ProjectProposal]:
    district_id = user.district_id
    if not can_steer(user) or district_id is None:
        return ProjectProposal.objects.none()
    return ProjectProposal.objects.filter(
        district_id=district_id, student__in=students_visible_to(user))


def access_proposal(user: User, proposal_id: int) -> ProjectProposal:
    """A project proposal ``user`` may review and score."""
    try:
        return proposals_visible_to(user).select_related("student", "standard").get(
            id=proposal_id)
    except ProjectProposal.DoesNotExist:
        raise NotFound from None


def access_plan_settings(user: User) -> District:
    """The district whose plan settings ``user`` manages (its district administrators)."""
    if not is_district_admin(user) or user.district is None:
        raise NotFound
    return user.district
