"""The state of one roster import, and the machinery every step of it uses.

An import runs as a sequence of steps (:mod:`trellis.roster.actions_import`), one per kind of
record, inside one transaction. Each step is a function of the :class:`ImportRun`, which holds
what the steps share: the bundle, the district, the sourcedId → primary key maps built so
far, the counts, and the problems found (collected, never raised: the caller rolls back when
there are any).

The machinery is made for district scale (hundreds of thousands of people, a million
enrollments): :meth:`ImportRun.existing` loads what exists with one query per kind (or per
:data:`~trellis.roster.import_mapping.LOOKUP_BATCH` ids), :meth:`ImportRun.sync` compares
field by field and writes only the differences with ``bulk_update``/``bulk_create`` in
batches, and :func:`insert_rows` inserts the largest kinds with one prepared statement per
batch (``COPY`` on PostgreSQL). No query per row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, models

from trellis.accounts.models import District, User
from trellis.interop.oneroster import bundle as onr
from trellis.interop.oneroster.bundle import FileMode, OrgType, RecordKind, RosterBundle, Status
from trellis.interop.oneroster.errors import IssueCode, RosterIssue
from trellis.roster.import_mapping import BATCH, LOOKUP_BATCH, chunks
from trellis.roster.import_report import COUNT_LABELS, KindCounts

Progress = Callable[[str, int, int], None]  # (stage, done, total)
Values = tuple[Any, ...]
Existing = dict[str, tuple[int, Values]]
ALL: Any = object()  # "load every row", as opposed to a list of keys


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
        for batch in chunks(rows, 5000):
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


@dataclass(frozen=True)
class Synced:
    created: dict[str, int]  # key -> pk of the rows created
    updated: set[str]  # keys of the rows updated


class ImportRun:
    """One import, inside the caller's transaction. Collects issues instead of raising."""

    def __init__(
        self,
        bundle: RosterBundle,
        district: District,
        district_org: onr.Org | None,
        *,
        created_district: bool,
        include_demographics: bool,
        progress: Progress,
    ) -> None:
        self.bundle = bundle
        self.district = district
        self.district_org = district_org
        self.created_district = created_district
        self.include_demographics = include_demographics
        self.progress = progress
        self.issues: list[RosterIssue] = []
        self.warnings: list[str] = []
        self.counts: dict[str, KindCounts] = {}
        self.pk: dict[RecordKind, dict[str, int]] = {}
        self.deactivated_ids: set[str] = set()  # people off the roster (see load_people)
        self.users_synced = Synced({}, set())  # what the users step created and updated
        self.user_roles: dict[int, str] = {}  # pk -> role of everyone on the roster
        # Orgs of the exchange that are neither the district nor a school.
        self.other_orgs = {
            org.sourced_id
            for org in bundle.orgs
            if org.type not in (OrgType.SCHOOL, OrgType.DISTRICT)
        }
        total = sum(len(bundle.records(kind)) for kind in RecordKind)
        self.total = max(total, 1)
        self.done = 0

    # -- plumbing ----------------------------------------------------------------------------

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
        """``{key: (pk, values)}`` of the rows in ``queryset``: all of them when ``keys`` is
        :data:`ALL`, else those whose ``key`` is one of ``keys``."""
        rows: Existing = {}
        columns = ("pk", key, *names)
        if keys is ALL:
            for row in queryset.values_list(*columns).iterator(chunk_size=5000):
                rows[row[1]] = (row[0], row[2:])
            return rows
        for chunk in chunks(keys, LOOKUP_BATCH):
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
    ) -> Synced:
        """Create and update ``model`` rows so they match the active ``records``.

        New rows are built by ``make`` (model instances for ``bulk_create``; their primary
        keys come back) or, for the kinds that run to hundreds of thousands of rows, by
        ``fast`` = (columns, row builder) for :func:`insert_rows` (no primary keys back: the
        caller reloads its sourcedId → pk map).

        ``existing`` holds the current rows by key (deletions already happened, see
        :func:`~trellis.roster.actions_import_delete.delete_pass`). Returns the keys (and
        primary keys) of the rows created and the keys of those updated.
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
        for changed in chunks(updates, BATCH):
            manager.bulk_update(
                [model(pk=pk, **dict(zip(names, row, strict=True))) for pk, row in changed],
                list(names),
            )
            counts.updated += len(changed)
            self.advance(stage, len(changed))
        created: dict[str, int] = {}
        for fresh in chunks(creates, BATCH):
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
        return Synced(created, updated_keys)

    def keys_of(self, kind: RecordKind) -> Any:
        """What to load from the database: everything in bulk mode, else the file's ids."""
        if self.mode(kind) is FileMode.BULK:
            return ALL
        return [r.sourced_id for r in self.bundle.records(kind)]

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
