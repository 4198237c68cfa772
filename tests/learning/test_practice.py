"""The practice page through the test client: feedback, hints, scaffolds, worked steps,
evidence (idempotent on the client key), previews, item order, the QTI upload page."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.content.helpers import equation_item, seventh_grade, store, two_step_item
from tests.content.test_items import QTI_CHOICE, QTI_ESSAY
from trellis.accounts.actions import do_create_district, do_create_school, do_create_user
from trellis.accounts.models import Role, User
from trellis.content.models import Item
from trellis.frameworks.models import Standard
from trellis.learning.models import EvidenceEvent
from trellis.learning.views_practice import practice_order

pytestmark = pytest.mark.django_db


@dataclass
class Setup:
    student: User
    teacher: User
    admin: User
    standard: Standard
    empty_standard: Standard
    item: Item

    def client(self, user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client


@pytest.fixture
def setup() -> Setup:
    district = do_create_district("Practice District", "dist-practice")
    school = do_create_school(district, "Hill Middle", "sch-hill")
    framework = seventh_grade(district)
    (item,) = store(district, equation_item())
    people = {
        role: do_create_user(district, f"{role}-p", role, first_name=role.title(), school=school,
                             grade="07" if role == Role.STUDENT else "")
        for role in (Role.STUDENT, Role.TEACHER, Role.DISTRICT_ADMIN)
    }
    standards = framework.standards
    return Setup(people[Role.STUDENT], people[Role.TEACHER], people[Role.DISTRICT_ADMIN],
                 standards.get(code="7.EE.B.4a"), standards.get(code="8.EE.C.7"), item)


def _url(name: str, standard: Standard) -> str:
    return reverse(name, args=[standard.id])


def _answer(client: Client, s: Setup, response: str | list[str], key: str | None = None,
            step: int = 0, item: Item | None = None, **extra: str) -> str:
    data = {"item": str((item or s.item).id), "step": str(step), "response": response,
            "attempt_key": key or uuid.uuid4().hex, **extra}
    reply = client.post(_url("practice-answer", s.standard), data)
    assert reply.status_code == 200
    return reply.content.decode()


def _hint(client: Client, s: Setup, step: int = 0, **extra: str) -> str:
    reply = client.post(_url("practice-hint", s.standard),
                        {"item": str(s.item.id), "step": str(step), **extra})
    assert reply.status_code == 200
    return reply.content.decode()


def test_a_student_answers_wrong_asks_for_a_hint_then_answers_right(setup: Setup) -> None:
    s = setup
    client = s.client(s.student)
    page = client.get(_url("practice", s.standard)).content.decode()
    assert "Solve $$x+3=7$$" in page and "Check my answer" in page
    assert "OpenStax: Elementary Algebra" in page and "CC BY 4.0" in page
    assert "katex" in page and "Type an equation or a value" in page

    page = _answer(client, s, "x=5")
    assert "Not quite." in page
    wrong = EvidenceEvent.objects.get(student=s.student)
    assert (wrong.correct, wrong.first_attempt, wrong.hints_used, wrong.kind) == (
        False, True, 0, "practice")
    assert wrong.item == s.item and [st.code for st in wrong.standards.all()] == ["7.EE.B.4a"]
    assert wrong.step == "demo-eq-1a" and wrong.response == "x=5" and wrong.seconds is not None

    page = _hint(client, s)
    assert "Undo the adding" in page and "Subtract 3 from both sides" in page
    assert "What is $$7-3$$?" not in page  # revealed one at a time

    page = _answer(client, s, "4x+")
    assert "I couldn&#x27;t read that" in page or "I couldn't read that" in page
    assert 'value="4x+"' in page  # the typo stays in the box to fix
    assert "Type an answer first" in _answer(client, s, "  ")
    assert EvidenceEvent.objects.filter(student=s.student).count() == 1  # no penalty

    page = _answer(client, s, "x = 4")
    assert "Correct!" in page and "How to solve it" in page and "Next problem" in page
    right = EvidenceEvent.objects.filter(student=s.student, correct=True).get()
    assert (right.first_attempt, right.hints_used) == (False, 1)


def test_a_retried_submit_is_stored_once(setup: Setup) -> None:
    s = setup
    client = s.client(s.student)
    client.get(_url("practice", s.standard))
    key = uuid.uuid4().hex
    _answer(client, s, "x=5", key=key)
    _answer(client, s, "x=5", key=key)
    assert EvidenceEvent.objects.filter(student=s.student).count() == 1
    page = _answer(client, s, "x=4", key="right-key")
    _answer(client, s, "x=4", key="right-key")  # the same submit again: already checked
    assert EvidenceEvent.objects.filter(student=s.student).count() == 2
    assert "How to solve it" in page
    assert EvidenceEvent.objects.get(correct=True).first_attempt is False


def test_scaffolds_are_answered_and_the_answer_can_be_shown(setup: Setup) -> None:
    s = setup
    client = s.client(s.student)
    client.get(_url("practice", s.standard))
    assert "Show me the answer" not in _hint(client, s)
    page = _hint(client, s)
    assert "Try this smaller question first" in page and "What is $$7-3$$?" in page
    assert "Show me the answer" in page  # every hint is out
    page = _answer(client, s, "5", scaffold="demo-eq-1-h2")
    assert "Not quite" in page
    page = _answer(client, s, "4", scaffold="demo-eq-1-h2")
    assert "✓ Yes!" in page
    assert not EvidenceEvent.objects.exists()  # scaffolds are tutoring, not evidence
    page = _hint(client, s, show="answer")
    assert "Here is the answer" in page or "Answer shown" in page
    assert "How to solve it" in page and "Next problem" in page


def test_multi_step_items_walk_step_by_step(setup: Setup) -> None:
    s = setup
    (item,) = store(s.standard.framework.district, two_step_item())
    Item.objects.filter(id=s.item.id).delete()
    client = s.client(s.student)
    page = client.get(_url("practice", s.standard)).content.decode()
    assert 'type="radio"' in page and "Dividing by 2" in page and "Step 2 comes next" in page
    page = _answer(client, s, "c2", item=item)
    assert "Correct!" in page and "Solve $$2x=10$$" in page and "Next problem" not in page
    page = _answer(client, s, "x=5", item=item, step=1)
    assert "How to solve it" in page and "Next problem" in page
    assert EvidenceEvent.objects.filter(correct=True).count() == 2


def test_next_problem_moves_on_and_htmx_gets_the_panel_only(setup: Setup) -> None:
    s = setup
    store(s.standard.framework.district, equation_item("demo-eq-2", answer="x=4"))
    client = s.client(s.student)
    first = client.get(_url("practice", s.standard)).context["row"]
    assert client.post(_url("practice-next", s.standard)).status_code == 302  # not done: stays
    assert client.get(_url("practice", s.standard)).context["row"] == first
    reply = client.post(_url("practice-next", s.standard), {"skip": "1"}, HTTP_HX_REQUEST="true")
    body = reply.content.decode()
    assert "<html" not in body and 'id="practice-panel"' in body
    assert reply.context["row"] != first


def test_item_order_is_seeded_per_student_and_solved_items_come_last(setup: Setup) -> None:
    s = setup
    district = s.standard.framework.district
    store(district, *[equation_item(f"demo-eq-{n}") for n in range(2, 9)])
    order = practice_order(s.student, s.standard)
    assert order == practice_order(s.student, s.standard) and len(order) == 8
    other = do_create_user(district, "other-p", Role.STUDENT, grade="07")
    assert practice_order(other, s.standard) != order  # seeded per student
    EvidenceEvent.objects.create(
        district=district, student=s.student, kind="practice", item_id=order[0], correct=True,
        first_attempt=True, idempotency_key="k", occurred_at="2026-11-01T10:00:00Z")
    assert practice_order(s.student, s.standard) == [*order[1:], order[0]]


def test_teachers_preview_without_recording(setup: Setup) -> None:
    s = setup
    client = s.client(s.teacher)
    page = client.get(_url("practice", s.standard)).content.decode()
    assert "Preview" in page
    assert "Correct!" in _answer(client, s, "x=4")
    assert not EvidenceEvent.objects.exists()


def test_empty_state_and_who_may_practise(setup: Setup) -> None:
    s = setup
    page = s.client(s.student).get(_url("practice", s.empty_standard)).content.decode()
    assert "No practice items for this standard yet" in page and "see or make playlists" not in page
    page = s.client(s.teacher).get(_url("practice", s.empty_standard)).content.decode()
    assert "see or make playlists" in page
    other = do_create_district("Elsewhere", "dist-else")
    stranger = do_create_user(other, "stranger", Role.STUDENT)
    assert s.client(stranger).get(_url("practice", s.standard)).status_code == 404
    guardian = do_create_user(s.standard.framework.district, "guardian-p", Role.GUARDIAN)
    assert s.client(guardian).get(_url("practice", s.standard)).status_code == 404


def test_students_find_practice_on_their_home_page(setup: Setup) -> None:
    s = setup
    home = s.client(s.student).get(reverse("home")).content.decode()
    assert "Practice 7.EE.B.4a" in home and _url("practice", s.standard) in home
    listing = s.client(s.student).get(reverse("practice-home"))
    assert [e["standard"].code for e in listing.context["mine"]] == ["7.EE.B.4a"]


def test_district_admins_upload_qti(setup: Setup, tmp_path: Path) -> None:
    s = setup
    client = s.client(s.admin)
    url = reverse("item-import")
    assert client.get(url).status_code == 200
    upload = SimpleUploadedFile("fractions.xml", QTI_CHOICE.encode(), "text/xml")
    # The import runs as a job (a small file within the request): its report is the page the
    # upload redirects to.
    reply = client.post(url, {"file": upload, "codes": "7.EE.B.4a"}, follow=True)
    assert reply.redirect_chain[0][0].startswith(url + "?job=")
    assert reply.status_code == 200 and "imported 1 item " in reply.content.decode()
    qti = Item.objects.get(identifier="qti-frac-1")
    assert [st.code for st in qti.alignments.all()] == ["7.EE.B.4a"]
    assert qti.id in practice_order(s.student, s.standard)
    bad = SimpleUploadedFile("essay.xml", QTI_ESSAY.encode(), "text/xml")
    reply = client.post(url, {"file": bad}, follow=True)
    body = reply.content.decode()
    assert reply.status_code == 200 and "Nothing was imported" in body
    assert "essay.xml" in body and "qti-extended-text-interaction" in body
    assert s.client(s.teacher).get(url).status_code == 404


def test_a_standard_draws_on_the_items_of_its_parts(setup: Setup) -> None:
    s = setup
    parent = Standard.objects.get(framework=s.standard.framework, code="7.EE.B.4")
    Standard.objects.filter(id=s.standard.id).update(parent=parent)
    assert practice_order(s.student, parent) == [s.item.id]
    page = s.client(s.student).get(_url("practice", parent)).content.decode()
    assert "Solve $$x+3=7$$" in page
    assert practice_order(s.student, s.empty_standard) == []
