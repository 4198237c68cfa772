"""A student takes the adaptive check with the keyboard (pausing once), sees the result in
words and on the skill map; the teacher sees it in the class heatmap and opens it again."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, sign_in
from tests.diagnostics.helpers import add_classmate, right_answer, setup_diagnostic
from tests.world import PASSWORD, build_world
from trellis.content.models import Item
from trellis.diagnostics.models import DiagnosticAssignment, DiagnosticSession

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _answer_current(page: Any, knows: set[str]) -> None:
    engine_item = page.locator('input[name="engine_item"]').get_attribute("value")
    key = page.locator('input[name="key"]').get_attribute("value")
    row = Item.objects.get(id=int(engine_item.split(":")[1]))
    right = row.alignments.get().code in knows
    box = page.get_by_label("Your answer")
    expect(box).to_be_focused()  # the answer box has the focus: type, then Enter
    page.keyboard.type(right_answer(engine_item) if right else "7")
    page.keyboard.press("Enter")
    # the next question (a new key) or the result page (no key)
    page.wait_for_function(
        "k => { const e = document.querySelector('input[name=key]'); return !e || e.value !== k; }",
        arg=key)


def test_student_takes_the_check_and_teacher_sees_the_heatmap(
        live_server: Any, page: Any) -> None:
    world = build_world()
    framework = setup_diagnostic(world.districts["a"])
    student = world.users["s_a1"]
    add_classmate(world.klass("own"))
    knows = {"3.NF.A.1"}

    sign_in(page, live_server.url, student.username, PASSWORD)
    page.get_by_role("link", name="Check-up").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check-up")
    screenshot(page, "diagnostic-home-student")
    page.get_by_role("button", name="Start the check").click()
    expect(page.get_by_role("progressbar")).to_be_visible()
    expect(page.get_by_text("it may stop sooner")).to_be_visible()
    expect(page.locator(".diag-prompt .katex").first).to_be_visible()  # math rendered
    screenshot(page, "diagnostic-question")

    _answer_current(page, knows)
    expect(page.get_by_text("Question 2")).to_be_visible()
    page.get_by_role("button", name="Pause and finish later").click()
    expect(page.get_by_role("link", name="Continue where you stopped")).to_be_visible()
    screenshot(page, "diagnostic-paused")
    page.get_by_role("link", name="Continue where you stopped").click()
    expect(page.get_by_text("Welcome back")).to_be_visible()
    expect(page.get_by_text("Question 2")).to_be_visible()

    for _ in range(10):
        if page.get_by_role("heading", name="Here is what we found").count():
            break
        _answer_current(page, knows)
    expect(page.get_by_role("heading", name="Here is what we found")).to_be_visible()
    expect(page.get_by_role("heading", name="You likely know these already")).to_be_visible()
    expect(page.locator(".diag-group.likely_known")).to_contain_text("3.NF.A.1")
    expect(page.locator(".diag-group.ready")).to_contain_text("3.NF.A.2")
    expect(page.get_by_role("heading", name="Not checked")).to_be_visible()
    expect(page.locator('#skill-map .node.status-likely_known[data-code="3.NF.A.1"]')
           ).to_be_visible()
    expect(page.locator('#skill-map .node.status-ready[data-code="3.NF.A.2"]')).to_be_visible()
    screenshot(page, "diagnostic-result-student")
    session = DiagnosticSession.objects.get(student=student)
    assert session.status == DiagnosticSession.Status.COMPLETED

    page.context.clear_cookies()
    sign_in(page, live_server.url, "t_a1", PASSWORD)
    page.goto(f"{live_server.url}/classes/{world.klass('own').id}/")
    page.get_by_role("link", name="Check-up results (adaptive diagnostic)").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("check-up results")
    row = page.get_by_role("row", name=student.display_name).first
    expect(row.locator("td.cell.likely_known")).to_have_text("Likely known")
    expect(row.locator("td.cell.ready")).to_have_text("Ready")
    expect(page.get_by_text("Not taken yet")).to_be_visible()
    screenshot(page, "diagnostic-class-heatmap")
    page.get_by_role("button", name=f"Open the check again for {student.display_name}").click()
    expect(page.get_by_text("Opened the check again for 1 student")).to_be_visible()
    assert DiagnosticAssignment.objects.filter(student=student, framework=framework).exists()
    screenshot(page, "diagnostic-class-reopened")


def test_a_grade_seven_check_on_the_common_core_map(live_server: Any, page: Any) -> None:
    """The real thing: the Coherence Map and the OATutor bank (skipped without shared data)."""
    from tests.content.helpers import need_shared_data
    from trellis.content.demo import seed_content
    from trellis.frameworks.demo import seed_frameworks

    need_shared_data()
    world = build_world()
    district = world.districts["a"]
    seed_frameworks(district)
    seed_content(district)
    student = world.users["s_a1"]
    sign_in(page, live_server.url, student.username, PASSWORD)
    page.goto(f"{live_server.url}/diagnostic/")
    page.get_by_role("button", name="Start the check").click()
    expect(page.get_by_role("progressbar")).to_be_visible()
    # Math is rendered (KaTeX) in the prompt or the choices of the items that have math; which
    # items the check asks depends on its choices, so look through the whole check.
    questions_with_math = 0
    for _ in range(30):
        if page.get_by_role("heading", name="Here is what we found").count():
            break
        if page.locator("main .katex").count():
            questions_with_math += 1
            if questions_with_math == 1:
                expect(page.locator("main .katex").first).to_be_visible()
                screenshot(page, "diagnostic-question-common-core")
        key = page.locator('input[name="key"]').get_attribute("value")
        page.get_by_role("button", name="I don't know yet").click()
        page.wait_for_function(
            "k => { const e = document.querySelector('input[name=key]'); "
            "return !e || e.value !== k; }", arg=key)
    assert questions_with_math, "no question of the check showed rendered math"
    expect(page.get_by_role("heading", name="Here is what we found")).to_be_visible()
    expect(page.get_by_role("heading", name="Not checked")).to_be_visible()
    screenshot(page, "diagnostic-result-common-core")
    page.context.clear_cookies()
    sign_in(page, live_server.url, "t_a1", PASSWORD)
    page.goto(f"{live_server.url}/diagnostic/classes/{world.klass('own').id}/")
    expect(page.locator("td.cell").first).to_be_visible()
    screenshot(page, "diagnostic-class-heatmap-common-core")
