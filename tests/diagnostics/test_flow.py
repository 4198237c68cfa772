"""The student's check end to end through the pages: start, answer, pause and resume,
double submits, not-assessable standards, evidence for the learner model, the result."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.diagnostics.helpers import right_answer, setup_diagnostic, take_check
from tests.world import World, build_world
from trellis.audit.models import AuditEvent
from trellis.diagnostics import bank
from trellis.diagnostics.models import DiagnosticResponse, DiagnosticSession
from trellis.frameworks.models import Framework
from trellis.learning.models import EvidenceEvent, MasteryState

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world()


def _start(client: Client, world: World) -> tuple[DiagnosticSession, Framework]:
    framework = setup_diagnostic(world.districts["a"])
    student = world.users["s_a1"]
    client.force_login(student)
    response = client.post("/diagnostic/start/", {"framework": framework.id})
    session = DiagnosticSession.objects.get(student=student)
    assert response.status_code == 302
    assert response["Location"] == f"/diagnostic/{session.id}/"
    return session, framework


def test_home_lists_the_subject_and_starts_a_check(client: Client, world: World) -> None:
    framework = setup_diagnostic(world.districts["a"])
    client.force_login(world.users["s_a1"])
    page = client.get("/diagnostic/")
    assert page.status_code == 200
    assert "Start the check" in page.content.decode()
    client.post("/diagnostic/start/", {"framework": framework.id})
    page = client.get("/diagnostic/")
    assert "Continue where you stopped" in page.content.decode()


def test_question_page_is_one_item_with_focus_and_no_fixed_length(
        client: Client, world: World) -> None:
    session, _ = _start(client, world)
    page = client.get(f"/diagnostic/{session.id}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "autofocus" in html and 'name="response"' in html
    assert "at most 24 more after this one, and it may stop sooner" in html
    assert "katex" in html  # math rendered with KaTeX
    assert html.count('name="engine_item"') == 1


def test_a_double_submitted_answer_counts_once(client: Client, world: World) -> None:
    session, _ = _start(client, world)
    page = client.get(f"/diagnostic/{session.id}/")
    item, key = page.context["engine_item"], page.context["key"]
    form = {"engine_item": item, "key": key, "response": right_answer(item)}
    first = client.post(f"/diagnostic/{session.id}/answer/", form)
    second = client.post(f"/diagnostic/{session.id}/answer/", form)
    assert first.status_code == second.status_code == 302
    session.refresh_from_db()
    assert session.items_answered == 1
    assert DiagnosticResponse.objects.filter(session=session).count() == 1
    assert len(json.loads(session.document)["answers"]) == 1
    assert EvidenceEvent.objects.filter(student=session.student, kind="diagnostic").count() == 1


def test_a_stale_form_changes_nothing(client: Client, world: World) -> None:
    session, _ = _start(client, world)
    page = client.get(f"/diagnostic/{session.id}/")
    item = page.context["engine_item"]
    client.post(f"/diagnostic/{session.id}/answer/",
                {"engine_item": item, "key": "k1", "response": right_answer(item)})
    # the same question again with a new key (an old tab): not the question shown now
    client.post(f"/diagnostic/{session.id}/answer/",
                {"engine_item": item, "key": "k2", "response": right_answer(item)})
    session.refresh_from_db()
    assert session.items_answered == 1


def test_an_unreadable_answer_is_asked_again_and_not_recorded(
        client: Client, world: World) -> None:
    session, _ = _start(client, world)
    page = client.get(f"/diagnostic/{session.id}/")
    item = page.context["engine_item"]
    again = client.post(f"/diagnostic/{session.id}/answer/",
                        {"engine_item": item, "key": page.context["key"], "response": ""})
    assert again.status_code == 200
    assert "couldn" in again.content.decode()
    assert again.context["engine_item"] == item
    session.refresh_from_db()
    assert session.items_answered == 0


def test_i_dont_know_yet_counts_as_not_yet(client: Client, world: World) -> None:
    session, _ = _start(client, world)
    page = client.get(f"/diagnostic/{session.id}/")
    client.post(f"/diagnostic/{session.id}/answer/",
                {"engine_item": page.context["engine_item"], "key": page.context["key"],
                 "skip": "1"})
    response = DiagnosticResponse.objects.get(session=session)
    assert response.skipped and not response.correct


def test_a_paused_session_resumes_where_it_stopped(client: Client, world: World) -> None:
    session, _ = _start(client, world)
    for _ in range(2):
        page = client.get(f"/diagnostic/{session.id}/")
        item = page.context["engine_item"]
        client.post(f"/diagnostic/{session.id}/answer/",
                    {"engine_item": item, "key": page.context["key"], "response": "99"})
    expected = client.get(f"/diagnostic/{session.id}/").context["engine_item"]
    client.post(f"/diagnostic/{session.id}/pause/")
    session.refresh_from_db()
    assert session.status == DiagnosticSession.Status.ABANDONED
    bank.clear_caches()  # another process, days later: rebuilt from the stored document
    client.force_login(session.student)
    page = client.get(f"/diagnostic/{session.id}/")
    assert page.context["engine_item"] == expected
    assert "Welcome back" in page.content.decode()
    session.refresh_from_db()
    assert session.status == DiagnosticSession.Status.IN_PROGRESS
    assert session.items_answered == 2
    # resuming is audited, once: reloading the question is not another resume
    client.get(f"/diagnostic/{session.id}/")
    [resumed] = AuditEvent.objects.filter(action="diagnostic.resume")
    assert resumed.actor == session.student
    assert resumed.details == {"session": session.id, "answered": 2}


def test_a_completed_check_reports_known_ready_and_not_assessable(
        client: Client, world: World) -> None:
    framework = setup_diagnostic(world.districts["a"])
    student = world.users["s_a1"]
    session_id = take_check(client, student, framework, knows={"3.NF.A.1"})
    session = DiagnosticSession.objects.get(id=session_id)
    assert session.status == DiagnosticSession.Status.COMPLETED
    result = session.result
    assert "3.NF.A.1" in result["likely_known"] and "mastered" not in result
    assert "3.NF.A.2" in result["frontier"]
    assert "4.NF.B.3" not in result["likely_known"]
    # no items: reported, never guessed
    assert result["not_assessable"] == ["4.NF.B.3a"]
    assert "4.NF.B.3a" not in result["probabilities"]
    page = client.get(f"/diagnostic/{session_id}/result/")
    html = page.content.decode()
    assert "You likely know these already" in html and "Ready to learn next" in html
    assert "Not checked" in html and "4.NF.B.3a" in html
    assert 'id="skill-map"' in html and "status-likely_known" in html and "status-ready" in html
    assert "status-mastered" not in html and "3.NF.A.1, Likely known:" in html
    # every answer is evidence; so is the placement of standards not asked directly
    answers = DiagnosticResponse.objects.filter(session=session).count()
    events = EvidenceEvent.objects.filter(student=student, kind="diagnostic")
    assert events.filter(item__isnull=False).count() == answers
    assert MasteryState.objects.filter(student=student).exists()




def test_placement_evidence_for_confident_standards_not_asked(world: World) -> None:
    from trellis.content.models import Item
    from trellis.diagnostics import actions

    framework = setup_diagnostic(world.districts["a"])
    student = world.users["s_a1"]
    session = actions.do_start_session(student, framework)
    current = actions.live(session)
    asked = Item.objects.get(identifier="diag-3.NF.A.2-0")
    current.submit("a1", bank.item_id(asked.id), True)
    fed = actions.feed_placement(
        session, {"3.NF.A.1": 0.97, "3.NF.A.2": 0.95, "4.NF.B.3": 0.6},
        ["4.NF.B.3"], current)
    assert fed == 1
    event = EvidenceEvent.objects.get(student=student, step="placement")
    assert [s.code for s in event.standards.all()] == ["3.NF.A.1"]
    assert event.score == 0.97 and event.item is None and event.kind == "diagnostic"
    # idempotent: feeding the same placement again stores nothing new
    actions.feed_placement(session, {"3.NF.A.1": 0.97}, [], current)
    assert EvidenceEvent.objects.filter(student=student, step="placement").count() == 1


def test_new_items_do_not_change_a_check_under_way(client: Client, world: World) -> None:
    from tests.diagnostics.helpers import numeric_item
    from trellis.content.items import encode_item
    from trellis.content.models import Item
    from trellis.frameworks.models import Standard

    session, framework = _start(client, world)
    before = client.get(f"/diagnostic/{session.id}/").context["engine_item"]
    extra = Item.objects.create(
        district=world.districts["a"], identifier="diag-extra", source="oatutor",
        content=encode_item(numeric_item("diag-extra", "4.NF.B.3a", "More", "1+1?", "2")))
    extra.alignments.add(Standard.objects.get(framework=framework, code="4.NF.B.3a"))
    bank.clear_caches()
    page = client.get(f"/diagnostic/{session.id}/")
    assert page.status_code == 200 and page.context["engine_item"] == before
    session.refresh_from_db()
    assert bank.item_id(extra.id) not in {entry[0] for entry in session.bank}


def test_a_racing_duplicate_is_refused_by_the_database(client: Client, world: World,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db import IntegrityError, transaction

    from trellis.diagnostics import actions

    session, _ = _start(client, world)
    page = client.get(f"/diagnostic/{session.id}/")
    item, key = page.context["engine_item"], page.context["key"]
    client.post(f"/diagnostic/{session.id}/answer/",
                {"engine_item": item, "key": key, "response": right_answer(item)})
    with pytest.raises(IntegrityError), transaction.atomic():
        DiagnosticResponse.objects.create(session=session, engine_item="item:0",
                                          idempotency_key=key, correct=True)

    def lose_the_race(*args: object) -> actions.AnswerOutcome:
        raise IntegrityError("duplicate key")

    monkeypatch.setattr(actions, "_answer", lose_the_race)
    outcome = actions.do_answer(session.id, session.student, engine_item=item,
                                idempotency_key="other", correct=True)
    assert outcome == actions.AnswerOutcome(False, False)
    session.refresh_from_db()
    assert session.items_answered == 1


def test_the_migration_renames_stored_results_to_likely_known(world: World) -> None:
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "trellis.diagnostics.migrations.0003_result_likely_known")
    framework = setup_diagnostic(world.districts["a"])
    old = DiagnosticSession.objects.create(
        district=world.districts["a"], student=world.users["s_a1"], framework=framework,
        seed=1, document="{}", status=DiagnosticSession.Status.COMPLETED,
        result={"mastered": ["3.NF.A.1"], "frontier": ["3.NF.A.2"]})
    untouched = DiagnosticSession.objects.create(
        district=world.districts["a"], student=world.users["s_a1"], framework=framework,
        seed=2, document="{}")
    migration.forwards(apps, None)
    old.refresh_from_db()
    assert old.result == {"likely_known": ["3.NF.A.1"], "frontier": ["3.NF.A.2"]}
    migration.backwards(apps, None)
    old.refresh_from_db()
    assert old.result == {"mastered": ["3.NF.A.1"], "frontier": ["3.NF.A.2"]}
    untouched.refresh_from_db()
    assert untouched.result == {}
