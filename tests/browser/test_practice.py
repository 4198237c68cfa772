"""A student practises a standard in the browser: opens it from the home page, answers wrong,
asks for a hint, types something unreadable, answers right, sees the worked steps."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, sign_in
from tests.content.helpers import OATUTOR, equation_item, seventh_grade, store
from tests.world import PASSWORD, build_world
from trellis.frameworks.models import Standard
from trellis.learning.models import EvidenceEvent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_student_practises_with_feedback_and_hints(live_server: Any, page: Any) -> None:
    world = build_world()
    district = world.districts["a"]
    seventh_grade(district)
    store(district, equation_item())
    student = world.users["s_a1"]
    sign_in(page, live_server.url, student.username, PASSWORD)
    expect(page.get_by_role("heading", name="Practice")).to_be_visible()
    screenshot(page, "practice-home-student")
    page.get_by_role("link", name="Practice 7.EE.B.4a").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Practice 7.EE.B.4a")
    expect(page.locator(".step-title .katex").first).to_be_visible()  # math rendered
    expect(page.get_by_text("CC BY 4.0")).to_be_visible()
    screenshot(page, "practice-start")

    answer = page.get_by_label("Your answer")
    answer.fill("x=5")
    page.get_by_role("button", name="Check my answer").click()
    expect(page.locator(".feedback")).to_contain_text("Not quite.")
    screenshot(page, "practice-wrong")

    page.get_by_role("button", name="Show a hint").click()
    expect(page.get_by_text("Subtract 3 from both sides")).to_be_visible()
    page.get_by_role("button", name="Show another hint").click()
    expect(page.get_by_text("Try this smaller question first")).to_be_visible()
    screenshot(page, "practice-hints")

    page.get_by_label("Your answer").fill("4x+")
    page.get_by_role("button", name="Check my answer").click()
    expect(page.locator(".feedback")).to_contain_text("I couldn't read that")
    screenshot(page, "practice-unreadable")

    page.get_by_label("Your answer").fill("x = 4")
    page.get_by_role("button", name="Check my answer").click()
    expect(page.locator(".feedback")).to_contain_text("Correct!")
    expect(page.get_by_role("heading", name="How to solve it")).to_be_visible()
    expect(page.get_by_role("button", name="Next problem →")).to_be_visible()
    screenshot(page, "practice-correct")
    events = EvidenceEvent.objects.filter(student=student).order_by("id")
    assert [(e.correct, e.first_attempt, e.hints_used) for e in events] == [
        (False, True, 0), (True, False, 2)]


def test_a_real_oatutor_problem_renders_and_works_without_javascript(
        live_server: Any, browser: Any) -> None:
    if not OATUTOR.exists():
        pytest.skip("shared data absent")
    from trellis.engine.content import load_oatutor

    world = build_world()
    district = world.districts["a"]
    seventh_grade(district)
    real = {i.identifier: i for i in load_oatutor(OATUTOR)}
    # a multi-step problem with a multiple-choice step, aligned here to 7.EE.B.4a
    from dataclasses import replace

    from trellis.engine.content import Alignment

    chosen = next(i for i in real.values() if len(i.steps) > 1 and any(s.choices for s in i.steps))
    store(district, replace(chosen, alignments=(Alignment(code="7.EE.B.4a"),)))
    standard = Standard.objects.get(framework__district=district, code="7.EE.B.4a")
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280,
                                                                       "height": 860})
    page = context.new_page()
    sign_in(page, live_server.url, "s_a1", PASSWORD)
    page.goto(f"{live_server.url}/practice/{standard.id}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Practice 7.EE.B.4a")
    first = chosen.steps[0]
    if first.choices:
        wrong = next(c for c in first.choices if c.identifier not in first.correct_response)
        page.locator(f"input[value='{wrong.identifier}']").check()
    else:
        page.get_by_label("Your answer").fill("12345")
    page.get_by_role("button", name="Check my answer").click()  # a plain form post
    expect(page.locator(".feedback")).to_contain_text("Not quite.")
    screenshot(page, "practice-oatutor-nojs")
    context.close()
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    sign_in(page, live_server.url, "s_a1", PASSWORD)
    page.goto(f"{live_server.url}/practice/{standard.id}/")
    expect(page.locator("#practice-panel .katex").first).to_be_visible()
    page.get_by_role("button", name="Show a hint").click()
    expect(page.locator(".hint").first).to_be_visible()
    screenshot(page, "practice-oatutor")
    context.close()


def test_a_district_admin_uploads_qti_items(live_server: Any, page: Any, tmp_path: Any) -> None:
    from tests.content.test_items import QTI_CHOICE, QTI_ESSAY

    build_world()
    sign_in(page, live_server.url, "da_a", PASSWORD)
    page.goto(f"{live_server.url}/practice/items/import/")
    bad = tmp_path / "essay.xml"
    bad.write_text(QTI_ESSAY, encoding="utf-8")
    page.get_by_label("QTI file").set_input_files(str(bad))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("heading", name="Nothing was imported")).to_be_visible()
    expect(page.get_by_text("qti-extended-text-interaction").first).to_be_visible()
    screenshot(page, "practice-import-error")
    good = tmp_path / "fractions.xml"
    good.write_text(QTI_CHOICE, encoding="utf-8")
    page.get_by_label("QTI file").set_input_files(str(good))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("heading", name="Imported")).to_be_visible()
    screenshot(page, "practice-import-done")
