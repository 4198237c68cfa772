"""Weekly schedules: a student's and a teacher's week, the .ics export, the school's week
page, the API and the ``trellis schedule`` command."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.instruction.helpers import bells, more_students, stub_next_steps
from tests.world import World, build_world
from trellis.audit.models import AuditEvent
from trellis.cli import main
from trellis.instruction.actions import do_solve_week
from trellis.instruction.models import FixedBlock, Period, TeacherAvailability, WeeklySchedule

pytestmark = pytest.mark.django_db


@pytest.fixture
def solved(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    world = build_world()
    klass = world.classes["a1"]
    school = klass.school
    periods = bells(school)
    ana = more_students(world, "a1", 3)
    first = world.users["s_a1"]
    stub_next_steps(monkeypatch, {
        first.id: ("7.EE.A.1", 0.40), ana[0].id: ("7.EE.A.1", 0.42),
        ana[1].id: ("7.EE.A.1", 0.45), ana[2].id: ("7.NS.A.1", 0.9),
    })
    teacher = world.users["t_a1"]
    # the teacher's prep period is P1 every day: nothing may be put there
    for day in range(5):
        TeacherAvailability.objects.create(district=school.district, school=school,
                                           teacher=teacher, day=day, period=periods[0],
                                           note="Prep")
    club = FixedBlock.objects.create(district=school.district, school=school,
                                     kind="extended_learning", title="Robotics club",
                                     slots=[[1, periods[-1].id], [3, periods[-1].id]])
    club.students.add(first)
    week = do_solve_week(teacher, school)
    week.refresh_from_db()
    assert week.status == "ready", week.problems
    return {"world": world, "school": school, "week": week, "first": first,
            "teacher": teacher, "periods": periods}


def _client(world: World, username: str) -> Client:
    client = Client()
    client.force_login(world.users[username])
    return client


def test_the_solved_week_keeps_every_hard_rule(solved: dict[str, Any]) -> None:
    week, teacher = solved["week"], solved["teacher"]
    assert week.violations == []
    mine = [m for m in week.result["meetings"] if m["teacher_id"] == teacher.id]
    assert mine and all(m["period"] != 0 for m in mine)  # never in the prep period
    kinds = {m["kind"] for m in week.result["meetings"]}
    assert {"small_group", "independent", "extended_learning"} <= kinds
    assert week.soft_score is not None and week.soft["groups_fully_met"] == 1


def test_a_student_sees_their_week_as_a_grid(solved: dict[str, Any]) -> None:
    response = _client(solved["world"], "s_a1").get(reverse("schedule-home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "My week" in html and "Download for my calendar (.ics)" in html
    assert "Robotics club" in html and "small group 7.EE.A.1" in html
    assert 'class="session extended"' in html and 'class="session small-group"' in html
    assert "Small-group room" in html or "Office" in html or "Room 101" in html  # rooms shown


def test_the_ics_file_is_a_calendar_of_the_students_week(solved: dict[str, Any]) -> None:
    first, week = solved["first"], solved["week"]
    response = _client(solved["world"], "g_a1").get(  # the guardian downloads it
        reverse("schedule-student-ics", args=[first.id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="trellis-week-s_a1.ics"'
    text = response.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    events = text.count("BEGIN:VEVENT")
    assert events == len([m for m in week.result["meetings"] if first.id in m["student_ids"]])
    assert "SUMMARY:Robotics club" in text
    # Tuesday of the solved week, 15:00 in Chicago (CST, UTC-6) = 21:00 UTC
    tuesday = week.week_start + dt.timedelta(days=1)
    assert f"DTSTART:{tuesday:%Y%m%d}T210000Z" in text
    export = AuditEvent.objects.get(action="instruction.schedule.export_ics")
    assert export.object_id == str(first.id) and export.actor_label == "g_a1"


def test_a_teacher_sees_their_week_and_its_ics(solved: dict[str, Any]) -> None:
    teacher = solved["teacher"]
    client = _client(solved["world"], "t_a1")
    html = client.get(reverse("schedule-home")).content.decode()
    assert "My week" in html and "small group 7.EE.A.1" in html
    ics = client.get(reverse("schedule-teacher-ics", args=[teacher.id])).content.decode()
    assert "SUMMARY:Math 7 (a1): small group 7.EE.A.1" in ics
    assert "Robotics club" not in ics  # not the teacher's block


def test_the_school_week_page_shows_score_and_checks(solved: dict[str, Any]) -> None:
    html = _client(solved["world"], "sa_a1").get(
        reverse("schedule-school", args=[solved["school"].id])).content.decode()
    assert "Schedule score" in html and "Checked independently" in html
    assert "Teacher A1" in html


def test_the_week_api(solved: dict[str, Any]) -> None:
    first = solved["first"]
    data = _client(solved["world"], "s_a1").get(
        reverse("api:api-student-week", args=[first.id])).json()
    assert data["status"] == "ready"
    assert {m["kind"] for m in data["meetings"]} >= {"extended_learning", "small_group"}


def test_no_week_yet_is_an_empty_state_and_an_empty_calendar() -> None:
    world = build_world()
    client = _client(world, "s_a1")
    assert "No weekly schedule yet." in client.get(reverse("schedule-home")).content.decode()
    text = client.get(reverse("schedule-student-ics", args=[world.users["s_a1"].id])
                      ).content.decode()
    assert "BEGIN:VCALENDAR" in text and "VEVENT" not in text


def test_a_school_without_periods_is_told_what_to_add() -> None:
    world = build_world()
    school = world.schools["a1"]
    response = _client(world, "sa_a1").post(reverse("schedule-solve", args=[school.id]),
                                            follow=True)
    week = WeeklySchedule.objects.get(school=school)
    assert week.status == "infeasible"
    assert "has no bell periods yet" in week.problems[0]
    # the job page links to the school's week, which says it in words
    html = _client(world, "sa_a1").get(reverse("schedule-school", args=[school.id]))
    assert "has no bell periods yet" in html.content.decode()
    assert response.status_code == 200


def test_cli_solve_and_ics(solved: dict[str, Any], tmp_path: Path,
                           capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schedule", "solve", "--school", str(solved["school"].id),
                 "--time-limit", "5"]) == 0
    out = capsys.readouterr().out
    assert "independent check: 0 hard-rule violations" in out and "score" in out
    target = tmp_path / "week.ics"
    assert main(["schedule", "ics", "s_a1", str(target)]) == 0
    assert target.read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")
    assert main(["schedule", "ics", "nobody", str(target)]) == 1
    assert "no user 'nobody'" in capsys.readouterr().err
    assert main(["schedule", "solve", "--school", "999999"]) == 1


def test_every_solve_is_audited_when_asked_for_and_when_stored(
        solved: dict[str, Any]) -> None:
    week, teacher, school = solved["week"], solved["teacher"], solved["school"]
    asked = AuditEvent.objects.get(action="instruction.schedule.solve")
    assert asked.actor == teacher and asked.district == school.district
    assert asked.details == {"weekly_schedule": week.id}
    stored = AuditEvent.objects.get(action="instruction.schedule.solved")
    assert stored.actor == teacher and stored.object_id == str(school.id)
    assert stored.details["weekly_schedule"] == week.id
    assert stored.details["status"] == "ready"
    assert stored.details["meetings"] == len(week.result["meetings"])
    assert stored.details["violations"] == 0


def test_an_impossible_week_is_audited_with_its_problems() -> None:
    world = build_world()
    school = world.schools["a1"]
    week = do_solve_week(world.users["sa_a1"], school)
    stored = AuditEvent.objects.get(action="instruction.schedule.solved")
    assert stored.actor == world.users["sa_a1"]
    assert stored.details["weekly_schedule"] == week.id
    assert stored.details["status"] == "infeasible" and stored.details["problems"] == 1


def test_cli_solve_is_audited_as_the_system_or_as_the_named_operator(
        solved: dict[str, Any], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    world, school = solved["world"], solved["school"]
    monkeypatch.setattr("getpass.getuser", lambda: "ops-kim")
    AuditEvent.objects.filter(action__startswith="instruction.schedule.").delete()
    assert main(["schedule", "solve", "--school", str(school.id), "--time-limit", "5"]) == 0
    for action in ("instruction.schedule.solve", "instruction.schedule.solved"):
        entry = AuditEvent.objects.get(action=action)
        assert entry.actor is None and entry.actor_label == "system"
        assert entry.details["via"] == "cli" and entry.details["os_user"] == "ops-kim"
    # --as names the operator's own account: one that may build the school's week
    assert main(["schedule", "solve", "--school", str(school.id), "--as", "nobody"]) == 1
    assert main(["schedule", "solve", "--school", str(school.id), "--as", "t_a1"]) == 1
    assert "may not solve the week" in capsys.readouterr().err
    assert AuditEvent.objects.filter(action="instruction.schedule.solve").count() == 1
    assert main(["schedule", "solve", "--school", str(school.id), "--time-limit", "5",
                 "--as", "sa_a1"]) == 0
    entries = AuditEvent.objects.filter(action__startswith="instruction.schedule.solve",
                                        actor=world.users["sa_a1"])
    assert sorted(e.action for e in entries) == ["instruction.schedule.solve",
                                                 "instruction.schedule.solved"]
    assert all(e.details["via"] == "cli" for e in entries)


def test_cli_explains_an_impossible_week(solved: dict[str, Any],
                                         capsys: pytest.CaptureFixture[str]) -> None:
    school, first = solved["school"], solved["first"]
    after = Period.objects.get(school=school, name="After school")
    clash = FixedBlock.objects.create(district=school.district, school=school,
                                      kind="dual_enrollment", title="College algebra",
                                      slots=[[1, after.id]])
    clash.students.add(first)
    assert main(["schedule", "solve", "--school", str(school.id)]) == 1
    err = capsys.readouterr().err
    assert "cannot be built" in err and "College algebra" in err and "Robotics club" in err


def test_only_the_latest_weeks_are_kept(solved: dict[str, Any]) -> None:
    from trellis.instruction.actions import KEEP_WEEKS

    school = solved["school"]
    for _ in range(KEEP_WEEKS + 2):
        do_solve_week(None, school, time_limit_s=2)
    assert WeeklySchedule.objects.filter(school=school).count() == KEEP_WEEKS


def test_a_step_that_needs_a_teacher_gets_an_online_session(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = build_world()
    klass = world.classes["a1"]
    bells(klass.school)
    ana = more_students(world, "a1", 2)
    first = world.users["s_a1"]
    # three students, each alone on their step: nobody is grouped; two need a teacher
    stub_next_steps(
        monkeypatch,
        {first.id: ("7.G.A.1", 0.3), ana[0].id: ("7.G.A.1", 0.9), ana[1].id: ("7.NS.A.1", 0.5)},
        modes={first.id: "teacher_session", ana[0].id: "teacher_session"},
    )
    week = do_solve_week(world.users["t_a1"], klass.school)
    week.refresh_from_db()
    online = [m for m in week.result["meetings"] if m["kind"] == "online_with_teacher"]
    assert len(online) == 1
    assert online[0]["title"] == "Math 7 (a1): online session on 7.G.A.1"
    assert set(online[0]["student_ids"]) == {first.id, ana[0].id}
    assert online[0]["room"] is None and online[0]["teacher_id"] == world.users["t_a1"].id


def test_a_student_the_roster_deactivated_gets_no_place_in_a_fixed_block(
        solved: dict[str, Any]) -> None:
    from django.utils import timezone

    from trellis.accounts.models import User

    first, school, teacher = solved["first"], solved["school"], solved["teacher"]
    other = User.objects.filter(district=school.district, role="student").exclude(
        id=first.id).first()
    assert other is not None
    club = FixedBlock.objects.get(title="Robotics club")
    club.students.add(other)
    User.objects.filter(id=first.id).update(deactivated_at=timezone.now(), is_active=False)
    week = do_solve_week(teacher, school)
    week.refresh_from_db()
    robotics = [m for m in week.result["meetings"] if m["title"] == "Robotics club"]
    assert robotics
    for meeting in robotics:
        assert other.id in meeting["student_ids"] and first.id not in meeting["student_ids"]
