"""A grade-7 learner on the real Common Core coherence map, and the plan's JSON shape."""

from __future__ import annotations

import json
import random
from datetime import date

from trellis.engine.competencies import CompetencyGraph
from trellis.engine.mastery import DEFAULT_RULE
from trellis.engine.planning import (
    Activity,
    Goal,
    LearnerProfile,
    TermCalendar,
    build_plan,
    planning_graph,
)

from .conftest import MONDAY
from .helpers import mastered, working

GOALS = [
    Goal("solve", "student", "Solve linear equations", ("8.EE.C.7",), date(2027, 3, 1)),
    Goal("grade7", "teacher", "Equations and inequalities", ("7.EE.B.4",), date(2027, 2, 5)),
]
ACTIVITIES = [
    Activity("v-ee1", "Like terms, on video", ("7.EE.A.1",), "video", 9, ("music",)),
    Activity("p-ee1", "Practice: like terms", ("7.EE.A.1",), "practice_set", 20),
    Activity("r-ee4", "Reading: inequalities", ("7.EE.B.4.b", "7.EE.B.4"), "reading", 12),
]
STATE = {
    "6.EE.A.3": mastered(date(2026, 10, 5), date(2026, 10, 8)),
    "6.EE.A.4": working(probability=0.55, count=3, since=date(2026, 11, 18)),
    "7.NS.A.3": mastered(date(2026, 10, 12), date(2026, 10, 16)),
    "6.EE.B.7": mastered(date(2026, 11, 2), date(2026, 11, 4)),
}


def plan_for(graph: CompetencyGraph, term: TermCalendar, state=STATE, **kwargs):
    return build_plan(
        graph,
        state,
        rule=DEFAULT_RULE,
        calendar=term,
        as_of=MONDAY,
        goals=kwargs.pop("goals", GOALS),
        activities=kwargs.pop("activities", ACTIVITIES),
        profile=LearnerProfile(interests=("music",), learns_best=("video",)),
        grade="7",
        **kwargs,
    )


def test_grade_7_plan_on_the_common_core_map(ccssm: CompetencyGraph, term: TermCalendar) -> None:
    plan = plan_for(ccssm, term)
    planned = planning_graph(ccssm)
    known = set(plan.mastered) | set(plan.assumed_mastered) | set(plan.implied_mastered)
    assert plan.baseline_source == "grade_level" and not plan.needs_diagnostic
    assert "6.EE.A.4" not in known  # evidence beats the grade-level assumption
    # mastering 7.NS.A.3 implies the grade-7 number-system standards it builds on
    assert "7.NS.A.1.b" in plan.implied_mastered and "7.NS.A.1.b" not in plan.pathway
    assert plan.pathway[0] == "6.EE.A.4"  # started and ready: finish it first
    assert plan.pathway[0] in plan.ready
    for i, code in enumerate(plan.pathway):
        assert planned.ancestors(code) - known <= set(plan.pathway[:i]), code
    position = {code: i for i, code in enumerate(plan.pathway)}
    # the earlier goal (7.EE.B.4, due in February) comes first, its parts before it
    assert position["7.EE.B.4.a"] < position["7.EE.B.4.b"] < position["7.EE.B.4"]
    assert position["7.EE.B.4"] < position["8.EE.C.7"]
    assert position["6.EE.A.4"] < position["7.EE.A.1"] < position["8.EE.C.7.b"]
    step = plan.step("7.EE.A.1")
    assert step.waiting_on == ("6.EE.A.4",)
    assert step.reason.startswith(
        f"After 6.EE.A.4 (step {position['6.EE.A.4'] + 1}), which it builds on"
    )
    assert step.activities[0].activity.id == "v-ee1"
    dates = [s.target_date for s in plan.steps]
    assert dates == sorted(dates)
    assert all(term.is_school_day(d) for d in dates)

    # 6.EE.A.4 is mastered a week later: it leaves, 7.EE.A.1 becomes ready with its reason.
    later = {**STATE, "6.EE.A.4": mastered(date(2026, 11, 18), date(2026, 11, 20))}
    plan2 = plan_for(ccssm, term, state=later)
    assert "6.EE.A.4" not in plan2.pathway
    assert "7.EE.A.1" in plan2.ready and "7.EE.A.1" not in plan.ready
    assert plan2.step("7.EE.A.1").state == "ready"
    assert "because you mastered 6.EE.A.3 and 6.EE.A.4" in plan2.step("7.EE.A.1").reason


def test_plan_json_shape(ccssm: CompetencyGraph, term: TermCalendar) -> None:
    data = plan_for(ccssm, term).to_dict()
    text = json.dumps(data)
    assert json.loads(text) == data
    assert set(data) == {
        "as_of", "mastery_rule", "baseline", "pace", "goals", "pathway", "ready", "mastered",
        "flags", "ignored_edits",
    }
    assert data["mastery_rule"]["description"].startswith("Mastered means")
    assert [g["id"] for g in data["goals"]] == ["grade7", "solve"]
    step = data["pathway"][0]
    assert {"code", "mode", "target_date", "reason", "activities", "needs_activities"} <= set(step)
    assert date.fromisoformat(step["target_date"]) >= MONDAY
    assert step["mode"] in {"independent_online", "small_group", "one_on_one", "teacher_session"}
    assert all(s["code"] in ccssm for s in data["pathway"])


def test_same_inputs_same_plan_whatever_the_order(
    ccssm: CompetencyGraph, term: TermCalendar
) -> None:
    first = plan_for(ccssm, term).to_dict()
    rng = random.Random(7)
    goals, activities, state = list(GOALS), list(ACTIVITIES), list(STATE.items())
    rng.shuffle(goals)
    rng.shuffle(activities)
    rng.shuffle(state)
    again = plan_for(ccssm, term, state=dict(state), goals=goals, activities=activities)
    assert again.to_dict() == first
