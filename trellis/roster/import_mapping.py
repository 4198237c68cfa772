"""How OneRoster maps onto Trellis: the rules a roster import and export share.

=====================  ==========================================================================
OneRoster              Trellis
=====================  ==========================================================================
org ``district``       :class:`~trellis.accounts.models.District` — the tenant; one per exchange
org ``school``         :class:`~trellis.accounts.models.School` (other org types are not stored)
academicSessions       :class:`~trellis.roster.models.AcademicSession` (``parent`` kept)
courses                :class:`~trellis.roster.models.Course` (org = a school, or the district)
classes                :class:`~trellis.roster.models.Class` and its ``terms``
users                  :class:`~trellis.accounts.models.User`; ``primaryOrgSourcedId`` → school
roles                  :class:`~trellis.accounts.models.RoleAssignment`; the primary role sets
                       ``User.role``: student; teacher; guardian / parent / relative → guardian;
                       principal / siteAdministrator → school_admin; districtAdministrator →
                       district_admin. Aide, counselor, proctor and systemAdministrator have no
                       Trellis role yet: they are reported and those people get no access.
(coaches)              OneRoster has no coach role. As in the generator, an **instructional
                       coach** is a user whose *primary* role is ``teacher`` at the **district**
                       org; their *secondary* ``teacher`` roles at schools say where they work,
                       and they are linked (:class:`~trellis.accounts.models.CoachingLink`) to
                       every teacher whose primary school is one of those schools.
agentSourcedIds        :class:`~trellis.accounts.models.GuardianLink` (relationship = the
                       guardian's role: parent, guardian or relative)
enrollments            :class:`~trellis.roster.models.Enrollment`
demographics           :class:`~trellis.roster.models.StudentDemographics`, only on opt-in
=====================  ==========================================================================

Nothing here writes: the import's steps (``trellis/roster/actions_import*.py``) and the export
(:mod:`trellis.roster.export_streams`) read these tables, so that the two directions cannot
drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from typing import Any, TypeVar

from django.db import models

from trellis.accounts.models import Role, RoleAssignment, School, User
from trellis.interop.oneroster.bundle import RecordKind, RoleName, RoleType, RosterBundle, Status
from trellis.roster.models import (
    AcademicSession,
    Class,
    Course,
    Enrollment,
    StudentDemographics,
)

BATCH = 2000  # rows per bulk_create / bulk_update
LOOKUP_BATCH = 900  # ids per ``IN (...)``: below SQLite's historical 999-variable limit

# OneRoster role → Trellis role. Teachers at the district org are coaches (see module doc).
ROLE_MAP: Mapping[RoleName, Role] = {
    RoleName.STUDENT: Role.STUDENT,
    RoleName.TEACHER: Role.TEACHER,
    RoleName.GUARDIAN: Role.GUARDIAN,
    RoleName.PARENT: Role.GUARDIAN,
    RoleName.RELATIVE: Role.GUARDIAN,
    RoleName.PRINCIPAL: Role.SCHOOL_ADMIN,
    RoleName.SITE_ADMINISTRATOR: Role.SCHOOL_ADMIN,
    RoleName.DISTRICT_ADMINISTRATOR: Role.DISTRICT_ADMIN,
}
# When a person holds several primary roles, the widest one decides what they see.
ROLE_PRECEDENCE = (
    Role.DISTRICT_ADMIN,
    Role.SCHOOL_ADMIN,
    Role.COACH,
    Role.TEACHER,
    Role.GUARDIAN,
    Role.STUDENT,
)
ENROLLMENT_ROLES = {role.value: index for index, role in enumerate(Enrollment.Role)}
KIND_MODELS: Mapping[RecordKind, type[models.Model]] = {
    RecordKind.ORGS: School,
    RecordKind.ACADEMIC_SESSIONS: AcademicSession,
    RecordKind.COURSES: Course,
    RecordKind.CLASSES: Class,
    RecordKind.USERS: User,
    RecordKind.ROLES: RoleAssignment,
    RecordKind.ENROLLMENTS: Enrollment,
    RecordKind.DEMOGRAPHICS: StudentDemographics,
}
DELETE_ORDER = (
    RecordKind.DEMOGRAPHICS,
    RecordKind.ENROLLMENTS,
    RecordKind.ROLES,
    RecordKind.USERS,
    RecordKind.CLASSES,
    RecordKind.COURSES,
    RecordKind.ACADEMIC_SESSIONS,
    RecordKind.ORGS,
)


# Trellis role → the OneRoster role an export gives it (guardians keep their relationship).
TRELLIS_TO_ONEROSTER: Mapping[str, RoleName] = {
    Role.STUDENT: RoleName.STUDENT,
    Role.TEACHER: RoleName.TEACHER,
    Role.COACH: RoleName.TEACHER,  # at the district org: how coaches are told apart
    Role.GUARDIAN: RoleName.GUARDIAN,
    Role.SCHOOL_ADMIN: RoleName.PRINCIPAL,
    Role.DISTRICT_ADMIN: RoleName.DISTRICT_ADMINISTRATOR,
}

# A user's widest primary role in a file: (Trellis role, OneRoster role, org sourcedId).
PrimaryRole = tuple[Role, RoleName, str]


def map_role(name: RoleName | None, org_sourced_id: str, district_sourced_id: str) -> Role | None:
    """The Trellis role of a OneRoster role at an org (a teacher at the district is a coach)."""
    role = ROLE_MAP.get(name) if name is not None else None
    if role is Role.TEACHER and org_sourced_id == district_sourced_id:
        return Role.COACH
    return role


def primary_roles_in_file(bundle: RosterBundle, district_sourced_id: str) -> dict[str, PrimaryRole]:
    """user sourcedId → (Trellis role, OneRoster role, org) of their widest primary role
    in this file."""
    best: dict[str, PrimaryRole] = {}
    for r in bundle.roles:
        if r.status is Status.TOBEDELETED or r.role_type is not RoleType.PRIMARY:
            continue
        mapped = map_role(r.role, r.org_sourced_id, district_sourced_id)
        if mapped is None or r.role is None:
            continue
        previous = best.get(r.user_sourced_id)
        if previous is None or ROLE_PRECEDENCE.index(mapped) < ROLE_PRECEDENCE.index(
            previous[0]
        ):
            best[r.user_sourced_id] = (mapped, r.role, r.org_sourced_id)
    return best


# --- values --------------------------------------------------------------------------------------

T = TypeVar("T")


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """``items`` in lists of ``size`` (the last one shorter)."""
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def to_date(text: str) -> date | None:
    """A OneRoster date cell (already validated) as a date; blank → ``None``."""
    return date.fromisoformat(text) if text else None


def to_text(value: Any) -> str:
    return "" if value is None else str(value)


def iso(day: date | None) -> str:
    """A date as a OneRoster cell; ``None`` → blank."""
    return day.isoformat() if day else ""
