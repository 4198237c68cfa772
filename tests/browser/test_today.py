"""A teacher opens Today, drags a student to another group and sees the week's schedule
update; a student sees their week and downloads it as an .ics file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, sign_in
from tests.content.helpers import make_framework
from tests.instruction.helpers import bells, more_students, stub_next_steps
from tests.world import PASSWORD, build_world
from trellis.instruction.actions import do_solve_week
from trellis.instruction.models import FixedBlock, GroupOverride, Period, WeeklySchedule
from trellis.learning.models import EvidenceEvent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _classroom(monkeypatch: pytest.MonkeyPatch) -> Any:
    world = build_world()
    klass = world.classes["a1"]
    periods = bells(klass.school)
    ana = more_students(world, "a1", 7)
    first = world.users["s_a1"]
    stub_next_steps(monkeypatch, {
        first.id: ("7.EE.A.1", 0.40), ana[0].id: ("7.EE.A.1", 0.42),
        ana[1].id: ("7.EE.A.1", 0.45), ana[2].id: ("7.EE.A.1", 0.50),
        ana[3].id: ("7.NS.A.1", 0.60), ana[4].id: ("7.NS.A.1", 0.62),
        ana[5].id: ("7.NS.A.1", 0.65), ana[6].id: ("7.EE.A.1", 0.95),
    })
    club = FixedBlock.objects.create(district=klass.district, school=klass.school,
                                     kind="extended_learning", title="Robotics club",
                                     slots=[[1, periods[-1].id], [3, periods[-1].id]])
    club.students.add(first)
    # Ana 2 has failed 7.EE.A.1 four times this week: flagged for one-on-one
    framework = make_framework(klass.district, [("7.EE.A.1", "Apply properties", ["07"])])
    for n in range(4):
        event = EvidenceEvent.objects.create(
            district=klass.district, student=ana[1], kind="practice", correct=False,
            idempotency_key=f"stuck-{n}", occurred_at=timezone.now())
        event.standards.add(*framework.standards.all())
    return world, klass, ana


def _drag(page: Any, source: Any, target: Any) -> None:
    """A real mouse drag, in small steps (HTML5 drag-and-drop needs the moves in between)."""
    source.scroll_into_view_if_needed()
    start, end = source.bounding_box(), target.bounding_box()
    page.mouse.move(start["x"] + 3, start["y"] + 5)
    page.mouse.down()
    page.mouse.move(start["x"] + 20, start["y"] + 20, steps=5)
    page.mouse.move(end["x"] + 60, end["y"] + 30, steps=10)
    page.mouse.up()


def test_a_teacher_moves_a_student_and_sees_the_schedule_update(
    live_server: Any, page: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    world, klass, ana = _classroom(monkeypatch)
    do_solve_week(world.users["t_a1"], klass.school)
    sign_in(page, live_server.url, "t_a1", PASSWORD)
    page.get_by_role("link", name="Today").first.click()
    page.get_by_role("link", name=klass.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Today in {klass.title}")
    group_two = page.locator("#group-2")
    expect(group_two.locator(".student")).to_have_count(3)
    expect(page.locator("#week-panel")).to_contain_text("small group 7.NS.A.1")
    expect(page.locator("ul.one-on-one")).to_contain_text("Stuck on 7.EE.A.1")
    expect(page.locator("#week-panel")).to_contain_text("one-on-one")
    before = WeeklySchedule.objects.count()
    screenshot(page, "today-before-move")

    # drag Ana 7 (independent work) onto group 2
    _drag(page, page.locator(".student[data-student-name='Ana 7'] .grip"), group_two)
    expect(page.locator(".message[data-announce]")).to_contain_text(  # read out by live.js
        "Moved Ana 7 to the 7.NS.A.1 group.")
    expect(group_two.locator(".student")).to_have_count(4)
    expect(group_two).to_contain_text("Moved here by the teacher: Ana 7.")
    expect(page.locator("#week-panel")).to_contain_text("Ana 7")
    assert WeeklySchedule.objects.count() == before + 1
    latest = WeeklySchedule.objects.order_by("-id").first()
    assert latest is not None and latest.status == "ready" and latest.violations == []
    assert GroupOverride.objects.get().student_id == ana[6].id
    screenshot(page, "today-after-move")

    # the keyboard fallback: move Ana 4 back with the select and button
    row = group_two.locator(".student[data-student-name='Ana 4']")
    row.get_by_label("Move Ana 4 to").select_option(label="Group 1 · 7.EE.A.1")
    row.get_by_role("button", name="Move").click()
    expect(page.locator("#group-1 .student")).to_have_count(5)
    page.goto(f"{live_server.url}/schedule/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My week")
    screenshot(page, "schedule-teacher-week")


def test_an_admin_sees_the_school_week(
    live_server: Any, page: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _classroom(monkeypatch)
    sign_in(page, live_server.url, "sa_a1", PASSWORD)
    page.get_by_role("link", name="Schedules").click()
    page.get_by_role("link", name="School A1").first.click()
    expect(page.locator(".empty")).to_contain_text("No week has been built yet")
    page.get_by_role("button", name="Build this week's schedule").click()
    expect(page.get_by_text("Checked independently")).to_be_visible()
    screenshot(page, "schedule-school-week")


def test_a_student_sees_their_week_and_downloads_the_ics(
    live_server: Any, page: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    world, klass, _ana = _classroom(monkeypatch)
    do_solve_week(world.users["t_a1"], klass.school)
    sign_in(page, live_server.url, "s_a1", PASSWORD)
    page.get_by_role("link", name="Schedule").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My week")
    expect(page.locator(".week-grid")).to_contain_text("Robotics club")
    expect(page.locator(".week-grid")).to_contain_text("small group 7.EE.A.1")
    screenshot(page, "schedule-student-week")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download for my calendar (.ics)").click()
    download = info.value
    assert download.suggested_filename == "trellis-week-s_a1.ics"
    text = Path(download.path()).read_bytes().decode("utf-8")
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert text.count("SUMMARY:Robotics club") == 2
    assert "SUMMARY:Math 7 (a1): small group 7.EE.A.1" in text
    assert text.rstrip().endswith("END:VCALENDAR")


def test_an_admin_sets_up_a_period_and_sees_a_clear_message(
    live_server: Any, page: Any
) -> None:
    world = build_world()
    sign_in(page, live_server.url, "sa_a1", PASSWORD)
    page.get_by_role("link", name="School setup").click()
    page.get_by_role("link", name="School A1").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("School A1")
    screenshot(page, "school-setup-empty")
    page.get_by_label("Name").first.fill("P1")
    page.locator("#p-start").fill("08:00")
    page.locator("#p-end").fill("08:50")
    page.get_by_role("button", name="Add period").click()
    expect(page.locator(".messages")).to_contain_text("Added period P1.")
    page.get_by_label("Name").first.fill("P2")
    page.locator("#p-start").fill("08:30")
    page.locator("#p-end").fill("09:20")
    page.get_by_role("button", name="Add period").click()
    expect(page.locator(".messages")).to_contain_text("overlaps P1")
    screenshot(page, "school-setup-overlap")
    assert Period.objects.filter(school=world.schools["a1"]).count() == 1


def test_a_large_school_solves_in_the_background_and_the_panel_polls(
    live_server: Any, page: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from trellis.instruction import actions

    _world, klass, _ana = _classroom(monkeypatch)
    monkeypatch.setattr(actions, "INLINE_STUDENT_LIMIT", 0)  # every school is "large" here
    monkeypatch.delenv("TRELLIS_JOBS_INLINE", raising=False)
    sign_in(page, live_server.url, "t_a1", PASSWORD)
    page.goto(f"{live_server.url}/today/{klass.id}/")
    expect(page.locator("#week-panel")).to_contain_text("No weekly schedule yet.")
    page.get_by_role("button", name="Update the week's schedule").click()
    # the job runs in a background thread; the panel polls until the week is stored
    expect(page.locator("#week-panel .week-grid")).to_contain_text("small group 7.NS.A.1",
                                                                   timeout=30_000)
    week = WeeklySchedule.objects.get()
    assert week.job is not None and week.job.status == "succeeded"
