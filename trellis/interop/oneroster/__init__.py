"""OneRoster 1.2 CSV rostering: read, validate, write and generate roster exchanges.

Pure Python (no database): :func:`parse_roster` turns a zip or directory into a
:class:`RosterBundle` plus every :class:`RosterIssue`; :func:`check_bundle` and
:func:`exchange_district` check a bundle for an importer whose records live in a database (it
answers the few questions they ask as plain data); :func:`write_bundle` exports a bundle;
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
from .exchange import DistrictRef, duplicate_usernames, exchange_district, issue_order
from .generator import (
    DistrictSpec,
    district_zip_bytes,
    generate_district,
    generate_district_delta,
    write_district_delta_zip,
    write_district_zip,
)
from .parser import RosterLoad, parse_roster
from .validation import BundleCheck, KnownIds, check_bundle, validate_bundle
from .writer import bundle_to_bytes, strip_export_noise, write_bundle, write_roster_zip

__all__ = [
    "AcademicSession",
    "BundleCheck",
    "ClassType",
    "Course",
    "Demographics",
    "DistrictRef",
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
    "check_bundle",
    "district_zip_bytes",
    "duplicate_usernames",
    "exchange_district",
    "generate_district",
    "generate_district_delta",
    "issue_order",
    "parse_last_modified",
    "parse_roster",
    "strip_export_noise",
    "validate_bundle",
    "write_bundle",
    "write_district_delta_zip",
    "write_district_zip",
    "write_roster_zip",
]
