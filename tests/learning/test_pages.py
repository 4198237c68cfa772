"""Mastery pages and API: who sees them, what "why" says, and the refit button."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from tests.world import World
from trellis.content.models import Item
from trellis.frameworks.models import Framework, Standard
from trellis.learning.actions import do_record_evidence
from trellis.learning.models import LearnerModelParameters, MasteryState

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 9, 1, 9, 0, tzinfo=dt.UTC)


def _standard(world: World, key: str = "a", code: str = "7.EE.A.1") -> Standard:
    framework, _ = Framework.objects.get_or_create(
        district=world.districts[key], identifier=f"pages-{key}",
        defaults={"title": "Expressions and equations"})
    return Standard.objects.create(framework=framework, identifier=f"pages-{key}-{code}",
                                   code=code, statement="Apply properties of operations.")


def _client(world: World, username: str) -> Client:
    client = Client()
    client.force_login(world.users[username])
    return client


def _history(world: World, standard: Standard) -> None:
    student = world.users["s_a1"]
    item = Item.objects.create(district=world.districts["a"], identifier="eq-1", source="qti",
                               title="Combine like terms", content={})
    for n, correct in enumerate([True, True, False]):
        do_record_evidence(student, kind="practice", standards=[standard], item=item,
                           idempotency_key=f"k{n}", correct=correct,
                           occurred_at=START + dt.timedelta(days=n))
    do_record_evidence(student, kind="observation", standards=[standard],
                       idempotency_key="obs", score=1.0, note="Explained it to a partner",
                       recorded_by=world.users["t_a1"], occurred_at=START + dt.timedelta(days=5))


def test_the_teacher_sees_why_a_value_is_what_it_is(world: World) -> None:
    standard = _standard(world)
    _history(world, standard)
    student = world.users["s_a1"]
    row = MasteryState.objects.get(student=student, standard=standard)
    client = _client(world, "t_a1")
    listing = client.get(reverse("student-mastery", args=[student.id])).content.decode()
    assert "7.EE.A.1" in listing and f"{round(row.probability * 100)}%" in listing
    page = client.get(reverse("student-standard-mastery", args=[student.id, standard.id]))
    html = page.content.decode()
    why = html.split('id="why-h"')[1].split("</section>")[0]
    assert "Teacher observation" in why  # the latest evidence that moved it
    assert f"+{round(row.last_change * 100)} point" in why
    assert "Explained it to a partner" in html
    assert html.count("Combine like terms") == 3  # the history
    assert "Wrong" in html


def test_a_standard_of_another_district_is_not_found(world: World) -> None:
    other = _standard(world, "b")
    student = world.users["s_a1"]
    response = _client(world, "t_a1").get(
        reverse("student-standard-mastery", args=[student.id, other.id]))
    assert response.status_code == 404


def test_the_profile_links_to_mastery(world: World) -> None:
    student = world.users["s_a1"]
    html = _client(world, "g_a1").get(reverse("student-profile", args=[student.id])).content
    assert reverse("student-mastery", args=[student.id]).encode() in html


def test_the_api_gives_mastery_with_status(world: World) -> None:
    standard = _standard(world)
    _history(world, standard)
    student = world.users["s_a1"]
    data = _client(world, "s_a1").get(f"/api/v1/students/{student.id}/mastery").json()
    assert data["model_version"] == 0
    [entry] = data["standards"]
    assert entry["code"] == "7.EE.A.1"
    assert entry["evidence_count"] == 4 and entry["evidence_days"] == 4
    assert entry["status"] in {"in_progress", "mastered"}


def test_refit_now_runs_the_job_and_marks_the_active_version(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRELLIS_JOBS_INLINE", "true")
    standard = _standard(world)
    _history(world, standard)
    client = _client(world, "da_a")
    response = client.post(reverse("learner-refit"), {"confirm": "refit"})
    assert response.status_code == 302
    job_page = client.get(response["Location"]).content.decode()
    assert "Finished" in job_page
    active = LearnerModelParameters.objects.get(district=world.districts["a"], active=True)
    assert active.responses_used == 4
    page = client.get(reverse("learner-model")).content.decode()
    assert "Active</span>" in page and "(prior) parameters: only 4 responses" in page


def test_parameters_an_engine_cannot_use_fall_back_to_the_prior(world: World) -> None:
    from trellis.learning import modeling
    from trellis.learning.prior import prior_parameters

    broken = prior_parameters()
    broken["params"]["dense_weight"] = broken["params"]["dense_weight"][:3]  # an older layout
    LearnerModelParameters.objects.create(
        district=world.districts["a"], model_name="best-lr-plus", parameters=broken,
        version=1, active=True)
    standard = _standard(world)
    _history(world, standard)  # answers are still recorded, with the prior
    assert modeling.active_model(world.districts["a"].id).version == modeling.PRIOR_VERSION
    assert MasteryState.objects.get(student=world.users["s_a1"], standard=standard).probability
    page = _client(world, "da_a").get(reverse("learner-model")).content.decode()
    assert "no longer loads" in page


def test_the_rule_is_spoken_to_the_student_and_names_them_to_everyone_else(
        world: World) -> None:
    standard = _standard(world)
    _history(world, standard)
    student = world.users["s_a1"]
    for username, words in (("s_a1", "chance that you know the standard"),
                            ("g_a1", "chance that Student knows the standard"),
                            ("t_a1", "chance that Student knows the standard")):
        client = _client(world, username)
        for page in (reverse("student-mastery", args=[student.id]),
                     reverse("student-standard-mastery", args=[student.id, standard.id])):
            html = client.get(page).content.decode()
            assert words in html, (username, page)


def test_the_rule_calls_the_student_by_the_name_they_go_by(world: World) -> None:
    student = world.users["s_a1"]
    student.preferred_name = "Stevie"
    student.save(update_fields=["preferred_name"])
    html = _client(world, "g_a1").get(reverse("student-mastery", args=[student.id])).content
    assert b"chance that Stevie knows the standard" in html
