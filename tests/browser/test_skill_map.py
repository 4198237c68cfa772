"""The skill map in a real browser: an admin imports a CASE file through the upload page and
sees the map; a student opens a standard's details from the map with the keyboard."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, sign_in
from tests.engine.frameworks.builders import demo_package_path, fractions_framework
from tests.world import PASSWORD, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_imports_a_case_file_and_sees_the_map(
    live_server: Any, page: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TRELLIS_JOBS_INLINE", "true")  # the import job finishes in the request
    package = demo_package_path()
    build_world()
    sign_in(page, live_server.url, "da_a", PASSWORD)
    page.get_by_role("link", name="Frameworks").click()
    expect(page.get_by_text("No framework has been imported yet")).to_be_visible()
    page.get_by_role("link", name="Import a CASE framework").click()

    # A broken file first: every problem listed, nothing imported.
    broken = fractions_framework().build()
    del broken["CFItems"][3]["fullStatement"]
    bad = tmp_path / "broken.json"
    bad.write_text(json.dumps(broken))
    page.get_by_label("CASE package file").set_input_files(str(bad))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing was imported")
    expect(page.get_by_role("cell", name="fullStatement")).to_be_visible()
    expect(page.get_by_role("cell", name="CFItem 3.NF.A.1", exact=False)).to_be_visible()
    screenshot(page, "framework-import-errors")

    page.get_by_label("CASE package file").set_input_files(str(package))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", name="What will be imported", exact=False)).to_be_visible()
    expect(page.get_by_role("cell", name="precedes")).to_be_visible()
    screenshot(page, "framework-import-dry-run")
    page.get_by_role("button", name="Import this framework").click()
    # (in the job panel: the live region may say "Finished" too)
    expect(page.locator("#job-panel").get_by_text("Finished", exact=True)).to_be_visible()
    screenshot(page, "framework-import-job")
    page.get_by_role("link", name="See the result").click()
    expect(page.get_by_role("link", name="Export as CASE JSON")).to_be_visible()
    screenshot(page, "framework-list-admin")
    page.get_by_role("link", name="Skill map").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("CCSS Mathematics")
    nodes = page.locator("svg#skill-map a.node:not(.context)")
    expect(nodes.first).to_be_visible()
    assert nodes.count() == 43  # grade 7 by default
    expect(page.locator("svg#skill-map a.node.context").first).to_be_visible()
    screenshot(page, "skill-map-admin-grade-7")
    page.locator(".map-layout").screenshot(path=str(screenshot_path("skill-map-grade-7-map")))

    # Pan and zoom move the SVG viewBox: the + button, the wheel, a drag; reset comes back.
    svg = page.locator("svg#skill-map")

    def view_box() -> list[float]:
        return [float(v) for v in (svg.get_attribute("viewBox") or "").split()]

    start = view_box()
    page.get_by_role("button", name="Zoom in").click()
    assert view_box()[2] < start[2]
    box = svg.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    before_wheel = view_box()
    page.mouse.wheel(0, 300)  # scrolling down zooms out
    expect(svg).not_to_have_attribute("viewBox", " ".join(f"{v:.1f}" for v in before_wheel))
    assert view_box()[2] > before_wheel[2]
    before_drag = view_box()
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 - 120, box["y"] + box["height"] / 2, steps=5)
    page.mouse.up()
    assert view_box()[0] > before_drag[0]  # dragged left: the view moved right
    page.get_by_role("button", name="Reset view").click()
    assert view_box() == start

    # All grades: the whole map, still drawn.
    page.get_by_label("Grade").select_option("all")
    page.get_by_role("button", name="Show").click()
    expect(nodes).to_have_count(480)
    page.locator(".map-layout").screenshot(path=str(screenshot_path("skill-map-all-grades")))
    page.get_by_role("button", name="Whole map").click()
    page.locator(".map-layout").screenshot(path=str(screenshot_path("skill-map-all-whole")))


def screenshot_path(name: str) -> Path:
    from tests.browser.conftest import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / f"{name}.png"


def _practise(student: Any, standards: list[Any], days: list[dt.date]) -> None:
    """What the learner model writes once a student has shown standards on these days
    (written directly: these tests are about the map, not the learner model's numbers)."""
    from trellis.learning.models import MasteryState

    for standard in standards:
        MasteryState.objects.update_or_create(
            student=student, standard=standard,
            defaults={"district_id": student.district_id, "probability": 0.99,
                      "evidence_count": 3 * len(days),
                      "evidence_days": [day.isoformat() for day in days]},
        )


def test_student_opens_a_standard_from_the_map_with_the_keyboard(
    live_server: Any, page: Any
) -> None:
    from trellis.frameworks.actions import do_import_framework
    from trellis.frameworks.models import Standard

    world = build_world()
    report = do_import_framework(world.districts["a"], demo_package_path())
    assert report.ok and report.framework_id is not None
    student = world.users["s_a1"]
    # Mastered: the grade-6 ratio standards that 7.RP.A.1 builds on.
    framework_id = report.framework_id
    mastered = Standard.objects.filter(
        framework_id=framework_id, code__in=["6.RP.A.1", "6.RP.A.2", "6.RP.A.3", "6.RP.A.3b"]
    )
    _practise(student, list(mastered), [dt.date(2026, 9, 1), dt.date(2026, 9, 3)])

    sign_in(page, live_server.url, "s_a1", PASSWORD)
    page.get_by_role("link", name="Skill map").click()
    page.get_by_role("link", name="CCSS Mathematics", exact=False).first.click()
    expect(page.get_by_text("Your progress:")).to_be_visible()
    expect(page.locator("a.node.status-mastered").first).to_be_visible()

    # Keyboard only: from the zoom toolbar, Tab reaches the first standard; Enter opens it.
    page.get_by_role("button", name="Whole map").focus()
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.dataset.code")
    assert focused, "Tab should land on a standard of the map"
    page.keyboard.press("Enter")
    panel = page.locator("#standard-panel")
    expect(panel.get_by_role("heading", level=2)).to_have_text(focused)
    expect(panel.get_by_role("heading", level=2)).to_be_focused()
    expect(panel.get_by_role("heading", name="Practice items")).to_be_visible()

    # Tab on to 7.RP.A.1 and open it: its prerequisites are the mastered 6.RP standards.
    target = page.locator("a.node[data-code='7.RP.A.1']")
    target.focus()
    page.keyboard.press("Enter")
    expect(panel.get_by_role("heading", level=2)).to_have_text("7.RP.A.1")
    expect(panel.get_by_text("No practice items are aligned to this standard yet.")).to_be_visible()
    screenshot(page, "skill-map-student-detail")
    page.locator(".map-layout").screenshot(path=str(screenshot_path("skill-map-student-map")))


def test_teacher_colours_the_map_with_one_of_their_students(live_server: Any, page: Any) -> None:
    from trellis.frameworks.actions import do_import_framework
    from trellis.frameworks.models import Standard

    world = build_world()
    report = do_import_framework(world.districts["a"], demo_package_path())
    assert report.framework_id is not None
    student = world.users["s_a1"]
    _practise(
        student,
        list(Standard.objects.filter(framework_id=report.framework_id, code__startswith="HSN-RN")),
        [dt.date(2026, 9, 1), dt.date(2026, 9, 2)],
    )
    sign_in(page, live_server.url, "t_a1", PASSWORD)
    page.get_by_role("link", name="Skill map").click()
    page.get_by_role("link", name="Skill map").last.click()
    expect(page.locator("a.node.status-mastered")).to_have_count(0)  # neutral until chosen
    page.get_by_label("Grade").select_option("HS")
    page.get_by_label("Colour by student").select_option(str(student.id))
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text(f"{student.display_name}:")).to_be_visible()
    expect(page.locator("a.node.status-mastered")).to_have_count(3)
    page.locator(".map-layout").screenshot(path=str(screenshot_path("skill-map-teacher-hs")))
    # a student of another class is refused like a missing page
    other = world.users["s_a1b"]
    response = page.goto(f"{page.url.split('?')[0]}?grade=HS&student={other.id}")
    assert response is not None and response.status == 404
