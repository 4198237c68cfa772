"""Every validation rule, each reported with its file, line and column."""

from __future__ import annotations

from typing import Any

import pytest

from trellis.interop.oneroster.bundle import RecordKind
from trellis.interop.oneroster.errors import IssueCode, RosterIssue
from trellis.interop.oneroster.parser import parse_roster
from trellis.interop.oneroster.schema import COLUMNS, ValueKind

from .roster_files import FILES, MODIFIED, edit_cell, exchange, manifest_text, zip_bytes


def issues_after(
    file: str, line: int, column: str, value: str, **options: Any
) -> list[RosterIssue]:
    """Issues of the valid exchange with one cell changed."""
    manifest = options.pop("manifest", None)
    files = exchange(**{file.replace(".csv", "_csv"): edit_cell(FILES[file], line, column, value)})
    if manifest is not None:
        files["manifest.csv"] = manifest
    load = parse_roster(zip_bytes(files), include_demographics=True, **options)
    return list(load.issues)


def where(issues: list[RosterIssue]) -> set[tuple[IssueCode, str, int | None, str | None]]:
    return {(issue.code, issue.file, issue.line, issue.column) for issue in issues}


def columns_of(kind: ValueKind) -> list[tuple[str, str]]:
    return [
        (record_kind.file_name, column.name)
        for record_kind, columns in COLUMNS.items()
        for column in columns
        if column.kind is kind
    ]


REQUIRED = [
    (kind.file_name, column.name)
    for kind, columns in COLUMNS.items()
    for column in columns[1:]
    if column.required
]


@pytest.mark.parametrize(("file", "column"), REQUIRED)
def test_required_values(file: str, column: str) -> None:
    issues = issues_after(file, 2, column, "")
    assert where(issues) == {(IssueCode.REQUIRED, file, 2, column)}
    assert column in issues[0].message
    assert issues[0].sourced_id is not None


def test_spaces_are_not_a_required_value() -> None:
    issues = issues_after("users.csv", 2, "givenName", "   ")
    assert where(issues) == {(IssueCode.REQUIRED, "users.csv", 2, "givenName")}
    assert not issues_after("users.csv", 2, "middleName", "   ")


def test_blank_sourced_id() -> None:
    issues = issues_after("users.csv", 4, "sourcedId", "")
    assert issues[0].code is IssueCode.REQUIRED
    assert (issues[0].file, issues[0].line, issues[0].column) == ("users.csv", 4, "sourcedId")
    # Nothing tells which id the row meant, so the rows naming the teacher dangle.
    assert {issue.sourced_id for issue in issues[1:]} == {"r3", "e3"}


@pytest.mark.parametrize(("file", "column"), [*columns_of(ValueKind.ENUM), ("users.csv", "status")])
def test_enumerations(file: str, column: str) -> None:
    issues = issues_after(file, 2, column, "bogus")
    assert where(issues) == {(IssueCode.ENUM, file, 2, column)}


def test_enumerations_are_case_sensitive_with_a_hint() -> None:
    (issue,) = issues_after("roles.csv", 2, "role", "Student")
    assert issue.code is IssueCode.ENUM and "did you mean 'student'" in issue.message


@pytest.mark.parametrize(("file", "column"), columns_of(ValueKind.DATE))
def test_dates(file: str, column: str) -> None:
    for bad in ("2025-13-01", "15/08/2025", "2025-8-1"):
        assert where(issues_after(file, 2, column, bad)) == {(IssueCode.DATE, file, 2, column)}


@pytest.mark.parametrize("file", list(FILES))
def test_date_last_modified(file: str) -> None:
    for bad in ("yesterday", "2025-08-15"):
        issues = issues_after(file, 2, "dateLastModified", bad)
        assert where(issues) == {(IssueCode.DATETIME, file, 2, "dateLastModified")}


@pytest.mark.parametrize(("file", "column"), columns_of(ValueKind.BOOL))
def test_booleans(file: str, column: str) -> None:
    issues = issues_after(file, 2, column, "yes")
    assert where(issues) == {(IssueCode.BOOLEAN, file, 2, column)}
    assert not issues_after(file, 2, column, "TRUE")  # read liberally, written strictly


@pytest.mark.parametrize(("file", "column"), columns_of(ValueKind.GRADES))
def test_grades(file: str, column: str) -> None:
    issues = issues_after(file, 2, column, "09,9th")
    assert where(issues) == {(IssueCode.GRADE, file, 2, column)}
    assert "'9th'" in issues[0].message
    assert not issues_after(file, 2, column, "KG,01,13,PS,UG,Other")


def test_school_year_and_user_ids_formats() -> None:
    issues = issues_after("academicSessions.csv", 2, "schoolYear", "25-26")
    assert where(issues) == {(IssueCode.FORMAT, "academicSessions.csv", 2, "schoolYear")}
    issues = issues_after("users.csv", 2, "userIds", "SIS:001")
    assert where(issues) == {(IssueCode.FORMAT, "users.csv", 2, "userIds")}


def test_duplicate_sourced_ids() -> None:
    users = FILES["users.csv"] + FILES["users.csv"].splitlines()[3] + "\n"
    load = parse_roster(zip_bytes(exchange(users_csv=users)))
    (issue,) = load.issues
    assert (issue.code, issue.file, issue.line, issue.column) == (
        IssueCode.DUPLICATE,
        "users.csv",
        6,
        "sourcedId",
    )
    assert "line 4" in issue.message and issue.sourced_id == "t1u"


REFERENCE_CELLS = [
    ("orgs.csv", 3, "parentSourcedId"),
    ("academicSessions.csv", 3, "parentSourcedId"),
    ("courses.csv", 2, "schoolYearSourcedId"),
    ("courses.csv", 2, "orgSourcedId"),
    ("classes.csv", 2, "courseSourcedId"),
    ("classes.csv", 2, "schoolSourcedId"),
    ("classes.csv", 2, "termSourcedIds"),
    ("users.csv", 2, "agentSourcedIds"),
    ("users.csv", 2, "primaryOrgSourcedId"),
    ("roles.csv", 2, "userSourcedId"),
    ("roles.csv", 2, "orgSourcedId"),
    ("enrollments.csv", 3, "classSourcedId"),
    ("enrollments.csv", 2, "userSourcedId"),
    ("demographics.csv", 2, "sourcedId"),
]


@pytest.mark.parametrize(("file", "line", "column"), REFERENCE_CELLS)
def test_dangling_references(file: str, line: int, column: str) -> None:
    value = "t1,nowhere" if column == "termSourcedIds" else "nowhere"
    issues = issues_after(file, line, column, value)
    assert where(issues) == {(IssueCode.REFERENCE, file, line, column)}
    assert "'nowhere'" in issues[0].message


def test_every_reference_rule_is_tested() -> None:
    from trellis.interop.oneroster.validation import REFERENCES

    tested = {(file, column) for file, _line, column in REFERENCE_CELLS}
    tested.add(("enrollments.csv", "schoolSourcedId"))  # test_enrollment_school_must_be_a_school
    assert {(ref.kind.file_name, ref.column) for ref in REFERENCES} == tested


def test_enrollment_school_must_be_a_school_and_match_the_class() -> None:
    issues = issues_after("enrollments.csv", 2, "schoolSourcedId", "d1")
    assert where(issues) == {(IssueCode.REFERENCE, "enrollments.csv", 2, "schoolSourcedId")}
    messages = " / ".join(issue.message for issue in issues)
    assert "not a school" in messages and "differs from the class's school" in messages
    issues = issues_after("enrollments.csv", 2, "schoolSourcedId", "s2")
    assert where(issues) == {(IssueCode.REFERENCE, "enrollments.csv", 2, "schoolSourcedId")}


def test_class_school_must_be_an_org_of_type_school() -> None:
    issues = issues_after("classes.csv", 2, "schoolSourcedId", "d1")
    assert any("not a school" in issue.message for issue in issues)


def test_references_to_rejected_rows_are_not_reported_twice() -> None:
    issues = issues_after("users.csv", 2, "enabledUser", "maybe")
    assert where(issues) == {(IssueCode.BOOLEAN, "users.csv", 2, "enabledUser")}


def test_reference_to_a_record_being_deleted() -> None:
    manifest = manifest_text(file_orgs="delta")
    issues = issues_after("orgs.csv", 4, "status", "tobedeleted", manifest=manifest)
    assert where(issues) == {
        (IssueCode.REFERENCE, "classes.csv", 3, "schoolSourcedId"),
        (IssueCode.REFERENCE, "users.csv", 3, "primaryOrgSourcedId"),
        (IssueCode.REFERENCE, "roles.csv", 3, "orgSourcedId"),
        (IssueCode.REFERENCE, "enrollments.csv", 3, "schoolSourcedId"),
    }
    assert all("tobedeleted" in issue.message for issue in issues)


def delta_enrollment_for(user: str) -> dict[str, str | bytes]:
    files = exchange(
        manifest_csv=manifest_text(file_users="delta", file_enrollments="delta"),
        enrollments_csv=edit_cell(FILES["enrollments.csv"], 2, "userSourcedId", user),
    )
    return files


def test_delta_references_may_name_records_already_in_the_database() -> None:
    data = zip_bytes(delta_enrollment_for("u-in-db"))
    assert [i.column for i in parse_roster(data).issues] == ["userSourcedId"]
    assert parse_roster(data, known_ids={RecordKind.USERS: {"u-in-db"}}).ok
    asked: list[set[str]] = []

    def lookup(ids: set[str]) -> set[str]:
        asked.append(ids)
        return ids & {"u-in-db"}

    assert parse_roster(data, known_ids={RecordKind.USERS: lookup}).ok
    assert asked == [{"u-in-db"}]  # one batched question per kind


def test_known_ids_are_not_consulted_for_a_kind_sent_in_bulk() -> None:
    files = delta_enrollment_for("u-in-db")
    files["manifest.csv"] = manifest_text(file_enrollments="delta")  # users in bulk
    load = parse_roster(zip_bytes(files), known_ids={RecordKind.USERS: {"u-in-db"}})
    assert [i.column for i in load.issues] == ["userSourcedId"]


def test_parent_cycles_and_self_parents() -> None:
    issues = issues_after("orgs.csv", 2, "parentSourcedId", "s1")
    assert where(issues) == {(IssueCode.REFERENCE, "orgs.csv", 2, "parentSourcedId")}
    assert "cycle" in issues[0].message
    issues = issues_after("orgs.csv", 3, "parentSourcedId", "s1")
    assert where(issues) == {(IssueCode.REFERENCE, "orgs.csv", 3, "parentSourcedId")}
    assert "own parent" in issues[0].message


def test_end_dates_after_start_dates() -> None:
    issues = issues_after("academicSessions.csv", 2, "endDate", "2024-01-01")
    assert where(issues) == {(IssueCode.DATE, "academicSessions.csv", 2, "endDate")}
    issues = issues_after("enrollments.csv", 3, "endDate", "2025-08-14")
    assert where(issues) == {(IssueCode.DATE, "enrollments.csv", 3, "endDate")}


def test_every_error_is_collected_not_only_the_first() -> None:
    users = FILES["users.csv"]
    users = edit_cell(users, 2, "enabledUser", "perhaps")
    users = edit_cell(users, 3, "givenName", "")
    users = edit_cell(users, 4, "grades", "first")
    enrollments = edit_cell(FILES["enrollments.csv"], 2, "classSourcedId", "k404")
    enrollments = edit_cell(enrollments, 4, "role", "coach")
    load = parse_roster(zip_bytes(exchange(users_csv=users, enrollments_csv=enrollments)))
    assert where(list(load.issues)) == {
        (IssueCode.BOOLEAN, "users.csv", 2, "enabledUser"),
        (IssueCode.REQUIRED, "users.csv", 3, "givenName"),
        (IssueCode.GRADE, "users.csv", 4, "grades"),
        (IssueCode.REFERENCE, "enrollments.csv", 2, "classSourcedId"),
        (IssueCode.ENUM, "enrollments.csv", 4, "role"),
    }
    text = str(load.issues[0])
    assert text.startswith("users.csv:2 [enabledUser]: boolean:")
    assert load.issues[0].as_dict()["line"] == 2


def test_tobedeleted_rows_need_not_repeat_required_values() -> None:
    manifest = manifest_text(file_roles="delta")
    roles = FILES["roles.csv"] + f"r9,tobedeleted,{MODIFIED},,,,,,,\n"
    files = exchange(manifest_csv=manifest, roles_csv=roles)
    assert parse_roster(zip_bytes(files)).ok
