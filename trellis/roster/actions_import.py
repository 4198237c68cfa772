"""Importing a OneRoster 1.2 exchange: :func:`do_import_roster_file` for a zip,
:func:`do_apply_roster_bundle` for a bundle already in memory.

The pure part lives in :mod:`trellis.interop.oneroster`: it reads a zip into one canonical
:class:`~trellis.interop.oneroster.bundle.RosterBundle` and checks it, asking the database
(:mod:`trellis.roster.import_queries`) only which district the exchange names and which of the
ids a delta leaves unresolved exist. This module applies a checked bundle to the tenancy and
roster models (how OneRoster maps onto them: :mod:`trellis.roster.import_mapping`), as a
sequence of steps (:func:`_apply_steps`) over one
:class:`~trellis.roster.actions_import_run.ImportRun`: deletions and deactivations first
(``actions_import_delete``), then the district, schools, sessions, courses and classes
(``actions_import_classes``), people and roles (``actions_import_people``), and links,
enrollments and demographics (``actions_import_links``).

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
  username stays theirs; export leaves them out (see
  :func:`trellis.roster.actions_export.write_roster_export`).
* **One audit event** per import (who, which file, the counts) — never one per row.
* **District scale.** Dictionaries of sourcedId → primary key, one query per kind to load what
  exists, ``bulk_create``/``bulk_update`` in batches: no query per row.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from typing import Any

from django.db import IntegrityError, transaction

from trellis.accounts.models import District, School, User
from trellis.audit.actions import record
from trellis.core.limits import import_limits
from trellis.interop.oneroster import bundle as onr
from trellis.interop.oneroster.bundle import FileMode, OrgType, RecordKind, RosterBundle
from trellis.interop.oneroster.errors import IssueCode, RosterIssue
from trellis.interop.oneroster.exchange import DistrictRef, exchange_district, issue_order
from trellis.interop.oneroster.parser import Source, parse_roster
from trellis.interop.oneroster.validation import check_bundle
from trellis.roster import actions_import_classes as places
from trellis.roster import actions_import_links as links
from trellis.roster import actions_import_people as people
from trellis.roster.actions_import_delete import delete_pass
from trellis.roster.actions_import_run import ImportRun, Progress
from trellis.roster.import_mapping import primary_roles_in_file
from trellis.roster.import_queries import district_named, existing_sourced_ids
from trellis.roster.import_report import COUNT_LABELS, ApplyReport, KindCounts
from trellis.roster.models import Class, Course


class _Rollback(Exception):
    """Leaves the import transaction without committing (dry run, or errors found)."""


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


def _apply_steps(run: ImportRun) -> None:
    """Every step of one import, in order (each reads the primary keys the earlier ones
    wrote); stops after the people when they have problems."""
    places.apply_district(run)
    delete_pass(run)
    places.apply_schools(run)
    run.pk[RecordKind.ORGS] = run.id_map(School)
    places.apply_sessions(run)
    run.pk[RecordKind.COURSES] = run.id_map(Course)
    if run.present(RecordKind.COURSES):
        places.apply_courses(run)
    run.pk[RecordKind.CLASSES] = run.id_map(Class)
    if run.present(RecordKind.CLASSES):
        places.apply_classes(run)
    run.load_people()
    roles_by_user = primary_roles_in_file(run.bundle, run.district.sourced_id)
    if run.present(RecordKind.USERS):
        people.apply_users(run, roles_by_user)
    if run.issues:
        return
    if run.present(RecordKind.ROLES):
        people.apply_roles(run)
    if run.present(RecordKind.ROLES) or run.present(RecordKind.USERS):
        people.derive_user_roles(run)
    if run.present(RecordKind.USERS):
        links.apply_guardian_links(run, roles_by_user)
    if run.present(RecordKind.ROLES) or run.present(RecordKind.USERS):
        links.apply_coaching_links(run)
    if run.present(RecordKind.ENROLLMENTS):
        links.apply_enrollments(run)
    if run.include_demographics and run.present(RecordKind.DEMOGRAPHICS):
        links.apply_demographics(run)


def resolve_district(
    bundle: RosterBundle, district: District | None
) -> tuple[onr.Org | None, District | None, list[RosterIssue]]:
    """The exchange's district org, the existing :class:`District` it names (``None`` when
    the import will create it), and any problem with either."""
    into = DistrictRef(district.sourced_id, district.name) if district is not None else None
    org, issues = exchange_district(bundle, into)
    if district is not None or org is None:
        return org, district, issues
    return org, district_named(org.sourced_id), issues


def _check(
    bundle: RosterBundle,
    district: District | None,
    *,
    rejected_ids: Mapping[RecordKind, AbstractSet[str]] | None = None,
    incomplete: AbstractSet[RecordKind] = frozenset(),
) -> list[RosterIssue]:
    """Every cross-record problem of ``bundle``, delta references resolved against the
    database (the ids the check asks about, looked up as plain sets)."""
    check = check_bundle(bundle, rejected_ids=rejected_ids, incomplete=incomplete)
    return check.finish(existing_sourced_ids(district, check.unresolved))


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
        found.extend(_check(bundle, target))
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
        found.sort(key=issue_order)
        return ApplyReport(
            applied=False, issues=tuple(found), seconds=time.monotonic() - started, **common
        )
    run: ImportRun | None = None
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
            run = ImportRun(
                bundle,
                target,
                org,
                created_district=created_district,
                include_demographics=include_demographics,
                progress=report_progress,
            )
            if created_district:
                run.counts["orgs"] = KindCounts(created=1)
            _apply_steps(run)
            if run.issues:
                raise _Rollback
            report_progress("Finishing", run.total, run.total)
            if not dry_run:
                _audit(run, actor, source_name, common["modes"])
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
    if run is not None and run.issues:
        found.extend(run.issues)
    found.sort(key=issue_order)
    counts = run.counts if run is not None else {}
    ordered = {kind: counts[kind] for kind in COUNT_LABELS if kind in counts}
    return ApplyReport(
        applied=applied and not found,
        counts=ordered,
        issues=tuple(found),
        warnings=tuple(run.warnings) if run is not None else (),
        seconds=time.monotonic() - started,
        **common,
    )


def _audit(run: ImportRun, actor: User | None, source_name: str, modes: dict[str, str]) -> None:
    """The import's one audit event: who, which file, and the counts."""
    record(
        actor,
        "roster.import",
        run.district,
        details={
            "file": source_name,
            "modes": modes,
            "counts": {
                kind: [c.created, c.updated, c.deleted]
                for kind, c in run.counts.items()
                if c.changed
            },
            "deactivated": {
                kind: c.deactivated for kind, c in run.counts.items() if c.deactivated
            },
        },
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

    Every problem of the file — unreadable archive, a file over the import limits
    (:func:`trellis.core.limits.import_limits`, checked before any work), bad cells, dangling
    references, including delta references checked against the database — comes back in the
    report; nothing is changed unless there are none.
    """
    started = time.monotonic()
    report_progress = progress or _no_progress
    report_progress("Reading the file", 0, 0)
    load = parse_roster(
        source, include_demographics=include_demographics, validate=False, limits=import_limits()
    )
    if load.bundle is None:
        return ApplyReport(
            dry_run=dry_run,
            applied=False,
            issues=tuple(sorted(load.issues, key=issue_order)),
            source_name=source_name,
            seconds=time.monotonic() - started,
        )
    bundle = load.bundle
    if district is None and not any(o.type is OrgType.DISTRICT for o in bundle.orgs):
        district = fallback_district
    _org, target, _problems = resolve_district(bundle, district)
    # Kinds whose file could not be read to the end are not reference-checked: the reading
    # problem already says what is wrong.
    report_progress("Checking the file", 0, 0)
    issues = [
        *load.issues,
        *_check(bundle, target, rejected_ids=load.rejected_ids, incomplete=load.incomplete),
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
