"""Pace: the learner's own rate, target dates on the calendar, on track / behind / ahead."""

from __future__ import annotations

import itertools
from datetime import date

from trellis.engine.competencies import CompetencyGraph, Standard
from trellis.engine.mastery import DEFAULT_RULE
from trellis.engine.planning import (
    Goal,
    PlanPolicy,
    TermCalendar,
    build_plan,
    observed_learning_rate,
    standards_below_grade,
)
from trellis.engine.planning.pace import grade_rank

from .conftest import MONDAY
from .helpers import mastered, working

NOV = 11


def line(n: int, grade: str = "7") -> CompetencyGraph:
    """s0 -> s1 -> ... -> s{n-1}, plus three mastered-history standards h0..h2."""
    codes = [f"s{i}" for i in range(n)]
    history = [Standard(f"h{i}", grade="6") for i in range(3)]
    return CompetencyGraph(
        [*history, *(Standard(c, grade=grade) for c in codes)],
        list(itertools.pairwise(codes)),
    )


def history(*spans: tuple[int, int]) -> dict:
    """Mastered h0.. with first evidence and mastery on the given November days."""
    return {
        f"h{i}": mastered(date(2026, NOV, first), date(2026, NOV, last))
        for i, (first, last) in enumerate(spans)
    }


def test_rate_is_the_median_of_the_learners_own_history(term: TermCalendar) -> None:
    graph = line(2)
    # Mon 2 - Wed 4: 3 school days; Mon 9 - Mon 16: 6; Tue 10 - Tue 10: 1 -> median 3.
    state = history((2, 4), (9, 16), (10, 10))
    rate = observed_learning_rate(state, DEFAULT_RULE, term, graph, "7", PlanPolicy())
    assert (rate.days_per_standard, rate.source, rate.observations) == (3.0, "history", 3)
    assert rate.explanation == (
        "Your pace: a median of 3 school days per standard over the 3 standards you mastered."
    )


def test_without_history_the_grade_prior_is_used_and_blended_in(term: TermCalendar) -> None:
    graph = line(4)  # four grade-7 standards
    policy = PlanPolicy(school_days_per_year=180)
    prior = observed_learning_rate({}, DEFAULT_RULE, term, graph, "7", policy)
    assert (prior.days_per_standard, prior.source) == (45.0, "grade_level")
    assert "180 school days for 4 standards" in prior.explanation
    unknown_grade = observed_learning_rate({}, DEFAULT_RULE, term, graph, None, policy)
    assert (unknown_grade.days_per_standard, unknown_grade.source) == (5.0, "default")
    one = observed_learning_rate(history((2, 4)), DEFAULT_RULE, term, graph, "7", policy)
    # one observation of 3 days weighs 1/3 against the prior of 45: 1/3*3 + 2/3*45 = 31
    assert one.source == "blended"
    assert abs(one.days_per_standard - 31.0) < 1e-9


def test_target_dates_count_school_days_and_skip_holidays(term: TermCalendar) -> None:
    graph = line(4)
    state = {**history((2, 6), (9, 13), (16, 20))}  # 5 school days each
    goal = Goal("g", "student", "s3 by the break", ("s3",), date(2026, 12, 18))
    plan = build_plan(
        graph, state, rule=DEFAULT_RULE, calendar=term, as_of=MONDAY, goals=[goal]
    )
    assert plan.pace.rate.days_per_standard == 5.0
    # From Mon 23 Nov: Tue 24, (Thanksgiving Wed-Fri), Mon 30, Tue 1, Wed 2, Thu 3 = 5 days.
    assert [s.target_date for s in plan.steps] == [
        date(2026, 12, 3),
        date(2026, 12, 10),
        date(2026, 12, 17),
        date(2026, 12, 24),
    ]
    assert [s.after_term_end for s in plan.steps] == [False, False, False, True]
    assert plan.to_dict()["pathway"][0]["target_date"] == "2026-12-03"


def test_goal_unreachable_by_its_date_is_flagged_not_hidden(term: TermCalendar) -> None:
    graph = line(4)
    state = history((2, 6), (9, 13), (16, 20))
    goal = Goal("g", "student", "s3 by the break", ("s3",), date(2026, 12, 18))
    plan = build_plan(graph, state, rule=DEFAULT_RULE, calendar=term, as_of=MONDAY, goals=[goal])
    progress = plan.goal("g")
    assert progress.status == "unreachable"
    assert progress.projected_date == date(2026, 12, 24)
    assert progress.school_days_late == 4  # Mon 21 - Thu 24 Dec
    assert progress.remaining == ("s0", "s1", "s2", "s3")
    assert progress.reason.startswith(
        "At your pace the last step (s3) would be done on 2026-12-24, 4 school days after the "
        "goal date 2026-12-18"
    )
    assert plan.pace.status == "behind"
    assert not plan.pace.far_behind
    kinds = [f.kind for f in plan.flags]
    assert "goal_unreachable" in kinds and "behind_pace" in kinds and "after_term_end" in kinds
    assert plan.to_dict()["goals"][0]["unreachable"] is True


def test_on_track_and_ahead(term: TermCalendar) -> None:
    graph = line(2)
    state = history((2, 6), (9, 13), (16, 20))  # 5 days per standard -> s1 done Thu 10 Dec
    tight = Goal("g", "student", "s1", ("s1",), date(2026, 12, 11))
    plan = build_plan(graph, state, rule=DEFAULT_RULE, calendar=term, as_of=MONDAY, goals=[tight])
    assert (plan.goal("g").status, plan.pace.status) == ("on_track", "on_track")
    roomy = Goal("g", "student", "s1", ("s1",), date(2027, 3, 1))
    plan = build_plan(graph, state, rule=DEFAULT_RULE, calendar=term, as_of=MONDAY, goals=[roomy])
    assert (plan.goal("g").status, plan.pace.status) == ("on_track", "ahead")


def test_goal_progress_counts_needed_standards_mastered(term: TermCalendar) -> None:
    graph = line(4)
    state = {"s0": mastered(), "s1": working()}
    goal = Goal("g", "teacher", "s3", ("s3",), date(2027, 3, 1), set_by="Ms Rivera")
    plan = build_plan(graph, state, rule=DEFAULT_RULE, calendar=term, as_of=MONDAY, goals=[goal])
    progress = plan.goal("g")
    assert (progress.mastered_count, progress.needed_count, progress.progress) == (1, 4, 0.25)
    data = plan.to_dict()["goals"][0]
    assert data["progress"] == 0.25 and data["set_by"] == "Ms Rivera" and data["kind"] == "teacher"
    met = build_plan(
        graph,
        {c: mastered() for c in ("s0", "s1", "s2", "s3")},
        rule=DEFAULT_RULE, calendar=term, as_of=MONDAY, goals=[goal],
    )
    assert (met.goal("g").status, met.goal("g").progress, met.pathway) == ("met", 1.0, [])


def test_a_past_goal_date_is_far_behind(term: TermCalendar) -> None:
    graph = line(2)
    goal = Goal("g", "student", "s1", ("s1",), date(2026, 11, 13))
    plan = build_plan(graph, {}, rule=DEFAULT_RULE, calendar=term, as_of=MONDAY, goals=[goal])
    assert plan.goal("g").unreachable
    assert plan.goal("g").reason.startswith("The goal date 2026-11-13 has passed")
    assert plan.pace.status == "behind" and plan.pace.far_behind


def test_without_goals_pace_compares_with_the_grade(term: TermCalendar) -> None:
    graph = line(36)  # 180 / 36 = 5 days per grade-7 standard
    quick = history((2, 3), (9, 10), (16, 17))  # 2 days each
    plan = build_plan(graph, quick, rule=DEFAULT_RULE, calendar=term, as_of=MONDAY)
    assert plan.pace.status == "ahead"
    slow = history((2, 11), (2, 11), (2, 11))  # 8 days each
    plan = build_plan(graph, slow, rule=DEFAULT_RULE, calendar=term, as_of=MONDAY, grade="7")
    assert plan.pace.status == "behind"
    assert "slower than a typical grade-7 pace" in plan.pace.explanation


def test_grades_rank_k_to_high_school() -> None:
    assert [grade_rank(g) for g in ("PK", "K", "1", "8", "9", "12", "HS")] == [
        -1, 0, 1, 8, 9, 9, 9,
    ]
    graph = CompetencyGraph(
        [Standard("k", grade="K"), Standard("five", grade="5"), Standard("hs", grade="HS")], []
    )
    assert standards_below_grade(graph, "6") == ["k", "five"]
    assert standards_below_grade(graph, "10") == ["k", "five"]
