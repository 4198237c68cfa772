"""The plan pages through the platform: "My plan", goals with SMART prompts, activity choice,
reflections, the profile, projects scored on the rubric, observations, teacher edits, the
class heatmap, the guardian's read-only view, the API — and mastery moving the plan."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from tests.plans.helpers import activity, heatmap_status, master, standard
from tests.world import World
from trellis.audit.models import AuditEvent
from trellis.content.models import Playlist, PlaylistEntry
from trellis.learning.models import EvidenceEvent
from trellis.plans.adapters import student_plan
from trellis.plans.models import (
    Goal,
    LearnerProfile,
    PlanEdit,
    ProjectProposal,
    Reflection,
    StepChoice,
)


def _client(world: World, username: str) -> Client:
    client = Client()
    client.force_login(world.users[username])
    return client


def _html(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return str(response.content.decode())


def _pathway(world: World, username: str = "s_a1") -> list[str]:
    built = student_plan(world.users[username])
    assert built is not None
    return built.plan.pathway


def _due(days: int = 200) -> str:
    """A weekday ``days`` or a little more from today (a school day, so no SMART question)."""
    day = timezone.localdate() + dt.timedelta(days=days)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day.isoformat()


def test_a_student_without_evidence_gets_the_grade_level_plan_and_a_diagnostic_prompt(
        pw: World) -> None:
    html = _html(_client(pw, "s_a1").get(reverse("plan-mine")))
    assert "My plan" in html
    assert "There is no evidence yet, so this plan starts from grade 7" in html
    assert "Mastered means the evidence shows at least a 95% chance" in html  # the rule
    for code in ("7.EE.A.1", "7.EE.B.3", "7.NS.A.1"):  # ready: grade 6 is assumed
        assert f'id="step-{code}"' in html
    assert 'id="step-7.EE.A.2"' not in html  # waits on 7.EE.A.1
    framework = pw.extra["framework_a"]
    assert reverse("skill-map", args=[framework.id]) in html  # the map coloured for me
    assert "Teacher tools" not in html
    try:
        assert reverse("diagnostic-home") in html  # the prompt links to the check
    except NoReverseMatch:
        assert "Take the diagnostic when your teacher opens it" in html


def test_mastering_a_step_takes_it_out_and_lets_what_it_unlocks_in(pw: World) -> None:
    student = pw.users["s_a1"]
    before = _pathway(pw)
    assert "7.EE.A.1" in before and "7.EE.A.2" not in before
    master(student, "7.EE.A.1")
    after = _pathway(pw)
    assert "7.EE.A.1" not in after
    assert "7.EE.A.2" in after
    html = _html(_client(pw, "s_a1").get(reverse("plan-mine")))
    assert 'id="step-7.EE.A.2"' in html
    assert "Next because you mastered 7.EE.A.1" in html
    assert "There is no evidence yet" not in html


def test_goal_form_asks_smart_questions_then_saves(pw: World) -> None:
    client = _client(pw, "s_a1")
    student = pw.users["s_a1"]
    url = reverse("plan-goal-new", args=[student.id])
    # vague and undated: questions, nothing saved
    html = _html(client.post(url, {"title": "get better at math"}))
    assert "What exactly do you want to be able to do?" in html
    assert "By when?" in html
    assert not Goal.objects.filter(student=student).exists()
    # specific, dated: saved as the student's own goal, audited
    response = client.post(url, {"title": "Two-step equations", "standards": ["7.EE.B.4"],
                                 "due": _due()})
    assert response.status_code == 302, response.content.decode().split('class="prompts"')[-1][:600]
    goal = Goal.objects.get(student=student)
    assert (goal.kind, goal.standard_codes) == ("student", ["7.EE.B.4"])
    assert AuditEvent.objects.filter(action="plan.goal.set").exists()
    html = _html(client.get(reverse("plan-mine")))
    assert "Two-step equations" in html and "0 of 3 standards mastered" in html


def test_a_goal_with_a_prompt_can_be_saved_as_it_is(pw: World) -> None:
    client = _client(pw, "s_a1")
    student = pw.users["s_a1"]
    url = reverse("plan-goal-new", args=[student.id])
    far = _due(500)  # after the term: a question, not a refusal
    html = _html(client.post(url, {"title": "Expressions", "other_standards": "7.EE.A.2",
                                   "due": far}))
    assert "is this a longer goal?" in html and "Save it as it is" in html
    response = client.post(url, {"title": "Expressions", "other_standards": "7.EE.A.2",
                                 "due": far, "confirm": "1"})
    assert response.status_code == 302
    assert Goal.objects.filter(student=student, title="Expressions").exists()


def test_the_student_chooses_an_activity_and_practice_links_to_the_practice_page(
        pw: World) -> None:
    district = pw.districts["a"]
    student = pw.users["s_a1"]
    video = activity(district, "Like terms video", "video", "7.EE.A.1", minutes=8,
                     url="https://example.org/v")
    practice = activity(district, "Practice like terms", "practice", "7.EE.A.1")
    client = _client(pw, "s_a1")
    html = _html(client.get(reverse("plan-mine")))
    practice_url = reverse("practice", args=[standard(district, "7.EE.A.1").id])
    assert practice_url in html
    response = client.post(reverse("plan-choose", args=[student.id]),
                           {"code": "7.EE.A.1", "activity": video.id})
    assert response.status_code == 302
    assert StepChoice.objects.get(student=student, code="7.EE.A.1").activity == video
    client.post(reverse("plan-choose", args=[student.id]),
                {"code": "7.EE.A.1", "activity": practice.id})
    assert StepChoice.objects.get(student=student, code="7.EE.A.1").activity == practice
    # an activity of another step is refused
    client.post(reverse("plan-choose", args=[student.id]),
                {"code": "7.NS.A.1", "activity": video.id})
    assert not StepChoice.objects.filter(student=student, code="7.NS.A.1").exists()
    assert "My choice" in _html(client.get(reverse("plan-mine")))


def test_reflection_profile_and_project_proposal(pw: World) -> None:
    student = pw.users["s_a1"]
    client = _client(pw, "s_a1")
    client.post(reverse("plan-reflect", args=[student.id]),
                {"code": "7.EE.A.1", "learned": "Combine like terms", "hard": "Negatives",
                 "feeling": "4"})
    reflection = Reflection.objects.get(student=student)
    assert (reflection.feeling, reflection.hard) == (4, "Negatives")
    client.post(reverse("plan-profile", args=[student.id]),
                {"interests": "music, soccer", "strengths": "drawing",
                 "learns_best_1": "video", "learns_best_2": "practice_set", "learns_best_3": "",
                 "languages": "English, Spanish"})
    profile = LearnerProfile.objects.get(student=student)
    assert profile.interests == ["music", "soccer"]
    assert profile.learns_best == ["video", "practice_set"]
    bad = client.post(reverse("plan-profile", args=[student.id]),
                      {"learns_best_1": "telepathy"}, follow=True)
    assert "is not a way of learning Trellis knows" in bad.content.decode()
    client.post(reverse("plan-propose", args=[student.id]),
                {"standard": standard(pw.districts["a"], "7.EE.A.1").id,
                 "title": "Music budget", "description": "A poster about band costs."})
    assert ProjectProposal.objects.get(student=student).status == "proposed"
    # the teacher reads the reflection on the class page
    teacher_html = _html(_client(pw, "t_a1").get(
        reverse("teach-class", args=[pw.classes["a1"].id])))
    assert "Combine like terms" in teacher_html
    assert "Music budget" in teacher_html


def test_a_teacher_approves_and_scores_a_project_and_it_becomes_evidence(pw: World) -> None:
    student = pw.users["s_a1"]
    proposal = ProjectProposal.objects.create(
        district=pw.districts["a"], student=student,
        standard=standard(pw.districts["a"], "7.EE.A.1"), title="Poster", description="...")
    teacher = _client(pw, "t_a1")
    scoring = reverse("teach-project", args=[proposal.id])
    # not approved yet: scoring is refused
    teacher.post(scoring, {"understanding": 4, "accuracy": 4, "reasoning": 4,
                           "application": 4})
    assert not EvidenceEvent.objects.filter(student=student).exists()
    teacher.post(reverse("teach-project-review", args=[proposal.id]), {"decision": "approve"})
    proposal.refresh_from_db()
    assert proposal.status == "approved"
    html = _html(teacher.get(scoring))
    assert "Reasoning and explanation" in html and "Proficient" in html
    response = teacher.post(scoring, {"understanding": 4, "accuracy": 3, "reasoning": 3,
                                      "application": 4, "note": "Clear poster"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "scored"
    assert proposal.score == round((1 + 2 / 3 + 2 / 3 + 1) / 4, 4)
    event = EvidenceEvent.objects.get(student=student)
    assert (event.kind, event.score, event.recorded_by) == ("project", proposal.score,
                                                             pw.users["t_a1"])
    assert AuditEvent.objects.filter(action="plan.project.scored").exists()


def test_teacher_edits_persist_are_audited_and_can_be_undone(pw: World) -> None:
    student = pw.users["s_a1"]
    teacher = _client(pw, "t_a1")
    url = reverse("plan-edit", args=[student.id])
    original = _pathway(pw)
    last = original[-1]
    teacher.post(url, {"action": "move", "code": last, "position": "1"})
    assert _pathway(pw)[0] == last
    assert PlanEdit.objects.get(student=student).by == pw.users["t_a1"]
    assert AuditEvent.objects.filter(action="plan.edit.move").exists()
    teacher.post(url, {"action": "remove", "code": original[0]})
    assert original[0] not in _pathway(pw)
    teacher.post(url, {"action": "add", "code": "7.EE.A.2", "position": "2"})
    assert _pathway(pw)[1] == "7.EE.A.2"
    teacher.post(url, {"action": "set_mode", "code": last, "mode": "one_on_one"})
    built = student_plan(student)
    assert built is not None and built.plan.step(last).mode == "one_on_one"
    # assign a playlist: its activities come first, marked assigned
    district = pw.districts["a"]
    video = activity(district, "Video", "video", last)
    reading = activity(district, "Reading", "reading", last)
    playlist = Playlist.objects.create(district=district, standard=standard(district, last),
                                       title="Mine")
    PlaylistEntry.objects.create(playlist=playlist, activity=reading, position=1)
    teacher.post(url, {"action": "assign", "code": last, "assign": f"playlist:{playlist.id}"})
    built = student_plan(student)
    assert built is not None
    choices = built.plan.step(last).activities
    assert choices[0].activity.id == str(reading.id) and choices[0].assigned
    assert str(video.id) in {c.activity.id for c in choices}
    # the student sees who moved it
    assert "by Teacher A1" in _html(_client(pw, "s_a1").get(reverse("plan-mine")))
    teacher.post(url, {"action": "undo"})
    assert PlanEdit.objects.filter(student=student, active=True).count() == 4
    # a bad edit is refused with a message, nothing kept
    response = teacher.post(url, {"action": "move", "code": "9.ZZ.1", "position": "1"},
                            follow=True)
    assert "not a standard on the map" in response.content.decode()


def test_an_observation_is_evidence_and_moves_the_heatmap(pw: World) -> None:
    klass = pw.classes["a1"]
    teacher = _client(pw, "t_a1")
    page = reverse("teach-class", args=[klass.id])
    html = _html(teacher.get(page))
    assert "Mastery heatmap" in html
    assert heatmap_status(html, "A1, Student", "7.EE.A.1") == "Ready to learn"
    teacher.post(reverse("teach-observe", args=[klass.id]),
                 {"student": pw.users["s_a1"].id, "code": "7.EE.A.1", "level": "3",
                  "note": "Explained like terms at the board", "key": "obs-1"})
    event = EvidenceEvent.objects.get(student=pw.users["s_a1"])
    assert (event.kind, round(event.score or 0, 3)) == ("observation", 0.667)
    assert event.note.startswith("Proficient: ")
    html = _html(teacher.get(page))
    assert heatmap_status(html, "A1, Student", "7.EE.A.1") == "In progress"
    # a retried submit (same key) counts once
    teacher.post(reverse("teach-observe", args=[klass.id]),
                 {"student": pw.users["s_a1"].id, "code": "7.EE.A.1", "level": "3",
                  "note": "Explained like terms at the board", "key": "obs-1"})
    assert EvidenceEvent.objects.filter(student=pw.users["s_a1"]).count() == 1
    master(pw.users["s_a1"], "7.EE.A.1")
    html = _html(teacher.get(page + "?sort=progress&domain=7.EE"))
    assert heatmap_status(html, "A1, Student", "7.EE.A.1") == "Mastered"
    assert "7.NS.A.1" not in html.split("<tbody>")[1].split("</table>")[0]  # filtered out


def test_heatmap_sorts_by_progress(pw: World) -> None:
    from trellis.accounts.actions import do_create_user
    from trellis.roster.actions import do_enroll

    klass = pw.classes["a1"]
    other = do_create_user(pw.districts["a"], "s_zed", "student", first_name="Zed",
                           last_name="Adams", school=pw.schools["a1"], grade="07")
    do_enroll(klass, other, "student")
    master(other, "7.EE.A.1")
    teacher = _client(pw, "t_a1")
    by_name = _html(teacher.get(reverse("teach-class", args=[klass.id])))
    by_progress = _html(teacher.get(reverse("teach-class", args=[klass.id]) + "?sort=progress"))
    body = by_name.split("<tbody>")[1]
    assert body.index("A1, Student") < body.index("Adams, Zed")  # by last name
    body = by_progress.split("<tbody>")[1]
    assert body.index("Adams, Zed") < body.index("A1, Student")
    assert "Each student’s plan" in by_name


def test_the_guardian_sees_the_plan_read_only(pw: World) -> None:
    student = pw.users["s_a1"]
    Goal.objects.create(district=pw.districts["a"], student=student, kind="teacher",
                        title="Winter goal", standard_codes=["7.EE.A.2"],
                        due=timezone.localdate() + dt.timedelta(days=60))
    html = _html(_client(pw, "g_a1").get(reverse("plan-student", args=[student.id])))
    assert "You are viewing this plan read-only" in html
    assert "chance that Student knows the standard" in html  # the rule, named for a parent
    assert "Winter goal" in html
    assert "<form" not in html.split('id="main"')[1]  # no forms at all
    assert _client(pw, "g_a1").post(reverse("plan-goal-new", args=[student.id]),
                                    {"title": "x"}).status_code == 404


def test_the_api_gives_the_plan_json(pw: World) -> None:
    student = pw.users["s_a1"]
    response = _client(pw, "t_a1").get(f"/api/v1/students/{student.id}/plan")
    assert response.status_code == 200
    data = json.loads(response.content)
    assert [s["code"] for s in data["pathway"]] == _pathway(pw)
    assert data["mastery_rule"]["threshold"] == 0.95


def test_district_settings_are_validated_by_the_engine(pw: World) -> None:
    import pytest

    from trellis.learning.rules import mastery_rule_for
    from trellis.plans.actions import PlanError, do_update_plan_settings

    district = pw.districts["a"]
    with pytest.raises(PlanError, match="'treshold'"):
        do_update_plan_settings(None, district, mastery_rule={"treshold": 0.9})
    with pytest.raises(PlanError, match=r"between 0\.5 and 1"):
        do_update_plan_settings(None, district, mastery_rule={"threshold": 1.2})
    do_update_plan_settings(None, district, mastery_rule={"threshold": 0.8,
                                                          "min_distinct_days": 1})
    assert mastery_rule_for(district.id).threshold == 0.8
    html = _html(_client(pw, "s_a1").get(reverse("plan-mine")))
    assert "at least a 80% chance" in html and "from one day" in html


def test_a_diagnostic_placement_is_where_the_plan_starts(pw: World) -> None:
    from trellis.diagnostics.models import DiagnosticSession
    from trellis.learning.actions import do_record_evidence

    student = pw.users["s_a1"]
    district = pw.districts["a"]
    DiagnosticSession.objects.create(
        district=district, student=student, framework=pw.extra["framework_a"], seed=1,
        document="{}", status=DiagnosticSession.Status.COMPLETED,
        result={"likely_known": ["6.EE.A.3", "6.EE.A.4", "7.EE.A.1"], "frontier": ["7.EE.A.2"]},
        finished_at=timezone.now())
    # the check fed its placement to the learner model: one inferred piece of evidence
    do_record_evidence(student, kind="diagnostic", standards=[standard(district, "7.EE.A.1")],
                       idempotency_key="placement-1", score=0.97, step="placement")
    built = student_plan(student)
    assert built is not None
    assert built.plan.baseline_source == "diagnostic"
    assert not built.plan.needs_diagnostic
    assert "7.EE.A.1" not in built.plan.pathway  # placed as known: not a step to finish
    assert "7.EE.A.2" in built.plan.pathway  # what it unlocks is ready
    assert "6.EE.A.3" not in built.plan.pathway
    html = _html(_client(pw, "s_a1").get(reverse("plan-mine")))
    assert "Your plan starts from your latest check-up" in html
    assert "There is no evidence yet" not in html
    # practice on a placed standard is real evidence again: it counts
    do_record_evidence(student, kind="practice", standards=[standard(district, "7.EE.A.1")],
                       idempotency_key="practice-1", correct=False)
    built = student_plan(student)
    assert built is not None and "7.EE.A.1" in built.plan.pathway
