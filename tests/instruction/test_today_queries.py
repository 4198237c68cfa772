"""Today reads a class in a fixed number of queries, whatever its size (issue 14, item 9): the
recent evidence behind one-on-ones is read for the whole class at once, and says the same as
when it was read student by student.

Query counts only: no test depends on timing (``bench/pages.py`` measures it)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.instruction.helpers import bells
from tests.plans.helpers import setup_district, standard
from tests.world import PASSWORD, World, build_world
from trellis.accounts.actions import do_create_user
from trellis.accounts.models import Role, User
from trellis.instruction.queries import NextStep, recent_evidence
from trellis.learning.actions import do_record_evidence
from trellis.learning.models import MasteryState
from trellis.roster.actions import do_enroll

pytestmark = pytest.mark.django_db


def _join_class(world: World, first: int, count: int) -> list[User]:
    """``count`` more grade-7 students in class a1, each with failed practice on a standard
    their plan makes next and a wrong check-up answer (one-on-one material)."""
    klass = world.classes["a1"]
    district = klass.district
    made = []
    for n in range(first, first + count):
        student = do_create_user(
            district, f"s_t_{n}", Role.STUDENT, first_name="Tao", last_name=str(n),
            school=klass.school, grade="07", password=PASSWORD,
        )
        do_enroll(klass, student, "student")
        for k in range(3):
            do_record_evidence(student, kind="practice", correct=False,
                               standards=[standard(district, "7.EE.A.1")],
                               idempotency_key=f"t-{n}-{k}")
        do_record_evidence(student, kind="diagnostic", correct=False,
                           standards=[standard(district, "6.EE.A.3")],
                           idempotency_key=f"t-{n}-check")
        made.append(student)
    return made


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_today_reads_a_class_of_any_size_in_the_same_queries() -> None:
    world = build_world()
    setup_district(world.districts["a"])
    bells(world.schools["a1"])
    url = reverse("today-class", args=[world.classes["a1"].id])
    _join_class(world, 1, 3)
    client = Client()
    client.force_login(world.users["t_a1"])
    client.get(url)  # warm: the map is loaded once per framework version
    small = _queries(client, url)
    _join_class(world, 4, 6)
    assert _queries(client, url) == small


def test_recent_evidence_is_each_students_own_on_their_own_next_step() -> None:
    world = build_world()
    district = world.districts["a"]
    setup_district(district)
    behind, other, unplanned = _join_class(world, 1, 3)
    now, today = timezone.now(), timezone.localdate()
    # a failure outside the window, and one on someone else's next step: neither counts
    do_record_evidence(behind, kind="practice", correct=False,
                       standards=[standard(district, "7.EE.A.1")],
                       occurred_at=now - dt.timedelta(days=10), idempotency_key="old")
    do_record_evidence(behind, kind="practice", correct=True,
                       standards=[standard(district, "7.EE.A.1")], idempotency_key="right")
    do_record_evidence(behind, kind="practice", correct=False,
                       standards=[standard(district, "7.NS.A.1")], idempotency_key="ns")
    # a wrong check-up answer on the step itself is not a gap
    do_record_evidence(behind, kind="diagnostic", correct=False,
                       standards=[standard(district, "7.EE.A.1")], idempotency_key="d-step")
    steps: dict[int, NextStep | None] = {
        behind.id: NextStep("7.EE.A.1", "", 0.4, target_date=today - dt.timedelta(days=3)),
        other.id: NextStep("7.NS.A.1", "", 0.3),
        unplanned.id: None,
    }
    with CaptureQueriesContext(connection) as captured:
        found = recent_evidence([behind, other, unplanned], steps, today, district.id)
    assert len(captured) == 3

    mine = found[behind.id]
    # three failed practices, one right answer, the wrong check-up answer on the step
    assert (mine.recent_attempts, mine.recent_failures) == (5, 4)
    state = MasteryState.objects.get(student=behind, standard=standard(district, "7.EE.A.1"))
    assert mine.mastery_change == state.last_change != 0
    assert mine.days_behind_pace == 3.0
    assert mine.diagnostic_gaps == ("6.EE.A.3",)

    theirs = found[other.id]  # evidence only on 7.EE.A.1, not their step
    assert (theirs.recent_attempts, theirs.recent_failures, theirs.mastery_change) == (0, 0, 0.0)
    assert theirs.diagnostic_gaps == ("6.EE.A.3",) and theirs.days_behind_pace == 0.0

    nothing = found[unplanned.id]
    assert (nothing.recent_attempts, nothing.diagnostic_gaps) == (0, ("6.EE.A.3",))
