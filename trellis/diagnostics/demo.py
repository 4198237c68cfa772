"""Demo checks: the showcase math class has results in the teacher's heatmap.

:func:`seed_diagnostics` runs after the frameworks and the item bank are seeded (it needs a
framework with items). In the math class of the demo student account it drives the real
actions (:func:`~trellis.diagnostics.actions.do_start_session`,
:func:`~trellis.diagnostics.actions.do_answer`) for up to ``completed`` classmates, answering
like a simulated student (seeded): a standard counts as known when its grade is below the
student's grade plus a personal ability offset, and answers slip or are guessed at the engine's
default rates (:data:`~trellis.engine.mastery.DEFAULT_SLIP` 10%, ``DEFAULT_GUESS`` 20%).
One more classmate pauses after ``pause_after`` questions; the demo student account is left
to take the check themselves. Running it again changes nothing for students who already have
a check.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from trellis.accounts.models import District, Role, User
from trellis.core.models import DemoAccount
from trellis.diagnostics import actions
from trellis.diagnostics.bank import grade_number
from trellis.diagnostics.models import DiagnosticSession
from trellis.diagnostics.queries import diagnostic_frameworks
from trellis.engine.mastery import DEFAULT_GUESS, DEFAULT_SLIP
from trellis.frameworks.adapters import load_framework
from trellis.roster.models import Enrollment

Progress = Callable[[str], object]


def _knows(code_grade: int | None, student_grade: int, ability: float,
           rng: random.Random) -> bool:
    return (code_grade or 0) + rng.gauss(0.0, 0.7) < student_grade + ability


def _drive(student: User, session: DiagnosticSession, rng: random.Random,
           limit: int | None = None) -> None:
    ability = rng.gauss(-0.3, 1.0)
    grade = grade_number(student.grade) or 7
    graph = load_framework(session.framework).graph
    knowledge: dict[str, bool] = {}
    for n in range(limit if limit is not None else 40):
        current = actions.live(session)
        item = current.next_item()
        if item is None:
            break
        codes = current.engine.items[current.engine.item_index[item]].standards
        known = True
        for code in codes:
            if code not in knowledge:
                knowledge[code] = _knows(grade_number(graph.standard(code).grade), grade,
                                         ability, rng)
            known = known and knowledge[code]
        correct = rng.random() < (1.0 - DEFAULT_SLIP if known else DEFAULT_GUESS)
        actions.do_answer(session.id, student, engine_item=item,
                          idempotency_key=f"demo-{session.id}-{n}", correct=correct,
                          response="(demo)")
        session.refresh_from_db()


def seed_diagnostics(district: District, progress: Progress | None = None, *,
                     completed: int = 8, pause_after: int = 5,
                     seed: int = 2026) -> dict[str, int]:
    """Checks for the demo math class (see the module docstring); returns counts."""
    say = progress or (lambda message: None)
    frameworks = diagnostic_frameworks(district.id)
    if not frameworks:
        say("  no framework with items: no demo checks")
        return {"completed": 0, "paused": 0}
    framework = max(frameworks, key=lambda f: f.id if "Common Core" in f.title
                    or "CCSS" in f.title else -f.id)
    showcase = (DemoAccount.objects.filter(user__district=district, user__role=Role.STUDENT)
                .select_related("user").first())
    enrollment = None
    if showcase is not None:
        mine = Enrollment.objects.filter(user=showcase.user, role=Enrollment.Role.STUDENT
                                         ).select_related("klass").order_by("id")
        enrollment = (mine.filter(klass__course__sourced_id__endswith="-math").first()
                      or mine.first())
    if enrollment is None:
        say("  no demo math class: no demo checks")
        return {"completed": 0, "paused": 0}
    classmates = list(User.objects.filter(
        enrollments__klass=enrollment.klass, enrollments__role=Enrollment.Role.STUDENT,
    ).exclude(id=enrollment.user_id).order_by("sourced_id", "id")[:completed + 1])
    say(f"Demo checks in {enrollment.klass.title} ({framework.title})…")
    rng = random.Random(seed)  # noqa: S311 - simulated answers, not secrecy
    done = paused = 0
    for index, student in enumerate(classmates):
        if DiagnosticSession.objects.filter(student=student, framework=framework).exists():
            continue
        session = actions.do_start_session(student, framework)
        if index == len(classmates) - 1 and len(classmates) > completed:
            _drive(student, session, rng, limit=pause_after)
            actions.do_pause(session.id, student)
            paused += 1
        else:
            _drive(student, session, rng)
            done += 1
    say(f"  {done} finished checks, {paused} paused")
    return {"completed": done, "paused": paused}
