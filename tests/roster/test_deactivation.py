"""People a roster no longer lists are deactivated, not deleted: they keep their learning
history, cannot sign in, come back as the same row when a later file lists them again, and
are counted as *deactivated* (once) in the report, the upload page and the command line."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from trellis.accounts.models import (
    CoachingLink,
    District,
    GuardianLink,
    Role,
    RoleAssignment,
    User,
)
from trellis.accounts.permissions import staff_visible_to, students_visible_to
from trellis.audit.models import AuditEvent
from trellis.cli import main
from trellis.frameworks.models import Framework, Standard
from trellis.interop.oneroster.bundle import (
    FileMode,
    Manifest,
    RecordKind,
    RosterBundle,
    Status,
)
from trellis.interop.oneroster.parser import parse_roster
from trellis.interop.oneroster.writer import bundle_to_bytes
from trellis.learning.actions import do_record_evidence
from trellis.learning.models import EvidenceEvent, MasteryState
from trellis.roster.actions import do_create_learner_group
from trellis.roster.actions_export import do_export_roster
from trellis.roster.actions_import import do_apply_roster_bundle
from trellis.roster.models import Enrollment, RosterImportJob

pytestmark = pytest.mark.django_db

MODIFIED = "2025-09-01T08:00:00.000Z"
STUDENT = "stu-000001"
PASSWORD = "pw-learning-1234"


def apply(bundle: RosterBundle, **kwargs: object):  # type: ignore[no-untyped-def]
    options = {"dry_run": False, "actor": None, **kwargs}
    return do_apply_roster_bundle(bundle, **options)  # type: ignore[arg-type]


def without(bundle: RosterBundle, *sourced_ids: str) -> RosterBundle:
    """``bundle`` as the SIS exports it once these people have left: no row of theirs."""
    gone = set(sourced_ids)
    return replace(
        bundle,
        users=tuple(
            replace(u, agent_sourced_ids=tuple(a for a in u.agent_sourced_ids if a not in gone))
            for u in bundle.users
            if u.sourced_id not in gone
        ),
        roles=tuple(r for r in bundle.roles if r.user_sourced_id not in gone),
        enrollments=tuple(e for e in bundle.enrollments if e.user_sourced_id not in gone),
    )


def delta(**files: tuple) -> RosterBundle:  # type: ignore[type-arg]
    modes = {str(kind): FileMode.DELTA for kind in RecordKind if kind.value in files}
    return RosterBundle(manifest=Manifest(file_modes=modes), **files)  # type: ignore[arg-type]


def learn(student: User) -> int:
    """Give ``student`` some learning history through the real action; returns its events."""
    assert student.district is not None
    framework = Framework.objects.create(
        district=student.district, identifier="fw-deact", title="Expressions"
    )
    standard = Standard.objects.create(
        framework=framework, identifier="deact-6.EE.A.1", code="6.EE.A.1", statement="Write"
    )
    start = dt.datetime(2026, 9, 1, 9, 0, tzinfo=dt.UTC)
    for n, correct in enumerate((True, False, True)):
        do_record_evidence(
            student,
            kind="practice",
            standards=[standard],
            idempotency_key=f"deact-{n}",
            correct=correct,
            occurred_at=start + dt.timedelta(minutes=n),
        )
    return 3


@pytest.fixture
def imported(small_bundle: RosterBundle) -> User:
    """The small district imported; its first student has a password and a history."""
    report = apply(small_bundle)
    assert report.ok, report.issues
    student = User.objects.get(sourced_id=STUDENT)
    student.set_password(PASSWORD)
    student.save(update_fields=["password"])
    learn(student)
    return student


def test_a_bulk_file_that_omits_a_student_deactivates_them_and_keeps_their_history(
    small_bundle: RosterBundle, imported: User
) -> None:
    student = imported
    assert Client().login(username=student.username, password=PASSWORD)
    signed_in = Client()
    signed_in.force_login(student)
    evidence = EvidenceEvent.objects.filter(student=student).count()
    mastery = MasteryState.objects.filter(student=student).count()
    audit = AuditEvent.objects.filter(actor=student).count()
    assert evidence == 3 and mastery >= 1 and audit >= 3
    enrolled = Enrollment.objects.filter(user=student).count()
    assert enrolled and GuardianLink.objects.filter(student=student).exists()
    klass = Enrollment.objects.filter(user=student).first().klass  # type: ignore[union-attr]
    group = do_create_learner_group(klass, "Table 1", [student])

    report = apply(without(small_bundle, STUDENT))

    assert report.ok and report.applied, report.issues
    users = report.counts["users"]
    assert (users.deactivated, users.deleted, users.created) == (1, 0, 0)
    assert report.counts["enrollments"].deleted == enrolled
    assert report.deactivated == 1 and "were deactivated" in report.deactivation_note
    kept = User.objects.get(pk=student.pk)  # the same row
    assert not kept.is_active and kept.deactivated_at is not None
    assert kept.role == Role.STUDENT and kept.school is None
    assert kept.username == student.username
    # history stays: evidence, mastery, the audit trail
    assert EvidenceEvent.objects.filter(student=kept).count() == evidence
    assert MasteryState.objects.filter(student=kept).count() == mastery
    assert AuditEvent.objects.filter(actor=kept).count() == audit
    # relationships go
    assert not Enrollment.objects.filter(user=kept).exists()
    assert not RoleAssignment.objects.filter(user=kept).exists()
    assert not GuardianLink.objects.filter(student=kept).exists()
    assert not group.members.filter(pk=kept.pk).exists()
    # they can no longer sign in, and a session they had is no longer theirs
    assert not Client().login(username=student.username, password=PASSWORD)
    response = signed_in.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    # the import's audit event says so
    event = AuditEvent.objects.filter(action="roster.import").latest("at")
    assert event.details["deactivated"] == {"users": 1}


def test_a_delta_tobedeleted_person_is_deactivated_once(
    small_bundle: RosterBundle, imported: User
) -> None:
    district = District.objects.get()
    row = next(u for u in small_bundle.users if u.sourced_id == STUDENT)
    leaving = delta(users=(replace(row, status=Status.TOBEDELETED, date_last_modified=MODIFIED),))
    enrolled = Enrollment.objects.filter(user=imported).count()

    report = apply(leaving, district=district)

    assert report.ok, report.issues
    assert report.counts["users"].deactivated == 1 and report.counts["users"].deleted == 0
    # the delta said nothing about enrollments: they go with the person, counted
    assert report.counts["enrollments"].deleted == enrolled
    kept = User.objects.get(pk=imported.pk)
    assert not kept.is_active and EvidenceEvent.objects.filter(student=kept).count() == 3
    assert User.objects.count() == len(small_bundle.users)  # nobody deleted
    # a retry of the same delta is not counted again
    again = apply(leaving, district=district)
    assert again.ok and not again.changed, again.counts
    assert again.counts["users"].deactivated == 0 and again.counts["users"].unchanged == 1
    assert again.headline.startswith("No changes")


def test_listing_a_deactivated_person_again_reactivates_the_same_row(
    small_bundle: RosterBundle, imported: User
) -> None:
    enrolled = set(Enrollment.objects.filter(user=imported).values_list("sourced_id", flat=True))
    school = imported.school_id
    apply(without(small_bundle, STUDENT))

    report = apply(small_bundle)

    assert report.ok, report.issues
    users = report.counts["users"]
    assert (users.created, users.updated, users.deactivated) == (0, 1, 0)
    assert any("reactivated" in warning for warning in report.warnings)
    back = User.objects.get(sourced_id=STUDENT)
    assert back.pk == imported.pk
    assert back.is_active and back.deactivated_at is None and back.school_id == school
    assert back.role == Role.STUDENT
    assert set(Enrollment.objects.filter(user=back).values_list("sourced_id", flat=True)) == (
        enrolled
    )
    assert Client().login(username=back.username, password=PASSWORD)
    # their history is visible again to the people who see them
    admin = User.objects.get(username="districtadmin")
    guardian = GuardianLink.objects.get(student=back).guardian
    assert students_visible_to(admin).filter(pk=back.pk).exists()
    assert students_visible_to(guardian).filter(pk=back.pk).exists()
    assert EvidenceEvent.objects.filter(student=back).count() == 3
    assert not apply(small_bundle).changed


def test_a_dry_run_reports_the_deactivations_and_changes_nothing(
    small_bundle: RosterBundle, imported: User
) -> None:
    smaller = without(small_bundle, STUDENT)

    dry = apply(smaller, dry_run=True)

    assert dry.ok and not dry.applied and dry.changed
    assert dry.counts["users"].deactivated == 1
    assert "1 person will be deactivated" in dry.deactivation_note
    assert "learning history is kept" in dry.deactivation_note
    counts = dry.as_dict()["counts"]["users"]
    assert set(counts) == {"created", "updated", "deleted", "unchanged", "deactivated"}
    assert counts["deactivated"] == 1 and counts["deleted"] == 0
    assert "deactivated" in dry.table()
    still = User.objects.get(pk=imported.pk)
    assert still.is_active and still.deactivated_at is None
    assert Enrollment.objects.filter(user=still).exists()
    real = apply(smaller)
    assert {k: vars(c) for k, c in dry.counts.items()} == {
        k: vars(c) for k, c in real.counts.items()
    }


def test_importing_the_smaller_file_again_changes_nothing(
    small_bundle: RosterBundle, imported: User
) -> None:
    smaller = without(small_bundle, STUDENT, "stu-000002")
    first = apply(smaller)
    assert first.counts["users"].deactivated == 2

    again = apply(smaller)

    assert again.ok and not again.changed, again.counts
    assert again.counts["users"].deactivated == 0
    assert again.headline.startswith("No changes")
    assert again.deactivation_note == ""


def test_a_username_kept_by_a_deactivated_person_is_a_clear_problem(
    small_bundle: RosterBundle, imported: User
) -> None:
    smaller = without(small_bundle, STUDENT)
    newcomer = replace(
        next(u for u in smaller.users if u.sourced_id == "stu-000002"),
        sourced_id="stu-new",
        username=imported.username,
        line=999,
        agent_sourced_ids=(),
    )
    taking = replace(smaller, users=(*smaller.users, newcomer))
    # in the very import that deactivates the holder, and in a later one
    for bundle in (taking, None):
        if bundle is None:
            assert apply(smaller).ok
            bundle = taking
        report = apply(bundle)
        assert not report.ok and not report.applied
        [issue] = report.issues
        assert (issue.file, issue.line, issue.column) == ("users.csv", 999, "username")
        assert STUDENT in issue.message and "deactivated" in issue.message
        assert imported.username in issue.message
        assert "refused" not in issue.message  # not the IntegrityError fallback
        assert not User.objects.filter(sourced_id="stu-new").exists()
    assert User.objects.get(pk=imported.pk).deactivated_at is not None


def test_a_delta_reference_to_a_deactivated_person_says_so(
    small_bundle: RosterBundle, imported: User
) -> None:
    apply(without(small_bundle, STUDENT))
    enrollment = next(e for e in small_bundle.enrollments if e.user_sourced_id == STUDENT)
    report = apply(
        delta(enrollments=(replace(enrollment, date_last_modified=MODIFIED),)),
        district=District.objects.get(),
    )
    assert not report.ok
    [issue] = report.issues
    assert (issue.file, issue.column) == ("enrollments.csv", "userSourcedId")
    assert "deactivated" in issue.message and "users.csv" in issue.message


def test_export_leaves_deactivated_people_out_and_round_trips(
    small_bundle: RosterBundle, imported: User
) -> None:
    apply(without(small_bundle, STUDENT))
    district = District.objects.get()

    first = do_export_roster(district, None)

    load = parse_roster(first)
    assert load.ok and load.bundle is not None
    exported = load.bundle
    assert STUDENT not in {u.sourced_id for u in exported.users}
    assert all(e.user_sourced_id != STUDENT for e in exported.enrollments)
    assert all(STUDENT not in u.agent_sourced_ids for u in exported.users)
    report = apply(exported)
    assert report.ok and not report.changed, report.counts  # a fixed point
    second = parse_roster(do_export_roster(district, None))
    assert second.bundle is not None
    assert len(second.bundle.users) == len(exported.users)
    assert User.objects.get(pk=imported.pk).deactivated_at is not None


def test_lists_of_people_leave_deactivated_people_out(
    small_bundle: RosterBundle, imported: User
) -> None:
    teacher_row = next(u for u in small_bundle.users if u.sourced_id.startswith("tch-"))
    teacher = User.objects.get(sourced_id=teacher_row.sourced_id)
    admin = User.objects.get(username="districtadmin")
    principal = User.objects.get(username="principal1")
    guardian = GuardianLink.objects.get(student=imported).guardian
    assert students_visible_to(principal).filter(pk=imported.pk).exists()
    assert staff_visible_to(principal).filter(pk=teacher.pk).exists()
    assert CoachingLink.objects.filter(teacher=teacher).exists()

    report = apply(without(small_bundle, STUDENT, teacher_row.sourced_id))

    assert report.ok and report.counts["users"].deactivated == 2, report.issues
    for viewer in (admin, principal, guardian):
        assert not students_visible_to(viewer).filter(pk=imported.pk).exists()
    for viewer in (admin, principal):
        assert not staff_visible_to(viewer).filter(pk=teacher.pk).exists()
    assert not CoachingLink.objects.filter(teacher=teacher).exists()
    assert User.objects.get(pk=teacher.pk).role == Role.TEACHER  # kept, for their history
    # the rest of the district is still there
    assert students_visible_to(admin).count() == sum(
        1 for u in small_bundle.users if u.sourced_id.startswith("stu-")
    ) - 1


def test_deactivating_stays_batched(small_bundle: RosterBundle, imported: User) -> None:
    """As many queries to deactivate one person as twenty: none per person."""
    students = [u.sourced_id for u in small_bundle.users if u.sourced_id.startswith("stu-")]
    queries = []
    for leaving in (students[:1], students[:20]):
        with CaptureQueriesContext(connection) as captured:
            report = apply(without(small_bundle, *leaving), dry_run=True)
        assert report.ok and report.counts["users"].deactivated == len(leaving)
        queries.append(len(captured.captured_queries))
    assert queries[0] == queries[1], queries


def test_the_cli_and_the_upload_page_say_people_will_be_deactivated(
    small_bundle: RosterBundle,
    imported: User,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    settings: Any,
) -> None:
    source = tmp_path / "smaller.zip"
    source.write_bytes(bundle_to_bytes(without(small_bundle, STUDENT)))
    assert main(["roster", "import", str(source), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "deactivated" in out.splitlines()[2]  # the table's header
    assert "1 person will be deactivated" in out and "learning history is kept" in out

    settings.MEDIA_ROOT = tmp_path / "media"
    client = Client()
    client.force_login(User.objects.get(username="districtadmin"))
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.post(
        "/roster/import/",
        {"file": SimpleUploadedFile("smaller.zip", source.read_bytes(), "application/zip")},
    )
    job = RosterImportJob.objects.latest("pk")
    assert job.report["counts"]["users"]["deactivated"] == 1
    page = client.get(f"/roster/import/{job.pk}/").content.decode()
    assert "1 person will be deactivated" in page and "learning history is kept" in page
    assert "To deactivate" in page and "Apply these changes" in page
    client.post(f"/roster/import/{job.pk}/apply/")
    applied = RosterImportJob.objects.latest("pk")
    page = client.get(f"/roster/import/{applied.pk}/").content.decode()
    assert "1 person was deactivated" in page
    assert not User.objects.get(pk=imported.pk).is_active


def test_district_admins_find_people_off_the_roster_and_their_kept_history(
    small_bundle: RosterBundle, imported: User
) -> None:
    admin = User.objects.get(username="districtadmin")
    client = Client()
    client.force_login(admin)
    page = client.get("/roster/import/").content.decode()
    assert "Nobody yet" in page
    assert "Everyone Trellis knows is on your roster" in client.get(
        "/roster/former/").content.decode()

    report = apply(without(small_bundle, STUDENT))
    assert report.ok and report.counts["users"].deactivated == 1

    assert "1 person is no longer listed" in client.get("/roster/import/").content.decode()
    listing = client.get("/roster/former/").content.decode()
    assert imported.display_name in listing and STUDENT in listing
    assert f'/roster/former/{imported.pk}/' in listing
    assert "<td class=\"num\">3</td>" in listing  # the three answers `learn` recorded
    # search and the role filter narrow the list; a miss says so in words
    assert STUDENT in client.get("/roster/former/", {"q": "stu-000001"}).content.decode()
    assert STUDENT not in client.get("/roster/former/", {"role": "staff"}).content.decode()
    miss = client.get("/roster/former/", {"q": "nobody-like-this"}).content.decode()
    assert "Nobody off the roster matches" in miss

    detail = client.get(f"/roster/former/{imported.pk}/").content.decode()
    assert "Learning history kept" in detail
    assert "3 pieces of evidence" in detail and "6.EE.A.1" in detail
    assert "list the same sourcedId" in detail
    assert f"that {imported.short_name} knows the standard" in detail  # the rule, named

    # an active student is not "off the roster": the page does not exist for them
    active = students_visible_to(admin).first()
    assert active is not None
    assert client.get(f"/roster/former/{active.pk}/").status_code == 404
    # listed again, they leave the list and come back as themselves
    assert apply(small_bundle).ok
    assert client.get(f"/roster/former/{imported.pk}/").status_code == 404
    assert students_visible_to(admin).filter(pk=imported.pk).exists()


def test_only_their_own_districts_admins_see_people_off_the_roster(
    small_bundle: RosterBundle, imported: User
) -> None:
    assert apply(without(small_bundle, STUDENT)).ok
    principal = User.objects.get(username="principal1")
    other_admin = User.objects.create(
        username="admin-elsewhere", role=Role.DISTRICT_ADMIN,
        district=District.objects.create(name="Elsewhere", sourced_id="elsewhere"))
    for viewer in (principal, other_admin):
        client = Client()
        client.force_login(viewer)
        assert client.get(f"/roster/former/{imported.pk}/").status_code == 404
    client = Client()
    client.force_login(other_admin)
    assert STUDENT not in client.get("/roster/former/").content.decode()
