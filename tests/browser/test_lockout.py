"""A student who mistypes their password ten times is told they are locked out and for how
long; their district administrator unlocks them from the Locked accounts page; they sign in."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, sign_in
from tests.world import PASSWORD, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_locked_out_then_unlocked_by_the_district_administrator(
    live_server: Any, browser: Any
) -> None:
    world = build_world()
    student_context = browser.new_context(viewport={"width": 1280, "height": 860})
    student = student_context.new_page()
    for attempt in range(settings.LOGIN_FAILURE_LIMIT):
        sign_in(student, live_server.url, "s_a1", f"wrong-{attempt}")
    alert = student.get_by_role("alert")
    expect(alert).to_contain_text("Too many failed sign-ins. Try again in 30 minutes")
    expect(alert).to_contain_text("ask your district administrator to unlock your account")
    sign_in(student, live_server.url, "s_a1", PASSWORD)  # the right one: still refused
    expect(student.get_by_role("alert")).to_contain_text("Too many failed sign-ins")
    screenshot(student, "lockout-message")

    admin_context = browser.new_context(viewport={"width": 1280, "height": 860})
    admin = admin_context.new_page()
    sign_in(admin, live_server.url, "da_a", PASSWORD)
    admin.get_by_role("link", name="Locked accounts").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Locked accounts")
    row = admin.get_by_role("row", name="s_a1")
    expect(row).to_contain_text(world.users["s_a1"].display_name)
    screenshot(admin, "locked-accounts")
    row.get_by_role("button", name="Unlock s_a1").click()
    expect(admin.get_by_text("can sign in again")).to_be_visible()
    expect(admin.get_by_text("Nobody in your district is locked out")).to_be_visible()
    screenshot(admin, "locked-accounts-unlocked")

    sign_in(student, live_server.url, "s_a1", PASSWORD)
    expect(student.get_by_role("heading", level=1)).to_contain_text("Hi")
    student_context.close()
    admin_context.close()
