"""Each role signs in and sees its own home page; people cannot open what is not theirs."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, sign_in
from tests.world import PASSWORD, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOME_HEADINGS = {
    "student": "Hi Student!",
    "guardian": "My children",
    "teacher": "My classes",
    "coach": "Teachers I coach",
    "school_admin": "School A1",
    "district_admin": "District A",
}


@pytest.mark.parametrize("role", list(HOME_HEADINGS))
def test_each_role_signs_in_and_sees_its_home(live_server: Any, page: Any, role: str) -> None:
    world = build_world()
    actor = world.actor(role)
    assert actor is not None
    sign_in(page, live_server.url, actor.username, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_contain_text(HOME_HEADINGS[role])
    screenshot(page, f"home-{role}")


def test_login_page_lists_demo_accounts_and_rejects_a_bad_password(
    live_server: Any, page: Any
) -> None:
    world = build_world()
    from trellis.core.models import DemoAccount

    DemoAccount.objects.create(user=world.users["t_a1"], role_label="Teacher",
                               description="Teaches Math 7")
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.get_by_role("heading", name="Demo accounts")).to_be_visible()
    expect(page.get_by_role("cell", name="t_a1")).to_be_visible()
    screenshot(page, "login")
    sign_in(page, live_server.url, "t_a1", "wrong-password")
    expect(page.get_by_role("alert")).to_contain_text("didn't match")


def test_guardian_opening_another_child_gets_the_friendly_not_found_page(
    live_server: Any, page: Any
) -> None:
    world = build_world()
    sign_in(page, live_server.url, "g_a1", PASSWORD)
    page.get_by_role("link", name=world.users["s_a1"].display_name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(world.users["s_a1"].display_name)
    other = world.users["s_a1b"]
    response = page.goto(f"{live_server.url}/students/{other.id}/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("We couldn't find that page")
    expect(page.get_by_text(other.last_name)).to_have_count(0)
    screenshot(page, "guardian-not-found")


def test_student_cannot_reach_a_teacher_page(live_server: Any, page: Any) -> None:
    world = build_world()
    sign_in(page, live_server.url, "s_a1", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hi")
    response = page.goto(f"{live_server.url}/classes/{world.classes['a1'].id}/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("We couldn't find that page")


def test_teacher_opens_a_roster_and_a_student_profile(live_server: Any, page: Any) -> None:
    world = build_world()
    sign_in(page, live_server.url, "t_a1", PASSWORD)
    page.get_by_role("link", name="Math 7 (a1)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Math 7 (a1)")
    page.get_by_role("link", name="A1, Student").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(world.users["s_a1"].display_name)
    screenshot(page, "student-profile-teacher-view")


def test_password_change_then_sign_out(live_server: Any, page: Any) -> None:
    build_world()
    sign_in(page, live_server.url, "t_a1", PASSWORD)
    page.get_by_role("link", name="Password").click()
    page.get_by_label("Old password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill("a-much-better-passphrase")
    page.get_by_label("New password confirmation").fill("a-much-better-passphrase")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your password was changed")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to Trellis")).to_be_visible()
    sign_in(page, live_server.url, "t_a1", "a-much-better-passphrase")
    expect(page.get_by_role("heading", level=1)).to_have_text("My classes")
