"""Validation of OneRoster data: every error, each with its file, line and column.

Two layers, both collecting :class:`~.errors.RosterIssue` objects instead of raising:

* **Cells** (:class:`RowConverter`, used by the parser while it streams a file): required
  values, enumerations, dates and datetimes, booleans, CEDS grade codes, four-digit school years
  and ``userIds`` pairs. A row with any bad cell becomes no record; its sourcedId is still
  remembered as *rejected* so that rows pointing at it do not produce a second, misleading
  "dangling reference" issue.
* **The bundle** (:func:`validate_bundle`): duplicate sourcedIds, date ranges, and referential
  integrity — class → course → org, class → school (an org of type ``school``) and terms,
  course → school year, enrollment → user, class and school, role → user and org, guardian
  ``agentSourcedIds`` → users, ``primaryOrgSourcedId`` → org, ``parentSourcedId`` → org or
  session (and no parent cycles), demographics → user.

In a delta (or when a file is absent) a reference may name a record that is already in the
database rather than in the exchange. The caller passes ``known_ids``: per record kind, either
a set of existing sourcedIds or a callable that receives the set of ids the exchange left
unresolved and returns those that exist (one query per kind, not one per row). An importer
that keeps its records in a database can instead split the work in two
(:func:`check_bundle`): ask :attr:`BundleCheck.unresolved` which ids it needs, look them up,
and pass what exists as plain sets to :meth:`BundleCheck.finish`. Kinds sent in **bulk**
never consult the database: a bulk file replaces every record of its kind, so a record
missing from it is about to be deleted.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from .bundle import (
    GRADE_CODES,
    RECORD_TYPES,
    FileMode,
    OrgType,
    RecordKind,
    RosterBundle,
    Status,
)
from .errors import IssueCode, RosterIssue
from .schema import COLUMNS, Column, ValueKind

KnownIdsLookup = Callable[[set[str]], Collection[str]] | AbstractSet[str]
KnownIds = Mapping[RecordKind, KnownIdsLookup]


class InvalidValue(ValueError):
    """A cell that cannot be read; carries the issue code and a message for people."""

    def __init__(self, code: IssueCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# --- cell readers --------------------------------------------------------------------------------

_USER_ID = re.compile(r"\{([^{}:]*):([^{}]*)\}")
_YEAR = re.compile(r"\d{4}")
_MAX_CACHED = 4096  # distinct cells cached; exports reuse a handful of timestamps and lists
_SHORT_TEXT = 24


_multi_cache: dict[str, tuple[str, ...]] = {}


def split_multi(raw: str) -> tuple[str, ...]:
    """``"09, 10"`` → ``("09", "10")``; blank items are dropped.

    The same cell text (a grade, a pair of terms) recurs on thousands of rows, so recent
    results are shared rather than rebuilt: one tuple object serves them all.
    """
    cached = _multi_cache.get(raw)
    if cached is not None:
        return cached
    items = tuple(sys.intern(item.strip()) for item in raw.split(",") if item.strip())
    if len(_multi_cache) >= _MAX_CACHED:
        _multi_cache.clear()
    _multi_cache[raw] = items
    return items


def read_text(raw: str) -> str:
    """Free text, kept as is; short values (names, codes) are interned because they repeat."""
    return sys.intern(raw) if len(raw) <= _SHORT_TEXT else raw


def read_date(raw: str) -> str:
    value = raw.strip()
    try:
        if len(value) != 10:
            raise ValueError(value)
        date.fromisoformat(value)
    except ValueError:
        raise InvalidValue(IssueCode.DATE, f"{raw!r} is not a date (YYYY-MM-DD)") from None
    return value


_datetime_cache: dict[str, str] = {}


def read_datetime(raw: str) -> str:
    """An ISO 8601 datetime in canonical UTC form ``YYYY-MM-DDTHH:MM:SS.mmmZ``.

    A datetime without an offset is taken as UTC (the binding says UTC); a bare date is refused.
    """
    cached = _datetime_cache.get(raw)
    if cached is not None:
        return cached
    value = raw.strip()
    try:
        if len(value) <= 10:
            raise ValueError(value)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidValue(
            IssueCode.DATETIME,
            f"{raw!r} is not an ISO 8601 datetime (e.g. 2025-08-15T14:03:00.000Z)",
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    canonical = sys.intern(
        moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )
    if len(_datetime_cache) < _MAX_CACHED:
        _datetime_cache[raw] = canonical
    return canonical


def read_bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value == "true":
        return True
    if value == "false":
        return False
    raise InvalidValue(IssueCode.BOOLEAN, f"{raw!r} is not a boolean (true or false)")


def read_grades(raw: str) -> tuple[str, ...]:
    grades = split_multi(raw)
    bad = [grade for grade in grades if grade not in GRADE_CODES]
    if bad:
        raise InvalidValue(
            IssueCode.GRADE,
            f"{', '.join(map(repr, bad))} not CEDS grade code(s) "
            "(IT, PR, PK, TK, KG, 01-13, PS, UG, Other)",
        )
    return grades


def read_year(raw: str) -> str:
    value = raw.strip()
    if not _YEAR.fullmatch(value):
        raise InvalidValue(IssueCode.FORMAT, f"{raw!r} is not a four-digit school year")
    return value


def read_user_ids(raw: str) -> tuple[tuple[str, str], ...]:
    """``"{LDAP:a1},{SIS:42}"`` → ``(("LDAP", "a1"), ("SIS", "42"))``."""
    text = raw.strip()
    pairs = []
    position = 0
    while position < len(text):
        match = _USER_ID.match(text, position)
        if match is None:
            raise InvalidValue(IssueCode.FORMAT, f"{raw!r} is not a list of {{type:value}} pairs")
        pairs.append((match.group(1), match.group(2)))
        position = match.end()
        while position < len(text) and text[position] in ", ":
            position += 1
    return tuple(pairs)


def _enum_reader(enum: type[StrEnum]) -> Callable[[str], Any]:
    members = {member.value: member for member in enum}
    folded = {member.value.lower(): member.value for member in enum}
    allowed = ", ".join(members)

    def read(raw: str) -> Any:
        member = members.get(raw.strip())
        if member is not None:
            return member
        hint = folded.get(raw.strip().lower())
        suffix = f" (did you mean {hint!r}? values are case-sensitive)" if hint else ""
        raise InvalidValue(IssueCode.ENUM, f"{raw!r} is not one of: {allowed}{suffix}")

    return read


def _blank(column: Column) -> Any:
    if column.kind in (ValueKind.IDS, ValueKind.LIST, ValueKind.GRADES, ValueKind.USER_IDS):
        return ()
    if column.kind in (ValueKind.ENUM, ValueKind.BOOL, ValueKind.DATETIME):
        return None
    return ""


def _reader(column: Column) -> Callable[[str], Any]:
    kind = column.kind
    if kind is ValueKind.TEXT:
        return read_text
    if kind is ValueKind.ID:
        return lambda raw: sys.intern(raw.strip())
    if kind in (ValueKind.IDS, ValueKind.LIST):
        return split_multi
    if kind is ValueKind.ENUM:
        if column.enum is None:
            raise AssertionError(f"{column.name}: enum column without an enum")
        return _enum_reader(column.enum)
    readers: dict[ValueKind, Callable[[str], Any]] = {
        ValueKind.GRADES: read_grades,
        ValueKind.DATE: read_date,
        ValueKind.DATETIME: read_datetime,
        ValueKind.BOOL: read_bool,
        ValueKind.YEAR: read_year,
        ValueKind.USER_IDS: read_user_ids,
    }
    return readers[kind]


_read_status = _enum_reader(Status)


class RowConverter:
    """Turns the cells of one file's rows into records, collecting cell-level issues.

    Built once per file from its header: ``positions`` maps each known column to its index in
    the row (``None`` when an optional column is missing from the header).
    """

    def __init__(
        self, kind: RecordKind, positions: Mapping[str, int | None], mode: FileMode
    ) -> None:
        self.kind = kind
        self.file = kind.file_name
        self.record_type = RECORD_TYPES[kind]
        self.delta = mode is FileMode.DELTA
        self.plan = [
            (positions.get(column.name), column, _reader(column), _blank(column))
            for column in COLUMNS[kind][3:]
        ]
        self.id_position = positions.get("sourcedId")
        self.status_position = positions.get("status")
        self.modified_position = positions.get("dateLastModified")

    def convert(self, row: Sequence[str], line: int, issues: list[RosterIssue]) -> tuple[str, Any]:
        """``(sourcedId, record)``; the record is ``None`` when a cell was bad."""
        file = self.file
        ok = True
        sourced_id = "" if self.id_position is None else sys.intern(row[self.id_position].strip())
        if not sourced_id:
            issues.append(
                RosterIssue(IssueCode.REQUIRED, "sourcedId is blank", file, line, "sourcedId")
            )
            ok = False
        status: Status | None = None
        raw = "" if self.status_position is None else row[self.status_position]
        if raw.strip():
            try:
                status = _read_status(raw)
            except InvalidValue as exc:
                issues.append(
                    RosterIssue(exc.code, exc.message, file, line, "status", sourced_id or None)
                )
                ok = False
        elif self.delta:
            issues.append(
                RosterIssue(
                    IssueCode.REQUIRED,
                    "status is required in delta mode (active or tobedeleted)",
                    file,
                    line,
                    "status",
                    sourced_id or None,
                )
            )
            ok = False
        modified: str | None = None
        raw = "" if self.modified_position is None else row[self.modified_position]
        if raw.strip():
            try:
                modified = read_datetime(raw)
            except InvalidValue as exc:
                issues.append(
                    RosterIssue(
                        exc.code, exc.message, file, line, "dateLastModified", sourced_id or None
                    )
                )
                ok = False
        elif self.delta:
            issues.append(
                RosterIssue(
                    IssueCode.REQUIRED,
                    "dateLastModified is required in delta mode",
                    file,
                    line,
                    "dateLastModified",
                    sourced_id or None,
                )
            )
            ok = False
        # A row that deletes a record need not repeat the record's required values.
        deleting = status is Status.TOBEDELETED
        values: list[Any] = [sourced_id, status, modified]
        for position, column, read, blank in self.plan:
            raw = "" if position is None else row[position]
            # Optional free text keeps its spaces; anything else that is only spaces is blank.
            if not raw or (
                (column.required or column.kind is not ValueKind.TEXT) and not raw.strip()
            ):
                if column.required and not deleting:
                    issues.append(
                        RosterIssue(
                            IssueCode.REQUIRED,
                            f"{column.name} is required",
                            file,
                            line,
                            column.name,
                            sourced_id or None,
                        )
                    )
                    ok = False
                values.append(blank)
                continue
            try:
                values.append(read(raw))
            except InvalidValue as exc:
                issues.append(
                    RosterIssue(exc.code, exc.message, file, line, column.name, sourced_id or None)
                )
                ok = False
        if not ok:
            return sourced_id, None
        values.append(line)
        return sourced_id, self.record_type(*values)


# --- bundle-level checks -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Reference:
    """A reference rule: ``column`` of ``kind`` (attribute ``attr``) names a ``target``."""

    kind: RecordKind
    column: str
    attr: str
    target: RecordKind
    many: bool = False
    school: bool = False  # the target must be an org of type school


REFERENCES = (
    _Reference(RecordKind.ORGS, "parentSourcedId", "parent_sourced_id", RecordKind.ORGS),
    _Reference(
        RecordKind.ACADEMIC_SESSIONS,
        "parentSourcedId",
        "parent_sourced_id",
        RecordKind.ACADEMIC_SESSIONS,
    ),
    _Reference(
        RecordKind.COURSES,
        "schoolYearSourcedId",
        "school_year_sourced_id",
        RecordKind.ACADEMIC_SESSIONS,
    ),
    _Reference(RecordKind.COURSES, "orgSourcedId", "org_sourced_id", RecordKind.ORGS),
    _Reference(RecordKind.CLASSES, "courseSourcedId", "course_sourced_id", RecordKind.COURSES),
    _Reference(
        RecordKind.CLASSES, "schoolSourcedId", "school_sourced_id", RecordKind.ORGS, school=True
    ),
    _Reference(
        RecordKind.CLASSES,
        "termSourcedIds",
        "term_sourced_ids",
        RecordKind.ACADEMIC_SESSIONS,
        many=True,
    ),
    _Reference(
        RecordKind.USERS, "agentSourcedIds", "agent_sourced_ids", RecordKind.USERS, many=True
    ),
    _Reference(RecordKind.USERS, "primaryOrgSourcedId", "primary_org_sourced_id", RecordKind.ORGS),
    _Reference(RecordKind.ROLES, "userSourcedId", "user_sourced_id", RecordKind.USERS),
    _Reference(RecordKind.ROLES, "orgSourcedId", "org_sourced_id", RecordKind.ORGS),
    _Reference(RecordKind.ENROLLMENTS, "classSourcedId", "class_sourced_id", RecordKind.CLASSES),
    _Reference(
        RecordKind.ENROLLMENTS,
        "schoolSourcedId",
        "school_sourced_id",
        RecordKind.ORGS,
        school=True,
    ),
    _Reference(RecordKind.ENROLLMENTS, "userSourcedId", "user_sourced_id", RecordKind.USERS),
    _Reference(RecordKind.DEMOGRAPHICS, "sourcedId", "sourced_id", RecordKind.USERS),
)

_DATE_RANGES = (
    (RecordKind.ACADEMIC_SESSIONS, "start_date", "end_date", "endDate"),
    (RecordKind.ROLES, "begin_date", "end_date", "endDate"),
    (RecordKind.ENROLLMENTS, "begin_date", "end_date", "endDate"),
)


def _values(record: Any, reference: _Reference) -> Iterable[str]:
    value = getattr(record, reference.attr)
    if reference.many:
        return value  # type: ignore[no-any-return]
    return (value,) if value else ()


def _lookup(lookup: KnownIdsLookup, wanted: set[str]) -> Collection[str]:
    if isinstance(lookup, AbstractSet):
        return wanted & lookup
    return lookup(set(wanted))


def validate_bundle(
    bundle: RosterBundle,
    *,
    known_ids: KnownIds | None = None,
    rejected_ids: Mapping[RecordKind, AbstractSet[str]] | None = None,
    incomplete: AbstractSet[RecordKind] = frozenset(),
) -> list[RosterIssue]:
    """Every cross-record issue of ``bundle`` (see the module docstring), in file order.

    ``rejected_ids``: sourcedIds of rows the parser refused, per kind; references to them are
    not reported again. ``incomplete``: kinds whose file could not be read to the end;
    references to them are not checked (the reading issue already says what is wrong).
    """
    check = check_bundle(bundle, rejected_ids=rejected_ids, incomplete=incomplete)
    known = known_ids or {}
    return check.finish(
        {
            kind: set(_lookup(known[kind], wanted))
            for kind, wanted in check.unresolved.items()
            if kind in known
        }
    )


@dataclass
class BundleCheck:
    """:func:`validate_bundle` in two halves, for a caller whose existing records live in a
    database: :attr:`unresolved` lists, per kind, the sourcedIds the exchange names but does
    not define (ask the database which of these exist: one query per kind), and
    :meth:`finish` takes the answer as plain sets and returns every issue."""

    bundle: RosterBundle
    issues: list[RosterIssue]
    pending: dict[RecordKind, list[tuple[str, RosterIssue]]]
    orgs_live: set[str]
    class_schools: dict[str, str]

    @property
    def unresolved(self) -> dict[RecordKind, set[str]]:
        """sourcedIds per kind that only the database can resolve. Kinds sent in bulk are
        left out: a bulk file replaces its kind, so a record it lacks is about to go."""
        return {
            target: {value for value, _issue in waiting}
            for target, waiting in self.pending.items()
            if self.bundle.mode(target) is not FileMode.BULK
        }

    def finish(self, existing: Mapping[RecordKind, AbstractSet[str]]) -> list[RosterIssue]:
        """Every issue, given which of :attr:`unresolved` exist (``existing``, per kind)."""
        bundle, issues = self.bundle, list(self.issues)
        pending, class_schools = self.pending, self.class_schools
        found_in_database: dict[RecordKind, set[str]] = defaultdict(set)
        for target, waiting in pending.items():
            found = found_in_database[target]
            if bundle.mode(target) is not FileMode.BULK:
                found.update(existing.get(target, ()))
            issues.extend(issue for value, issue in waiting if value not in found)

        # 4. An enrollment's school is its class's school (when that school itself resolved).
        orgs_known = self.orgs_live | found_in_database[RecordKind.ORGS]
        for enrollment in bundle.enrollments:
            school = class_schools.get(enrollment.class_sourced_id)
            if (
                school in orgs_known
                and enrollment.status is not Status.TOBEDELETED
                and enrollment.school_sourced_id
                and enrollment.school_sourced_id != school
            ):
                issues.append(
                    RosterIssue(
                        IssueCode.REFERENCE,
                        f"school {enrollment.school_sourced_id!r} differs from the class's "
                        f"school {school!r}",
                        RecordKind.ENROLLMENTS.file_name,
                        enrollment.line,
                        "schoolSourcedId",
                        enrollment.sourced_id,
                    )
                )

        # 5. Parent cycles among orgs and among sessions.
        for kind in (RecordKind.ORGS, RecordKind.ACADEMIC_SESSIONS):
            issues.extend(_parent_cycles(kind, bundle.records(kind)))

        issues.sort(key=_issue_order)
        return issues


def check_bundle(
    bundle: RosterBundle,
    *,
    rejected_ids: Mapping[RecordKind, AbstractSet[str]] | None = None,
    incomplete: AbstractSet[RecordKind] = frozenset(),
) -> BundleCheck:
    """The first half of :func:`validate_bundle`: everything the exchange says by itself."""
    issues: list[RosterIssue] = []
    rejected = rejected_ids or {}

    # 1. Duplicates, and the index of what the exchange defines (live) or deletes. Only kinds
    # that other records point at keep their index after the duplicate check.
    targets = {reference.target for reference in REFERENCES}
    live: dict[RecordKind, set[str]] = {}
    deleted: dict[RecordKind, set[str]] = {}
    for kind in RecordKind:
        live_ids: set[str] = set()
        deleted_ids: set[str] = set()
        duplicates: set[str] = set()
        for record in bundle.records(kind):
            sourced_id = record.sourced_id
            if sourced_id in live_ids or sourced_id in deleted_ids:
                duplicates.add(sourced_id)
            elif record.status is Status.TOBEDELETED:
                deleted_ids.add(sourced_id)
            else:
                live_ids.add(sourced_id)
        if duplicates:
            issues.extend(_duplicate_issues(kind, bundle.records(kind), duplicates))
        if kind in targets:
            live[kind] = live_ids
            deleted[kind] = deleted_ids
        del live_ids, deleted_ids

    # 2. Date ranges.
    for kind, start_attr, end_attr, end_column in _DATE_RANGES:
        for record in bundle.records(kind):
            start, end = getattr(record, start_attr), getattr(record, end_attr)
            if start and end and end < start:
                issues.append(
                    RosterIssue(
                        IssueCode.DATE,
                        f"{end_column} {end} is before the start {start}",
                        kind.file_name,
                        record.line,
                        end_column,
                        record.sourced_id,
                    )
                )

    # 3. References. Unresolved ones wait for the known-ids lookup, grouped by target kind.
    org_types = {
        org.sourced_id: org.type for org in bundle.orgs if org.status is not Status.TOBEDELETED
    }
    class_schools = {
        cls.sourced_id: cls.school_sourced_id
        for cls in bundle.classes
        if cls.status is not Status.TOBEDELETED
    }
    pending: dict[RecordKind, list[tuple[str, RosterIssue]]] = defaultdict(list)
    for reference in REFERENCES:
        kind, target = reference.kind, reference.target
        if target in incomplete:
            continue
        target_live, target_deleted = live[target], deleted[target]
        target_rejected = rejected.get(target, frozenset())
        file, column = kind.file_name, reference.column
        check_school = reference.school
        check_self = kind is target
        for record in bundle.records(kind):
            if record.status is Status.TOBEDELETED:
                continue
            for value in _values(record, reference):
                if value in target_live:
                    if not (check_school or check_self):
                        continue  # the common case: a plain, resolved reference
                    if check_school and org_types.get(value) not in (None, OrgType.SCHOOL):
                        message = f"{value!r} is an org of type {org_types[value]}, not a school"
                    elif check_self and value == record.sourced_id:
                        message = "a record cannot be its own parent"
                    else:
                        continue
                elif value in target_deleted:
                    message = f"{value!r} is marked tobedeleted in {target.file_name}"
                elif value in target_rejected:
                    continue  # the refused row was reported already
                else:
                    pending[target].append(
                        (
                            value,
                            RosterIssue(
                                IssueCode.REFERENCE,
                                f"{value!r} names no record of {target.file_name}",
                                file,
                                record.line,
                                column,
                                record.sourced_id,
                            ),
                        )
                    )
                    continue
                issues.append(
                    RosterIssue(
                        IssueCode.REFERENCE, message, file, record.line, column, record.sourced_id
                    )
                )
    return BundleCheck(
        bundle, issues, pending, live.get(RecordKind.ORGS, set()), class_schools
    )


def _duplicate_issues(
    kind: RecordKind, records: Sequence[Any], duplicates: set[str]
) -> Iterator[RosterIssue]:
    first_line: dict[str, int] = {}
    for record in records:
        if record.sourced_id not in duplicates:
            continue
        if record.sourced_id in first_line:
            yield RosterIssue(
                IssueCode.DUPLICATE,
                f"sourcedId {record.sourced_id!r} already used on line "
                f"{first_line[record.sourced_id]}",
                kind.file_name,
                record.line,
                "sourcedId",
                record.sourced_id,
            )
        else:
            first_line[record.sourced_id] = record.line


def _parent_cycles(kind: RecordKind, records: Sequence[Any]) -> list[RosterIssue]:
    parent = {r.sourced_id: r.parent_sourced_id for r in records if r.parent_sourced_id}
    lines = {r.sourced_id: r.line for r in records}
    issues: list[RosterIssue] = []
    reported: set[str] = set()
    for start in parent:
        path: list[str] = []
        on_path: set[str] = set()
        node: str | None = start
        while node is not None and node in parent and node not in on_path:
            if node in reported:
                node = None
                break
            path.append(node)
            on_path.add(node)
            node = parent[node]
        reported.update(path)
        if node is not None and node in on_path and parent.get(node) != node:
            cycle = path[path.index(node) :]
            issues.append(
                RosterIssue(
                    IssueCode.REFERENCE,
                    "parentSourcedId forms a cycle: " + " → ".join([*cycle, node]),
                    kind.file_name,
                    lines.get(node),
                    "parentSourcedId",
                    node,
                )
            )
    return issues


_FILE_RANK = {kind.file_name: rank for rank, kind in enumerate(RecordKind)}


def _issue_order(issue: RosterIssue) -> tuple[int, int]:
    return (_FILE_RANK.get(issue.file, -1), issue.line or 0)
