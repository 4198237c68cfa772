"""The teacher's class page (heatmap, who has not taken it, reopen), the API and the CLI."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.diagnostics.helpers import add_classmate, setup_diagnostic, take_check
from tests.world import World, build_world
from trellis.cli import main
from trellis.diagnostics.actions import do_calibrate
from trellis.diagnostics.calibration import fit_item
from trellis.diagnostics.models import DiagnosticAssignment, DiagnosticSession, ItemCalibration

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world()


def test_heatmap_shows_results_with_labels_and_who_has_not_taken_it(
        client: Client, world: World) -> None:
    framework = setup_diagnostic(world.districts["a"])
    student = world.users["s_a1"]
    take_check(client, student, framework, knows={"3.NF.A.1"})
    klass = world.klass("own")
    add_classmate(klass)
    client.force_login(world.users["t_a1"])
    page = client.get(f"/diagnostic/classes/{klass.id}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Likely known" in html and "Ready" in html and "Not yet" in html
    assert "Students who likely know it" in html
    assert 'class="cell likely_known"' in html and "mastered" not in html.lower()
    heatmap = page.context["heatmap"]
    assert [c["code"] for c in heatmap.columns] == ["3.NF.A.1", "3.NF.A.2", "4.NF.B.3"]
    row = next(r for r in heatmap.rows if r.student == student)
    assert row.cells[0] == ("likely_known", "Likely known")
    assert row.cells[1] == ("ready", "Ready")
    others = [r for r in heatmap.rows if r.student != student]
    assert others and all(r.state == "not_started" for r in others)
    assert "Not taken yet" in html
    # the teacher opens the result of the student
    result = client.get(f"/diagnostic/{row.finished.id}/result/")
    assert result.status_code == 200 and "Likely known" in result.content.decode()


def test_reopen_for_a_student_starts_a_new_session_from_current_mastery(
        client: Client, world: World) -> None:
    framework = setup_diagnostic(world.districts["a"])
    student = world.users["s_a1"]
    first = take_check(client, student, framework, knows={"3.NF.A.1"})
    klass = world.klass("own")
    client.force_login(world.users["t_a1"])
    response = client.post(f"/diagnostic/classes/{klass.id}/reopen/",
                           {"framework": framework.id, "student": student.id})
    assert response.status_code == 302
    assignment = DiagnosticAssignment.objects.get(student=student)
    assert assignment.used_at is None
    client.force_login(student)
    home = client.get("/diagnostic/").content.decode()
    assert "Your teacher asked you to take this check again" in home
    client.post("/diagnostic/start/", {"framework": framework.id})
    second = DiagnosticSession.objects.exclude(id=first).get(student=student)
    assert second.reopened_by == assignment
    # the prior comes from the learner model's mastery after the first check
    assert set(second.prior["difficulty"]) >= {"3.NF.A.1"}
    assignment.refresh_from_db()
    assert assignment.used_at is not None


def test_reopen_for_the_whole_class_invites_every_student_once(
        client: Client, world: World) -> None:
    framework = setup_diagnostic(world.districts["a"])
    klass = world.klass("own")
    add_classmate(klass)
    client.force_login(world.users["t_a1"])
    client.post(f"/diagnostic/classes/{klass.id}/reopen/", {"framework": framework.id})
    client.post(f"/diagnostic/classes/{klass.id}/reopen/", {"framework": framework.id})
    enrolled = klass.enrollments.filter(role="student").count()
    assert DiagnosticAssignment.objects.filter(klass=klass).count() == enrolled == 2


def test_a_teacher_cannot_reopen_for_a_student_of_another_class(
        client: Client, world: World) -> None:
    framework = setup_diagnostic(world.districts["a"])
    client.force_login(world.users["t_a1"])
    other = world.student("other_school")
    response = client.post(f"/diagnostic/classes/{world.klass('own').id}/reopen/",
                           {"framework": framework.id, "student": other.id})
    assert response.status_code == 404
    assert not DiagnosticAssignment.objects.exists()


def test_api_gives_the_session_and_the_class(client: Client, world: World) -> None:
    framework = setup_diagnostic(world.districts["a"])
    student = world.users["s_a1"]
    session_id = take_check(client, student, framework)
    data = client.get(f"/api/v1/diagnostic/sessions/{session_id}").json()
    assert data["status"] == "completed"
    assert data["result"]["not_assessable"] == ["4.NF.B.3a"]
    client.force_login(world.users["t_a1"])
    klass = client.get(f"/api/v1/diagnostic/classes/{world.klass('own').id}").json()
    mine = next(s for s in klass["students"] if s["id"] == student.id)
    assert mine["state"] == "completed" and mine["cells"]["3.NF.A.1"] == "likely_known"
    assert "3.NF.A.1" in data["result"]["likely_known"] and "mastered" not in data["result"]
    client.force_login(world.users["t_b1"])
    assert client.get(f"/api/v1/diagnostic/sessions/{session_id}").status_code == 404


def test_cli_status_prints_the_class(client: Client, world: World,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    framework = setup_diagnostic(world.districts["a"])
    take_check(client, world.users["s_a1"], framework)
    klass = world.klass("own")
    assert main(["diagnostic", "status", "--class", str(klass.id), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    states = {s["student"]: s["state"] for s in data["students"]}
    assert states["s_a1"] == "completed"
    assert main(["diagnostic", "status", "--class", "999999"]) == 1


def test_fit_item_moves_towards_the_evidence() -> None:
    # mastered students often wrong: a high slip; unmastered students never right: low guess
    answers = [(0.95, False)] * 20 + [(0.95, True)] * 20 + [(0.05, False)] * 40
    slip, guess = fit_item(answers)
    assert slip > 0.3 and guess < 0.1
    assert fit_item([]) == (0.1, 0.2)


def test_cli_calibrate_fits_items_with_enough_answers(
        client: Client, world: World, capsys: pytest.CaptureFixture[str]) -> None:
    framework = setup_diagnostic(world.districts["a"])
    district = world.districts["a"]
    for scope in ("own", "same_school", "other_school"):
        take_check(client, world.student(scope), framework, knows=set())
    report = do_calibrate(district, dry_run=True, min_responses=2)
    assert report.fitted and not ItemCalibration.objects.exists()
    assert main(["diagnostic", "calibrate", "--district", district.sourced_id,
                 "--min-responses", "2"]) == 0
    assert "fitted" in capsys.readouterr().out
    assert ItemCalibration.objects.count() == len(report.fitted)
    calibration = ItemCalibration.objects.first()
    assert calibration is not None and calibration.guess < 0.2  # nobody got them right
    assert main(["diagnostic", "calibrate", "--district", "nope"]) == 1


def test_a_check_left_open_for_an_hour_shows_as_paused(client: Client, world: World) -> None:
    import datetime as dt

    from django.utils import timezone

    from trellis.diagnostics.actions import do_start_session
    from trellis.diagnostics.queries import class_heatmap

    framework = setup_diagnostic(world.districts["a"])
    student = world.users["s_a1"]
    session = do_start_session(student, framework)
    klass = world.klass("own")
    row = next(r for r in class_heatmap(klass).rows if r.student == student)
    assert row.state == "in_progress"
    DiagnosticSession.objects.filter(id=session.id).update(
        updated_at=timezone.now() - dt.timedelta(hours=2))
    row = next(r for r in class_heatmap(klass).rows if r.student == student)
    assert row.state == "paused"
