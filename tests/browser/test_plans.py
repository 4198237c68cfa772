"""Learning plans in the browser.

A student opens "My plan", sets a goal, chooses an activity, practises on the practice page
until the standard is mastered and sees the plan advance; a teacher reorders a plan, approves
and scores a project on the rubric and sees the heatmap change; a guardian reads the plan.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, sign_in
from tests.content.helpers import equation_item, store
from tests.plans.helpers import activity, master, setup_district, standard
from tests.world import PASSWORD, World, build_world
from trellis.learning.models import EvidenceEvent
from trellis.plans.adapters import student_plan
from trellis.plans.models import Goal, ProjectProposal, StepChoice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _world() -> World:
    world = build_world()
    district = world.districts["a"]
    setup_district(district)
    activity(district, "Practice: like terms", "practice", "7.EE.A.1", minutes=15)
    activity(district, "Video: combining like terms", "video", "7.EE.A.1", minutes=8,
             url="https://example.org/like-terms", tags=["music"])
    activity(district, "Reading: equivalent expressions", "reading", "7.EE.A.1", minutes=20,
             url="https://example.org/reading")
    store(district, equation_item(code="7.EE.A.1"))
    return world


def _weekday(days: int) -> dt.date:
    day = timezone.localdate() + dt.timedelta(days=days)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def test_a_student_sets_a_goal_chooses_practises_and_sees_the_plan_advance(
        live_server: Any, page: Any) -> None:
    world = _world()
    student = world.users["s_a1"]
    sign_in(page, live_server.url, student.username, PASSWORD)
    page.get_by_role("link", name="My plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My plan")
    expect(page.get_by_text("There is no evidence yet, so this plan starts from grade 7")
           ).to_be_visible()
    screenshot(page, "plan-student-start")

    # a goal, with a gentle question first (no date yet), then saved
    page.get_by_text("Set a goal", exact=True).click()
    page.get_by_label("Goal, in your own words").fill("Expressions before the break")
    page.get_by_label("Other standards (codes, separated by commas)").fill("7.EE.A.2")
    page.get_by_role("button", name="Save goal").click()
    expect(page.get_by_text("By when? Pick a date so you can check your pace.")).to_be_visible()
    screenshot(page, "plan-student-goal-prompts")
    page.get_by_label("Other standards (codes, separated by commas)").fill("7.EE.A.2")
    page.get_by_label("By when?").fill(_weekday(200).isoformat())
    page.get_by_role("button", name="Save goal").click()
    expect(page.get_by_text("Goal “Expressions before the break” saved.")).to_be_visible()
    assert Goal.objects.filter(student=student, kind="student").count() == 1

    # choose an activity for the first step
    page.get_by_role("button", name="Choose Practice: like terms for 7.EE.A.1").click()
    expect(page.get_by_text("My choice")).to_be_visible()
    assert StepChoice.objects.get(student=student, code="7.EE.A.1").activity.title == (
        "Practice: like terms")
    screenshot(page, "plan-student-chosen")

    # practise through the practice page once, then more evidence directly for speed
    page.get_by_role("link", name="Practice: like terms").click()
    page.get_by_label("Your answer").fill("x = 4")
    page.get_by_role("button", name="Check my answer").click()
    expect(page.locator(".feedback")).to_contain_text("Correct!")
    assert EvidenceEvent.objects.filter(student=student, kind="practice").count() == 1
    master(student, "7.EE.A.1")

    page.get_by_role("link", name="My plan").click()
    expect(page.locator("#step-7\\.EE\\.A\\.1")).to_have_count(0)
    step = page.locator("#step-7\\.EE\\.A\\.2")
    expect(step).to_be_visible()
    expect(step).to_contain_text("Next because you mastered 7.EE.A.1")
    expect(page.get_by_text("1 of 2 standards mastered")).to_be_visible()
    screenshot(page, "plan-student-advanced")

    # a reflection after the step
    form = page.locator("#reflect-h + p + form")
    form.get_by_label("What I learned").fill("How to combine like terms")
    form.get_by_label("What was hard").fill("Negative coefficients")
    form.get_by_text("😊 Good").click()
    form.get_by_role("button", name="Save my reflection").click()
    expect(page.get_by_text("Thanks for reflecting.")).to_be_visible()


def _heatmap_cell(page: Any, student: str, code: str) -> Any:
    """One cell of the class heatmap, found as a screen reader names it: by its row header
    (the student) and its column header (the standard's code)."""
    codes = [" ".join(t.split()) for t in
             page.locator("table.heatmap thead th.code-col").all_inner_texts()]
    row = page.locator("table.heatmap tbody tr").filter(
        has=page.get_by_role("rowheader", name=student))
    return row.locator("td:not(.num)").nth(codes.index(code))


def test_a_teacher_reorders_a_plan_scores_a_project_and_sees_the_heatmap_change(
        live_server: Any, page: Any) -> None:
    world = _world()
    student = world.users["s_a1"]
    district = world.districts["a"]
    ProjectProposal.objects.create(
        district=district, student=student, standard=standard(district, "7.EE.A.1"),
        title="Band budget poster", description="A poster with the band's costs as expressions.")
    sign_in(page, live_server.url, "t_a1", PASSWORD)
    page.get_by_role("link", name="Heatmap and plans").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("mastery and plans")
    expect(_heatmap_cell(page, "A1, Student", "7.EE.A.1")).to_have_text("R")  # ready
    expect(page.locator("#heat-legend")).to_contain_text("R Ready to learn")
    screenshot(page, "plan-teacher-class")

    # reorder: move the last step of the student's plan to the top
    page.get_by_role("link", name="A1, Student").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("learning plan")
    before = student_plan(student)
    assert before is not None
    last = before.plan.pathway[-1]
    page.get_by_role("button", name=f"Move {last} up").click()
    expect(page.get_by_text(f"Plan updated: move {last}.")).to_be_visible()
    after = student_plan(student)
    assert after is not None
    assert after.plan.pathway.index(last) == before.plan.pathway.index(last) - 1
    screenshot(page, "plan-teacher-student")

    # the project: approve, then score on the rubric
    page.get_by_role("link", name="Review / score").click()
    page.get_by_role("button", name="Approve").click()
    for criterion in ("Understanding", "Accuracy", "Reasoning and explanation", "Application"):
        page.get_by_label(f"{criterion}: Advanced").check()
    screenshot(page, "plan-teacher-rubric")
    page.get_by_role("button", name="Score and record as evidence").click()
    expect(page.get_by_text("recorded as evidence on 7.EE.A.1")).to_be_visible()
    event = EvidenceEvent.objects.get(student=student, kind="project")
    assert event.score == 1.0

    # back to the class: the heatmap moved
    page.get_by_role("link", name="Math 7 (a1)").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("mastery and plans")
    expect(_heatmap_cell(page, "A1, Student", "7.EE.A.1")).to_have_text("P")  # in progress
    screenshot(page, "plan-teacher-class-after")


def test_a_guardian_reads_the_plan(live_server: Any, page: Any) -> None:
    world = _world()
    student = world.users["s_a1"]
    Goal.objects.create(district=world.districts["a"], student=student, kind="teacher",
                        title="Expressions by spring", standard_codes=["7.EE.A.2"],
                        due=_weekday(150), set_by=world.users["t_a1"])
    sign_in(page, live_server.url, "g_a1", PASSWORD)
    page.goto(f"{live_server.url}/plan/students/{student.id}/")
    expect(page.get_by_text("You are viewing this plan read-only")).to_be_visible()
    expect(page.get_by_text("Expressions by spring", exact=True)).to_be_visible()
    expect(page.locator("main form")).to_have_count(0)
    screenshot(page, "plan-guardian")
