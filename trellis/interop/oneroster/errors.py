"""The one error shape of the OneRoster importer: :class:`RosterIssue`.

Parsing and validation never stop at the first problem and never raise on bad input: they
collect issues, each naming the file, the line (1 = the header row) and the column, so a
district sees everything wrong with its export in one pass. Callers who prefer an exception
get :class:`RosterImportError`, which carries the full list.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class IssueCode(StrEnum):
    """Machine-readable category of an issue (stable; the message is for people)."""

    ARCHIVE = "archive"  # not a zip / truncated / unreadable / missing file
    ENCODING = "encoding"  # not UTF-8
    LIMIT = "limit"  # over a limit on what an import reads (trellis/engine/limits.py)
    MANIFEST = "manifest"  # manifest.csv missing or inconsistent
    VERSION = "version"  # OneRoster 1.1 or an unknown version
    HEADER = "header"  # missing, misspelt or duplicated column
    ROW = "row"  # broken quoting, wrong number of fields
    REQUIRED = "required"  # a required value is blank
    ENUM = "enum"  # a value outside its enumeration
    DATE = "date"  # not YYYY-MM-DD
    DATETIME = "datetime"  # not an ISO 8601 datetime
    BOOLEAN = "boolean"  # not true/false
    GRADE = "grade"  # not a CEDS grade code
    FORMAT = "format"  # any other malformed value (userIds, schoolYear, ...)
    DUPLICATE = "duplicate"  # a sourcedId seen twice in one file
    REFERENCE = "reference"  # a sourcedId that names nothing (or the wrong kind of thing)


@dataclass(frozen=True, slots=True)
class RosterIssue:
    """One problem in an exchange: where it is and what is wrong."""

    code: IssueCode
    message: str
    file: str = ""  # e.g. "users.csv"; "" for the archive as a whole
    line: int | None = None  # physical line where the row starts; 1 = header
    column: str | None = None  # exact header name, e.g. "givenName"
    sourced_id: str | None = None

    def __str__(self) -> str:
        where = self.file or "archive"
        if self.line is not None:
            where += f":{self.line}"
        if self.column:
            where += f" [{self.column}]"
        return f"{where}: {self.code.value}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code.value,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "sourcedId": self.sourced_id,
        }


class RosterImportError(Exception):
    """Raised by :meth:`RosterLoad.raise_for_issues`; ``issues`` holds every problem found."""

    def __init__(self, issues: list[RosterIssue]) -> None:
        self.issues = issues
        shown = "\n".join(str(issue) for issue in issues[:20])
        more = f"\n... and {len(issues) - 20} more" if len(issues) > 20 else ""
        super().__init__(f"{len(issues)} problem(s) in the roster:\n{shown}{more}")
