"""The teacher's Today page: groups, one-on-ones, independent work, and teacher changes that
persist, are audited and re-solve the week."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.content.helpers import make_framework
from tests.instruction.helpers import bells, more_students, stub_next_steps
from tests.world import World, build_world
from trellis.audit.models import AuditEvent
from trellis.instruction.models import GroupOverride, WeeklySchedule
from trellis.instruction.queries import class_today
from trellis.learning.models import EvidenceEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def classroom(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    world = build_world()
    klass = world.classes["a1"]
    bells(klass.school)
    ana = more_students(world, "a1", 7)
    first = world.users["s_a1"]
    steps: dict[int, tuple[str, float] | None] = {
        first.id: ("7.EE.A.1", 0.40), ana[0].id: ("7.EE.A.1", 0.42),
        ana[1].id: ("7.EE.A.1", 0.45), ana[2].id: ("7.EE.A.1", 0.50),
        ana[3].id: ("7.NS.A.1", 0.60), ana[4].id: ("7.NS.A.1", 0.62),
        ana[5].id: ("7.NS.A.1", 0.65), ana[6].id: ("7.EE.A.1", 0.95),
    }
    stub_next_steps(monkeypatch, steps)
    return {"world": world, "klass": klass, "ana": ana, "first": first}


def _teacher(world: World) -> Client:
    client = Client()
    client.force_login(world.users["t_a1"])
    return client


def test_groups_share_a_standard_and_close_ability_and_everyone_is_placed(
    classroom: dict[str, Any],
) -> None:
    today = class_today(classroom["klass"])
    groups = {g.group_id: set(g.student_ids) for g in today.result.groups}
    ana = classroom["ana"]
    assert groups == {
        "7.EE.A.1#1": {str(classroom["first"].id), str(ana[0].id), str(ana[1].id),
                       str(ana[2].id)},
        "7.NS.A.1#1": {str(ana[3].id), str(ana[4].id), str(ana[5].id)},
    }
    (left,) = today.result.independent
    assert left.student_id == str(ana[6].id)
    assert "too far from the closest group" in left.reason


def test_the_page_shows_groups_activity_rationale_and_reasons(
    classroom: dict[str, Any],
) -> None:
    district = classroom["klass"].district
    make_framework(district, [("7.EE.A.1", "Apply properties of operations", ["07"]),
                              ("7.NS.A.1", "Add and subtract rational numbers", ["07"])])
    stuck = classroom["ana"][1]
    for n in range(4):
        event = EvidenceEvent.objects.create(
            district=district, student=stuck, kind="practice", correct=False,
            idempotency_key=f"k{n}", occurred_at=timezone.now())
        event.standards.add(*district.frameworks.get().standards.filter(code="7.EE.A.1"))
    response = _teacher(classroom["world"]).get(
        reverse("today-class", args=[classroom["klass"].id]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Group 1" in html and "Group 2" in html
    assert "Suggested activity:" in html and "Practice 7.EE.A.1" in html
    assert "have close ability" in html  # the rationale
    assert "Stuck on 7.EE.A.1: 4 of 4 attempts failed" in html  # one-on-one, in words
    assert "Ana 7" in html and "too far from the closest group" in html
    assert "No weekly schedule yet." in html


def test_moving_a_student_persists_audits_and_resolves_the_week(
    classroom: dict[str, Any],
) -> None:
    klass, mover = classroom["klass"], classroom["ana"][6]
    client = _teacher(classroom["world"])
    response = client.post(reverse("today-move", args=[klass.id]),
                           {"student_id": mover.id, "group_id": "7.NS.A.1#1"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Moved Ana 7 to the 7.NS.A.1 group." in html
    assert "Moved here by the teacher: Ana 7." in html  # names, not ids
    override = GroupOverride.objects.get(klass=klass)
    assert (override.kind, override.student_id, override.active) == ("move", mover.id, True)
    assert AuditEvent.objects.filter(action="instruction.group.move").count() == 1
    # respected next time: a fresh grouping still has the student in that group
    group = class_today(klass).result.group_of(str(mover.id))
    assert group is not None and group.group_id == "7.NS.A.1#1"
    # the week was re-solved with the new group, and the panel shows it
    week = WeeklySchedule.objects.get(school=klass.school)
    assert week.status == "ready", week.problems
    assert week.violations == []
    group_meetings = [m for m in week.result["meetings"]
                      if m["request_id"] == f"class-{klass.id}/group/7.NS.A.1#1"]
    assert len(group_meetings) == 2 and all(mover.id in m["student_ids"] for m in group_meetings)
    assert "small group 7.NS.A.1" in html


def test_dissolve_pin_and_undo(classroom: dict[str, Any]) -> None:
    klass, ana = classroom["klass"], classroom["ana"]
    client = _teacher(classroom["world"])
    client.post(reverse("today-dissolve", args=[klass.id]), {"group_id": "7.NS.A.1#1"})
    result = class_today(klass).result
    assert [g.group_id for g in result.groups] == ["7.EE.A.1#1"]
    dissolved = {i.student_id: i.reason for i in result.independent}
    assert "The teacher dissolved group 7.NS.A.1#1" in dissolved[str(ana[3].id)]

    response = client.post(reverse("today-pin", args=[klass.id]),
                           {"student_ids": [ana[3].id, ana[6].id]}, follow=True)
    assert "Kept together as “Teacher group 1”" in response.content.decode()
    pinned = class_today(klass).result.group_of(str(ana[6].id))
    assert pinned is not None and pinned.pinned and pinned.group_id == "Teacher group 1"

    client.post(reverse("today-reset", args=[klass.id]))
    result = class_today(klass).result
    assert {g.group_id for g in result.groups} == {"7.EE.A.1#1", "7.NS.A.1#1"}
    assert not GroupOverride.objects.filter(klass=klass, active=True).exists()


def test_a_refused_move_says_why_and_changes_nothing(classroom: dict[str, Any]) -> None:
    klass = classroom["klass"]
    other = classroom["world"].users["s_a1b"]  # a student of another class
    response = _teacher(classroom["world"]).post(
        reverse("today-move", args=[klass.id]),
        {"student_id": other.id, "group_id": "7.NS.A.1#1"}, follow=True)
    assert "That student is not in this class." in response.content.decode()
    assert not GroupOverride.objects.exists()


def test_a_move_to_a_group_that_no_longer_exists_is_reported_on_the_page(
    classroom: dict[str, Any],
) -> None:
    klass, mover = classroom["klass"], classroom["ana"][0]
    GroupOverride.objects.create(district=klass.district, klass=klass, kind="move",
                                 group_id="6.RP.A.1#2", student=mover)
    html = _teacher(classroom["world"]).get(reverse("today-class", args=[klass.id])).content
    text = html.decode()
    assert "Changes that could not apply today" in text
    assert "Move Ana 1 to the 6.RP.A.1 group: no such group today" in text


def test_the_week_panel_polls_while_the_week_is_solving(classroom: dict[str, Any]) -> None:
    klass = classroom["klass"]
    WeeklySchedule.objects.create(district=klass.district, school=klass.school,
                                  week_start=timezone.localdate(), status="solving")
    url = reverse("today-week", args=[klass.id])
    html = _teacher(classroom["world"]).get(url).content.decode()
    assert f'hx-get="{url}"' in html and "Updating the week" in html


def test_an_impossible_week_is_explained_in_words(classroom: dict[str, Any]) -> None:
    from trellis.instruction.models import FixedBlock, Period, StudentAvailability

    klass, ana = classroom["klass"], classroom["ana"]
    after = Period.objects.get(school=klass.school, name="After school")
    block = FixedBlock.objects.create(district=klass.district, school=klass.school,
                                      kind="extended_learning", title="Robotics club",
                                      slots=[[0, after.id]])
    block.students.add(ana[0])
    StudentAvailability.objects.create(district=klass.district, school=klass.school,
                                       student=ana[0], day=0, period=after, note="Bus")
    client = _teacher(classroom["world"])
    response = client.post(reverse("today-solve", args=[klass.id]), follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert "cannot be built as asked" in html
    assert "Robotics club" in html and "Ana 1" in html
    assert "INFEASIBLE" not in html


def test_the_api_gives_the_groups(classroom: dict[str, Any]) -> None:
    klass = classroom["klass"]
    data = _teacher(classroom["world"]).get(
        reverse("api:api-today-class", args=[klass.id])).json()
    assert [g["group_id"] for g in data["groups"]] == ["7.EE.A.1#1", "7.NS.A.1#1"]
    assert len(data["independent"]) == 1
