"""A teacher builds a playlist for a standard: creates it, adds activities, reorders them, and
sees it as a student does."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, sign_in
from tests.content.helpers import equation_item, seventh_grade, store
from tests.world import PASSWORD, build_world
from trellis.content.models import Playlist

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_teacher_builds_a_playlist(live_server: Any, page: Any) -> None:
    world = build_world()
    district = world.districts["a"]
    seventh_grade(district)
    store(district, equation_item())
    sign_in(page, live_server.url, "t_a1", PASSWORD)
    page.get_by_role("link", name="Playlists").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Playlists")
    page.get_by_role("link", name="New playlist").click()
    page.get_by_label("Standard code").fill("7.EE.B.4a")
    page.get_by_label("Title").fill("Solve two-step equations")
    page.get_by_role("button", name="Create playlist").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit playlist")

    for title, kind, url in (("Read: solving equations", "reading", "https://openstax.org/"),
                             ("Practice px + q = r", "practice", "")):
        page.locator("#act-title").fill(title)
        page.locator("#act-kind").select_option(kind)
        page.locator("#act-minutes").fill("15")
        page.locator("#act-url").fill(url)
        page.get_by_role("button", name="Add to playlist").click()
        expect(page.locator("#playlist-entries")).to_contain_text(title)
    page.get_by_role("button", name="Move “Practice px + q = r” up").click()  # htmx swap
    expect(page.locator("#playlist-entries .entry").first).to_contain_text("Practice px + q = r")
    screenshot(page, "playlist-editor")
    playlist = Playlist.objects.get(title="Solve two-step equations")
    assert [e.activity.title for e in playlist.entries.order_by("position")] == [
        "Practice px + q = r", "Read: solving equations"]

    # drag the reading back to the top
    entries = page.locator("#playlist-entries .entry")
    with page.expect_response(lambda response: "/order/" in response.url) as saved:
        entries.nth(1).drag_to(entries.nth(0), target_position={"x": 20, "y": 5})
    assert saved.value.status == 200
    page.reload()
    expect(page.locator("#playlist-entries .entry").first).to_contain_text(
        "Read: solving equations")
    assert [e.activity.title for e in playlist.entries.order_by("position")] == [
        "Read: solving equations", "Practice px + q = r"]

    page.get_by_role("link", name="See it as a student does").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Solve two-step equations")
    page.get_by_role("link", name="Practice px + q = r").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Practice 7.EE.B.4a")
    expect(page.get_by_text("nothing is recorded")).to_be_visible()  # a teacher previews
    expect(page.locator("#practice-panel .katex").first).to_be_visible()
    screenshot(page, "playlist-to-practice-teacher-preview")
    page.goto(f"{live_server.url}/playlists/")
    screenshot(page, "playlist-list")
