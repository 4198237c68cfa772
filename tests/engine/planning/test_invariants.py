"""Invariants of every plan, checked on seeded random maps, states and goals."""

from __future__ import annotations

import json
import random
from datetime import date

import pytest

from trellis.engine.competencies import CompetencyGraph, Standard
from trellis.engine.mastery import DEFAULT_RULE, EvidenceSummary
from trellis.engine.planning import Activity, Goal, TermCalendar, build_plan

from .conftest import MONDAY


def random_case(seed: int) -> tuple[CompetencyGraph, dict[str, EvidenceSummary], list[Goal],
                                    list[Activity]]:
    rng = random.Random(seed)
    n = rng.randint(5, 30)
    codes = [f"s{i:02d}" for i in range(n)]
    # Edges only from lower to higher index: always acyclic.
    edges = [(codes[i], codes[j]) for j in range(n) for i in range(j) if rng.random() < 0.12]
    graph = CompetencyGraph([Standard(c, grade=str(rng.randint(5, 8))) for c in codes], edges)
    state: dict[str, EvidenceSummary] = {}
    for code in codes:
        roll = rng.random()
        if roll < 0.3:
            state[code] = EvidenceSummary(0.97, 2, 3, date(2026, 10, 1), date(2026, 10, 6),
                                          date(2026, 10, 6))
        elif roll < 0.45:
            state[code] = EvidenceSummary(round(rng.random(), 2), 1, rng.randint(1, 10),
                                          date(2026, 11, rng.randint(2, 20)))
    goals = [
        Goal(f"g{k}", rng.choice(["student", "teacher", "standards"]), f"goal {k}",
             tuple(rng.sample(codes, rng.randint(1, 3))), date(2027, rng.randint(1, 6), 1))
        for k in range(rng.randint(0, 3))
    ]
    activities = [
        Activity(f"a{k}", f"activity {k}", tuple(rng.sample(codes, 2)),
                 rng.choice(["lesson", "video", "reading", "practice_set", "project"]),
                 rng.randint(5, 60))
        for k in range(n)
    ]
    return graph, state, goals, activities


@pytest.mark.parametrize("seed", range(40))
def test_plan_invariants(seed: int, term: TermCalendar) -> None:
    graph, state, goals, activities = random_case(seed)
    grade = random.Random(seed).choice([None, "6", "7"])
    plan = build_plan(graph, state, rule=DEFAULT_RULE, calendar=term, as_of=MONDAY, goals=goals,
                      activities=activities, grade=grade)
    known = set(plan.mastered) | set(plan.assumed_mastered) | set(plan.implied_mastered)
    # The first step is ready to learn; every step comes after everything it needs.
    if plan.steps:
        assert plan.steps[0].state == "ready"
    for i, step in enumerate(plan.steps):
        assert step.code not in plan.mastered
        assert graph.ancestors(step.code) - known <= set(plan.pathway[:i])
        assert not step.prerequisite_warnings
        assert step.reason
    # Every goal standard not yet mastered is on the pathway; goal progress is a fraction.
    for progress in plan.goals:
        for code in progress.goal.standard_codes:
            assert code in plan.mastered or code in plan.pathway
        assert 0.0 <= progress.progress <= 1.0
    dates = [s.target_date for s in plan.steps]
    assert dates == sorted(dates)
    # Deterministic, and the JSON survives a round trip.
    again = build_plan(graph, dict(reversed(state.items())), rule=DEFAULT_RULE, calendar=term,
                       as_of=MONDAY, goals=goals[::-1], activities=activities[::-1], grade=grade)
    assert again.to_dict() == plan.to_dict()
    assert json.loads(json.dumps(plan.to_dict())) == plan.to_dict()
