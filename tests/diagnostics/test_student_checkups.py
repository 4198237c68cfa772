"""A student's check-ups page: the way from a guardian's "My children" (through the child's
page) to what each check found; unfinished checks show no half-results; an empty state that
says what happens next; newest first, paginated."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.diagnostics.helpers import setup_diagnostic, take_check
from tests.world import World, build_world
from trellis.diagnostics import actions
from trellis.diagnostics.models import DiagnosticSession

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world()


def _page(world: World, username: str, student: str = "s_a1", query: str = "") -> str:
    client = Client()
    client.force_login(world.users[username])
    response = client.get(f"/diagnostic/students/{world.users[student].id}/{query}")
    assert response.status_code == 200
    return str(response.content.decode())


def test_a_guardian_goes_from_my_children_to_the_result(world: World) -> None:
    framework = setup_diagnostic(world.districts["a"])
    student = world.users["s_a1"]
    session_id = take_check(Client(), student, framework)
    assert DiagnosticSession.objects.get(id=session_id).finished
    guardian = Client()
    guardian.force_login(world.users["g_a1"])
    home = guardian.get("/").content.decode()
    assert f"/students/{student.id}/" in home
    profile = guardian.get(f"/students/{student.id}/").content.decode()
    assert f'href="/diagnostic/students/{student.id}/"' in profile
    html = _page(world, "g_a1")
    assert "Student A1's check-ups" in html
    assert f'href="/diagnostic/{session_id}/result/"' in html
    result = DiagnosticSession.objects.get(id=session_id).result
    assert f"Likely knows {len(result['likely_known'])} · ready for" in html
    assert guardian.get(f"/diagnostic/{session_id}/result/").status_code == 200


def test_an_unfinished_check_shows_no_results_and_the_student_can_continue(
        world: World) -> None:
    framework = setup_diagnostic(world.districts["a"])
    session = actions.do_start_session(world.users["s_a1"], framework)
    guardian = _page(world, "g_a1")
    assert "Not finished yet: results appear when Student finishes." in guardian
    assert f"/diagnostic/{session.id}/result/" not in guardian
    mine = _page(world, "s_a1")
    assert "My check-ups" in mine
    assert f'href="/diagnostic/{session.id}/">Continue where you stopped' in mine


def test_no_check_ups_yet_says_what_happens_next(world: World) -> None:
    assert "No check-ups yet." in _page(world, "g_a1")
    assert "takes a check-up at school or at home when the teacher opens one" in _page(
        world, "g_a1")
    assert 'Start one from <a href="/diagnostic/">Check-up</a>' in _page(world, "s_a1")
    assert "Open a check-up for the student's class" in _page(world, "t_a1")


def test_many_check_ups_are_paginated_newest_first(world: World) -> None:
    framework = setup_diagnostic(world.districts["a"])
    student = world.users["s_a1"]
    session = actions.do_start_session(student, framework)
    for _ in range(22):  # copies of a paused check (a student has one open check at a time)
        session.pk = None
        session.status = DiagnosticSession.Status.ABANDONED
        session.save()
    first = _page(world, "t_a1")
    assert "Page 1 of 2 · 23 in all" in first and first.count("<tr>") == 21  # header + 20
    assert first.count("Paused") == 20 and "In progress" not in first
    last = _page(world, "t_a1", query="?page=2")
    assert "Page 2 of 2" in last and "In progress" in last  # the first check, oldest, last


def test_someone_who_does_not_see_the_student_gets_not_found(world: World) -> None:
    for username in ("coach_a1", "da_b", "g_b1"):
        client = Client()
        client.force_login(world.users[username])
        assert client.get(f"/diagnostic/students/{world.users['s_a1'].id}/").status_code == 404
