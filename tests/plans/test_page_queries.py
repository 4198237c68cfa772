"""Daily plan pages read in a fixed number of queries, whatever the size of the class (issue
14, item 9): no query per student on the class page nor per classmate on a student's plan, and
the planning map is chosen by counting its links and standards separately.

Query counts only: no test depends on timing (``bench/pages.py`` measures it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.plans.helpers import HEATMAP_LETTERS, heatmap, standard
from tests.world import PASSWORD, World
from trellis.accounts.actions import do_create_district, do_create_user
from trellis.accounts.models import Role, User
from trellis.frameworks.models import Framework, Standard, StandardAssociation
from trellis.learning.actions import do_record_evidence
from trellis.plans.actions import (
    do_edit_plan,
    do_set_goal,
    do_update_plan_settings,
    do_update_profile,
)
from trellis.plans.adapters import class_plans, plan_framework
from trellis.roster.actions import do_enroll


def _join_class(pw: World, first: int, count: int) -> list[User]:
    """``count`` more grade-7 students in class a1, each with what a plan reads: evidence, a
    goal, a teacher's edit and a learner profile."""
    klass, teacher = pw.classes["a1"], pw.users["t_a1"]
    district = klass.district
    due = timezone.localdate() + dt.timedelta(days=60)
    made = []
    for n in range(first, first + count):
        student = do_create_user(
            district, f"s_q_{n}", Role.STUDENT, first_name="Quinn", last_name=str(n),
            school=klass.school, grade="07", password=PASSWORD,
        )
        do_enroll(klass, student, "student")
        do_record_evidence(student, kind="practice", standards=[standard(district, "7.EE.A.1")],
                           correct=n % 2 == 0, idempotency_key=f"q-{n}")
        do_set_goal(teacher, student, title=f"Goal {n}", standard_codes=["7.NS.A.1"], due=due)
        do_edit_plan(teacher, student, action="set_mode", code="7.NS.A.1", mode="small_group")
        do_update_profile(student, interests="music", strengths="", learns_best=["video"],
                          languages="")
        made.append(student)
    return made


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _same_count_for_twice_the_class(
    pw: World, viewer: Callable[[], User], url: Callable[[], str]
) -> tuple[int, int]:
    _join_class(pw, 1, 3)
    client = Client()
    client.force_login(viewer())
    client.get(url())  # warm: the map is loaded once per framework version
    small = _queries(client, url())
    _join_class(pw, 4, 6)
    return small, _queries(client, url())


def test_the_class_page_reads_a_class_of_any_size_in_the_same_queries(pw: World) -> None:
    small, large = _same_count_for_twice_the_class(
        pw, lambda: pw.users["t_a1"],
        lambda: reverse("teach-class", args=[pw.classes["a1"].id]))
    assert small == large


def test_the_class_page_of_a_class_of_30_is_under_100_kb_with_every_cell_lettered(
        pw: World) -> None:
    """Issue 21 item 4: every page's HTML under 100 KB for a class of 30; the heatmap's cells
    carry their status as a letter (explained once in the legend), named by the student's row
    header and the standard's column header rather than a tooltip and hidden label each."""
    klass = pw.classes["a1"]
    _join_class(pw, 1, 30 - klass.enrollments.filter(role="student").count())
    assert klass.enrollments.filter(role="student").count() == 30
    client = Client()
    client.force_login(pw.users["t_a1"])
    response = client.get(reverse("teach-class", args=[klass.id]))
    assert response.status_code == 200
    assert len(response.content) < 100_000
    html = response.content.decode()
    columns, rows = heatmap(html)
    assert columns and len(rows) == 30
    for name, cells in rows:
        assert name and len(cells) == len(columns)
        for cls, letter in cells:
            assert HEATMAP_LETTERS[cls] == letter
    assert 'scope="row"' in html and 'scope="col"' in html
    # the test map has few standards; the demo's grade has ~47: hold each cell to a few bytes
    # (the row header ~200) so that 30 × 47 cells stay well inside the page's 100 KB
    body = html.split('<table class="heatmap"')[1].split("<tbody>")[1].split("</tbody>")[0]
    assert len(body.encode()) < 30 * (200 + 25 * len(columns))
    for letter, word in (("M", "Mastered"), ("N", "Not yet"), ("R", "Ready to learn")):
        assert f">{letter}</span> {word}" in html  # the legend explains each letter


def test_a_students_plan_reads_any_number_of_classmates_in_the_same_queries(
        pw: World) -> None:
    small, large = _same_count_for_twice_the_class(
        pw, lambda: pw.users["s_a1"], lambda: reverse("plan-mine"))
    assert small == large


def test_class_plans_batch_goals_edits_and_profiles(pw: World) -> None:
    students = [pw.users["s_a1"], *_join_class(pw, 1, 4)]
    _context, plans = class_plans(students, pw.districts["a"].id)
    by_student = {sp.student.id: sp for sp in plans}
    for student in students[1:]:
        sp = by_student[student.id]
        assert [g.title for g in sp.goals] == [f"Goal {student.last_name}"]
        step = next(s for s in sp.plan.steps if s.code == "7.NS.A.1")
        assert step.mode == "small_group"  # the teacher's edit is applied
    assert by_student[students[0].id].goals == []  # nothing of the others leaks in


# -- the planning map --------------------------------------------------------------------------


def _framework(district_id: int, name: str, standards: int, links: int) -> Framework:
    framework = Framework.objects.create(district_id=district_id, identifier=name, title=name)
    rows = Standard.objects.bulk_create([
        Standard(framework=framework, identifier=f"{name}-{n}", code=f"{name}.{n}",
                 item_type="Standard", position=n)
        for n in range(standards)
    ])
    StandardAssociation.objects.bulk_create([
        StandardAssociation(framework=framework, identifier=f"{name}-link-{n}",
                            association_type="precedes", origin=rows[n % len(rows)],
                            destination=rows[(n + 1) % len(rows)])
        for n in range(links)
    ])
    return framework


@pytest.mark.django_db
def test_the_automatic_map_has_the_most_links_then_the_most_standards() -> None:
    district = do_create_district("Counting district", "dist-count")
    # joined in one aggregate, links × standards made the wide map look the most linked
    linked = _framework(district.id, "linked", standards=3, links=4)
    _framework(district.id, "wide", standards=40, links=3)
    with CaptureQueriesContext(connection) as captured:
        assert plan_framework(district.id) == linked
    assert len(captured) == 2  # the settings, then one query for every count
    wider = _framework(district.id, "wider", standards=5, links=4)
    assert plan_framework(district.id) == wider  # same links: more standards
    _framework(district.id, "same", standards=5, links=4)
    assert plan_framework(district.id) == wider  # all the same: the first made
    do_update_plan_settings(None, district, framework=linked)
    assert plan_framework(district.id) == linked  # the district's choice comes first
