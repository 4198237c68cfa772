"""Mastery in a real browser: a teacher opens a student's mastery and finds out why a value is
what it is; a district admin refits the learner model and watches the job reach "Finished"."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, sign_in
from tests.world import PASSWORD, World, build_world
from trellis.content.models import Item
from trellis.frameworks.models import Framework, Standard
from trellis.learning.actions import do_record_evidence
from trellis.learning.models import LearnerModelParameters, MasteryState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

START = dt.datetime(2026, 9, 7, 9, 0, tzinfo=dt.UTC)
STANDARDS = {
    "7.EE.A.1": "Apply properties of operations as strategies to add, subtract, factor, and "
                "expand linear expressions with rational coefficients.",
    "7.EE.A.2": "Understand that rewriting an expression in different forms in a problem "
                "context can shed light on the problem.",
    "7.EE.B.3": "Solve multi-step real-life and mathematical problems posed with positive and "
                "negative rational numbers in any form.",
}


def _seed(world: World) -> dict[str, Standard]:
    district = world.districts["a"]
    framework = Framework.objects.create(district=district, identifier="ccss-7ee",
                                         title="Grade 7 Expressions and Equations")
    standards = {
        code: Standard.objects.create(framework=framework, identifier=code, code=code,
                                      statement=statement, position=i)
        for i, (code, statement) in enumerate(STANDARDS.items())
    }
    items = {code: [Item.objects.create(district=district, identifier=f"{code}-{k}",
                                        source="qti", title=f"{code} problem {k + 1}",
                                        content={}) for k in range(4)]
             for code in STANDARDS}
    rng = random.Random(7)
    students = [world.users[name] for name in ("s_a1", "s_a1b", "s_a2")]
    for s, student in enumerate(students):
        for n in range(30):
            code = list(STANDARDS)[n % 3]
            chance = {"7.EE.A.1": 0.85, "7.EE.A.2": 0.6, "7.EE.B.3": 0.35}[code] + 0.1 * s
            do_record_evidence(
                student, kind="practice", standards=[standards[code]],
                item=items[code][n % 4], idempotency_key=f"{student.id}-{n}",
                correct=rng.random() < chance,
                occurred_at=START + dt.timedelta(days=n // 6, minutes=n))
    # the teacher's observation is the latest thing that moved 7.EE.A.2 for s_a1
    do_record_evidence(
        world.users["s_a1"], kind="observation", standards=[standards["7.EE.A.2"]],
        idempotency_key="obs-1", score=1.0, recorded_by=world.users["t_a1"],
        note="Explained two equivalent forms of the expression to a partner.",
        occurred_at=START + dt.timedelta(days=6, hours=2))
    return standards


def test_a_teacher_sees_why_a_mastery_value_is_what_it_is(live_server: Any, page: Any) -> None:
    world = build_world()
    standards = _seed(world)
    student = world.users["s_a1"]
    row = MasteryState.objects.get(student=student, standard=standards["7.EE.A.2"])
    sign_in(page, live_server.url, "t_a1", PASSWORD)
    page.goto(f"{live_server.url}/students/{student.id}/")
    expect(page.get_by_role("heading", name="Mastery")).to_be_visible()
    screenshot(page, "mastery-profile-link")
    page.get_by_role("link", name="see mastery and evidence").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mastery")
    expect(page.get_by_role("link", name="7.EE.B.3")).to_be_visible()
    expect(page.get_by_text("Mastered means", exact=False)).to_be_visible()
    screenshot(page, "mastery-student-list")

    page.get_by_role("link", name="7.EE.A.2").click()
    percent = round(row.probability * 100)
    expect(page.get_by_role("heading", name=f"Why {percent}%?")).to_be_visible()
    why = page.locator("section.why")
    expect(why).to_contain_text("The latest evidence that moved it: Teacher observation")
    expect(why).to_contain_text(f"+{round(row.last_change * 100)} point")
    history = page.locator("table.evidence-history tbody tr")
    expect(history).to_have_count(11)  # 10 practice answers and the observation
    expect(history.first).to_contain_text("Explained two equivalent forms")
    screenshot(page, "mastery-why")


def test_an_admin_refits_the_model_and_sees_the_job_finish(live_server: Any, page: Any) -> None:
    world = build_world()
    _seed(world)
    sign_in(page, live_server.url, "da_a", PASSWORD)
    page.get_by_role("link", name="Learner model").click()
    expect(page.get_by_text("the built-in starting parameters", exact=False).first).to_be_visible()
    screenshot(page, "learner-model-before")
    page.get_by_role("button", name="Refit now").click()
    expect(page.get_by_role("heading", name="Refit the learner model")).to_be_visible()
    panel = page.locator("#job-panel")  # (the live region may say "Finished" too)
    expect(panel.get_by_text("Finished", exact=True)).to_be_visible(timeout=60_000)
    expect(page.locator("#job-panel progress")).to_have_attribute("value", "100")
    screenshot(page, "learner-refit-job")
    page.get_by_role("link", name="See the result").click()
    expect(page.locator("tr.active-version")).to_contain_text("91")  # responses used
    screenshot(page, "learner-model-after")
    active = LearnerModelParameters.objects.get(district=world.districts["a"], active=True)
    assert active.version == 1 and active.responses_used == 91
