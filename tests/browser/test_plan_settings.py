"""The district's plan settings in the browser: a district administrator finds the page in the
menu, is told what to fix when a value is wrong (nothing saved), then saves a stricter rule and a
day off, and sees the new rule in words."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, sign_in
from tests.plans.helpers import setup_district
from tests.world import PASSWORD, build_world
from trellis.learning.rules import mastery_rule_for
from trellis.plans.adapters import term_calendar

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_district_admin_changes_the_mastery_rule_and_the_calendar(
        live_server: Any, page: Any) -> None:
    world = build_world()
    district = world.districts["a"]
    setup_district(district)
    sign_in(page, live_server.url, "da_a", PASSWORD)
    page.get_by_role("link", name="Plan settings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan settings")
    expect(page.get_by_text("Mastered means the evidence shows at least a 95% chance").first
           ).to_be_visible()
    screenshot(page, "plan-settings")

    # a wrong value: the summary says what to fix, the field keeps what was typed
    page.get_by_label("Mastery threshold (%)").fill("30")
    page.get_by_label("Days off").fill("the day after thanksgiving")
    page.get_by_role("button", name="Save plan settings").click()
    expect(page.get_by_role("heading", name="Nothing was saved: 2 things to fix")).to_be_visible()
    expect(page.get_by_role("link", name="Mastery threshold: enter a whole number from 50 to "
                                          "99, not 30.")).to_be_visible()
    expect(page.get_by_label("Mastery threshold (%)")).to_have_value("30")
    screenshot(page, "plan-settings-errors")
    assert mastery_rule_for(district.id).threshold == 0.95

    page.get_by_label("Mastery threshold (%)").fill("90")
    page.get_by_label("Separate days with evidence").fill("3")
    page.get_by_label("Pieces of evidence").fill("5")
    start = term_calendar(district.id, timezone.localdate()).start
    day_off = start.replace(day=min(start.day + 7, 28)).isoformat()
    page.get_by_label("Days off").fill(day_off)
    page.get_by_role("button", name="Save plan settings").click()
    expect(page.get_by_text("Plan settings saved.")).to_be_visible()
    expect(page.get_by_text("at least a 90% chance that a student knows the standard, from "
                            "at least 3 separate days and at least 5 pieces").first
           ).to_be_visible()
    expect(page.get_by_label("Days off")).to_have_value(day_off)
    rule = mastery_rule_for(district.id)
    assert (rule.threshold, rule.min_distinct_days, rule.min_evidence_count) == (0.9, 3, 5)
    screenshot(page, "plan-settings-saved")
