"""School set-up: periods, rooms, availability and fixed blocks, with clear messages."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.world import World, build_world
from trellis.audit.models import AuditEvent
from trellis.instruction.models import (
    BellSchedule,
    FixedBlock,
    Period,
    Room,
    StudentAvailability,
    TeacherAvailability,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin() -> tuple[World, Client, str]:
    world = build_world()
    client = Client()
    client.force_login(world.users["sa_a1"])
    return world, client, reverse("school-setup", args=[world.schools["a1"].id])


def _post(client: Client, url: str, **data: Any) -> str:
    return client.post(url, data, follow=True).content.decode()


def test_empty_school_shows_what_to_add(admin: tuple[World, Client, str]) -> None:
    _world, client, url = admin
    html = client.get(url).content.decode()
    assert "No periods yet." in html and "No rooms yet." in html
    assert "Nobody is marked unavailable." in html and "No fixed blocks." in html


def test_periods_are_added_and_refused_with_reasons(admin: tuple[World, Client, str]) -> None:
    _world, client, url = admin
    assert "Added period P1." in _post(client, url, form="period", name="P1", start="08:00",
                                       end="08:50")
    html = _post(client, url, form="period", name="P2", start="08:30", end="09:20")
    assert "Period P2 (08:30–09:20) overlaps P1 (08:00–08:50)." in html
    html = _post(client, url, form="period", name="P3", start="10:00", end="09:00")
    assert "the start (10:00) must be before the end (09:00)" in html
    html = _post(client, url, form="period", name="P1", start="11:00", end="11:50")
    assert "already has a period called P1" in html
    assert "Start: enter a time like 08:30." in _post(client, url, form="period", name="P4",
                                                      start="soon", end="11:00")
    assert list(Period.objects.values_list("name", flat=True)) == ["P1"]
    assert AuditEvent.objects.filter(action="instruction.setup.period").count() == 1


def test_bell_rooms_availability_blocks_and_removal(admin: tuple[World, Client, str]) -> None:
    world, client, url = admin
    school = world.schools["a1"]
    assert "Saved the school days" in _post(client, url, form="bell",
                                            days=["Mon", "Tue", "Wed", "Thu"],
                                            timezone="America/New_York")
    bell = BellSchedule.objects.get(school=school)
    assert (bell.days, bell.timezone) == (["Mon", "Tue", "Wed", "Thu"], "America/New_York")
    assert "is not a time zone name" in _post(client, url, form="bell", days=["Mon"],
                                              timezone="Mars/Olympus")
    assert "Choose at least one school day." in _post(client, url, form="bell",
                                                      timezone="UTC")

    assert "Added room Lab." in _post(client, url, form="room", name="Lab", capacity="12")
    assert "capacity must be at least 1" in _post(client, url, form="room", name="Closet",
                                                  capacity="0")
    assert "enter a whole number" in _post(client, url, form="room", name="X", capacity="lots")

    period = Period.objects.create(district=school.district, school=school, name="P1",
                                   start="08:00", end="08:50")
    teacher, student = world.users["t_a1"], world.users["s_a1"]
    assert "marked unavailable" in _post(client, url, form="unavailable", person=teacher.id,
                                         day="0", period=period.id, note="Prep")
    assert "marked unavailable" in _post(client, url, form="unavailable", person=student.id,
                                         day="3", period="")
    assert TeacherAvailability.objects.get().period == period
    assert StudentAvailability.objects.get().period is None  # the whole day
    other = world.users["s_b1"]  # another district's student
    assert "Choose a teacher or student of this school." in _post(
        client, url, form="unavailable", person=other.id, day="0")
    assert "Choose one of the school&#x27;s days." in _post(
        client, url, form="unavailable", person=teacher.id, day="6")

    room = Room.objects.get(name="Lab")
    html = _post(client, url, form="block", kind="dual_enrollment", title="College algebra",
                 students=[student.id], room=room.id, period=period.id, block_days=["0", "2"])
    assert "Added dual enrollment block “College algebra”." in html
    block = FixedBlock.objects.get()
    assert block.slots == [[0, period.id], [2, period.id]]
    assert "Choose when the block meets" in _post(client, url, form="block", kind="dual_enrollment",
                                                  title="X", students=[student.id],
                                                  period=period.id)
    page = client.get(url).content.decode()
    assert "College algebra" in page and "Mon P1, Wed P1" in page

    delete = reverse("school-setup-delete", args=[school.id])
    assert "Removed." in _post(client, delete, what="fixed_block", id=block.id)
    assert not FixedBlock.objects.exists()
    assert "already removed" in _post(client, delete, what="fixed_block", id=block.id)


def test_a_district_admin_sees_every_school_a_teacher_none() -> None:
    world = build_world()
    client = Client()
    client.force_login(world.users["da_a"])
    html = client.get(reverse("school-setup-home")).content.decode()
    assert "School A1" in html and "School A2" in html and "School B1" not in html
    client.force_login(world.users["t_a1"])
    assert "No schools to set up." in client.get(reverse("school-setup-home")).content.decode()
