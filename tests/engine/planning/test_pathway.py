"""The pathway: from the frontier toward the goals, prerequisites first, teacher edits."""

from __future__ import annotations

from datetime import date

import pytest

from trellis.engine.competencies import CompetencyGraph, Standard, UnknownStandardError
from trellis.engine.mastery import DEFAULT_RULE
from trellis.engine.planning import (
    Goal,
    PlanEdit,
    PlanInputError,
    PlanPolicy,
    TermCalendar,
    build_plan,
)

from .conftest import MONDAY
from .helpers import mastered, working

GOAL_D = Goal("g-d", "student", "Reach d", ("d",), date(2027, 3, 1))


def plan_for(graph, term, state, **kwargs):
    kwargs.setdefault("goals", [GOAL_D])
    return build_plan(graph, state, rule=DEFAULT_RULE, calendar=term, as_of=MONDAY, **kwargs)


def test_pathway_starts_on_the_frontier_and_respects_prerequisites(
    chain: CompetencyGraph, term: TermCalendar
) -> None:
    plan = plan_for(chain, term, {"a": mastered()})
    assert plan.pathway == ["b", "x", "c", "d"]
    assert plan.steps[0].code in plan.ready
    for i, code in enumerate(plan.pathway):
        assert chain.ancestors(code) - {"a"} <= set(plan.pathway[:i])
    assert [s.state for s in plan.steps] == ["ready", "ready", "waiting", "waiting"]
    assert plan.step("c").waiting_on == ("b", "x")
    assert plan.step("b").reason.startswith("Next because you mastered a, toward your goal")
    assert plan.step("x").reason.startswith("Ready: it has no prerequisites")
    assert plan.step("c").reason.startswith("After b (step 1) and x (step 2), which it builds on")


def test_mastered_steps_leave_and_newly_ready_standards_enter(
    chain: CompetencyGraph, term: TermCalendar
) -> None:
    before = plan_for(chain, term, {"a": mastered(), "b": working()})
    assert before.pathway == ["b", "x", "c", "d"]
    assert before.step("c").state == "waiting"
    after = plan_for(chain, term, {"a": mastered(), "b": mastered(), "x": mastered()})
    assert after.pathway == ["c", "d"]
    assert after.step("c").state == "ready"
    assert after.step("c").reason.startswith("Next because you mastered b and x")
    assert "c" in after.ready and "c" not in before.ready


def test_in_progress_step_says_what_is_missing(chain: CompetencyGraph, term: TermCalendar) -> None:
    plan = plan_for(chain, term, {"a": mastered(), "b": working(probability=0.97, count=3)})
    assert plan.step("b").mastery_status == "in_progress"
    assert "In progress: evidence on 1 more day." in plan.step("b").reason


def test_goals_are_served_earliest_date_first(term: TermCalendar) -> None:
    graph = CompetencyGraph(["p", "q", "r", "s"], [("p", "q"), ("r", "s")])
    later = Goal("late", "teacher", "q by spring", ("q",), date(2027, 4, 1))
    sooner = Goal("soon", "standards", "s by winter", ("s",), date(2026, 12, 18))
    plan = plan_for(graph, term, {}, goals=[later, sooner])
    assert plan.pathway == ["r", "s", "p", "q"]
    assert plan.step("s").goal_ids == ("soon",)


def test_no_goals_gives_the_frontier_and_a_flag(chain: CompetencyGraph, term: TermCalendar) -> None:
    plan = plan_for(chain, term, {"a": mastered()}, goals=[])
    assert plan.pathway == ["b", "x"]
    assert "no_goals" in {f.kind for f in plan.flags}


def test_unknown_goal_standard_is_refused(chain: CompetencyGraph, term: TermCalendar) -> None:
    with pytest.raises(UnknownStandardError, match="goal g1"):
        plan_for(chain, term, {}, goals=[Goal("g1", "student", "?", ("zz",), MONDAY)])


def test_no_evidence_plans_from_grade_level_and_prompts_the_diagnostic(
    chain: CompetencyGraph, term: TermCalendar
) -> None:
    plan = plan_for(chain, term, {}, grade="7")
    assert plan.baseline_source == "grade_level"
    assert plan.needs_diagnostic
    assert plan.assumed_mastered == ("a", "b", "x")
    assert plan.mastered == ()
    assert plan.pathway == ["c", "d"]
    flag = next(f for f in plan.flags if f.kind == "needs_diagnostic")
    assert "starts from grade 7" in flag.message and "Take the diagnostic" in flag.message
    assert "taken as known from your grade level" in plan.step("c").reason
    assert plan.to_dict()["baseline"] == {
        "source": "grade_level",
        "needs_diagnostic": True,
        "assumed_mastered_count": 3,
        "implied_mastered_count": 0,
    }


def test_diagnostic_placement_replaces_the_grade_assumption(
    chain: CompetencyGraph, term: TermCalendar
) -> None:
    plan = plan_for(chain, term, {}, grade="7", diagnostic_likely_known={"a"})
    assert plan.baseline_source == "diagnostic"
    assert not plan.needs_diagnostic
    assert plan.pathway == ["b", "x", "c", "d"]
    assert "a is taken as known from your diagnostic" in plan.step("b").reason


def test_evidence_beats_the_grade_assumption(chain: CompetencyGraph, term: TermCalendar) -> None:
    plan = plan_for(chain, term, {"b": working(probability=0.3, count=6, days=2)}, grade="7")
    assert not plan.needs_diagnostic
    assert plan.pathway == ["b", "c", "d"]


def test_mastering_a_standard_implies_its_unassessed_prerequisites(
    chain: CompetencyGraph, term: TermCalendar
) -> None:
    plan = plan_for(chain, term, {"c": mastered(), "x": working(probability=0.4)})
    assert plan.implied_mastered == ("a", "b")  # x has evidence of its own: not implied
    assert plan.pathway == ["x", "d"]
    assert plan.step("d").reason.startswith("Ready because you mastered c")


def test_started_ready_steps_come_first(chain: CompetencyGraph, term: TermCalendar) -> None:
    plan = plan_for(chain, term, {"a": mastered(), "x": working()})
    assert plan.pathway == ["x", "b", "c", "d"]
    assert plan.step("x").reason.startswith("Next: it has no prerequisites")


def test_sub_standards_come_before_their_parent(term: TermCalendar) -> None:
    graph = CompetencyGraph(
        [Standard("6.EE.1"), Standard("7.EE.4"), Standard("7.EE.4.a"), Standard("7.EE.4.b")],
        [("6.EE.1", "7.EE.4.a"), ("6.EE.1", "7.EE.4.b")],
    )
    goal = Goal("g", "teacher", "Equations", ("7.EE.4",), date(2027, 3, 1))
    plan = plan_for(graph, term, {"6.EE.1": mastered()}, goals=[goal])
    assert plan.pathway == ["7.EE.4.a", "7.EE.4.b", "7.EE.4"]
    assert plan.step("7.EE.4").waiting_on == ("7.EE.4.a", "7.EE.4.b")
    without_parts = plan_for(graph, term, {"6.EE.1": mastered()}, goals=[goal], sub_standards={})
    assert without_parts.pathway == ["7.EE.4"]


# -- teacher edits ------------------------------------------------------------------------------


def test_reorder_that_keeps_prerequisites_is_not_flagged(
    chain: CompetencyGraph, term: TermCalendar
) -> None:
    edit = PlanEdit("move", "x", position=1, by="Ms Rivera")
    plan = plan_for(chain, term, {"a": mastered()}, edits=[edit])
    assert plan.pathway == ["x", "b", "c", "d"]
    assert plan.step("x").edits == ("Moved to step 1 by Ms Rivera",)
    assert plan.step("x").reason.startswith("Next: it has no prerequisites")
    assert all(not s.prerequisite_warnings for s in plan.steps)


def test_reorder_that_breaks_prerequisites_is_kept_but_flagged(
    chain: CompetencyGraph, term: TermCalendar
) -> None:
    edit = PlanEdit("move", "d", position=1, note="enrichment")
    plan = plan_for(chain, term, {"a": mastered()}, edits=[edit])
    assert plan.pathway == ["d", "b", "x", "c"]
    assert plan.step("d").prerequisite_warnings == ("b", "x", "c")
    assert "Heads-up: it builds on b, x and c, which are not before it" in plan.step("d").reason
    assert "Moved to step 1 by your teacher (enrichment)." in plan.step("d").reason
    warnings = [f for f in plan.flags if f.kind == "prerequisite_warning"]
    assert [f.code for f in warnings] == ["d"]


def test_add_and_remove_steps(chain: CompetencyGraph, term: TermCalendar) -> None:
    graph = CompetencyGraph([*[chain.standard(c) for c in chain], Standard("y")], chain.edges)
    edits = [PlanEdit("add", "y", position=2, by="Mr Ode"), PlanEdit("remove", "x")]
    plan = plan_for(graph, term, {"a": mastered()}, edits=edits)
    assert plan.pathway == ["b", "y", "c", "d"]
    assert plan.step("y").edits == ("Added by Mr Ode",)
    assert plan.step("c").prerequisite_warnings == ("x",)
    assert plan.step("d").prerequisite_warnings == ("x",)
    goal = plan.goal("g-d")
    assert goal.unreachable
    assert goal.reason.startswith("Needs x, which is not in the plan (removed by a teacher)")
    assert "goal_unreachable" in {f.kind for f in plan.flags}


def test_edits_that_no_longer_apply_are_reported_not_applied(
    chain: CompetencyGraph, term: TermCalendar
) -> None:
    edits = [
        PlanEdit("move", "b", position=3),  # b is mastered by now
        PlanEdit("remove", "zz"),
        PlanEdit("move", "a", position=1),
    ]
    plan = plan_for(chain, term, {"a": mastered(), "b": mastered()}, edits=edits)
    assert plan.pathway == ["x", "c", "d"]
    assert [(e.edit.code, e.reason) for e in plan.ignored_edits] == [
        ("b", "b is already mastered"),
        ("zz", "zz is not in this map"),
        ("a", "a is already mastered"),
    ]
    assert sum(f.kind == "edit_ignored" for f in plan.flags) == 3


def test_bad_edits_are_refused_when_made() -> None:
    with pytest.raises(PlanInputError, match="needs a position"):
        PlanEdit("move", "b")
    with pytest.raises(PlanInputError, match="mode 'lecture' is not one of"):
        PlanEdit("set_mode", "b", mode="lecture")  # type: ignore[arg-type]
    with pytest.raises(PlanInputError, match="edit action 'swap'"):
        PlanEdit("swap", "b")  # type: ignore[arg-type]
    with pytest.raises(PlanInputError, match="needs activity_ids"):
        PlanEdit("assign", "b")


def test_a_goal_on_an_assumed_standard_still_plans_it(
    chain: CompetencyGraph, term: TermCalendar
) -> None:
    review = Goal("rev", "student", "Show I know b", ("b",), date(2026, 12, 18))
    # (two grade-7 standards in this map: a 10-day year makes the prior 5 days per standard)
    policy = PlanPolicy(school_days_per_year=10)
    plan = plan_for(chain, term, {}, grade="7", goals=[review], policy=policy)
    assert "b" in plan.assumed_mastered
    assert plan.pathway == ["b"]
    progress = plan.goal("rev")
    assert (progress.status, progress.remaining, progress.needed_count) == ("on_track", ("b",), 1)
