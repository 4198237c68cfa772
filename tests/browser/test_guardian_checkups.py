"""A guardian in the browser finds what their child's check-up found: "My children" → the
child → Check-ups → the result, in words a parent reads."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, sign_in
from tests.diagnostics.helpers import setup_diagnostic, take_check
from tests.world import PASSWORD, build_world
from trellis.diagnostics import bank

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_guardian_reads_the_childs_check_up_result(live_server: Any, page: Any) -> None:
    bank.clear_caches()
    world = build_world()
    framework = setup_diagnostic(world.districts["a"])
    take_check(Client(), world.users["s_a1"], framework)
    sign_in(page, live_server.url, "g_a1", PASSWORD)
    page.get_by_role("link", name="Student A1").click()
    page.get_by_role("link", name="Check-ups").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Student A1's check-ups")
    screenshot(page, "guardian-checkups")
    page.get_by_role("link", name="Likely knows").first.click()
    expect(page).to_have_url(re.compile(r"/diagnostic/\d+/result/$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    screenshot(page, "guardian-checkup-result")
