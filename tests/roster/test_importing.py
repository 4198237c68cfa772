"""Applying OneRoster bundles to the database: counts, idempotence, bulk and delta modes,
dry runs, all-or-nothing errors with their file/line/column, and the export round trip."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace

import pytest

from trellis.accounts.models import (
    CoachingLink,
    District,
    GuardianLink,
    Role,
    RoleAssignment,
    User,
)
from trellis.audit.models import AuditEvent
from trellis.interop.oneroster.bundle import (
    FileMode,
    Manifest,
    RecordKind,
    RosterBundle,
    Status,
)
from trellis.interop.oneroster.generator import generate_district
from trellis.interop.oneroster.parser import parse_roster
from trellis.interop.oneroster.writer import bundle_to_bytes, strip_export_noise
from trellis.roster.actions_export import do_export_roster
from trellis.roster.actions_import import do_apply_roster_bundle, do_import_roster_file
from trellis.roster.models import Class, Enrollment, StudentDemographics

pytestmark = pytest.mark.django_db

MODIFIED = "2025-09-01T08:00:00.000Z"


def apply(bundle: RosterBundle, **kwargs: object):  # type: ignore[no-untyped-def]
    options = {"dry_run": False, "actor": None, **kwargs}
    return do_apply_roster_bundle(bundle, **options)  # type: ignore[arg-type]


def delta(**files: tuple) -> RosterBundle:  # type: ignore[type-arg]
    """A bundle whose listed files are deltas."""
    modes = {str(kind): FileMode.DELTA for kind in RecordKind if kind.value in files}
    return RosterBundle(manifest=Manifest(file_modes=modes), **files)  # type: ignore[arg-type]


def test_import_creates_the_district_as_the_file_says(small_bundle: RosterBundle) -> None:
    report = apply(small_bundle, source_name="district.zip")
    assert report.ok and report.applied, report.issues
    counts = report.counts
    assert counts["orgs"].created == 3  # the district and two schools
    assert counts["users"].created == len(small_bundle.users)
    assert counts["enrollments"].created == len(small_bundle.enrollments)
    assert counts["classes"].created == len(small_bundle.classes)
    district = District.objects.get(sourced_id="org-district")
    assert User.objects.filter(district=district).count() == len(small_bundle.users)
    assert Enrollment.objects.filter(district=district).count() == len(small_bundle.enrollments)
    # roles: the primary role decides; teachers at the district org are coaches
    assert User.objects.get(username="districtadmin").role == Role.DISTRICT_ADMIN
    assert User.objects.get(username="principal1").role == Role.SCHOOL_ADMIN
    assert User.objects.get(username="siteadmin1").role == Role.SCHOOL_ADMIN
    assert User.objects.get(username="teacher1").role == Role.TEACHER
    coach = User.objects.get(username="coach1")
    assert coach.role == Role.COACH
    assert CoachingLink.objects.filter(coach=coach).count() == 6  # every teacher it supports
    student = User.objects.get(username="student1")
    assert student.role == Role.STUDENT and student.school is not None and student.grade
    guardians = [u for u in small_bundle.users if u.sourced_id.startswith("grd-")]
    assert GuardianLink.objects.filter(district=district).count() == len(guardians)
    assert {link.relationship for link in GuardianLink.objects.all()} <= {"parent", "guardian"}
    assert not student.has_usable_password()
    # one audit event for the whole import, with the counts
    events = AuditEvent.objects.filter(action="roster.import")
    assert events.count() == 1
    assert events.get().details["file"] == "district.zip"
    klass = Class.objects.filter(district=district).first()
    assert klass is not None and klass.terms.count() == 2


def test_reimporting_the_same_file_changes_nothing(small_bundle: RosterBundle) -> None:
    apply(small_bundle)
    again = apply(small_bundle)
    assert again.ok and not again.changed
    assert again.headline.startswith("No changes")
    assert again.counts["users"].unchanged == len(small_bundle.users)
    assert again.counts["enrollments"].unchanged == len(small_bundle.enrollments)


def test_a_dry_run_reports_the_same_counts_and_changes_nothing(
    small_bundle: RosterBundle,
) -> None:
    dry = apply(small_bundle, dry_run=True)
    assert dry.ok and not dry.applied and dry.changed
    assert not District.objects.exists() and not User.objects.exists()
    assert not AuditEvent.objects.filter(action="roster.import").exists()
    real = apply(small_bundle)
    assert {k: vars(c) for k, c in dry.counts.items()} == {
        k: vars(c) for k, c in real.counts.items()
    }


def test_bulk_removes_what_the_file_no_longer_has(small_bundle: RosterBundle) -> None:
    apply(small_bundle)
    manual = User.objects.create(username="hand-made", district=District.objects.get())
    dropped_student = next(u for u in small_bundle.users if u.sourced_id.startswith("stu-"))
    smaller = replace(
        small_bundle,
        users=tuple(
            replace(
                u,
                agent_sourced_ids=tuple(
                    a for a in u.agent_sourced_ids if a != dropped_student.sourced_id
                ),
            )
            for u in small_bundle.users
            if u is not dropped_student
        ),
        roles=tuple(
            r for r in small_bundle.roles if r.user_sourced_id != dropped_student.sourced_id
        ),
        enrollments=tuple(
            e for e in small_bundle.enrollments if e.user_sourced_id != dropped_student.sourced_id
        ),
    )
    report = apply(smaller)
    assert report.ok, report.issues
    # people are deactivated, not deleted (tests/roster/test_deactivation.py has the rest)
    assert report.counts["users"].deleted == 0
    assert report.counts["users"].deactivated == 1
    assert report.counts["roles"].deleted == 1
    removed = len(small_bundle.enrollments) - len(smaller.enrollments)
    assert report.counts["enrollments"].deleted == removed
    dropped = User.objects.get(sourced_id=dropped_student.sourced_id)
    assert not dropped.is_active and dropped.deactivated_at is not None
    assert not Enrollment.objects.filter(user=dropped).exists()
    assert not RoleAssignment.objects.filter(user=dropped).exists()
    assert not GuardianLink.objects.filter(student=dropped).exists()
    assert User.objects.filter(pk=manual.pk).exists()  # not roster-managed: left alone
    assert User.objects.get(pk=manual.pk).is_active


def test_a_delta_updates_creates_and_deletes(small_bundle: RosterBundle) -> None:
    apply(small_bundle)
    student = next(u for u in small_bundle.users if u.sourced_id == "stu-000001")
    renamed = replace(student, family_name="Renamed", date_last_modified=MODIFIED)
    enrollment = next(e for e in small_bundle.enrollments if e.user_sourced_id == "stu-000001")
    gone = replace(enrollment, status=Status.TOBEDELETED, date_last_modified=MODIFIED)
    report = apply(delta(users=(renamed,), enrollments=(gone,)), district=District.objects.get())
    assert report.ok, report.issues
    assert report.counts["users"].updated == 1
    assert report.counts["enrollments"].deleted == 1
    assert User.objects.get(sourced_id="stu-000001").last_name == "Renamed"
    assert not Enrollment.objects.filter(sourced_id=enrollment.sourced_id).exists()
    # the rest is untouched: a delta is not a bulk replacement
    assert User.objects.count() == len(small_bundle.users)
    # guardian links of the updated student are kept
    assert GuardianLink.objects.filter(student__sourced_id="stu-000001").exists()


def test_a_delta_reference_to_a_record_already_in_the_database_is_valid(
    small_bundle: RosterBundle,
) -> None:
    apply(small_bundle)
    enrollment = next(e for e in small_bundle.enrollments if e.user_sourced_id == "stu-000002")
    moved = replace(
        enrollment, sourced_id="enr-new", status=Status.ACTIVE, date_last_modified=MODIFIED
    )
    other_class = next(
        c
        for c in small_bundle.classes
        if c.school_sourced_id == enrollment.school_sourced_id
        and c.sourced_id != enrollment.class_sourced_id
        and not any(
            e.class_sourced_id == c.sourced_id and e.user_sourced_id == "stu-000002"
            for e in small_bundle.enrollments
        )
    )
    moved = replace(moved, class_sourced_id=other_class.sourced_id)
    report = apply(delta(enrollments=(moved,)), district=District.objects.get())
    assert report.ok, report.issues
    assert report.counts["enrollments"].created == 1
    dangling = replace(moved, sourced_id="enr-bad", class_sourced_id="cls-nowhere")
    report = apply(delta(enrollments=(dangling,)), district=District.objects.get())
    assert not report.ok and not report.applied
    issue = report.issues[0]
    assert (issue.file, issue.column) == ("enrollments.csv", "classSourcedId")


def test_errors_name_file_line_column_and_change_nothing(small_bundle: RosterBundle) -> None:
    broken_class = replace(small_bundle.classes[3], course_sourced_id="crs-missing", line=5)
    broken = replace(
        small_bundle,
        classes=(*small_bundle.classes[:3], broken_class, *small_bundle.classes[4:]),
    )
    report = apply(broken)
    assert not report.ok and not report.applied
    assert any(
        (i.file, i.line, i.column) == ("classes.csv", 5, "courseSourcedId") for i in report.issues
    )
    assert not District.objects.exists() and not User.objects.exists()
    assert "nothing was changed" in report.headline


def test_a_malformed_zip_is_reported_and_changes_nothing() -> None:
    data = bundle_to_bytes(generate_district(students=25, teachers=3, schools=1, seed=1))
    truncated = data[: len(data) // 2]
    report = do_import_roster_file(truncated, dry_run=False, actor=None)
    assert not report.ok and report.issues[0].code == "archive"
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as target:
        for name in source.namelist():
            text = source.read(name).decode()
            if name == "users.csv":
                text = text.replace(",true,", ",maybe,", 1)
            target.writestr(name, text)
    report = do_import_roster_file(buffer.getvalue(), dry_run=False, actor=None)
    assert not report.ok
    assert [(i.file, i.line, i.column) for i in report.issues] == [("users.csv", 2, "enabledUser")]
    assert not User.objects.exists()


def test_usernames_are_unique_across_districts(small_bundle: RosterBundle) -> None:
    apply(small_bundle)
    other = generate_district(
        students=25, teachers=3, schools=1, seed=9, district_name="Other (demo)"
    )
    other = replace(
        other,
        orgs=tuple(
            replace(o, sourced_id="org-other")
            if o.sourced_id == "org-district"
            else replace(o, parent_sourced_id="org-other")
            for o in other.orgs
        ),
        courses=tuple(replace(c, org_sourced_id="org-other") for c in other.courses),
        users=tuple(
            replace(u, primary_org_sourced_id="org-other")
            if u.primary_org_sourced_id == "org-district"
            else u
            for u in other.users
        ),
        roles=tuple(
            replace(r, org_sourced_id="org-other") if r.org_sourced_id == "org-district" else r
            for r in other.roles
        ),
    )
    report = apply(other)
    assert not report.ok
    assert {i.column for i in report.issues} == {"username"}
    assert any("student1" in i.message for i in report.issues)
    assert District.objects.count() == 1


def test_a_file_for_another_district_is_refused(small_bundle: RosterBundle) -> None:
    district = District.objects.create(name="Elsewhere", sourced_id="dist-elsewhere")
    report = apply(small_bundle, district=district)
    assert not report.ok
    assert report.issues[0].file == "orgs.csv" and "Elsewhere" in report.issues[0].message


def test_demographics_only_on_opt_in() -> None:
    bundle = generate_district(students=25, teachers=3, schools=1, seed=2, demographics=True)
    data = bundle_to_bytes(bundle)
    report = do_import_roster_file(data, dry_run=False, actor=None)
    assert report.ok and "demographics" not in report.counts
    assert not StudentDemographics.objects.exists()
    report = do_import_roster_file(data, dry_run=False, actor=None, include_demographics=True)
    assert report.ok and report.counts["demographics"].created == 25
    assert StudentDemographics.objects.count() == 25


def test_export_then_import_is_lossless(small_bundle: RosterBundle) -> None:
    apply(small_bundle)
    district = District.objects.get()
    first = do_export_roster(district, None)
    assert AuditEvent.objects.filter(action="roster.export").count() == 1
    # importing the export into the same database changes nothing
    report = do_import_roster_file(first, dry_run=False, actor=None)
    assert report.ok and not report.changed, (report.issues, report.counts)
    # into an empty database, it rebuilds the same district: exporting again gives the same
    User.objects.filter(district=district).delete()
    district.delete()
    report = do_import_roster_file(first, dry_run=False, actor=None)
    assert report.ok and report.applied
    second = do_export_roster(District.objects.get(), None)
    one, two = parse_roster(first), parse_roster(second)
    assert one.ok and two.ok
    assert one.bundle is not None and two.bundle is not None
    assert strip_export_noise(one.bundle) == strip_export_noise(two.bundle)
    assert len(one.bundle.enrollments) == len(small_bundle.enrollments)
    assert len(one.bundle.users) == len(small_bundle.users)
    assert RoleAssignment.objects.filter(role=Role.COACH).count() == 1
