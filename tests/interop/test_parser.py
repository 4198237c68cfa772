"""Reading good OneRoster 1.2 exchanges, and recognising what must be refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from trellis.interop.oneroster.bundle import (
    ClassType,
    EnrollmentRole,
    FileMode,
    OrgType,
    RecordKind,
    RoleName,
    Sex,
    Status,
    parse_last_modified,
)
from trellis.interop.oneroster.errors import IssueCode, RosterImportError
from trellis.interop.oneroster.parser import parse_roster

from .roster_files import (
    CLASSES,
    ENROLLMENTS,
    MODIFIED,
    ORGS,
    USERS,
    edit_cell,
    exchange,
    manifest_text,
    replace_line,
    zip_bytes,
)


def parse(**kwargs: object):
    include = bool(kwargs.pop("include_demographics", False))
    return parse_roster(zip_bytes(exchange(**kwargs)), include_demographics=include)  # type: ignore[arg-type]


def test_valid_exchange_reads_every_kind_without_issues() -> None:
    load = parse(include_demographics=True)
    assert load.ok, load.issues
    bundle = load.raise_for_issues()
    assert bundle.counts() == {
        "orgs": 3,
        "academicSessions": 3,
        "courses": 2,
        "classes": 2,
        "users": 4,
        "roles": 4,
        "enrollments": 3,
        "demographics": 1,
    }
    assert bundle.manifest.source_system_name == "Test SIS"
    assert bundle.mode(RecordKind.USERS) is FileMode.BULK
    school = bundle.orgs[1]
    assert school.name == "Birch High, North"  # a quoted comma
    assert school.type is OrgType.SCHOOL and school.parent_sourced_id == "d1"
    assert school.line == 3 and school.FILE == "orgs.csv"


def test_typed_values() -> None:
    bundle = parse(include_demographics=True).raise_for_issues()
    student = bundle.users[0]
    assert student.enabled_user is True
    assert student.user_ids == (("SIS", "001"), ("LDAP", "s1"))
    assert student.agent_sourced_ids == ("g1",)
    assert bundle.users[3].agent_sourced_ids == ("u1",)  # the guardian links back
    assert bundle.courses[0].grades == ("09", "10")  # a multi-value cell
    algebra = bundle.classes[0]
    assert algebra.term_sourced_ids == ("t1", "t2")
    assert algebra.periods == ("1", "2")
    assert algebra.class_type is ClassType.SCHEDULED
    assert bundle.roles[3].role is RoleName.PARENT
    teacher_enrollment = bundle.enrollments[2]
    assert teacher_enrollment.role is EnrollmentRole.TEACHER and teacher_enrollment.primary
    assert bundle.enrollments[0].primary is None
    assert bundle.demographics[0].sex is Sex.FEMALE
    assert bundle.demographics[0].black_or_african_american is True
    assert student.status is Status.ACTIVE
    assert student.status == "active"  # StrEnum compares with the CSV text
    moment = parse_last_modified(student.date_last_modified)
    assert moment is not None and moment.year == 2025 and moment.utcoffset() is not None


def test_byte_order_mark_is_accepted() -> None:
    load = parse(users_csv=b"\xef\xbb\xbf" + USERS.encode())
    assert load.ok, load.issues
    assert load.bundle is not None and load.bundle.users[0].sourced_id == "u1"


def test_crlf_and_quoted_newlines_keep_line_numbers() -> None:
    orgs = ORGS.replace("Birch Middle", '"Birch\nMiddle"').replace("\n", "\r\n")
    load = parse(orgs_csv=orgs)
    assert load.ok, load.issues
    assert load.bundle is not None
    assert load.bundle.orgs[2].name == "Birch\r\nMiddle"
    assert load.bundle.orgs[2].line == 4


def test_unknown_columns_are_ignored_and_optional_columns_may_be_missing() -> None:
    lines = ORGS.splitlines()
    orgs = "\n".join(
        [lines[0].replace(",identifier,parentSourcedId", ",parentSourcedId,metadata.jp.kana")]
        + [",".join([*row.split(",")[:5], row.split(",")[-1], "カナ"]) for row in lines[1:2]]
        + [
            "s1,active," + MODIFIED + ",Birch High,school,d1,x",
            "s2,active," + MODIFIED + ",Birch Middle,school,d1,y",
        ]
    )
    load = parse(orgs_csv=orgs + "\n")
    assert load.ok, load.issues
    assert load.bundle is not None
    assert [org.identifier for org in load.bundle.orgs] == ["", "", ""]
    assert load.bundle.orgs[1].parent_sourced_id == "d1"


def test_a_directory_can_be_read(tmp_path: Path) -> None:
    for name, text in exchange().items():
        (tmp_path / name).write_text(str(text), encoding="utf-8")
    load = parse_roster(tmp_path)
    assert load.ok, load.issues


def test_a_zip_with_the_files_in_one_folder(tmp_path: Path) -> None:
    files = {f"export-2025/{name}": text for name, text in exchange().items()}
    path = tmp_path / "roster.zip"
    path.write_bytes(zip_bytes(files))
    assert parse_roster(path).ok
    assert parse_roster(str(path)).ok
    with path.open("rb") as stream:
        assert parse_roster(stream).ok


def test_other_files_are_tolerated_and_listed() -> None:
    files = exchange()
    files["lineItems.csv"] = "sourcedId,status,dateLastModified,title\nx,,,Quiz\n"
    files["readme.txt"] = "hello"
    load = parse_roster(zip_bytes(files))
    assert load.ok, load.issues
    assert load.bundle is not None
    ignored = {item.name: item.reason for item in load.bundle.ignored_files}
    assert set(ignored) == {"lineItems.csv", "readme.txt", "demographics.csv"}
    assert "turned off" in ignored["demographics.csv"]
    assert load.bundle.demographics == ()
    # What was not read is not claimed by the bundle's manifest (an export must not wipe it).
    assert load.bundle.mode(RecordKind.DEMOGRAPHICS) is FileMode.ABSENT


def test_a_file_marked_absent_is_ignored() -> None:
    files = exchange(manifest_csv=manifest_text(file_demographics="absent"))
    load = parse_roster(zip_bytes(files), include_demographics=True)
    assert load.ok
    assert load.bundle is not None and load.bundle.demographics == ()


def test_a_file_the_manifest_lists_must_be_present() -> None:
    load = parse(roles_csv=None)
    assert [(i.code, i.file) for i in load.issues] == [(IssueCode.MANIFEST, "manifest.csv")]
    assert "roles.csv" in load.issues[0].message


def test_delta_mode_reads_deletions_and_requires_status_and_date() -> None:
    manifest = manifest_text(file_enrollments="delta")
    enrollments = replace_line(ENROLLMENTS, 2, f"e1,tobedeleted,{MODIFIED},,,,,,,")
    load = parse(manifest_csv=manifest, enrollments_csv=enrollments)
    assert load.ok, load.issues
    assert load.bundle is not None
    assert load.bundle.mode(RecordKind.ENROLLMENTS) is FileMode.DELTA
    assert load.bundle.enrollments[0].status is Status.TOBEDELETED
    blank = replace_line(ENROLLMENTS, 2, "e1,,,k1,s1,u1,student,,,")
    load = parse(manifest_csv=manifest, enrollments_csv=blank)
    assert {(i.line, i.column, i.code) for i in load.issues} == {
        (2, "status", IssueCode.REQUIRED),
        (2, "dateLastModified", IssueCode.REQUIRED),
    }


def test_bulk_mode_allows_blank_status_and_date() -> None:
    load = parse(enrollments_csv=replace_line(ENROLLMENTS, 2, "e1,,,k1,s1,u1,student,,,"))
    assert load.ok, load.issues
    assert load.bundle is not None and load.bundle.enrollments[0].status is None


def test_datetimes_are_made_canonical_utc() -> None:
    users = edit_cell(USERS, 2, "dateLastModified", "2025-08-15T16:03:00+02:00")
    load = parse(users_csv=users)
    assert load.ok, load.issues
    assert load.bundle is not None
    assert load.bundle.users[0].date_last_modified == MODIFIED


def test_oneroster_11_manifest_is_refused_clearly() -> None:
    load = parse(manifest_csv=manifest_text(oneroster_version="1.1"))
    assert load.bundle is None
    (issue,) = load.issues
    assert issue.code is IssueCode.VERSION and "1.1" in issue.message and "1.2" in issue.message
    with pytest.raises(RosterImportError, match=r"OneRoster 1\.1"):
        load.raise_for_issues()


def test_oneroster_11_users_file_is_refused_clearly() -> None:
    users_11 = (
        "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,"
        "givenName,familyName\nu1,,,true,s1,student,student1,,Amara,Okafor\n"
    )
    load = parse(users_csv=users_11)
    version = [i for i in load.issues if i.code is IssueCode.VERSION]
    assert len(version) == 1 and version[0].file == "users.csv"
    assert "roles.csv" in version[0].message


def test_unknown_version_is_refused() -> None:
    load = parse(manifest_csv=manifest_text(oneroster_version=None))
    assert load.bundle is None and load.issues[0].code is IssueCode.VERSION


def test_missing_manifest() -> None:
    load = parse(manifest_csv=None)
    assert load.bundle is None and load.issues[0].code is IssueCode.MANIFEST


def test_bad_manifest_mode() -> None:
    load = parse(manifest_csv=manifest_text(file_users="full"))
    assert any(i.code is IssueCode.MANIFEST and "file.users" in i.message for i in load.issues)


def test_header_names_are_case_sensitive() -> None:
    users = USERS.replace("givenName", "GivenName", 1)
    load = parse(users_csv=users)
    issue = next(i for i in load.issues if i.code is IssueCode.HEADER)
    assert issue.file == "users.csv" and issue.line == 1 and issue.column == "GivenName"
    assert "givenName" in issue.message


def test_missing_required_column_and_duplicate_column() -> None:
    load = parse(classes_csv=CLASSES.replace(",classType,", ",kind,", 1))
    assert any(i.code is IssueCode.HEADER and i.column == "classType" for i in load.issues)
    load = parse(orgs_csv=ORGS.replace("identifier", "name", 1))
    assert any(i.code is IssueCode.HEADER and "twice" in i.message for i in load.issues)


def test_row_with_the_wrong_number_of_fields() -> None:
    load = parse(orgs_csv=ORGS + "s9,active\n")
    (issue,) = load.issues
    assert (issue.code, issue.file, issue.line) == (IssueCode.ROW, "orgs.csv", 5)
    load = parse(orgs_csv=ORGS + f"s9,active,{MODIFIED},Oak,school,,d1,surplus\n")
    assert [(i.code, i.line) for i in load.issues] == [(IssueCode.ROW, 5)]


def test_a_trailing_comma_is_harmless() -> None:
    load = parse(orgs_csv=ORGS + f"s9,active,{MODIFIED},Oak,school,,d1,\n")
    assert load.ok, load.issues
    assert load.bundle is not None and load.bundle.orgs[-1].parent_sourced_id == "d1"


def test_broken_quoting_is_an_issue_not_an_exception() -> None:
    load = parse(orgs_csv=ORGS + 's9,active,,"Unclosed,school,,\n')
    (issue,) = load.issues
    assert (issue.code, issue.file, issue.line) == (IssueCode.ROW, "orgs.csv", 5)
    load = parse(orgs_csv=ORGS + 's9,active,,"Bad"quote,school,,\n')
    assert [(i.code, i.line) for i in load.issues] == [(IssueCode.ROW, 5)]


def test_invalid_utf8() -> None:
    load = parse(users_csv=USERS.encode() + b"u9,,,true,x,,\xff\xfe,Z,,,,,,,,,,,,,,,\n")
    (issue,) = load.issues
    assert (issue.code, issue.file) == (IssueCode.ENCODING, "users.csv")
    assert issue.line is not None and issue.line <= 6


def test_not_a_zip() -> None:
    load = parse_roster(b"this is not a zip")
    assert load.bundle is None and load.issues[0].code is IssueCode.ARCHIVE


def test_max_issues_stops_early() -> None:
    bad_rows = "".join(f"x{n},active,,Name,planet,,\n" for n in range(50))
    load = parse_roster(zip_bytes(exchange(orgs_csv=ORGS + bad_rows)), max_issues=10)
    assert len(load.issues) == 10 and not load.ok


def test_progress_is_reported_per_file() -> None:
    seen: list[tuple[str, int]] = []
    load = parse_roster(
        zip_bytes(exchange()), progress=lambda name, lines: seen.append((name, lines))
    )
    assert load.ok
    assert seen == [
        ("orgs.csv", 4),
        ("academicSessions.csv", 4),
        ("courses.csv", 3),
        ("classes.csv", 3),
        ("users.csv", 5),
        ("roles.csv", 5),
        ("enrollments.csv", 4),
    ]


def test_a_missing_path_is_an_archive_issue(tmp_path: Path) -> None:
    load = parse_roster(tmp_path / "nowhere.zip")
    assert load.bundle is None and load.issues[0].code is IssueCode.ARCHIVE


def test_incomplete_kinds_are_reported_for_a_later_validation() -> None:
    from trellis.interop.oneroster.validation import validate_bundle

    load = parse_roster(
        zip_bytes(exchange(classes_csv=CLASSES + 'k9,active,,"Unclosed,09\n')), validate=False
    )
    assert load.incomplete == {RecordKind.CLASSES}
    assert load.bundle is not None
    # Checked later with what the parser knows, no reference to classes is reported.
    later = validate_bundle(load.bundle, rejected_ids=load.rejected_ids, incomplete=load.incomplete)
    assert later == []
    assert parse(roles_csv=None).incomplete == {RecordKind.ROLES}
