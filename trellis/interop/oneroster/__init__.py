"""OneRoster 1.2 CSV rostering: read, validate, write and generate roster exchanges.

Pure Python (no database): :func:`parse_roster` turns a zip or directory into a
:class:`RosterBundle` plus every :class:`RosterIssue`; :func:`write_bundle` exports a bundle;
:func:`generate_district` makes the fictional demo district. See ``docs/oneroster.md``.
"""

from .bundle import (
    AcademicSession,
    ClassType,
    Course,
    Demographics,
    Enrollment,
    EnrollmentRole,
    FileMode,
    IgnoredFile,
    Manifest,
    Org,
    OrgType,
    RecordKind,
    Role,
    RoleName,
    RoleType,
    RosterBundle,
    RosterClass,
    SessionType,
    Sex,
    Status,
    User,
    parse_last_modified,
)
from .errors import IssueCode, RosterImportError, RosterIssue
from .generator import (
    DistrictSpec,
    district_zip_bytes,
    generate_district,
    generate_district_delta,
    write_district_delta_zip,
    write_district_zip,
)
from .parser import RosterLoad, parse_roster
from .validation import KnownIds, validate_bundle
from .writer import bundle_to_bytes, write_bundle, write_roster_zip

__all__ = [
    "AcademicSession",
    "ClassType",
    "Course",
    "Demographics",
    "DistrictSpec",
    "Enrollment",
    "EnrollmentRole",
    "FileMode",
    "IgnoredFile",
    "IssueCode",
    "KnownIds",
    "Manifest",
    "Org",
    "OrgType",
    "RecordKind",
    "Role",
    "RoleName",
    "RoleType",
    "RosterBundle",
    "RosterClass",
    "RosterImportError",
    "RosterIssue",
    "RosterLoad",
    "SessionType",
    "Sex",
    "Status",
    "User",
    "bundle_to_bytes",
    "district_zip_bytes",
    "generate_district",
    "generate_district_delta",
    "parse_last_modified",
    "parse_roster",
    "validate_bundle",
    "write_bundle",
    "write_district_delta_zip",
    "write_district_zip",
    "write_roster_zip",
]
