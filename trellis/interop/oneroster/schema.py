"""The OneRoster 1.2 CSV columns Trellis reads and writes, one table per file.

Each :class:`Column` says the exact (case-sensitive) header name, what kind of value the cell
holds and whether it is required. The order is the order of the 1.2 CSV binding, which is also
the field order of the record dataclasses in :mod:`.bundle`, so the parser can build a record
positionally and the writer can emit one without a per-file mapping.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from enum import Enum, StrEnum

from .bundle import (
    RECORD_TYPES,
    ClassType,
    EnrollmentRole,
    OrgType,
    RecordKind,
    RoleName,
    RoleType,
    SessionType,
    Sex,
)


class ValueKind(Enum):
    TEXT = "text"  # free text, kept as is
    ID = "id"  # a sourcedId (interned: ids repeat across files)
    IDS = "ids"  # comma-separated sourcedIds
    LIST = "list"  # comma-separated free text (subjects, periods)
    GRADES = "grades"  # comma-separated CEDS grade codes
    ENUM = "enum"  # one member of Column.enum
    DATE = "date"  # YYYY-MM-DD
    DATETIME = "datetime"  # ISO 8601, stored canonical UTC
    BOOL = "bool"  # true / false
    YEAR = "year"  # four digits
    USER_IDS = "userIds"  # {type:value},{type:value}


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    kind: ValueKind = ValueKind.TEXT
    required: bool = False
    enum: type[StrEnum] | None = None


_HEAD = (
    Column("sourcedId", ValueKind.ID, required=True),
    Column("status"),  # checked specially: required in delta mode only
    Column("dateLastModified", ValueKind.DATETIME),  # idem
)

COLUMNS: Mapping[RecordKind, tuple[Column, ...]] = {
    RecordKind.ORGS: (
        *_HEAD,
        Column("name", required=True),
        Column("type", ValueKind.ENUM, required=True, enum=OrgType),
        Column("identifier"),
        Column("parentSourcedId", ValueKind.ID),
    ),
    RecordKind.ACADEMIC_SESSIONS: (
        *_HEAD,
        Column("title", required=True),
        Column("type", ValueKind.ENUM, required=True, enum=SessionType),
        Column("startDate", ValueKind.DATE, required=True),
        Column("endDate", ValueKind.DATE, required=True),
        Column("parentSourcedId", ValueKind.ID),
        Column("schoolYear", ValueKind.YEAR, required=True),
    ),
    RecordKind.COURSES: (
        *_HEAD,
        Column("schoolYearSourcedId", ValueKind.ID),
        Column("title", required=True),
        Column("courseCode"),
        Column("grades", ValueKind.GRADES),
        Column("orgSourcedId", ValueKind.ID, required=True),
        Column("subjects", ValueKind.LIST),
        Column("subjectCodes", ValueKind.LIST),
    ),
    RecordKind.CLASSES: (
        *_HEAD,
        Column("title", required=True),
        Column("grades", ValueKind.GRADES),
        Column("courseSourcedId", ValueKind.ID, required=True),
        Column("classCode"),
        Column("classType", ValueKind.ENUM, required=True, enum=ClassType),
        Column("location"),
        Column("schoolSourcedId", ValueKind.ID, required=True),
        Column("termSourcedIds", ValueKind.IDS, required=True),
        Column("subjects", ValueKind.LIST),
        Column("subjectCodes", ValueKind.LIST),
        Column("periods", ValueKind.LIST),
    ),
    RecordKind.USERS: (
        *_HEAD,
        Column("enabledUser", ValueKind.BOOL, required=True),
        Column("username", required=True),
        Column("userIds", ValueKind.USER_IDS),
        Column("givenName", required=True),
        Column("familyName", required=True),
        Column("middleName"),
        Column("identifier"),
        Column("email"),
        Column("sms"),
        Column("phone"),
        Column("agentSourcedIds", ValueKind.IDS),
        Column("grades", ValueKind.GRADES),
        Column("password"),
        Column("userMasterIdentifier"),
        Column("resourceSourcedIds", ValueKind.IDS),
        Column("preferredGivenName"),
        Column("preferredMiddleName"),
        Column("preferredFamilyName"),
        Column("primaryOrgSourcedId", ValueKind.ID),
        Column("pronouns"),
    ),
    RecordKind.ROLES: (
        *_HEAD,
        Column("userSourcedId", ValueKind.ID, required=True),
        Column("roleType", ValueKind.ENUM, required=True, enum=RoleType),
        Column("role", ValueKind.ENUM, required=True, enum=RoleName),
        Column("beginDate", ValueKind.DATE),
        Column("endDate", ValueKind.DATE),
        Column("orgSourcedId", ValueKind.ID, required=True),
        Column("userProfileSourcedId", ValueKind.ID),
    ),
    RecordKind.ENROLLMENTS: (
        *_HEAD,
        Column("classSourcedId", ValueKind.ID, required=True),
        Column("schoolSourcedId", ValueKind.ID, required=True),
        Column("userSourcedId", ValueKind.ID, required=True),
        Column("role", ValueKind.ENUM, required=True, enum=EnrollmentRole),
        Column("primary", ValueKind.BOOL),
        Column("beginDate", ValueKind.DATE),
        Column("endDate", ValueKind.DATE),
    ),
    RecordKind.DEMOGRAPHICS: (
        *_HEAD,
        Column("birthDate", ValueKind.DATE),
        Column("sex", ValueKind.ENUM, enum=Sex),
        Column("americanIndianOrAlaskaNative", ValueKind.BOOL),
        Column("asian", ValueKind.BOOL),
        Column("blackOrAfricanAmerican", ValueKind.BOOL),
        Column("nativeHawaiianOrOtherPacificIslander", ValueKind.BOOL),
        Column("white", ValueKind.BOOL),
        Column("demographicRaceTwoOrMoreRaces", ValueKind.BOOL),
        Column("hispanicOrLatinoEthnicity", ValueKind.BOOL),
        Column("countryOfBirthCode"),
        Column("stateOfBirthAbbreviation"),
        Column("cityOfBirth"),
        Column("publicSchoolResidenceStatus"),
    ),
}

# Every file name of the 1.2 manifest, in manifest order. Files Trellis does not import
# (gradebook, resources, user profiles) are tolerated and reported as ignored.
MANIFEST_FILES = (
    "academicSessions",
    "categories",
    "classes",
    "classResources",
    "courses",
    "courseResources",
    "demographics",
    "enrollments",
    "lineItemLearningObjectiveIds",
    "lineItems",
    "lineItemScoreScales",
    "orgs",
    "resources",
    "resultLearningObjectiveIds",
    "results",
    "resultScoreScales",
    "roles",
    "scoreScales",
    "userProfiles",
    "userResources",
    "users",
)

# Order in which kinds are parsed and written: referenced kinds before their referrers.
KIND_ORDER = (
    RecordKind.ORGS,
    RecordKind.ACADEMIC_SESSIONS,
    RecordKind.COURSES,
    RecordKind.CLASSES,
    RecordKind.USERS,
    RecordKind.ROLES,
    RecordKind.ENROLLMENTS,
    RecordKind.DEMOGRAPHICS,
)


def _check_alignment() -> None:
    """Fail at import if a record dataclass drifts from its column table."""
    for kind, columns in COLUMNS.items():
        names = [f.name for f in fields(RECORD_TYPES[kind])]
        if len(names) != len(columns) + 1 or names[-1] != "line":
            raise AssertionError(f"{kind}: record fields do not match the CSV columns")


_check_alignment()
