"""Shared set-up for the diagnostic tests (not a test module): the fractions framework of
``tests/engine/frameworks/builders.py`` imported for real, and two numeric items on each of
3.NF.A.1, 3.NF.A.2 and 4.NF.B.3. Component 4.NF.B.3a gets none: it is *not assessable*."""

from __future__ import annotations

from typing import Any

from trellis.accounts.models import District, User
from trellis.content.models import Item
from trellis.engine.content import Alignment, InteractionType, Source, Step
from trellis.engine.content import Item as EngineItem
from trellis.frameworks.models import Framework, Standard

QUESTIONS: dict[str, list[tuple[str, str, str]]] = {
    "3.NF.A.1": [("Parts of a whole", "A pizza is cut into $4$ equal slices. How many slices "
                  "make $\\frac{3}{4}$ of the pizza?", "3"),
                 ("Unit fractions", "How many $\\frac{1}{5}$ pieces make one whole?", "5")],
    "3.NF.A.2": [("Fractions on a number line", "On a number line from $0$ to $1$ split into "
                  "$8$ equal parts, how many parts from $0$ is $\\frac{5}{8}$?", "5"),
                 ("Number line", "Which whole number is the same as $\\frac{6}{6}$?", "1")],
    "4.NF.B.3": [("Adding fractions", "What is $\\frac{2}{7}+\\frac{3}{7}$? Give the top "
                  "number of the answer (out of 7).", "5"),
                 ("Taking away fractions", "What is $\\frac{5}{6}-\\frac{1}{6}$? Give the top "
                  "number of the answer (out of 6).", "4")],
}


def numeric_item(identifier: str, code: str, title: str, prompt: str,
                 answer: str) -> EngineItem:
    step = Step(identifier=f"{identifier}-1", interaction=InteractionType.NUMERIC,
                correct_response=(answer,), prompt=prompt)
    return EngineItem(identifier=identifier, title=title, steps=(step,),
                      alignments=(Alignment(code=code),), source=Source(format="oatutor"))


def setup_diagnostic(district: District) -> Framework:
    """The fractions framework with its diagnostic items (idempotent)."""
    from tests.engine.frameworks.builders import fractions_framework
    from trellis.content.items import encode_item
    from trellis.frameworks.actions import do_import_framework

    report = do_import_framework(district, fractions_framework().build())
    assert report.framework_id is not None, report.lines()
    framework = Framework.objects.get(id=report.framework_id)
    for code, questions in QUESTIONS.items():
        standard = Standard.objects.get(framework=framework, code=code)
        for n, (title, prompt, answer) in enumerate(questions):
            identifier = f"diag-{code}-{n}"
            item, _ = Item.objects.get_or_create(
                district=district, identifier=identifier,
                defaults={"source": "oatutor", "title": title,
                          "content": encode_item(numeric_item(identifier, code, title,
                                                              prompt, answer))})
            item.alignments.add(standard)
    return framework


def add_classmate(klass: Any, username: str = "s_a1_peer", first_name: str = "Sam") -> User:
    """A second student in ``klass`` (the test world has one per class)."""
    from trellis.accounts.actions import do_create_user
    from trellis.accounts.models import Role
    from trellis.roster.actions import do_enroll

    student = do_create_user(klass.district, username, Role.STUDENT, first_name=first_name,
                             last_name="Peer", school=klass.school, grade="07",
                             password="correct-horse-battery")
    do_enroll(klass, student, "student")
    return student


def answer_key() -> dict[str, str]:
    """Item identifier → the right answer."""
    return {f"diag-{code}-{n}": answer for code, questions in QUESTIONS.items()
            for n, (_, _, answer) in enumerate(questions)}


def right_answer(engine_item: str) -> str:
    item = Item.objects.get(id=int(engine_item.split(":")[1]))
    return answer_key()[item.identifier]


def take_check(client: Any, student: User, framework: Framework, *,
               knows: set[str] | None = None) -> int:
    """Drive a whole check through the pages; ``knows``: codes answered right (all if None).
    Returns the session id."""
    from trellis.diagnostics.models import DiagnosticSession

    client.force_login(student)
    client.post("/diagnostic/start/", {"framework": framework.id})
    session = DiagnosticSession.objects.filter(student=student).first()
    assert session is not None
    for _ in range(30):
        page = client.get(f"/diagnostic/{session.id}/")
        if page.status_code == 302:
            break
        context = page.context
        engine_item = context["engine_item"]
        row = Item.objects.get(id=int(engine_item.split(":")[1]))
        code = row.alignments.get().code
        right = knows is None or code in knows
        client.post(f"/diagnostic/{session.id}/answer/", {
            "engine_item": engine_item, "key": context["key"],
            "response": right_answer(engine_item) if right else "99"})
    session.refresh_from_db()
    return session.id
