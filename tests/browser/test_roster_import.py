"""A district administrator checks a OneRoster zip, reads the dry-run report, applies it and
sees the counts; a malformed file shows its problems and changes nothing."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, sign_in
from tests.world import PASSWORD
from trellis.accounts.actions import do_create_district, do_create_user
from trellis.accounts.models import Role, User
from trellis.frameworks.models import Framework, Standard
from trellis.interop.oneroster.generator import (
    DISTRICT_ID,
    district_zip_bytes,
    generate_district,
)
from trellis.interop.oneroster.writer import bundle_to_bytes
from trellis.learning.actions import do_record_evidence
from trellis.roster.actions_import import do_apply_roster_bundle
from trellis.roster.models import Enrollment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _admin() -> User:
    district = do_create_district("Maple Valley Unified (demo)", DISTRICT_ID)
    return do_create_user(
        district,
        "dadmin",
        Role.DISTRICT_ADMIN,
        first_name="Dana",
        last_name="Admin",
        password=PASSWORD,
    )


def test_admin_checks_then_applies_a_roster(live_server: Any, page: Any, tmp_path: Path) -> None:
    _admin()
    roster = tmp_path / "maple-valley.zip"
    bundle = generate_district(students=30, teachers=4, schools=2, seed=8)
    roster.write_bytes(bundle_to_bytes(bundle))
    sign_in(page, live_server.url, "dadmin", PASSWORD)
    page.get_by_role("link", name="Roster import").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Roster import")
    expect(page.get_by_text("No roster has been checked or imported yet")).to_be_visible()
    screenshot(page, "roster-import-empty")

    page.get_by_label("OneRoster export (.zip)").set_input_files(str(roster))
    page.get_by_role("button", name="Check file (dry run)").click()
    expect(page.get_by_role("heading", level=2, name="The file is valid")).to_be_visible()
    people = page.get_by_role("row", name="People")
    expect(people).to_have_text(f"People{len(bundle.users)}000")  # all new, none changed
    screenshot(page, "roster-import-dry-run")
    assert not User.objects.filter(role=Role.STUDENT).exists()

    page.get_by_role("button", name="Apply these changes").click()
    expect(page.get_by_role("heading", level=2, name="Import applied")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Import of maple-valley.zip")
    screenshot(page, "roster-import-applied")
    assert User.objects.filter(role=Role.STUDENT).count() == 30
    enrollments = Enrollment.objects.count()
    assert enrollments > 30
    row = page.get_by_role("row", name="Enrollments")
    expect(row).to_contain_text(str(enrollments))

    # the export downloads a zip of what was imported
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Roster import").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download roster (.zip)").click()
    saved = tmp_path / "export.zip"
    download.value.save_as(saved)
    assert "enrollments.csv" in zipfile.ZipFile(saved).namelist()


def _practise(student: User) -> None:
    """Two answers on one standard, through the real evidence action."""
    assert student.district is not None
    framework = Framework.objects.create(
        district=student.district, identifier="fw-leaving", title="Expressions")
    standard = Standard.objects.create(
        framework=framework, identifier="leaving-6.EE.A.1", code="6.EE.A.1",
        statement="Write and evaluate numerical expressions involving whole-number exponents.")
    for n, correct in enumerate((True, False)):
        do_record_evidence(student, kind="practice", standards=[standard],
                           idempotency_key=f"leaving-{n}", correct=correct,
                           occurred_at=dt.datetime(2026, 9, 1 + n, 9, tzinfo=dt.UTC))


def test_a_file_that_drops_a_student_warns_they_will_be_deactivated(
    live_server: Any, page: Any, tmp_path: Path
) -> None:
    _admin()
    bundle = generate_district(students=25, teachers=3, schools=1, seed=4)
    assert do_apply_roster_bundle(bundle, dry_run=False, actor=None).ok
    leaving = "stu-000001"
    _practise(User.objects.get(sourced_id=leaving))
    smaller = replace(
        bundle,
        users=tuple(
            replace(u, agent_sourced_ids=tuple(a for a in u.agent_sourced_ids if a != leaving))
            for u in bundle.users
            if u.sourced_id != leaving
        ),
        roles=tuple(r for r in bundle.roles if r.user_sourced_id != leaving),
        enrollments=tuple(e for e in bundle.enrollments if e.user_sourced_id != leaving),
    )
    roster = tmp_path / "without-one.zip"
    roster.write_bytes(bundle_to_bytes(smaller))
    sign_in(page, live_server.url, "dadmin", PASSWORD)
    page.goto(f"{live_server.url}/roster/import/")
    page.get_by_label("OneRoster export (.zip)").set_input_files(str(roster))
    page.get_by_role("button", name="Check file (dry run)").click()
    expect(page.get_by_role("heading", level=2, name="The file is valid")).to_be_visible()
    note = page.locator("#deactivation-note")
    expect(note).to_contain_text("1 person will be deactivated")
    expect(note).to_contain_text("learning history is kept")
    expect(page.get_by_role("columnheader", name="To deactivate")).to_be_visible()
    screenshot(page, "roster-import-deactivation-dry-run")
    assert User.objects.get(sourced_id=leaving).is_active

    page.get_by_role("button", name="Apply these changes").click()
    expect(page.get_by_role("heading", level=2, name="Import applied")).to_be_visible()
    expect(page.locator("#deactivation-note")).to_contain_text("1 person was deactivated")
    screenshot(page, "roster-import-deactivation-applied")
    student = User.objects.get(sourced_id=leaving)
    assert not student.is_active and student.deactivated_at is not None

    # the administrator still finds them, with the history the district kept
    page.locator("#deactivation-note").get_by_role("link", name="See people off the roster").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("People off the roster")
    row = page.get_by_role("row", name=student.display_name)
    expect(row).to_contain_text(leaving)
    expect(row.locator("td").last).to_have_text("2")
    screenshot(page, "roster-former-people")
    row.get_by_role("link", name=student.display_name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(student.display_name)
    expect(page.get_by_role("heading", name="Learning history kept")).to_be_visible()
    expect(page.get_by_role("row", name="6.EE.A.1")).to_contain_text("In progress")
    screenshot(page, "roster-former-person")


def test_a_malformed_roster_shows_its_problems_and_changes_nothing(
    live_server: Any, page: Any, tmp_path: Path
) -> None:
    _admin()
    good = district_zip_bytes(students=25, teachers=3, schools=1, seed=2)
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(buffer, "w") as target:
        for name in source.namelist():
            text = source.read(name).decode()
            if name == "enrollments.csv":
                text = text.replace(",student,", ",pupil,", 1)
            if name == "classes.csv":
                text = text.replace(",crs-06-math,", ",crs-missing,", 1)
            target.writestr(name, text)
    broken = tmp_path / "broken.zip"
    broken.write_bytes(buffer.getvalue())
    sign_in(page, live_server.url, "dadmin", PASSWORD)
    page.goto(f"{live_server.url}/roster/import/")
    page.get_by_label("OneRoster export (.zip)").set_input_files(str(broken))
    page.get_by_role("button", name="Check file (dry run)").click()
    expect(page.get_by_role("heading", level=2, name="2 problem(s) found")).to_be_visible()
    problems = page.get_by_role("table").filter(has_text="Problem")
    expect(problems).to_contain_text("classes.csv")
    expect(problems).to_contain_text("courseSourcedId")
    expect(problems).to_contain_text("enrollments.csv")
    expect(problems).to_contain_text("'pupil' is not one of")
    expect(page.get_by_role("button", name="Apply these changes")).to_have_count(0)
    screenshot(page, "roster-import-errors")
    assert User.objects.count() == 1  # only the administrator

    # nothing to upload: a friendly error, not a crash
    page.goto(f"{live_server.url}/roster/import/")
    page.get_by_role("button", name="Check file (dry run)").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose your OneRoster export")
