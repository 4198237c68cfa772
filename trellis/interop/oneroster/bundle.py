"""The canonical OneRoster bundle: one pure-data snapshot of a roster exchange.

A OneRoster 1.2 CSV exchange is a zip of files (``orgs.csv``, ``users.csv``, ...) plus a
``manifest.csv`` that says, per file, whether it is *absent*, a *bulk* replacement of everything
of that kind, or a *delta* of changed rows (``status`` ``active`` = create or update,
``tobedeleted`` = delete). Whatever the source (a zip, a directory, the generator), Trellis turns
it into one :class:`RosterBundle`; the importer, the exporter and the dry-run report all work on
that bundle and never on CSV text.

Design choices, because a district export can hold a million enrollments:

* every record is a frozen ``slots`` dataclass whose fields follow the CSV column order exactly,
  so a record is a compact row (no per-instance ``__dict__``) and the writer can emit it
  positionally;
* identifiers are interned by the parser, so the user id in a million enrollment rows is one
  string object shared with the user record;
* enumerations are :class:`enum.StrEnum` members (singletons that compare equal to their CSV
  text), dates are canonical ``YYYY-MM-DD`` strings and ``dateLastModified`` is a canonical
  ``YYYY-MM-DDTHH:MM:SS.mmmZ`` string (see :func:`parse_last_modified` for a ``datetime``);
* multi-valued cells (``"09,10"``) are tuples; ``userIds`` are ``(type, value)`` pairs;
* each record remembers the line of its source file (``line``; the file follows from its
  kind, see :attr:`Org.FILE`), which is excluded from equality so that an exported and
  re-imported bundle compares equal to the original.

Nothing here touches a database or the file system.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import ClassVar


class RecordKind(StrEnum):
    """The rostering files Trellis reads, by their manifest name (``file.<name>``)."""

    ORGS = "orgs"
    ACADEMIC_SESSIONS = "academicSessions"
    COURSES = "courses"
    CLASSES = "classes"
    USERS = "users"
    ROLES = "roles"
    ENROLLMENTS = "enrollments"
    DEMOGRAPHICS = "demographics"

    @property
    def file_name(self) -> str:
        return f"{self.value}.csv"


class FileMode(StrEnum):
    """How the manifest says a file is processed."""

    ABSENT = "absent"
    BULK = "bulk"  # the file replaces every record of its kind
    DELTA = "delta"  # the file lists changes; status and dateLastModified are required


class Status(StrEnum):
    ACTIVE = "active"
    TOBEDELETED = "tobedeleted"


class OrgType(StrEnum):
    DEPARTMENT = "department"
    SCHOOL = "school"
    DISTRICT = "district"
    LOCAL = "local"
    STATE = "state"
    NATIONAL = "national"


class SessionType(StrEnum):
    GRADING_PERIOD = "gradingPeriod"
    SEMESTER = "semester"
    SCHOOL_YEAR = "schoolYear"
    TERM = "term"


class ClassType(StrEnum):
    HOMEROOM = "homeroom"
    SCHEDULED = "scheduled"


class RoleType(StrEnum):
    PRIMARY = "primary"
    SECONDARY = "secondary"


class RoleName(StrEnum):
    """``roles.csv`` ``role``: what a user is in an org."""

    AIDE = "aide"
    COUNSELOR = "counselor"
    DISTRICT_ADMINISTRATOR = "districtAdministrator"
    GUARDIAN = "guardian"
    PARENT = "parent"
    PRINCIPAL = "principal"
    PROCTOR = "proctor"
    RELATIVE = "relative"
    SITE_ADMINISTRATOR = "siteAdministrator"
    STUDENT = "student"
    SYSTEM_ADMINISTRATOR = "systemAdministrator"
    TEACHER = "teacher"


# Roles whose holders are agents of a student (linked through ``agentSourcedIds``).
GUARDIAN_ROLES = frozenset({RoleName.GUARDIAN, RoleName.PARENT, RoleName.RELATIVE})


class EnrollmentRole(StrEnum):
    """``enrollments.csv`` ``role``: what a user does in a class."""

    ADMINISTRATOR = "administrator"
    PROCTOR = "proctor"
    STUDENT = "student"
    TEACHER = "teacher"


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"
    UNSPECIFIED = "unspecified"
    OTHER = "other"


# CEDS grade-level codes used by ``grades`` columns.
GRADE_CODES = frozenset(
    ["IT", "PR", "PK", "TK", "KG", *(f"{n:02d}" for n in range(1, 14)), "PS", "UG", "Other"]
)

UserId = tuple[str, str]  # one ``{type:value}`` entry of ``userIds``


def parse_last_modified(text: str | None) -> datetime | None:
    """The aware UTC ``datetime`` of a canonical ``dateLastModified`` string (or ``None``)."""
    if not text:
        return None
    return datetime.fromisoformat(text).astimezone(UTC)


# --- records -----------------------------------------------------------------------------------
# Field order = CSV column order (the writer relies on it); ``line`` always comes last.


@dataclass(frozen=True, slots=True)
class Org:
    FILE: ClassVar[str] = "orgs.csv"
    sourced_id: str
    status: Status | None
    date_last_modified: str | None
    name: str
    type: OrgType | None
    identifier: str = ""
    parent_sourced_id: str = ""
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class AcademicSession:
    FILE: ClassVar[str] = "academicSessions.csv"
    sourced_id: str
    status: Status | None
    date_last_modified: str | None
    title: str
    type: SessionType | None
    start_date: str
    end_date: str
    parent_sourced_id: str = ""
    school_year: str = ""
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Course:
    FILE: ClassVar[str] = "courses.csv"
    sourced_id: str
    status: Status | None
    date_last_modified: str | None
    school_year_sourced_id: str
    title: str
    course_code: str = ""
    grades: tuple[str, ...] = ()
    org_sourced_id: str = ""
    subjects: tuple[str, ...] = ()
    subject_codes: tuple[str, ...] = ()
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class RosterClass:
    """A section of a course taught at a school in one or more terms (``classes.csv``)."""

    FILE: ClassVar[str] = "classes.csv"
    sourced_id: str
    status: Status | None
    date_last_modified: str | None
    title: str
    grades: tuple[str, ...]
    course_sourced_id: str
    class_code: str
    class_type: ClassType | None
    location: str
    school_sourced_id: str
    term_sourced_ids: tuple[str, ...]
    subjects: tuple[str, ...] = ()
    subject_codes: tuple[str, ...] = ()
    periods: tuple[str, ...] = ()
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class User:
    """A person (``users.csv``). What they are where lives in :class:`Role` records."""

    FILE: ClassVar[str] = "users.csv"
    sourced_id: str
    status: Status | None
    date_last_modified: str | None
    enabled_user: bool | None
    username: str
    user_ids: tuple[UserId, ...]
    given_name: str
    family_name: str
    middle_name: str = ""
    identifier: str = ""
    email: str = ""
    sms: str = ""
    phone: str = ""
    agent_sourced_ids: tuple[str, ...] = ()  # guardians of a student, students of a guardian
    grades: tuple[str, ...] = ()
    password: str = ""
    user_master_identifier: str = ""
    resource_sourced_ids: tuple[str, ...] = ()
    preferred_given_name: str = ""
    preferred_middle_name: str = ""
    preferred_family_name: str = ""
    primary_org_sourced_id: str = ""
    pronouns: str = ""
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Role:
    """What a user is in an org (``roles.csv``, new in 1.2)."""

    FILE: ClassVar[str] = "roles.csv"
    sourced_id: str
    status: Status | None
    date_last_modified: str | None
    user_sourced_id: str
    role_type: RoleType | None
    role: RoleName | None
    begin_date: str = ""
    end_date: str = ""
    org_sourced_id: str = ""
    user_profile_sourced_id: str = ""
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Enrollment:
    """A user in a class (``enrollments.csv``)."""

    FILE: ClassVar[str] = "enrollments.csv"
    sourced_id: str
    status: Status | None
    date_last_modified: str | None
    class_sourced_id: str
    school_sourced_id: str
    user_sourced_id: str
    role: EnrollmentRole | None
    primary: bool | None = None
    begin_date: str = ""
    end_date: str = ""
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Demographics:
    """Sensitive data about a user; its ``sourced_id`` is the user's. Imported only on opt-in."""

    FILE: ClassVar[str] = "demographics.csv"
    sourced_id: str
    status: Status | None
    date_last_modified: str | None
    birth_date: str = ""
    sex: Sex | None = None
    american_indian_or_alaska_native: bool | None = None
    asian: bool | None = None
    black_or_african_american: bool | None = None
    native_hawaiian_or_other_pacific_islander: bool | None = None
    white: bool | None = None
    demographic_race_two_or_more_races: bool | None = None
    hispanic_or_latino_ethnicity: bool | None = None
    country_of_birth_code: str = ""
    state_of_birth_abbreviation: str = ""
    city_of_birth: str = ""
    public_school_residence_status: str = ""
    line: int = field(default=0, compare=False)


Record = Org | AcademicSession | Course | RosterClass | User | Role | Enrollment | Demographics

RECORD_TYPES: Mapping[RecordKind, type] = {
    RecordKind.ORGS: Org,
    RecordKind.ACADEMIC_SESSIONS: AcademicSession,
    RecordKind.COURSES: Course,
    RecordKind.CLASSES: RosterClass,
    RecordKind.USERS: User,
    RecordKind.ROLES: Role,
    RecordKind.ENROLLMENTS: Enrollment,
    RecordKind.DEMOGRAPHICS: Demographics,
}

# Bundle attribute holding each kind's records.
BUNDLE_ATTRIBUTES: Mapping[RecordKind, str] = {
    RecordKind.ORGS: "orgs",
    RecordKind.ACADEMIC_SESSIONS: "academic_sessions",
    RecordKind.COURSES: "courses",
    RecordKind.CLASSES: "classes",
    RecordKind.USERS: "users",
    RecordKind.ROLES: "roles",
    RecordKind.ENROLLMENTS: "enrollments",
    RecordKind.DEMOGRAPHICS: "demographics",
}


# --- manifest and bundle -----------------------------------------------------------------------

MANIFEST_VERSION = "1.0"
ONEROSTER_VERSION = "1.2"


@dataclass(frozen=True, slots=True)
class Manifest:
    """``manifest.csv``: versions, the source system, and the mode of every listed file.

    ``file_modes`` maps a manifest file name (``"users"``, ``"lineItems"``, ...) to its mode;
    a file the manifest does not name is absent.
    """

    file_modes: Mapping[str, FileMode] = field(default_factory=dict, hash=False)
    manifest_version: str = MANIFEST_VERSION
    oneroster_version: str = ONEROSTER_VERSION
    source_system_name: str = ""
    source_system_code: str = ""

    def mode(self, kind: RecordKind | str) -> FileMode:
        return self.file_modes.get(str(kind), FileMode.ABSENT)


@dataclass(frozen=True, slots=True)
class IgnoredFile:
    """A file present in the exchange that Trellis did not import, and why."""

    name: str
    reason: str


@dataclass(frozen=True, slots=True)
class RosterBundle:
    """Everything one exchange says, as pure data (see the module docstring)."""

    manifest: Manifest
    orgs: tuple[Org, ...] = ()
    academic_sessions: tuple[AcademicSession, ...] = ()
    courses: tuple[Course, ...] = ()
    classes: tuple[RosterClass, ...] = ()
    users: tuple[User, ...] = ()
    roles: tuple[Role, ...] = ()
    enrollments: tuple[Enrollment, ...] = ()
    demographics: tuple[Demographics, ...] = ()
    ignored_files: tuple[IgnoredFile, ...] = field(default=(), compare=False)

    def records(self, kind: RecordKind) -> tuple[Record, ...]:
        records: tuple[Record, ...] = getattr(self, BUNDLE_ATTRIBUTES[kind])
        return records

    def mode(self, kind: RecordKind) -> FileMode:
        return self.manifest.mode(kind)

    def counts(self) -> dict[str, int]:
        """Records per kind, e.g. ``{"users": 3, ...}`` (kinds with no record included)."""
        return {str(kind): len(self.records(kind)) for kind in RecordKind}

    def iter_records(self) -> Iterator[tuple[RecordKind, Record]]:
        for kind in RecordKind:
            for record in self.records(kind):
                yield kind, record
