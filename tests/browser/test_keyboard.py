"""Each role's main task with the keyboard alone (issue 21, item 3).

After sign-in (done by keyboard in the check-up test) every step is a key press: Tab and
Shift+Tab to move, Enter or Space to press, arrow keys in a select, typing in a text box. No
clicks, no ``fill``, no ``select_option``; the only exception is the roster file, which a test
cannot pick through the operating system's file dialog (``set_input_files``). At the key steps
each test checks that the focused element shows a focus ring (a non-none outline or box-shadow).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, sign_in
from tests.browser.test_diagnostic import _answer_current
from tests.browser.test_roster_import import _admin
from tests.browser.test_today import _classroom
from tests.content.helpers import equation_item, seventh_grade, store
from tests.diagnostics.helpers import add_classmate, setup_diagnostic
from tests.world import PASSWORD, build_world
from trellis.accounts.models import Role, User
from trellis.diagnostics.models import DiagnosticSession
from trellis.instruction.actions import do_solve_week
from trellis.instruction.models import GroupOverride
from trellis.interop.oneroster.generator import generate_district
from trellis.interop.oneroster.writer import bundle_to_bytes
from trellis.learning.models import EvidenceEvent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What the focused element is called and how its focus is drawn.
_FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const labelledBy = document.getElementById(e.getAttribute('aria-labelledby') || '');
  const name = e.getAttribute('aria-label')
    || (labelledBy && labelledBy.innerText)
    || (e.labels && e.labels.length ? e.labels[0].innerText : '')
    || e.innerText || e.value || '';
  const s = getComputedStyle(e);
  return {tag: e.tagName.toLowerCase(), name: name.trim().replace(/\\s+/g, ' '),
          outlineStyle: s.outlineStyle, outlineWidth: s.outlineWidth, boxShadow: s.boxShadow};
}"""


def _focused(page: Any) -> dict[str, str] | None:
    page.wait_for_load_state()  # a key press may have started a navigation
    info: dict[str, str] | None = page.evaluate(_FOCUSED)
    return info


def wait_for_focus(page: Any) -> None:
    """After an htmx swap live.js places the focus once the swap settles: wait for it."""
    page.wait_for_function(
        "() => document.activeElement && document.activeElement !== document.body")


def assert_focus_visible(page: Any) -> dict[str, str]:
    """The focused element draws a focus indicator: an outline or a box-shadow."""
    info = _focused(page)
    assert info is not None, "nothing has the focus"
    outlined = info["outlineStyle"] != "none" and info["outlineWidth"] not in ("0px", "")
    shadowed = info["boxShadow"] not in ("none", "")
    assert outlined or shadowed, f"no visible focus on {info}"
    return info


def tab_to(page: Any, name: str, *, tag: str | None = None, back: bool = False,
           limit: int = 120) -> dict[str, str]:
    """Press Tab (or Shift+Tab) until the focused element's name contains ``name``."""
    key = "Shift+Tab" if back else "Tab"
    seen: list[str] = []
    for _ in range(limit):
        page.keyboard.press(key)
        info = _focused(page)
        if info is None:
            seen.append("<body>")
            continue
        seen.append(f"{info['tag']}:{info['name'][:40]}")
        if name.lower() in info["name"].lower() and (tag is None or info["tag"] == tag):
            return assert_focus_visible(page)
    raise AssertionError(f"{key} never reached {name!r}; went through {seen}")


def test_a_student_practises_and_asks_for_a_hint_by_keyboard(
        live_server: Any, page: Any) -> None:
    world = build_world()
    district = world.districts["a"]
    seventh_grade(district)
    store(district, equation_item())
    student = world.users["s_a1"]
    sign_in(page, live_server.url, student.username, PASSWORD)
    expect(page.get_by_role("heading", name="Practice")).to_be_visible()

    tab_to(page, "Practice 7.EE.B.4a", tag="a")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Practice 7.EE.B.4a")

    tab_to(page, "Your answer", tag="input")
    page.keyboard.type("x=5")
    page.keyboard.press("Enter")
    expect(page.locator(".feedback")).to_contain_text("Not quite.")
    expect(page.get_by_label("Your answer")).to_be_focused()  # back in the answer box

    tab_to(page, "Show a hint", tag="button")
    page.keyboard.press("Space")
    expect(page.get_by_text("Subtract 3 from both sides")).to_be_visible()
    screenshot(page, "keyboard-practice-hint")
    expect(page.get_by_label("Your answer")).to_be_focused()  # the cursor is back in the box
    assert_focus_visible(page)

    # Tab on to the next controls and Shift+Tab back to the answer
    tab_to(page, "Show me the answer", tag="button")
    tab_to(page, "Your answer", tag="input", back=True, limit=5)
    page.keyboard.press("Control+A")
    page.keyboard.type("x = 4")
    tab_to(page, "Check my answer", tag="button")
    page.keyboard.press("Enter")
    expect(page.locator(".feedback")).to_contain_text("Correct!")
    tab_to(page, "Next problem", tag="button")
    events = EvidenceEvent.objects.filter(student=student).order_by("id")
    assert [(e.correct, e.hints_used) for e in events] == [(False, 0), (True, 1)]


def test_a_student_signs_in_and_answers_a_check_up_question_by_keyboard(
        live_server: Any, page: Any) -> None:
    world = build_world()
    setup_diagnostic(world.districts["a"])
    add_classmate(world.klass("own"))
    student = world.users["s_a1"]

    page.goto(f"{live_server.url}/accounts/login/")
    tab_to(page, "Username", tag="input")
    page.keyboard.type(student.username)
    page.keyboard.press("Tab")
    assert assert_focus_visible(page)["name"].startswith("Password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Check-up").first).to_be_visible()

    tab_to(page, "Check-up", tag="a")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check-up")
    tab_to(page, "Start the check", tag="button")
    page.keyboard.press("Enter")
    expect(page.get_by_role("progressbar")).to_be_visible()
    expect(page.get_by_label("Your answer")).to_be_focused()  # ready to type
    assert_focus_visible(page)
    _answer_current(page, {"3.NF.A.1"})  # checks the focus, types, presses Enter
    expect(page.get_by_text("Question 2")).to_be_visible()
    expect(page.get_by_label("Your answer")).to_be_focused()
    assert_focus_visible(page)
    screenshot(page, "keyboard-check-up")

    tab_to(page, "Pause and finish later", tag="button")
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Continue where you stopped")).to_be_visible()
    session = DiagnosticSession.objects.get(student=student)
    assert session.responses.count() == 1


def test_a_guardian_opens_their_childs_plan_by_keyboard(live_server: Any, page: Any) -> None:
    world = build_world()
    seventh_grade(world.districts["a"])
    student = world.users["s_a1"]
    sign_in(page, live_server.url, "g_a1", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("My children")

    tab_to(page, student.display_name, tag="a")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text(student.display_name)
    tab_to(page, "Learning plan", tag="a")
    page.keyboard.press("Enter")
    expect(page.get_by_text("You are viewing this plan read-only")).to_be_visible()
    expect(page.get_by_text("7.EE.B.4a").first).to_be_visible()  # the plan's steps
    # the plan reads on: the keyboard reaches past it to the footer
    tab_to(page, "Accessibility", tag="a")
    screenshot(page, "keyboard-guardian-plan")


def test_a_teacher_moves_and_pins_a_student_in_today_by_keyboard(
        live_server: Any, page: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    world, klass, ana = _classroom(monkeypatch)
    do_solve_week(world.users["t_a1"], klass.school)
    sign_in(page, live_server.url, "t_a1", PASSWORD)

    tab_to(page, "Today", tag="a")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Today")
    tab_to(page, klass.title, tag="a")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Today in {klass.title}")
    group_two = page.locator("#group-2")
    expect(group_two.locator(".student")).to_have_count(3)

    # Ana 7 works independently: choose group 2 in her "Move to" select with the arrows
    tab_to(page, "Move Ana 7 to", tag="select")
    select = page.get_by_label("Move Ana 7 to")
    group_two_id = group_two.get_attribute("data-group-id")
    for _ in range(5):
        if select.input_value() == group_two_id:
            break
        page.keyboard.press("ArrowDown")
    assert select.input_value() == group_two_id
    screenshot(page, "keyboard-today-choose")
    tab_to(page, "Move", tag="button")
    page.keyboard.press("Enter")
    expect(page.locator(".message[data-announce]")).to_contain_text(
        "Moved Ana 7 to the 7.NS.A.1 group.")
    expect(group_two.locator(".student")).to_have_count(4)
    assert GroupOverride.objects.get().student_id == ana[6].id
    wait_for_focus(page)  # the pressed button was swapped away: live.js moves the focus
    assert_focus_visible(page)

    # keep group 2 together
    tab_to(page, "Keep group 2 together", tag="button")
    page.keyboard.press("Enter")
    kept = page.locator(".group-card.pinned")  # a kept group is listed first, renumbered
    expect(kept).to_have_count(1)
    expect(kept).to_contain_text("kept by you")
    expect(kept).to_contain_text("7.NS.A.1")
    expect(kept.locator(".student[data-student-name='Ana 7']")).to_have_count(1)
    wait_for_focus(page)
    assert_focus_visible(page)
    screenshot(page, "keyboard-today-pinned")


def test_a_district_admin_starts_a_roster_dry_run_by_keyboard(
        live_server: Any, page: Any, tmp_path: Path) -> None:
    _admin()
    roster = tmp_path / "maple-valley.zip"
    bundle = generate_district(students=12, teachers=2, schools=1, seed=8)
    roster.write_bytes(bundle_to_bytes(bundle))
    sign_in(page, live_server.url, "dadmin", PASSWORD)

    tab_to(page, "Roster import", tag="a")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Roster import")
    tab_to(page, "OneRoster export (.zip)", tag="input")
    # the operating system's file dialog is out of reach of a test: set the file directly
    page.get_by_label("OneRoster export (.zip)").set_input_files(str(roster))
    tab_to(page, "Check file (dry run)", tag="button")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=2, name="The file is valid")).to_be_visible()
    tab_to(page, "Apply these changes", tag="button")
    screenshot(page, "keyboard-roster-dry-run")
    assert not User.objects.filter(role=Role.STUDENT).exists()
