"""Applying a OneRoster 1.2 exchange to the database, and exporting a district back.

The pure part lives in :mod:`trellis.interop.oneroster`: it reads a zip into one canonical
:class:`~trellis.interop.oneroster.bundle.RosterBundle` and validates it. This module is the
*actions* layer on top: :func:`do_apply_roster_bundle` turns a bundle into rows of the tenancy
and roster models, and :func:`do_export_roster` writes a district back as a zip.

How OneRoster maps onto Trellis:

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

Rules:

* **All or nothing.** Everything happens in one transaction; any error rolls it all back. A
  dry run is the same code path, rolled back at the end, so its report is exactly what an
  apply would do.
* **Idempotent.** Rows are matched by ``sourcedId`` within the district and compared field by
  field: re-importing the same file reports everything *unchanged* and writes nothing.
* **Bulk and delta.** A file in ``bulk`` mode replaces every roster-managed record of its kind
  in the district (records with a sourcedId; people and enrollments created by hand in Trellis
  are left alone); a ``delta`` file creates or updates its ``active`` rows and deletes its
  ``tobedeleted`` ones. Absent files are not touched.
* **People are deactivated, never deleted.** A roster-managed person a bulk ``users.csv`` no
  longer lists, or a delta marks ``tobedeleted``, keeps their row and their learning history
  (evidence, mastery, plans, diagnostic sessions, audit events): ``is_active`` is cleared (they
  cannot sign in), ``deactivated_at`` is set, and what ties them to the roster goes — primary
  school, role assignments, enrollments, guardian and coaching links, demographics. A later
  file that lists the same sourcedId again reactivates the same row (an *update*). Their
  username stays theirs; export leaves them out (see :func:`write_roster_export`).
* **One audit event** per import (who, which file, the counts) — never one per row.
* **District scale.** Dictionaries of sourcedId → primary key, one query per kind to load what
  exists, ``bulk_create``/``bulk_update`` in batches: no query per row.

People created by an import get unusable passwords (districts sign in through SSO or set
passwords); the demo seeder sets the demo password on its showcase accounts.
"""

from __future__ import annotations

import io
import secrets
import time
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from trellis.accounts.models import (
    CoachingLink,
    District,
    GuardianLink,
    Role,
    RoleAssignment,
    School,
    User,
)
from trellis.audit.actions import record
from trellis.interop.oneroster import bundle as onr
from trellis.interop.oneroster.bundle import (
    FileMode,
    IgnoredFile,
    Manifest,
    OrgType,
    RecordKind,
    RoleName,
    RoleType,
    RosterBundle,
    Status,
)
from trellis.interop.oneroster.errors import IssueCode, RosterIssue
from trellis.interop.oneroster.parser import Source, parse_roster
from trellis.interop.oneroster.validation import KnownIds, validate_bundle
from trellis.interop.oneroster.writer import write_roster_zip
from trellis.roster.models import (
    AcademicSession,
    Class,
    Course,
    Enrollment,
    LearnerGroup,
    StudentDemographics,
)

Progress = Callable[[str, int, int], None]  # (stage, done, total)

BATCH = 2000  # rows per bulk_create / bulk_update
LOOKUP_BATCH = 900  # ids per ``IN (...)``: below SQLite's historical 999-variable limit

# Report lines, in the order a district admin reads them.
COUNT_LABELS = {
    "orgs": "Schools and district",
    "academicSessions": "Academic sessions",
    "courses": "Courses",
    "classes": "Classes",
    "users": "People",
    "roles": "Roles",
    "guardianLinks": "Guardian links",
    "coachingLinks": "Coaching links",
    "enrollments": "Enrollments",
    "demographics": "Demographics",
}

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


# --- the report --------------------------------------------------------------------------------


@dataclass
class KindCounts:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    deactivated: int = 0  # people only: kept with their history, no longer signing in

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.deleted + self.deactivated


@dataclass(frozen=True)
class ApplyReport:
    """What an import did (or, for a dry run, would do), and every problem found.

    ``applied`` is true only when the changes were committed. ``issues`` are errors (nothing
    was changed when there are any); ``warnings`` are things imported differently than the
    file says, or not at all, that do not stop the import.
    """

    dry_run: bool
    applied: bool
    district_name: str = ""
    district_sourced_id: str = ""
    counts: Mapping[str, KindCounts] = field(default_factory=dict)
    issues: tuple[RosterIssue, ...] = ()
    warnings: tuple[str, ...] = ()
    modes: Mapping[str, str] = field(default_factory=dict)
    ignored_files: tuple[IgnoredFile, ...] = ()
    source_name: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.issues

    @property
    def changed(self) -> bool:
        return any(counts.changed for counts in self.counts.values())

    @property
    def headline(self) -> str:
        """One sentence for people: what happened."""
        if self.issues:
            return (
                f"{len(self.issues)} problem(s) found: nothing was changed. "
                "Fix the file and check it again."
            )
        if not self.changed:
            return "No changes: the database already matches this file."
        if self.dry_run:
            return "The file is valid. Nothing has changed yet: apply it to make these changes."
        return "Import applied: the roster now matches this file."

    def as_dict(self, max_issues: int | None = 1000) -> dict[str, Any]:
        """JSON-ready form (the upload page keeps it on the job row)."""
        shown = self.issues if max_issues is None else self.issues[:max_issues]
        return {
            "dry_run": self.dry_run,
            "applied": self.applied,
            "headline": self.headline,
            "district_name": self.district_name,
            "district_sourced_id": self.district_sourced_id,
            "counts": {
                kind: {
                    "created": c.created,
                    "updated": c.updated,
                    "deleted": c.deleted,
                    "unchanged": c.unchanged,
                    "deactivated": c.deactivated,
                }
                for kind, c in self.counts.items()
            },
            "issues": [issue.as_dict() for issue in shown],
            "issue_count": len(self.issues),
            "warnings": list(self.warnings),
            "modes": dict(self.modes),
            "ignored_files": [{"name": f.name, "reason": f.reason} for f in self.ignored_files],
            "source_name": self.source_name,
            "seconds": round(self.seconds, 2),
        }

    @property
    def deactivated(self) -> int:
        """People deactivated (dry run: to be deactivated), their learning history kept."""
        users = self.counts.get("users")
        return users.deactivated if users is not None else 0

    def table(self) -> str:
        """The counts as an aligned text table (for the command line)."""
        header = f"{'':22} {'created':>9} {'updated':>9} {'deleted':>9} {'unchanged':>10}"
        lines = [f"{header} {'deactivated':>12}"]
        for kind, c in self.counts.items():
            label = COUNT_LABELS.get(kind, kind)
            lines.append(
                f"{label:22} {c.created:>9} {c.updated:>9} {c.deleted:>9} {c.unchanged:>10}"
                f" {c.deactivated:>12}"
            )
        return "\n".join(lines)

    @property
    def deactivation_note(self) -> str:
        """A sentence about the people this import deactivates ("" when none)."""
        n = self.deactivated
        if not n:
            return ""
        people = "1 person" if n == 1 else f"{n} people"
        verb = "will be" if self.dry_run else "were"
        return (
            f"{people} {verb} deactivated: the file no longer lists them, so they can no longer "
            "sign in and leave their classes, but their learning history is kept, and a later "
            "file that lists them again brings them back."
        )


class _Rollback(Exception):
    """Leaves the import transaction without committing (dry run, or errors found)."""


# --- helpers -------------------------------------------------------------------------------------

T = TypeVar("T")


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _date(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _unusable_password() -> str:
    # What Django's make_password(None) stores ("!" + random), without 40 calls to
    # secrets.choice per person: an import creates hundreds of thousands of people.
    return "!" + secrets.token_urlsafe(30)


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Sequence[Values]) -> None:
    """``INSERT`` many rows with one statement prepared per batch (``executemany``).

    ``bulk_create`` compiles every row's every value through the ORM, which is most of an
    import's time at district scale; this builds the statement once. ``columns`` are field
    attribute names (``klass_id``); every other concrete field gets its default, so a field
    added to the model later with a default keeps working. Values of date, datetime and
    JSON fields are prepared for the database by their field, as the ORM would.
    """
    if not rows:
        return
    meta = model._meta
    by_name = {f.attname: f for f in meta.concrete_fields}
    given = [by_name[name] for name in columns]
    rest = [f for f in meta.concrete_fields if f.attname not in columns and not f.primary_key]
    defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in rest)
    prepared = [
        index
        for index, f in enumerate(given)
        if isinstance(f, models.DateField | models.JSONField)  # DateTimeField is a DateField
    ]
    quote = connection.ops.quote_name
    names = ", ".join(quote(f.column) for f in (*given, *rest))
    marks = ", ".join(["%s"] * (len(given) + len(rest)))
    sql = f"INSERT INTO {quote(meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608 - names from the model
    with connection.cursor() as cursor:
        for batch in _chunks(rows, 5000):
            params = []
            for row in batch:
                if prepared:
                    values = list(row)
                    for index in prepared:
                        if values[index] is not None:
                            values[index] = given[index].get_db_prep_save(values[index], connection)
                    params.append((*values, *defaults))
                else:
                    params.append((*row, *defaults))
            if connection.vendor == "postgresql":
                _copy(cursor, meta.db_table, [f.column for f in (*given, *rest)], params)
            else:
                cursor.executemany(sql, params)


def _copy(cursor: Any, table: str, columns: Sequence[str], rows: Sequence[Values]) -> None:
    """PostgreSQL's ``COPY ... FROM STDIN``: the fastest way in, several times quicker than
    ``executemany`` for a million enrollments."""
    quote = connection.ops.quote_name
    statement = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    with cursor.cursor.copy(statement) as copy:  # the psycopg cursor under Django's wrapper
        for row in rows:
            copy.write_row(row)


def database_ids(district: District | None) -> KnownIds:
    """Lookups the validator uses to resolve delta references against the database."""
    if district is None:
        return {}

    def finder(model: type[models.Model]) -> Callable[[set[str]], Collection[str]]:
        def find(wanted: set[str]) -> Collection[str]:
            found: set[str] = set()
            for chunk in _chunks(sorted(wanted), LOOKUP_BATCH):
                found.update(
                    model._default_manager.filter(  # type: ignore[attr-defined]
                        district=district, sourced_id__in=chunk
                    ).values_list("sourced_id", flat=True)
                )
            return found

        return find

    schools = finder(School)

    def orgs(wanted: set[str]) -> Collection[str]:
        return {*schools(wanted), *({district.sourced_id} & wanted)}

    return {
        RecordKind.ORGS: orgs,
        RecordKind.ACADEMIC_SESSIONS: finder(AcademicSession),
        RecordKind.COURSES: finder(Course),
        RecordKind.CLASSES: finder(Class),
        RecordKind.USERS: finder(User),
    }


# --- applying ------------------------------------------------------------------------------------

Values = tuple[Any, ...]
Existing = dict[str, tuple[int, Values]]
ALL: Any = object()  # "load every row", as opposed to a list of keys


@dataclass(frozen=True)
class _Synced:
    created: dict[str, int]  # key -> pk of the rows created
    updated: set[str]  # keys of the rows updated


class _Applier:
    """One import, inside the caller's transaction. Collects issues instead of raising."""

    def __init__(
        self,
        bundle: RosterBundle,
        district: District,
        district_org: onr.Org | None,
        include_demographics: bool,
        progress: Progress,
    ) -> None:
        self.bundle = bundle
        self.district = district
        self.district_org = district_org
        self.include_demographics = include_demographics
        self.progress = progress
        self.issues: list[RosterIssue] = []
        self.warnings: list[str] = []
        self.counts: dict[str, KindCounts] = {}
        self.pk: dict[RecordKind, dict[str, int]] = {}
        self.deactivated_ids: set[str] = set()  # people off the roster (see load_people)
        total = sum(len(bundle.records(kind)) for kind in RecordKind)
        self.total = max(total, 1)
        self.done = 0

    # -- plumbing ------------------------------------------------------------------------------

    def mode(self, kind: RecordKind) -> FileMode:
        return self.bundle.mode(kind)

    def present(self, kind: RecordKind) -> bool:
        return self.mode(kind) is not FileMode.ABSENT

    def advance(self, stage: str, rows: int = 0) -> None:
        self.done = min(self.total, self.done + rows)
        self.progress(stage, self.done, self.total)

    def issue(self, record: Any, column: str, message: str, code: IssueCode) -> None:
        self.issues.append(
            RosterIssue(code, message, record.FILE, record.line, column, record.sourced_id)
        )

    def load_people(self) -> None:
        """sourcedId → pk of the district's roster-managed people on the roster now, and the
        sourcedIds of those deactivated (references to them are refused with a clear
        message: a file brings them back by listing them in users.csv)."""
        people: dict[str, int] = {}
        self.deactivated_ids = set()
        rows = (
            User.objects.filter(district=self.district)
            .exclude(sourced_id="")
            .values_list("sourced_id", "pk", "deactivated_at")
        )
        for sourced_id, pk, deactivated_at in rows.iterator(chunk_size=5000):
            if deactivated_at is None:
                people[sourced_id] = pk
            else:
                self.deactivated_ids.add(sourced_id)
        self.pk[RecordKind.USERS] = people

    def no_person(self, record: Any, column: str, sourced_id: str) -> None:
        """The issue for a reference to a person who is not (or no longer) on the roster."""
        if sourced_id in self.deactivated_ids:
            message = (
                f"{sourced_id!r} is deactivated (a roster no longer listed them): list them "
                "in users.csv with status active to bring them back"
            )
        else:
            message = f"{sourced_id!r} names no person of this district"
        self.issue(record, column, message, IssueCode.REFERENCE)

    def id_map(self, model: type[models.Model]) -> dict[str, int]:
        return dict(
            model._default_manager.filter(  # type: ignore[attr-defined]
                district=self.district
            )
            .exclude(sourced_id="")
            .values_list("sourced_id", "pk")
        )

    def existing(
        self, queryset: models.QuerySet[Any], key: str, names: Sequence[str], keys: Iterable[str]
    ) -> Existing:
        """``{key: (pk, values)}`` of the rows in ``queryset`` (restricted to ``keys`` unless
        ``keys`` is ``None``-like empty tuple meaning all)."""
        rows: Existing = {}
        columns = ("pk", key, *names)
        if keys is ALL:
            for row in queryset.values_list(*columns).iterator(chunk_size=5000):
                rows[row[1]] = (row[0], row[2:])
            return rows
        for chunk in _chunks(keys, LOOKUP_BATCH):
            for row in queryset.filter(**{f"{key}__in": chunk}).values_list(*columns):
                rows[row[1]] = (row[0], row[2:])
        return rows

    def sync(
        self,
        label: str,
        model: type[models.Model],
        names: Sequence[str],
        records: Sequence[Any],
        existing: Existing,
        values_of: Callable[[Any], Values | None],
        make: Callable[[str, dict[str, Any]], models.Model] | None = None,
        fast: tuple[Sequence[str], Callable[[str, Values], Values]] | None = None,
    ) -> _Synced:
        """Create and update ``model`` rows so they match the active ``records``.

        New rows are built by ``make`` (model instances for ``bulk_create``; their primary
        keys come back) or, for the kinds that run to hundreds of thousands of rows, by
        ``fast`` = (columns, row builder) for :func:`insert_rows` (no primary keys back: the
        caller reloads its sourcedId → pk map).

        ``existing`` holds the current rows by key (deletions already happened, see
        :meth:`delete_pass`). Returns the keys (and primary keys) of the rows created and the
        keys of those updated.
        """
        counts = self.counts.setdefault(label, KindCounts())
        creates: list[tuple[str, Values]] = []
        updates: list[tuple[int, Values]] = []
        updated_keys: set[str] = set()
        for rec in records:
            if rec.status is Status.TOBEDELETED:
                continue  # counted by the delete pass
            key = rec.sourced_id
            values = values_of(rec)
            if values is None:
                continue  # an issue was recorded
            current = existing.get(key)
            if current is None:
                creates.append((key, values))
            elif current[1] != values:
                updates.append((current[0], values))
                updated_keys.add(key)
            else:
                counts.unchanged += 1
        stage = COUNT_LABELS.get(label, label)
        self.advance(stage, len(records) - len(creates) - len(updates))
        manager: Any = model._default_manager  # type: ignore[attr-defined]
        for changed in _chunks(updates, BATCH):
            manager.bulk_update(
                [model(pk=pk, **dict(zip(names, row, strict=True))) for pk, row in changed],
                list(names),
            )
            counts.updated += len(changed)
            self.advance(stage, len(changed))
        created: dict[str, int] = {}
        for fresh in _chunks(creates, BATCH):
            if fast is not None:
                columns, build = fast
                insert_rows(model, columns, [build(key, row) for key, row in fresh])
                created.update((key, 0) for key, _row in fresh)
            elif make is not None:
                objects = [make(key, dict(zip(names, row, strict=True))) for key, row in fresh]
                manager.bulk_create(objects)
                for (key, _row), obj in zip(fresh, objects, strict=True):
                    created[key] = obj.pk
            counts.created += len(fresh)
            self.advance(stage, len(fresh))
        return _Synced(created, updated_keys)

    def keys_of(self, kind: RecordKind) -> Any:
        """What to load from the database: everything in bulk mode, else the file's ids."""
        if self.mode(kind) is FileMode.BULK:
            return ALL
        return [r.sourced_id for r in self.bundle.records(kind)]

    # -- the steps -----------------------------------------------------------------------------

    def run(self) -> None:
        self.apply_district()
        self.delete_pass()
        self.apply_schools()
        self.pk[RecordKind.ORGS] = self.id_map(School)
        self.apply_sessions()
        self.pk[RecordKind.COURSES] = self.id_map(Course)
        if self.present(RecordKind.COURSES):
            self.apply_courses()
        self.pk[RecordKind.CLASSES] = self.id_map(Class)
        if self.present(RecordKind.CLASSES):
            self.apply_classes()
        self.load_people()
        roles_by_user = self.file_primary_roles()
        if self.present(RecordKind.USERS):
            self.apply_users(roles_by_user)
        if self.issues:
            return
        if self.present(RecordKind.ROLES):
            self.apply_roles()
        if self.present(RecordKind.ROLES) or self.present(RecordKind.USERS):
            self.derive_user_roles()
        if self.present(RecordKind.USERS):
            self.apply_guardian_links(roles_by_user)
        if self.present(RecordKind.ROLES) or self.present(RecordKind.USERS):
            self.apply_coaching_links()
        if self.present(RecordKind.ENROLLMENTS):
            self.apply_enrollments()
        if self.include_demographics and self.present(RecordKind.DEMOGRAPHICS):
            self.apply_demographics()

    def delete_pass(self) -> None:
        """Delete first, dependents before what they depend on, so that every deletion is
        counted under its own kind (not hidden in a cascade) and freed (class, person, role)
        slots can be reused by rows of the same import.

        Bulk files delete the district's roster-managed rows they do not list; delta files
        delete their ``tobedeleted`` rows. People are the exception: they are deactivated
        (:meth:`deactivate`), and people already deactivated are not counted again.
        """
        for kind in DELETE_ORDER:
            if not self.present(kind):
                continue
            if kind is RecordKind.DEMOGRAPHICS and not self.include_demographics:
                continue
            model = KIND_MODELS[kind]
            key = "user__sourced_id" if kind is RecordKind.DEMOGRAPHICS else "sourced_id"
            rows: Any = model._default_manager.filter(  # type: ignore[attr-defined]
                district=self.district
            )
            if kind in (RecordKind.USERS, RecordKind.ROLES, RecordKind.ENROLLMENTS):
                rows = rows.exclude(sourced_id="")  # made by hand in Trellis: not ours
            if kind is RecordKind.USERS:
                rows = rows.filter(deactivated_at__isnull=True)  # already: not counted again
            records = self.bundle.records(kind)
            leaving = {r.sourced_id for r in records if r.status is Status.TOBEDELETED}
            leaving.discard(self.district.sourced_id)
            doomed: list[int] = []
            if self.mode(kind) is FileMode.BULK:
                keep = {r.sourced_id for r in records if r.status is not Status.TOBEDELETED}
                for pk, sourced_id in rows.values_list("pk", key).iterator(chunk_size=5000):
                    if sourced_id not in keep:
                        doomed.append(pk)
            else:
                for wanted in _chunks(sorted(leaving), LOOKUP_BATCH):
                    doomed.extend(
                        rows.filter(**{f"{key}__in": wanted}).values_list("pk", flat=True)
                    )
            counts = self.counts.setdefault(kind.value, KindCounts())
            if self.mode(kind) is FileMode.DELTA:
                counts.unchanged += len(leaving) - len(doomed)  # already gone
            if kind is RecordKind.USERS:
                counts.deactivated += len(doomed)
                self.deactivate(doomed)
                continue
            counts.deleted += len(doomed)
            for chunk in _chunks(doomed, LOOKUP_BATCH):
                model._default_manager.filter(pk__in=chunk).delete()  # type: ignore[attr-defined]
            if doomed:
                self.advance(f"Deleting {COUNT_LABELS[kind.value].lower()}", len(doomed))

    def deactivate(self, pks: Sequence[int]) -> None:
        """Deactivate these people: they keep their row and everything hanging off it
        (evidence, mastery, plans, diagnostic sessions, audit events) but can no longer sign
        in, and what ties them to the roster goes — primary school, role assignments,
        enrollments, guardian and coaching links, demographics, and the learner groups of the
        classes they leave — as a deletion would have removed it. Those removals are counted
        under their own kinds (group memberships are not a roster kind). Batched: a few
        statements per :data:`LOOKUP_BATCH` people, none per person."""
        if not pks:
            return
        now = timezone.now()
        removed: dict[str, int] = defaultdict(int)
        ties: tuple[tuple[str, type[models.Model], str], ...] = (
            ("roles", RoleAssignment, "user_id"),
            ("enrollments", Enrollment, "user_id"),
            ("guardianLinks", GuardianLink, "guardian_id"),
            ("guardianLinks", GuardianLink, "student_id"),
            ("coachingLinks", CoachingLink, "coach_id"),
            ("coachingLinks", CoachingLink, "teacher_id"),
            ("demographics", StudentDemographics, "user_id"),
        )
        for chunk in _chunks(pks, LOOKUP_BATCH):
            User.objects.filter(pk__in=chunk).update(
                is_active=False, deactivated_at=now, school=None
            )
            for label, model, column in ties:
                manager: Any = model._default_manager  # type: ignore[attr-defined]
                _total, per_model = manager.filter(**{f"{column}__in": chunk}).delete()
                removed[label] += per_model.get(model._meta.label, 0)
            LearnerGroup.members.through.objects.filter(user_id__in=chunk).delete()
        for label, count in removed.items():
            if count:
                self.counts.setdefault(label, KindCounts()).deleted += count
        self.advance("Deactivating people", len(pks))

    def apply_district(self) -> None:
        counts = self.counts.setdefault("orgs", KindCounts())
        org = self.district_org
        if org is None:
            return
        wanted = (org.name, org.identifier)
        if (self.district.name, self.district.identifier) == wanted:
            if not getattr(self.district, "_just_created", False):
                counts.unchanged += 1
            return
        self.district.name, self.district.identifier = wanted
        self.district.save(update_fields=["name", "identifier"])
        counts.updated += 1

    def apply_schools(self) -> None:
        if not self.present(RecordKind.ORGS):
            return
        others: dict[str, int] = defaultdict(int)
        schools = []
        for org in self.bundle.orgs:
            if org.type is OrgType.SCHOOL or org.status is Status.TOBEDELETED:
                if org.sourced_id != self.district.sourced_id:
                    schools.append(org)
            elif org.type is not OrgType.DISTRICT:
                others[str(org.type)] += 1
        for kind, count in sorted(others.items()):
            self.warnings.append(
                f"{count} org(s) of type {kind} are not stored (Trellis keeps the district "
                "and its schools)."
            )
        names = ("name", "identifier")
        existing = self.existing(
            School.objects.filter(district=self.district),
            "sourced_id",
            names,
            self.keys_of(RecordKind.ORGS),
        )
        district_id = self.district.pk
        self.sync(
            "orgs",
            School,
            names,
            schools,
            existing,
            lambda org: (org.name, org.identifier),
            lambda key, values: School(district_id=district_id, sourced_id=key, **values),
        )

    def org_school(self, record: Any, column: str, sourced_id: str) -> int | bool | None:
        """The school pk an org reference names, ``None`` for the district org, ``False``
        (and an issue) when it names neither."""
        if not sourced_id or sourced_id == self.district.sourced_id:
            return None
        pk = self.pk[RecordKind.ORGS].get(sourced_id)
        if pk is None:
            if sourced_id in self.other_orgs:
                return None
            self.issue(
                record,
                column,
                f"{sourced_id!r} is neither this district nor one of its schools",
                IssueCode.REFERENCE,
            )
            return False
        return pk

    @property
    def other_orgs(self) -> set[str]:
        """Orgs of the exchange that are neither the district nor a school."""
        if not hasattr(self, "_other_orgs"):
            self._other_orgs = {
                org.sourced_id
                for org in self.bundle.orgs
                if org.type not in (OrgType.SCHOOL, OrgType.DISTRICT)
            }
        return self._other_orgs

    def apply_sessions(self) -> None:
        kind = RecordKind.ACADEMIC_SESSIONS
        self.pk[kind] = self.id_map(AcademicSession)
        if not self.present(kind):
            return
        records = self.bundle.academic_sessions
        names = ("title", "type", "start_date", "end_date", "school_year", "parent_id")
        existing = self.existing(
            AcademicSession.objects.filter(district=self.district),
            "sourced_id",
            names,
            self.keys_of(kind),
        )
        district_id = self.district.pk
        ids = self.pk[kind]

        def values(s: onr.AcademicSession) -> Values | None:
            parent = ids.get(s.parent_sourced_id) if s.parent_sourced_id else None
            if s.parent_sourced_id and parent is None:
                self.issue(
                    s,
                    "parentSourcedId",
                    f"{s.parent_sourced_id!r} names no academic session of this district",
                    IssueCode.REFERENCE,
                )
                return None
            return (
                s.title,
                str(s.type),
                _date(s.start_date),
                _date(s.end_date),
                int(s.school_year),
                parent,
            )

        def make(key: str, values: dict[str, Any]) -> AcademicSession:
            return AcademicSession(district_id=district_id, sourced_id=key, **values)

        # Parents before children: sessions are created level by level so that a child can
        # point at a parent created in the same import.
        in_file = {s.sourced_id: s for s in records}
        depth: dict[str, int] = {}

        def depth_of(s: onr.AcademicSession, guard: int = 0) -> int:
            if s.sourced_id not in depth:
                parent = in_file.get(s.parent_sourced_id)
                depth[s.sourced_id] = (
                    0 if parent is None or guard > 50 else depth_of(parent, guard + 1) + 1
                )
            return depth[s.sourced_id]

        levels: dict[int, list[onr.AcademicSession]] = defaultdict(list)
        for s in records:
            levels[depth_of(s)].append(s)
        for level in sorted(levels):
            synced = self.sync(
                "academicSessions",
                AcademicSession,
                names,
                levels[level],
                existing,
                values,
                make,
            )
            ids.update(synced.created)
        self.pk[kind] = self.id_map(AcademicSession)

    def apply_courses(self) -> None:
        kind = RecordKind.COURSES
        names = ("title", "course_code", "grades", "subjects", "school_year_id", "school_id")
        existing = self.existing(
            Course.objects.filter(district=self.district),
            "sourced_id",
            names,
            self.keys_of(kind),
        )
        sessions = self.pk[RecordKind.ACADEMIC_SESSIONS]
        district_id = self.district.pk

        def values(c: onr.Course) -> Values | None:
            year = None
            if c.school_year_sourced_id:
                year = sessions.get(c.school_year_sourced_id)
                if year is None:
                    self.issue(
                        c,
                        "schoolYearSourcedId",
                        f"{c.school_year_sourced_id!r} names no academic session",
                        IssueCode.REFERENCE,
                    )
                    return None
            school = self.org_school(c, "orgSourcedId", c.org_sourced_id)
            if school is False:
                return None
            return (c.title, c.course_code, list(c.grades), list(c.subjects), year, school)

        synced = self.sync(
            "courses",
            Course,
            names,
            self.bundle.courses,
            existing,
            values,
            lambda key, v: Course(district_id=district_id, sourced_id=key, **v),
        )
        self.pk[kind] = (
            self.id_map(Course)
            if self.counts["courses"].deleted
            else {
                **self.pk[kind],
                **synced.created,
            }
        )

    def apply_classes(self) -> None:
        kind = RecordKind.CLASSES
        names = (
            "school_id",
            "course_id",
            "title",
            "class_code",
            "class_type",
            "location",
            "grades",
            "subjects",
            "periods",
        )
        existing = self.existing(
            Class.objects.filter(district=self.district),
            "sourced_id",
            names,
            self.keys_of(kind),
        )
        courses = self.pk[RecordKind.COURSES]
        sessions = self.pk[RecordKind.ACADEMIC_SESSIONS]
        district_id = self.district.pk
        wanted_terms: dict[str, set[int]] = {}

        def values(c: onr.RosterClass) -> Values | None:
            school = self.org_school(c, "schoolSourcedId", c.school_sourced_id)
            course = courses.get(c.course_sourced_id)
            ok = True
            if school is None or school is False:
                if school is None:
                    self.issue(
                        c,
                        "schoolSourcedId",
                        f"{c.school_sourced_id!r} is not a school of this district",
                        IssueCode.REFERENCE,
                    )
                ok = False
            if course is None:
                self.issue(
                    c,
                    "courseSourcedId",
                    f"{c.course_sourced_id!r} names no course of this district",
                    IssueCode.REFERENCE,
                )
                ok = False
            terms = set()
            for term in c.term_sourced_ids:
                pk = sessions.get(term)
                if pk is None:
                    self.issue(
                        c,
                        "termSourcedIds",
                        f"{term!r} names no academic session of this district",
                        IssueCode.REFERENCE,
                    )
                    ok = False
                terms.add(pk)
            if not ok:
                return None
            wanted_terms[c.sourced_id] = terms  # type: ignore[assignment]
            return (
                school,
                course,
                c.title,
                c.class_code,
                str(c.class_type),
                c.location,
                list(c.grades),
                list(c.subjects),
                list(c.periods),
            )

        synced = self.sync(
            "classes",
            Class,
            names,
            self.bundle.classes,
            existing,
            values,
            fast=(
                ("district_id", "sourced_id", *names),
                lambda key, v: (district_id, key, *v),
            ),
        )
        if synced.created:
            self.pk[kind] = self.id_map(Class)
        ids = self.pk[kind]
        # Terms: compare the sets, write only the differences.
        through = Class.terms.through
        class_pks = {ids[key]: key for key in wanted_terms}
        current: dict[int, set[int]] = defaultdict(set)
        for chunk in _chunks(list(class_pks), LOOKUP_BATCH):
            for class_id, session_id in through.objects.filter(class_id__in=chunk).values_list(
                "class_id", "academicsession_id"
            ):
                current[class_id].add(session_id)
        additions: list[Any] = []
        removals: dict[int, list[int]] = defaultdict(list)
        counts = self.counts["classes"]
        for class_pk, key in class_pks.items():
            want, have = wanted_terms[key], current.get(class_pk, set())
            if want == have:
                continue
            additions.extend((class_pk, session) for session in sorted(want - have))
            if have - want:
                removals[class_pk].extend(have - want)
            if key not in synced.created and key not in synced.updated:
                counts.updated += 1  # only the terms changed
                counts.unchanged -= 1
        insert_rows(through, ("class_id", "academicsession_id"), additions)
        for class_pk, session_pks in removals.items():
            through.objects.filter(class_id=class_pk, academicsession_id__in=session_pks).delete()

    # -- people --------------------------------------------------------------------------------

    def map_role(self, name: RoleName | None, org_sourced_id: str) -> Role | None:
        role = ROLE_MAP.get(name) if name is not None else None
        if role is Role.TEACHER and org_sourced_id == self.district.sourced_id:
            return Role.COACH
        return role

    def file_primary_roles(self) -> dict[str, tuple[Role, RoleName, str]]:
        """user sourcedId → (Trellis role, OneRoster role, org) of their widest primary role
        in this file."""
        best: dict[str, tuple[Role, RoleName, str]] = {}
        for r in self.bundle.roles:
            if r.status is Status.TOBEDELETED or r.role_type is not RoleType.PRIMARY:
                continue
            mapped = self.map_role(r.role, r.org_sourced_id)
            if mapped is None or r.role is None:
                continue
            previous = best.get(r.user_sourced_id)
            if previous is None or ROLE_PRECEDENCE.index(mapped) < ROLE_PRECEDENCE.index(
                previous[0]
            ):
                best[r.user_sourced_id] = (mapped, r.role, r.org_sourced_id)
        return best

    def apply_users(self, roles_by_user: Mapping[str, tuple[Role, RoleName, str]]) -> None:
        kind = RecordKind.USERS
        names = (
            "username",
            "first_name",
            "last_name",
            "preferred_name",
            "email",
            "school_id",
            "grade",
            "is_active",
            "deactivated_at",  # None for everyone the file lists: listing reactivates
        )
        existing = self.existing(
            User.objects.filter(district=self.district).exclude(sourced_id=""),
            "sourced_id",
            names,
            self.keys_of(kind),
        )
        was_deactivated = {key for key, (_pk, row) in existing.items() if row[-1] is not None}
        self.check_usernames()
        if self.issues:
            return
        schools = self.pk[RecordKind.ORGS]
        district_id = self.district.pk

        def values(u: onr.User) -> Values | None:
            school = self.org_school(u, "primaryOrgSourcedId", u.primary_org_sourced_id)
            if school is False:
                return None
            if school is None and not u.primary_org_sourced_id:
                role = roles_by_user.get(u.sourced_id)
                school = schools.get(role[2]) if role else None
            return (
                u.username,
                u.given_name[:150],
                u.family_name[:150],
                u.preferred_given_name[:150],
                u.email[:254],
                school,
                u.grades[0] if u.grades else "",
                u.enabled_user is not False,
                None,
            )

        def row(key: str, v: Values) -> Values:
            role = roles_by_user.get(key)
            return (district_id, key, _unusable_password(), role[0] if role else "", *v)

        columns = ("district_id", "sourced_id", "password", "role", *names)
        synced = self.sync(
            "users", User, names, self.bundle.users, existing, values, fast=(columns, row)
        )
        self.users_synced = synced
        reactivated = was_deactivated & synced.updated
        if synced.created or reactivated:
            self.load_people()
        if reactivated:
            people = "1 person" if len(reactivated) == 1 else f"{len(reactivated)} people"
            self.warnings.append(
                f"{people} deactivated earlier {'is' if len(reactivated) == 1 else 'are'} "
                "listed again and reactivated, with their learning history (counted as "
                "updated)."
            )

    def check_usernames(self) -> None:
        """Usernames are unique across the whole installation: report every clash.

        A deactivated person keeps their username (so that their history stays theirs when
        they come back): a row that wants it gets a clear problem naming them, not a
        database error.
        """
        first_line: dict[str, int] = {}
        owner: dict[str, onr.User] = {}  # username -> the row that will hold it
        for u in self.bundle.users:
            if u.status is Status.TOBEDELETED:
                continue
            if u.username in first_line:
                self.issue(
                    u,
                    "username",
                    f"username {u.username!r} is already used on line {first_line[u.username]}",
                    IssueCode.DUPLICATE,
                )
                continue
            first_line[u.username] = u.line
            owner[u.username] = u
        for chunk in _chunks(list(owner), LOOKUP_BATCH):
            holders = User.objects.filter(username__in=chunk).values_list(
                "username", "district_id", "sourced_id", "deactivated_at"
            )
            for username, district_id, sourced_id, deactivated_at in holders:
                row = owner[username]
                if district_id == self.district.pk and sourced_id == row.sourced_id:
                    continue
                message = f"username {username!r} is already used by another account"
                if district_id == self.district.pk and sourced_id and deactivated_at is not None:
                    message = (
                        f"username {username!r} belongs to {sourced_id!r}, who is deactivated "
                        "(no longer on the roster) and keeps their username with their "
                        f"learning history: give this person another username, or list "
                        f"{sourced_id!r} again"
                    )
                elif district_id == self.district.pk and sourced_id:
                    message += f" ({sourced_id!r}; to swap usernames between people, import twice)"
                self.issue(row, "username", message, IssueCode.DUPLICATE)

    def apply_roles(self) -> None:
        kind = RecordKind.ROLES
        names = ("user_id", "role", "school_id", "is_primary", "begin_date", "end_date")
        existing = self.existing(
            RoleAssignment.objects.filter(district=self.district).exclude(sourced_id=""),
            "sourced_id",
            names,
            self.keys_of(kind),
        )
        users = self.pk[RecordKind.USERS]
        district_id = self.district.pk
        unmapped: dict[str, int] = defaultdict(int)
        taken: set[tuple[int, str, int | None]] = set()
        duplicates = 0

        def values(r: onr.Role) -> Values | None:
            nonlocal duplicates
            user = users.get(r.user_sourced_id)
            if user is None:
                self.no_person(r, "userSourcedId", r.user_sourced_id)
                return None
            role = self.map_role(r.role, r.org_sourced_id)
            if role is None:
                unmapped[str(r.role)] += 1
                return None
            if r.org_sourced_id in self.other_orgs:
                unmapped[f"{r.role} at a non-school org"] += 1
                return None
            school = self.org_school(r, "orgSourcedId", r.org_sourced_id)
            if school is False:
                return None
            triple = (user, role.value, school)
            if triple in taken:
                duplicates += 1
                return None
            taken.add(triple)
            return (
                user,
                role.value,
                school,
                r.role_type is RoleType.PRIMARY,
                _date(r.begin_date),
                _date(r.end_date),
            )

        self.sync(
            "roles",
            RoleAssignment,
            names,
            self.bundle.roles,
            existing,
            values,
            fast=(
                ("district_id", "sourced_id", *names),
                lambda key, v: (district_id, key, *v),
            ),
        )
        for name, count in sorted(unmapped.items()):
            self.warnings.append(
                f"{count} role(s) {name} have no Trellis equivalent and were not imported; "
                "people with only such roles cannot see anything."
            )
        if duplicates:
            self.warnings.append(
                f"{duplicates} role(s) repeat a role the same person already has at the same "
                "org in Trellis terms (e.g. principal and siteAdministrator): kept once."
            )

    def derive_user_roles(self) -> None:
        """``User.role`` follows the widest primary role a roster-managed person holds.

        Deactivated people hold no roles but keep the role they had, so that their history
        still reads as a student's (or a teacher's); they are left out of ``user_roles``."""
        best: dict[int, str] = {}
        rank = {role.value: index for index, role in enumerate(ROLE_PRECEDENCE)}
        primaries = RoleAssignment.objects.filter(district=self.district, is_primary=True)
        for user_id, role in primaries.values_list("user_id", "role").iterator(chunk_size=5000):
            current = best.get(user_id)
            if current is None or rank.get(role, 99) < rank.get(current, 99):
                best[user_id] = role
        synced = getattr(self, "users_synced", _Synced({}, set()))
        file_keys = {u.sourced_id for u in self.bundle.users if u.status is not Status.TOBEDELETED}
        counts = self.counts.setdefault("users", KindCounts())
        self.user_roles: dict[int, str] = {}
        changes = []
        people = User.objects.filter(district=self.district).values_list(
            "pk", "role", "sourced_id", "deactivated_at"
        )
        for pk, role, sourced_id, deactivated_at in people.iterator(chunk_size=5000):
            if deactivated_at is not None:
                continue
            want = best.get(pk, "") if sourced_id else role
            self.user_roles[pk] = want
            if want == role:
                continue
            changes.append(User(pk=pk, role=want))
            if sourced_id in synced.created or sourced_id in synced.updated:
                continue
            counts.updated += 1
            if sourced_id in file_keys:
                counts.unchanged -= 1
        for chunk in _chunks(changes, BATCH):
            User.objects.bulk_update(chunk, ["role"])

    def apply_guardian_links(self, roles_by_user: Mapping[str, tuple[Role, RoleName, str]]) -> None:
        users = self.pk[RecordKind.USERS]
        roles = self.user_roles
        relationships = {
            key: str(value[1]) for key, value in roles_by_user.items() if value[0] is Role.GUARDIAN
        }
        desired: dict[tuple[int, int], str | None] = {}
        covered: set[int] = set()
        ignored = 0
        inactive = 0
        for u in self.bundle.users:
            pk = users.get(u.sourced_id)
            if pk is None or u.status is Status.TOBEDELETED:
                continue
            covered.add(pk)
            for agent in u.agent_sourced_ids:
                other = users.get(agent)
                if other is None:
                    inactive += agent in self.deactivated_ids
                    continue
                if roles.get(pk) == Role.GUARDIAN and roles.get(other) == Role.STUDENT:
                    desired[(pk, other)] = relationships.get(u.sourced_id)
                elif roles.get(pk) == Role.STUDENT and roles.get(other) == Role.GUARDIAN:
                    desired.setdefault((other, pk), relationships.get(agent))
                else:
                    ignored += 1
        counts = self.counts.setdefault("guardianLinks", KindCounts())
        updates, deletes = [], []
        links = GuardianLink.objects.filter(district=self.district).values_list(
            "pk", "guardian_id", "student_id", "relationship"
        )
        have: set[tuple[int, int]] = set()
        for pk, guardian, student, relationship in links.iterator(chunk_size=5000):
            pair = (guardian, student)
            if guardian not in covered and student not in covered:
                continue
            have.add(pair)
            if pair not in desired:
                deletes.append(pk)
            elif (wanted := desired[pair]) is not None and wanted != relationship:
                updates.append(GuardianLink(pk=pk, relationship=wanted))
            else:
                counts.unchanged += 1
        district_id = self.district.pk
        creates = [
            (district_id, guardian, student, relationship or "guardian")
            for (guardian, student), relationship in desired.items()
            if (guardian, student) not in have
        ]
        for chunk in _chunks(deletes, LOOKUP_BATCH):
            GuardianLink.objects.filter(pk__in=chunk).delete()
        for batch in _chunks(updates, BATCH):
            GuardianLink.objects.bulk_update(batch, ["relationship"])
        insert_rows(
            GuardianLink, ("district_id", "guardian_id", "student_id", "relationship"), creates
        )
        counts.created += len(creates)
        counts.updated += len(updates)
        counts.deleted += len(deletes)
        if ignored:
            self.warnings.append(
                f"{ignored} agentSourcedIds link(s) do not join a guardian to a student and "
                "were not imported."
            )
        if inactive:
            self.warnings.append(
                f"{inactive} agentSourcedIds link(s) name a deactivated person and were not "
                "imported: list that person in users.csv again to link them."
            )

    def apply_coaching_links(self) -> None:
        """Coaches coach the teachers of the schools where they hold a teacher role."""
        roles = self.user_roles
        coaches = {pk for pk, role in roles.items() if role == Role.COACH}
        schools_of: dict[int, set[int]] = defaultdict(set)
        assignments = RoleAssignment.objects.filter(
            district=self.district, role=Role.TEACHER, is_primary=False, school__isnull=False
        ).values_list("user_id", "school_id")
        for user_id, school_id in assignments:
            if user_id in coaches:
                schools_of[user_id].add(school_id)
        teachers_at: dict[int, list[int]] = defaultdict(list)
        teachers = User.objects.filter(
            district=self.district,
            role=Role.TEACHER,
            school__isnull=False,
            deactivated_at__isnull=True,
        ).values_list("pk", "school_id")
        for pk, school_id in teachers.iterator(chunk_size=5000):
            teachers_at[school_id].append(pk)
        desired = {
            (coach, teacher)
            for coach, schools in schools_of.items()
            for school in schools
            for teacher in teachers_at.get(school, ())
        }
        counts = self.counts.setdefault("coachingLinks", KindCounts())
        have: set[tuple[int, int]] = set()
        deletes = []
        links = CoachingLink.objects.filter(district=self.district).values_list(
            "pk", "coach_id", "teacher_id"
        )
        for pk, coach, teacher in links:
            # Links of coaches without school roles were made by hand: left alone.
            if coach in schools_of or coach not in coaches:
                if (coach, teacher) in desired:
                    have.add((coach, teacher))
                    counts.unchanged += 1
                elif coach in schools_of or roles.get(coach) is not None:
                    deletes.append(pk)
        district_id = self.district.pk
        creates = [
            CoachingLink(district_id=district_id, coach_id=coach, teacher_id=teacher)
            for coach, teacher in sorted(desired - have)
        ]
        for chunk in _chunks(deletes, LOOKUP_BATCH):
            CoachingLink.objects.filter(pk__in=chunk).delete()
        for batch in _chunks(creates, BATCH):
            CoachingLink.objects.bulk_create(batch)
        counts.created += len(creates)
        counts.deleted += len(deletes)

    # -- enrollments and demographics ----------------------------------------------------------

    def apply_enrollments(self) -> None:
        kind = RecordKind.ENROLLMENTS
        names = ("klass_id", "user_id", "role", "primary", "begin_date", "end_date")
        existing = self.existing(
            Enrollment.objects.filter(district=self.district).exclude(sourced_id=""),
            "sourced_id",
            names,
            self.keys_of(kind),
        )
        classes = self.pk[RecordKind.CLASSES]
        users = self.pk[RecordKind.USERS]
        district_id = self.district.pk
        seen: set[int] = set()  # class, person and role packed into one int

        def values(e: onr.Enrollment) -> Values | None:
            klass = classes.get(e.class_sourced_id)
            user = users.get(e.user_sourced_id)
            if klass is None:
                self.issue(
                    e,
                    "classSourcedId",
                    f"{e.class_sourced_id!r} names no class of this district",
                    IssueCode.REFERENCE,
                )
            if user is None:
                self.no_person(e, "userSourcedId", e.user_sourced_id)
            if klass is None or user is None:
                return None
            role = str(e.role)
            packed = ((klass << 32 | user) << 2) | ENROLLMENT_ROLES.get(role, 3)
            if packed in seen:
                self.issue(
                    e,
                    "userSourcedId",
                    f"another enrollment already puts {e.user_sourced_id!r} in class "
                    f"{e.class_sourced_id!r} as {role}",
                    IssueCode.DUPLICATE,
                )
                return None
            seen.add(packed)
            return (klass, user, role, bool(e.primary), _date(e.begin_date), _date(e.end_date))

        self.sync(
            "enrollments",
            Enrollment,
            names,
            self.bundle.enrollments,
            existing,
            values,
            fast=(
                ("district_id", "sourced_id", *names),
                lambda key, v: (district_id, key, *v),
            ),
        )

    def apply_demographics(self) -> None:
        kind = RecordKind.DEMOGRAPHICS
        names = (
            "user_id",
            "birth_date",
            "sex",
            "american_indian_or_alaska_native",
            "asian",
            "black_or_african_american",
            "native_hawaiian_or_other_pacific_islander",
            "white",
            "two_or_more_races",
            "hispanic_or_latino",
            "country_of_birth_code",
            "state_of_birth_abbreviation",
            "city_of_birth",
            "public_school_residence_status",
        )
        existing = self.existing(
            StudentDemographics.objects.filter(district=self.district),
            "user__sourced_id",
            names,
            self.keys_of(kind),
        )
        users = self.pk[RecordKind.USERS]
        district_id = self.district.pk

        def values(d: onr.Demographics) -> Values | None:
            user = users.get(d.sourced_id)
            if user is None:
                self.no_person(d, "sourcedId", d.sourced_id)
                return None
            return (
                user,
                _date(d.birth_date),
                _text(d.sex),
                d.american_indian_or_alaska_native,
                d.asian,
                d.black_or_african_american,
                d.native_hawaiian_or_other_pacific_islander,
                d.white,
                d.demographic_race_two_or_more_races,
                d.hispanic_or_latino_ethnicity,
                d.country_of_birth_code,
                d.state_of_birth_abbreviation,
                d.city_of_birth,
                d.public_school_residence_status,
            )

        self.sync(
            "demographics",
            StudentDemographics,
            names,
            self.bundle.demographics,
            existing,
            values,
            lambda key, v: StudentDemographics(district_id=district_id, **v),
        )


# --- entry points --------------------------------------------------------------------------------


def resolve_district(
    bundle: RosterBundle, district: District | None
) -> tuple[onr.Org | None, District | None, list[RosterIssue]]:
    """The exchange's district org, the existing :class:`District` it names (``None`` when
    the import will create it), and any problem with either."""
    issues: list[RosterIssue] = []
    orgs = [o for o in bundle.orgs if o.type is OrgType.DISTRICT]
    for doomed in orgs:
        if doomed.status is Status.TOBEDELETED:
            issues.append(
                RosterIssue(
                    IssueCode.REFERENCE,
                    "an import never deletes a district (ask the Trellis operator)",
                    doomed.FILE,
                    doomed.line,
                    "status",
                    doomed.sourced_id,
                )
            )
    live = [o for o in orgs if o.status is not Status.TOBEDELETED]
    for extra in live[1:]:
        issues.append(
            RosterIssue(
                IssueCode.REFERENCE,
                f"one district per exchange: {live[0].sourced_id!r} (line {live[0].line}) "
                "is already the district",
                extra.FILE,
                extra.line,
                "type",
                extra.sourced_id,
            )
        )
    org: onr.Org | None = live[0] if live else None
    if district is not None:
        if org is not None and org.sourced_id != district.sourced_id:
            issues.append(
                RosterIssue(
                    IssueCode.REFERENCE,
                    f"this file is for the district {org.sourced_id!r} ({org.name}), but you "
                    f"are importing into {district.name} ({district.sourced_id!r})",
                    org.FILE,
                    org.line,
                    "sourcedId",
                    org.sourced_id,
                )
            )
        return org, district, issues
    if org is None:
        if not issues:
            issues.append(
                RosterIssue(
                    IssueCode.REFERENCE,
                    "the exchange has no org of type district: Trellis needs its district "
                    "(or name the district to import into)",
                    RecordKind.ORGS.file_name,
                )
            )
        return None, None, issues
    return org, District.objects.filter(sourced_id=org.sourced_id).first(), issues


_FILE_RANK = {"": -2, "manifest.csv": -1} | {kind.file_name: n for n, kind in enumerate(RecordKind)}


def _issue_order(issue: RosterIssue) -> tuple[int, int]:
    return (_FILE_RANK.get(issue.file, len(_FILE_RANK)), issue.line or 0)


def do_apply_roster_bundle(
    bundle: RosterBundle,
    *,
    district: District | None = None,
    dry_run: bool,
    actor: User | None,
    issues: Sequence[RosterIssue] | None = None,
    include_demographics: bool = False,
    progress: Progress | None = None,
    source_name: str = "",
) -> ApplyReport:
    """Apply ``bundle`` to the database in one transaction (see the module docstring).

    ``district``: the tenant to import into (its sourcedId must match the exchange's district
    org); ``None`` takes the district the exchange names, creating it if new. ``issues``: what
    the caller's parse and validation already found (``None``: validate here, resolving delta
    references against the database). ``dry_run``: do everything, then roll back.
    """
    started = time.monotonic()
    report_progress = progress or _no_progress
    org, target, found = resolve_district(bundle, district)
    if issues is None:
        report_progress("Checking the file", 0, 0)
        found.extend(validate_bundle(bundle, known_ids=database_ids(target)))
    else:
        found.extend(issues)
    common: dict[str, Any] = {
        "dry_run": dry_run,
        "district_name": org.name if org else (target.name if target else ""),
        "district_sourced_id": org.sourced_id if org else (target.sourced_id if target else ""),
        "modes": {
            str(kind): bundle.mode(kind).value
            for kind in RecordKind
            if bundle.mode(kind) is not FileMode.ABSENT
        },
        "ignored_files": bundle.ignored_files,
        "source_name": source_name,
    }
    if found:
        found.sort(key=_issue_order)
        return ApplyReport(
            applied=False, issues=tuple(found), seconds=time.monotonic() - started, **common
        )
    applier: _Applier | None = None
    applied = False
    try:
        with transaction.atomic():
            created_district = target is None
            if target is None:
                if org is None:  # resolve_district reported it already
                    raise _Rollback
                target = District.objects.create(
                    sourced_id=org.sourced_id, name=org.name, identifier=org.identifier
                )
                target._just_created = True  # type: ignore[attr-defined]
            applier = _Applier(bundle, target, org, include_demographics, report_progress)
            if created_district:
                applier.counts["orgs"] = KindCounts(created=1)
            applier.run()
            if applier.issues:
                raise _Rollback
            report_progress("Finishing", applier.total, applier.total)
            if not dry_run:
                record(
                    actor,
                    "roster.import",
                    target,
                    details={
                        "file": source_name,
                        "modes": common["modes"],
                        "counts": {
                            kind: [c.created, c.updated, c.deleted]
                            for kind, c in applier.counts.items()
                            if c.changed
                        },
                        "deactivated": {
                            kind: c.deactivated
                            for kind, c in applier.counts.items()
                            if c.deactivated
                        },
                    },
                )
            if dry_run:
                raise _Rollback
            applied = True
    except _Rollback:
        pass
    except IntegrityError as exc:
        found.append(
            RosterIssue(
                IssueCode.DUPLICATE,
                f"the database refused the import ({exc}); nothing was changed. This usually "
                "means the file clashes with records created by hand in Trellis.",
            )
        )
    if applier is not None and applier.issues:
        found.extend(applier.issues)
    found.sort(key=_issue_order)
    counts = applier.counts if applier is not None else {}
    ordered = {kind: counts[kind] for kind in COUNT_LABELS if kind in counts}
    return ApplyReport(
        applied=applied and not found,
        counts=ordered,
        issues=tuple(found),
        warnings=tuple(applier.warnings) if applier is not None else (),
        seconds=time.monotonic() - started,
        **common,
    )


def do_import_roster_file(
    source: Source,
    *,
    district: District | None = None,
    dry_run: bool,
    actor: User | None,
    include_demographics: bool = False,
    progress: Progress | None = None,
    source_name: str = "",
    fallback_district: District | None = None,
) -> ApplyReport:
    """Read a OneRoster zip (path, bytes or file object), check it and apply it.

    ``fallback_district``: where to import when ``district`` is not given and the exchange
    names no district org (a delta usually leaves ``orgs.csv`` out).

    Every problem of the file — unreadable archive, bad cells, dangling references, including
    delta references checked against the database — comes back in the report; nothing is
    changed unless there are none.
    """
    started = time.monotonic()
    report_progress = progress or _no_progress
    report_progress("Reading the file", 0, 0)
    load = parse_roster(source, include_demographics=include_demographics, validate=False)
    if load.bundle is None:
        return ApplyReport(
            dry_run=dry_run,
            applied=False,
            issues=tuple(sorted(load.issues, key=_issue_order)),
            source_name=source_name,
            seconds=time.monotonic() - started,
        )
    bundle = load.bundle
    if district is None and not any(o.type is OrgType.DISTRICT for o in bundle.orgs):
        district = fallback_district
    _org, target, _problems = resolve_district(bundle, district)
    # Kinds whose file could not be read to the end are not reference-checked: the reading
    # problem already says what is wrong.
    incomplete = load.incomplete
    report_progress("Checking the file", 0, 0)
    issues = [
        *load.issues,
        *validate_bundle(
            bundle,
            known_ids=database_ids(target),
            rejected_ids=load.rejected_ids,
            incomplete=incomplete,
        ),
    ]
    return do_apply_roster_bundle(
        bundle,
        district=district,
        dry_run=dry_run,
        actor=actor,
        issues=issues,
        include_demographics=include_demographics,
        progress=progress,
        source_name=source_name,
    )


# --- export --------------------------------------------------------------------------------------

TRELLIS_TO_ONEROSTER: Mapping[str, RoleName] = {
    Role.STUDENT: RoleName.STUDENT,
    Role.TEACHER: RoleName.TEACHER,
    Role.COACH: RoleName.TEACHER,  # at the district org: how coaches are told apart
    Role.GUARDIAN: RoleName.GUARDIAN,
    Role.SCHOOL_ADMIN: RoleName.PRINCIPAL,
    Role.DISTRICT_ADMIN: RoleName.DISTRICT_ADMINISTRATOR,
}


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


class _Exporter:
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
                _iso(s.start_date),
                _iso(s.end_date),
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
                _iso(begin),
                _iso(end),
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
                _iso(begin),
                _iso(end),
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
                _iso(d.birth_date),
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


def write_roster_export(
    district: District,
    target: Any,
    *,
    actor: User | None,
    include_demographics: bool = False,
) -> dict[str, int]:
    """Write ``district`` as a OneRoster 1.2 bulk zip to ``target`` (a path or a binary file);
    audited as an export. Returns the records written per file.

    What is exported is what Trellis keeps: roster-managed records (those with a sourcedId);
    columns Trellis does not store (userIds, middle names, phone numbers...) are left blank.
    Deactivated people are left out: a bulk file that omits them deactivates them, which they
    already are, so importing the export changes nothing (a fixed point). Exporting them as
    ``tobedeleted`` rows would say the same thing less simply.
    """
    with transaction.atomic():
        exporter = _Exporter(district, include_demographics)
        counts = write_roster_zip(target, exporter.manifest(), exporter.streams())
        record(
            actor,
            "roster.export",
            district,
            details={"files": counts, "demographics": include_demographics},
        )
    return counts


def do_export_roster(
    district: District, actor: User | None, *, include_demographics: bool = False
) -> bytes:
    """The district's roster as the bytes of a OneRoster 1.2 zip (audited as an export)."""
    buffer = io.BytesIO()
    write_roster_export(district, buffer, actor=actor, include_demographics=include_demographics)
    return buffer.getvalue()


def strip_export_noise(bundle: RosterBundle) -> RosterBundle:
    """``bundle`` without what legitimately differs between two exports of the same data
    (``dateLastModified``); used to compare round trips."""
    kinds: dict[str, Any] = {}
    for kind in RecordKind:
        kinds[onr.BUNDLE_ATTRIBUTES[kind]] = tuple(
            replace(record, date_last_modified=None) for record in bundle.records(kind)
        )
    return replace(bundle, **kinds)


__all__ = [
    "ApplyReport",
    "KindCounts",
    "do_apply_roster_bundle",
    "do_export_roster",
    "do_import_roster_file",
    "strip_export_noise",
    "write_roster_export",
]
