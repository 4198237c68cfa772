"""Roster import steps for the district, its schools, academic sessions, courses and classes
(with their terms). Each step is a function of the :class:`ImportRun` and runs inside the
import's transaction (:func:`trellis.roster.actions_import.do_apply_roster_bundle`).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from trellis.accounts.models import School
from trellis.interop.oneroster import bundle as onr
from trellis.interop.oneroster.bundle import OrgType, RecordKind, Status
from trellis.interop.oneroster.errors import IssueCode
from trellis.roster.actions_import_run import ImportRun, Values, insert_rows
from trellis.roster.import_mapping import LOOKUP_BATCH, chunks, to_date
from trellis.roster.import_report import KindCounts
from trellis.roster.models import AcademicSession, Class, Course


def apply_district(run: ImportRun) -> None:
    """The district's name and identifier, as its org in the exchange says."""
    counts = run.counts.setdefault("orgs", KindCounts())
    org = run.district_org
    if org is None:
        return
    wanted = (org.name, org.identifier)
    if (run.district.name, run.district.identifier) == wanted:
        if not run.created_district:
            counts.unchanged += 1
        return
    run.district.name, run.district.identifier = wanted
    run.district.save(update_fields=["name", "identifier"])
    counts.updated += 1


def apply_schools(run: ImportRun) -> None:
    if not run.present(RecordKind.ORGS):
        return
    others: dict[str, int] = defaultdict(int)
    schools = []
    for org in run.bundle.orgs:
        if org.type is OrgType.SCHOOL or org.status is Status.TOBEDELETED:
            if org.sourced_id != run.district.sourced_id:
                schools.append(org)
        elif org.type is not OrgType.DISTRICT:
            others[str(org.type)] += 1
    for kind, count in sorted(others.items()):
        run.warnings.append(
            f"{count} org(s) of type {kind} are not stored (Trellis keeps the district "
            "and its schools)."
        )
    names = ("name", "identifier")
    existing = run.existing(
        School.objects.filter(district=run.district),
        "sourced_id",
        names,
        run.keys_of(RecordKind.ORGS),
    )
    district_id = run.district.pk
    run.sync(
        "orgs",
        School,
        names,
        schools,
        existing,
        lambda org: (org.name, org.identifier),
        lambda key, values: School(district_id=district_id, sourced_id=key, **values),
    )


def apply_sessions(run: ImportRun) -> None:
    kind = RecordKind.ACADEMIC_SESSIONS
    run.pk[kind] = run.id_map(AcademicSession)
    if not run.present(kind):
        return
    records = run.bundle.academic_sessions
    names = ("title", "type", "start_date", "end_date", "school_year", "parent_id")
    existing = run.existing(
        AcademicSession.objects.filter(district=run.district),
        "sourced_id",
        names,
        run.keys_of(kind),
    )
    district_id = run.district.pk
    ids = run.pk[kind]

    def values(s: onr.AcademicSession) -> Values | None:
        parent = ids.get(s.parent_sourced_id) if s.parent_sourced_id else None
        if s.parent_sourced_id and parent is None:
            run.issue(
                s,
                "parentSourcedId",
                f"{s.parent_sourced_id!r} names no academic session of this district",
                IssueCode.REFERENCE,
            )
            return None
        return (
            s.title,
            str(s.type),
            to_date(s.start_date),
            to_date(s.end_date),
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
        synced = run.sync(
            "academicSessions",
            AcademicSession,
            names,
            levels[level],
            existing,
            values,
            make,
        )
        ids.update(synced.created)
    run.pk[kind] = run.id_map(AcademicSession)


def apply_courses(run: ImportRun) -> None:
    kind = RecordKind.COURSES
    names = ("title", "course_code", "grades", "subjects", "school_year_id", "school_id")
    existing = run.existing(
        Course.objects.filter(district=run.district),
        "sourced_id",
        names,
        run.keys_of(kind),
    )
    sessions = run.pk[RecordKind.ACADEMIC_SESSIONS]
    district_id = run.district.pk

    def values(c: onr.Course) -> Values | None:
        year = None
        if c.school_year_sourced_id:
            year = sessions.get(c.school_year_sourced_id)
            if year is None:
                run.issue(
                    c,
                    "schoolYearSourcedId",
                    f"{c.school_year_sourced_id!r} names no academic session",
                    IssueCode.REFERENCE,
                )
                return None
        school = run.org_school(c, "orgSourcedId", c.org_sourced_id)
        if school is False:
            return None
        return (c.title, c.course_code, list(c.grades), list(c.subjects), year, school)

    synced = run.sync(
        "courses",
        Course,
        names,
        run.bundle.courses,
        existing,
        values,
        lambda key, v: Course(district_id=district_id, sourced_id=key, **v),
    )
    run.pk[kind] = (
        run.id_map(Course)
        if run.counts["courses"].deleted
        else {
            **run.pk[kind],
            **synced.created,
        }
    )


def apply_classes(run: ImportRun) -> None:
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
    existing = run.existing(
        Class.objects.filter(district=run.district),
        "sourced_id",
        names,
        run.keys_of(kind),
    )
    courses = run.pk[RecordKind.COURSES]
    sessions = run.pk[RecordKind.ACADEMIC_SESSIONS]
    district_id = run.district.pk
    wanted_terms: dict[str, set[int]] = {}

    def values(c: onr.RosterClass) -> Values | None:
        school = run.org_school(c, "schoolSourcedId", c.school_sourced_id)
        course = courses.get(c.course_sourced_id)
        ok = True
        if school is None or school is False:
            if school is None:
                run.issue(
                    c,
                    "schoolSourcedId",
                    f"{c.school_sourced_id!r} is not a school of this district",
                    IssueCode.REFERENCE,
                )
            ok = False
        if course is None:
            run.issue(
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
                run.issue(
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

    synced = run.sync(
        "classes",
        Class,
        names,
        run.bundle.classes,
        existing,
        values,
        fast=(
            ("district_id", "sourced_id", *names),
            lambda key, v: (district_id, key, *v),
        ),
    )
    if synced.created:
        run.pk[kind] = run.id_map(Class)
    ids = run.pk[kind]
    # Terms: compare the sets, write only the differences.
    through = Class.terms.through
    class_pks = {ids[key]: key for key in wanted_terms}
    current: dict[int, set[int]] = defaultdict(set)
    for chunk in chunks(list(class_pks), LOOKUP_BATCH):
        for class_id, session_id in through.objects.filter(class_id__in=chunk).values_list(
            "class_id", "academicsession_id"
        ):
            current[class_id].add(session_id)
    additions: list[Any] = []
    removals: dict[int, list[int]] = defaultdict(list)
    counts = run.counts["classes"]
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
