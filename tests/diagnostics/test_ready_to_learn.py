""""Ready to learn" on the real map: the grade-7 Common Core check (the Coherence Map and the
OATutor bank; skipped without the shared data).

The engine decides the frontier (the platform only shows it): a standard is ready when it is not
mastered and each prerequisite in the check's scope is known — mastered if it has items, inferred
at or above the threshold if it has none. Prerequisites outside the scope lie below the
student's grade band and count as known. See ``docs/diagnostic.md``.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.world import build_world
from trellis.diagnostics import bank
from trellis.engine.assessment import DiagnosticEngine, DiagnosticResult, run_policy
from trellis.engine.competencies import CompetencyGraph
from trellis.frameworks.adapters import load_framework
from trellis.frameworks.models import Framework

pytestmark = pytest.mark.django_db

GRADE = 7  # the test world's students are in grade 7: the band is grades 6-8


def _common_core_check() -> tuple[CompetencyGraph, DiagnosticEngine]:
    from tests.content.helpers import need_shared_data
    from trellis.content.demo import seed_content
    from trellis.frameworks.demo import seed_frameworks

    need_shared_data()
    world = build_world()
    district = world.districts["a"]
    seed_frameworks(district)
    seed_content(district)
    student = world.users["s_a1"]
    assert bank.grade_number(student.grade) == GRADE
    framework = next(
        f for f in Framework.objects.filter(district=district) if bank.assessable_codes(f))
    engine = bank.engine_for(framework, bank.build_spec(framework, student))
    assert engine.not_assessable  # the bug needs prerequisites without items
    return load_framework(framework).graph, engine


def _grade(graph: CompetencyGraph, code: str) -> int:
    number = bank.grade_number(graph.standard(code).grade)
    assert number is not None, code
    return number


def _take(engine: DiagnosticEngine, knows: Callable[[str], bool]) -> DiagnosticResult:
    """A whole check (seeded) where an item is answered right iff ``knows`` all its codes."""
    standards = {item.item_id: item.standards for item in engine.items}
    session = engine.start("check", seed=3, now=0)
    return run_policy(session, lambda item: all(knows(c) for c in standards[item]))


def _unknown_prerequisites(engine: DiagnosticEngine, result: DiagnosticResult,
                           code: str) -> list[str]:
    """``code``'s prerequisites in scope that the result does not count as known."""
    threshold = engine.config.likely_known_threshold
    p = {**result.probabilities, **result.inferred_probabilities}
    return [q for q in engine.graph.prerequisites(code) if p[q] < threshold]


def test_a_student_who_knows_nothing_is_ready_only_where_nothing_in_scope_is_required() -> None:
    graph, engine = _common_core_check()
    result = _take(engine, lambda code: False)  # "I don't know yet" to every question
    assert result.items_answered == 25
    # nothing of the band is mastered (a standard far below it, never asked, may stay likely)
    assert all(_grade(graph, c) < GRADE - 1 for c in result.likely_known)
    assert result.frontier
    # Entry standards (no prerequisite in scope) are ready only at the working grade, the
    # lowest with an open standard: before the curriculum order was used, 18 standards up to
    # grade 8 were "ready" for this student, because the map gives them no prerequisites.
    known = {c for c, p in {**result.probabilities, **result.inferred_probabilities}.items()
             if p >= engine.config.likely_known_threshold}
    working = min(_grade(graph, c) for c in engine.assessable if c not in known)
    for code in result.frontier:
        if not engine.graph.prerequisites(code):
            assert _grade(graph, code) <= working, code
    assert len(result.frontier) <= 4
    scope = set(engine.arrays.codes)
    for code in result.frontier:
        # nothing of the band is required first: every prerequisite lies below the grade band,
        # outside the scope (where the plan assumes the student is) or inferred known
        assert _unknown_prerequisites(engine, result, code) == [], code
        assert all(_grade(graph, p) < GRADE - 1 for p in engine.graph.prerequisites(code)), code
        assert all(_grade(graph, p) < GRADE - 1
                   for p in graph.prerequisites(code) if p not in scope), code
    # a standard whose prerequisites have no items is not ready for this student
    blocked = [c for c in engine.assessable
               if any(p in engine.not_assessable for p in engine.graph.prerequisites(c))]
    assert blocked
    assert not set(blocked) & set(result.frontier)


def test_ready_never_rests_on_a_prerequisite_only_because_it_had_no_items() -> None:
    graph, engine = _common_core_check()
    result = _take(engine, lambda code: _grade(graph, code) <= GRADE - 1)
    assert result.frontier
    for code in result.frontier:
        assert _unknown_prerequisites(engine, result, code) == [], code
    # Before the fix these were "ready" through prerequisites that no item could check and
    # that this student, who knows grade 6 and nothing above, does not know.
    for code in ("7.G.A.1", "7.RP.A.3", "8.G.A.5"):
        assert code not in result.frontier
        assert any(p in engine.not_assessable
                   for p in _unknown_prerequisites(engine, result, code)), code


def test_a_student_who_answers_everything_right_is_ready_at_the_top_of_the_scope() -> None:
    graph, engine = _common_core_check()
    everything = _take(engine, lambda code: True)
    assert sorted(everything.likely_known) == sorted(engine.assessable)
    assert everything.frontier == []  # nothing left to learn in the scope
    # one grade less: what is ready is the top grade of the band, and all of it is reachable
    up_to_grade = _take(engine, lambda code: _grade(graph, code) <= GRADE)
    assert up_to_grade.frontier
    assert {_grade(graph, c) for c in up_to_grade.frontier} == {GRADE + 1}
    for code in up_to_grade.frontier:
        assert _unknown_prerequisites(engine, up_to_grade, code) == [], code
