"""A district's roster as OneRoster record streams, for the export.

:class:`RosterExport` reads one district in chunks, so that a large district never sits in
memory as model instances, and yields the records of :mod:`trellis.interop.oneroster.bundle`
that :func:`~trellis.interop.oneroster.writer.write_roster_zip` writes. It only reads;
:func:`trellis.roster.actions_export.write_roster_export` runs it in a transaction and audits
the export.

What is exported is what Trellis keeps: roster-managed records (those with a sourcedId);
columns Trellis does not store (userIds, middle names, phone numbers...) are left blank, and
deactivated people are left out with everything of theirs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from trellis.accounts.models import District, GuardianLink, Role, RoleAssignment, School, User
from trellis.interop.oneroster import bundle as onr
from trellis.interop.oneroster.bundle import (
    FileMode,
    Manifest,
    OrgType,
    RecordKind,
    RoleName,
    RoleType,
    Status,
)
from trellis.roster.import_mapping import TRELLIS_TO_ONEROSTER, iso
from trellis.roster.models import (
    AcademicSession,
    Class,
    Course,
    Enrollment,
    StudentDemographics,
)


class RosterExport:
    """Record streams of one district, read in chunks so a large district never sits in
    memory as model instances."""

    def __init__(self, district: District, include_demographics: bool) -> None:
        self.district = district
        self.include_demographics = include_demographics
        self.modified = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        self.schools = dict(
            School.objects.filter(district=district).values_list("pk", "sourced_id")
        )
        self.sessions = dict(
            AcademicSession.objects.filter(district=district).values_list("pk", "sourced_id")
        )
        self.courses = dict(
            Course.objects.filter(district=district).values_list("pk", "sourced_id")
        )
        # Deactivated people are not on the roster: left out, like everything of theirs.
        self.users = dict(
            User.objects.filter(district=district, deactivated_at__isnull=True)
            .exclude(sourced_id="")
            .values_list("pk", "sourced_id")
        )

    def org_of(self, school_id: int | None) -> str:
        return self.schools[school_id] if school_id else self.district.sourced_id

    def orgs(self) -> Iterator[onr.Org]:
        d = self.district
        yield onr.Org(
            d.sourced_id, Status.ACTIVE, self.modified, d.name, OrgType.DISTRICT, d.identifier, ""
        )
        for school in School.objects.filter(district=d).order_by("sourced_id"):
            yield onr.Org(
                school.sourced_id,
                Status.ACTIVE,
                self.modified,
                school.name,
                OrgType.SCHOOL,
                school.identifier,
                d.sourced_id,
            )

    def academic_sessions(self) -> Iterator[onr.AcademicSession]:
        for s in AcademicSession.objects.filter(district=self.district).order_by("sourced_id"):
            yield onr.AcademicSession(
                s.sourced_id,
                Status.ACTIVE,
                self.modified,
                s.title,
                onr.SessionType(s.type),
                iso(s.start_date),
                iso(s.end_date),
                self.sessions.get(s.parent_id, "") if s.parent_id else "",
                str(s.school_year),
            )

    def courses_(self) -> Iterator[onr.Course]:
        for c in Course.objects.filter(district=self.district).order_by("sourced_id"):
            yield onr.Course(
                c.sourced_id,
                Status.ACTIVE,
                self.modified,
                self.sessions.get(c.school_year_id, "") if c.school_year_id else "",
                c.title,
                c.course_code,
                tuple(c.grades),
                self.org_of(c.school_id),
                tuple(c.subjects),
                (),
            )

    def classes(self) -> Iterator[onr.RosterClass]:
        terms: dict[int, list[str]] = defaultdict(list)
        through = Class.terms.through.objects.filter(class__district=self.district)
        for class_id, session_id in through.values_list("class_id", "academicsession_id"):
            terms[class_id].append(self.sessions[session_id])
        rows = Class.objects.filter(district=self.district).order_by("sourced_id")
        for c in rows.iterator(chunk_size=5000):
            yield onr.RosterClass(
                c.sourced_id,
                Status.ACTIVE,
                self.modified,
                c.title,
                tuple(c.grades),
                self.courses[c.course_id],
                c.class_code,
                onr.ClassType(c.class_type),
                c.location,
                self.schools[c.school_id],
                tuple(sorted(terms.get(c.pk, ()))),
                tuple(c.subjects),
                (),
                tuple(c.periods),
            )

    def users_(self) -> Iterator[onr.User]:
        agents: dict[int, list[str]] = defaultdict(list)
        links = GuardianLink.objects.filter(district=self.district).values_list(
            "guardian_id", "student_id"
        )
        for guardian, student in links.iterator(chunk_size=5000):
            if guardian in self.users and student in self.users:
                agents[student].append(self.users[guardian])
                agents[guardian].append(self.users[student])
        rows = (
            User.objects.filter(district=self.district, deactivated_at__isnull=True)
            .exclude(sourced_id="")
            .order_by("sourced_id")
            .values_list(
                "pk",
                "sourced_id",
                "is_active",
                "username",
                "first_name",
                "last_name",
                "email",
                "grade",
                "preferred_name",
                "school_id",
            )
        )
        for (
            pk,
            sid,
            active,
            username,
            first,
            last,
            email,
            grade,
            preferred,
            school,
        ) in rows.iterator(chunk_size=5000):
            yield onr.User(
                sid,
                Status.ACTIVE,
                self.modified,
                active,
                username,
                (),
                first,
                last,
                email=email,
                agent_sourced_ids=tuple(sorted(agents.get(pk, ()))),
                grades=(grade,) if grade else (),
                preferred_given_name=preferred,
                primary_org_sourced_id=self.schools[school] if school else "",
            )

    def roles(self) -> Iterator[onr.Role]:
        relationship = dict(
            GuardianLink.objects.filter(district=self.district)
            .order_by("-pk")
            .values_list("guardian_id", "relationship")
        )
        guardian_names = {name.value: name for name in onr.GUARDIAN_ROLES}
        rows = (
            RoleAssignment.objects.filter(district=self.district)
            .exclude(sourced_id="")
            .order_by("sourced_id")
            .values_list(
                "sourced_id",
                "user_id",
                "role",
                "school_id",
                "is_primary",
                "begin_date",
                "end_date",
            )
        )
        for sid, user, role, school, primary, begin, end in rows.iterator(chunk_size=5000):
            if user not in self.users:
                continue
            name = TRELLIS_TO_ONEROSTER[role]
            if role == Role.GUARDIAN:
                name = guardian_names.get(relationship.get(user, ""), RoleName.GUARDIAN)
            yield onr.Role(
                sid,
                Status.ACTIVE,
                self.modified,
                self.users[user],
                RoleType.PRIMARY if primary else RoleType.SECONDARY,
                name,
                iso(begin),
                iso(end),
                self.org_of(school),
                "",
            )

    def enrollments(self) -> Iterator[onr.Enrollment]:
        classes = {
            pk: (sid, self.schools[school])
            for pk, sid, school in Class.objects.filter(district=self.district).values_list(
                "pk", "sourced_id", "school_id"
            )
        }
        rows = (
            Enrollment.objects.filter(district=self.district)
            .exclude(sourced_id="")
            .order_by("sourced_id")
            .values_list(
                "sourced_id", "klass_id", "user_id", "role", "primary", "begin_date", "end_date"
            )
        )
        for sid, klass, user, role, primary, begin, end in rows.iterator(chunk_size=5000):
            if user not in self.users:
                continue
            class_sid, school_sid = classes[klass]
            yield onr.Enrollment(
                sid,
                Status.ACTIVE,
                self.modified,
                class_sid,
                school_sid,
                self.users[user],
                onr.EnrollmentRole(role),
                primary,
                iso(begin),
                iso(end),
            )

    def demographics(self) -> Iterator[onr.Demographics]:
        rows = StudentDemographics.objects.filter(district=self.district).order_by("user_id")
        for d in rows.iterator(chunk_size=5000):
            if d.user_id not in self.users:
                continue
            yield onr.Demographics(
                self.users[d.user_id],
                Status.ACTIVE,
                self.modified,
                iso(d.birth_date),
                onr.Sex(d.sex) if d.sex else None,
                d.american_indian_or_alaska_native,
                d.asian,
                d.black_or_african_american,
                d.native_hawaiian_or_other_pacific_islander,
                d.white,
                d.two_or_more_races,
                d.hispanic_or_latino,
                d.country_of_birth_code,
                d.state_of_birth_abbreviation,
                d.city_of_birth,
                d.public_school_residence_status,
            )

    def streams(self) -> dict[RecordKind, Iterable[Any]]:
        streams: dict[RecordKind, Iterable[Any]] = {
            RecordKind.ORGS: self.orgs(),
            RecordKind.ACADEMIC_SESSIONS: self.academic_sessions(),
            RecordKind.COURSES: self.courses_(),
            RecordKind.CLASSES: self.classes(),
            RecordKind.USERS: self.users_(),
            RecordKind.ROLES: self.roles(),
            RecordKind.ENROLLMENTS: self.enrollments(),
        }
        if self.include_demographics:
            streams[RecordKind.DEMOGRAPHICS] = self.demographics()
        return streams

    def manifest(self) -> Manifest:
        return Manifest(
            file_modes={str(kind): FileMode.BULK for kind in self.streams_kinds()},
            source_system_name="Trellis",
            source_system_code="trellis",
        )

    def streams_kinds(self) -> list[RecordKind]:
        kinds: list[RecordKind] = [k for k in RecordKind if k is not RecordKind.DEMOGRAPHICS]
        return [*kinds, RecordKind.DEMOGRAPHICS] if self.include_demographics else kinds
