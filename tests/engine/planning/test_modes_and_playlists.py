"""Mode of instruction per step, and playlist suggestions per step."""

from __future__ import annotations

from datetime import date

import pytest

from trellis.engine.competencies import CompetencyGraph
from trellis.engine.mastery import DEFAULT_RULE
from trellis.engine.planning import (
    Activity,
    Goal,
    LearnerProfile,
    PlanEdit,
    PlanInputError,
    TermCalendar,
    build_plan,
    rank_activities,
    ready_classmates,
)

from .conftest import MONDAY
from .helpers import mastered, working

GOAL_D = Goal("g-d", "student", "Reach d", ("d",), date(2027, 3, 1))


def practice(code: str, n: int = 1) -> Activity:
    return Activity(f"p-{code}-{n}", f"Practice {code}", (code,), "practice_set", 15)


def plan_for(graph, term, state, **kwargs):
    kwargs.setdefault("goals", [GOAL_D])
    kwargs.setdefault("activities", [practice(c) for c in "abcdx"])
    return build_plan(graph, state, rule=DEFAULT_RULE, calendar=term, as_of=MONDAY, **kwargs)


# -- modes ----------------------------------------------------------------------------------


def test_default_is_independent_with_a_reason(chain: CompetencyGraph, term: TermCalendar) -> None:
    plan = plan_for(chain, term, {"a": mastered()})
    assert plan.step("b").mode == "independent_online"
    assert plan.step("b").mode_reason == "Work on your own: choose from the activities below."
    assert plan.step("c").mode == "independent_online"
    assert plan.step("c").mode_reason.startswith("Planned as independent work")


def test_many_tries_without_progress_means_one_on_one(
    chain: CompetencyGraph, term: TermCalendar
) -> None:
    state = {"a": mastered(), "b": working(probability=0.35, count=9, days=3)}
    step = plan_for(chain, term, state).step("b")
    assert step.mode == "one_on_one"
    assert step.mode_reason.startswith("You've tried this 9 times and it hasn't clicked yet")


def test_far_longer_than_usual_on_a_step_means_one_on_one(
    chain: CompetencyGraph, term: TermCalendar
) -> None:
    # Default pace 5 days; on b since Mon 2 Nov: 16 school days by Mon 23 Nov.
    state = {"a": mastered(), "b": working(probability=0.7, count=3, since=date(2026, 11, 2))}
    step = plan_for(chain, term, state).step("b")
    assert step.mode == "one_on_one"
    assert step.mode_reason.startswith("You've been on this for 16 school days (your usual is")


def test_far_behind_pace_puts_the_next_step_one_on_one(
    chain: CompetencyGraph, term: TermCalendar
) -> None:
    overdue = Goal("late", "teacher", "d by November", ("d",), date(2026, 11, 13))
    plan = plan_for(chain, term, {"a": mastered()}, goals=[overdue])
    assert plan.pace.far_behind
    assert plan.step("b").mode == "one_on_one"
    assert "behind pace for your goal “d by November”" in plan.step("b").mode_reason
    assert plan.step("x").mode == "independent_online"


def test_classmates_ready_for_the_same_step_make_a_small_group(
    chain: CompetencyGraph, term: TermCalendar
) -> None:
    plan = plan_for(chain, term, {"a": mastered()}, classmates_at_step={"x": 2, "b": 1, "c": 5})
    assert plan.step("x").mode == "small_group"
    assert plan.step("x").mode_reason.startswith("2 classmates are ready for this step too")
    assert plan.step("b").mode == "independent_online"  # a pair is not a group of 3
    assert plan.step("c").mode == "independent_online"  # c is not ready yet


def test_no_activities_means_a_teacher_session_and_a_flag(
    chain: CompetencyGraph, term: TermCalendar
) -> None:
    intro = Activity("t-x", "Intro with teacher", ("x",), "teacher_session", 30)
    activities = [practice("b"), intro]
    plan = plan_for(chain, term, {"a": mastered()}, activities=activities)
    assert plan.step("x").mode == "teacher_session"
    assert not plan.step("x").needs_activities  # it has one activity, just not independent
    assert plan.step("c").needs_activities and plan.step("d").needs_activities
    assert plan.step("c").activities == ()
    flagged = [f.code for f in plan.flags if f.kind == "needs_activities"]
    assert flagged == ["c", "d"]
    assert plan.to_dict()["pathway"][2]["needs_activities"] is True


def test_teacher_mode_overrides_the_rules(chain: CompetencyGraph, term: TermCalendar) -> None:
    state = {"a": mastered(), "b": working(probability=0.35, count=9, days=3)}
    edit = PlanEdit("set_mode", "b", mode="small_group", note="with the Tuesday group")
    step = plan_for(chain, term, state, edits=[edit]).step("b")
    assert step.mode == "small_group"
    assert step.mode_reason == "Your teacher chose a small group: with the Tuesday group."


# -- playlists ------------------------------------------------------------------------------

ACTIVITIES = [
    Activity("v1", "Balance puzzles (video)", ("b",), "video", 8, ("puzzles",)),
    Activity("v2", "Equations in soccer stats", ("b",), "video", 12, ("Soccer",)),
    Activity("v3", "Another video", ("b",), "video", 6),
    Activity("r1", "Reading: what is a variable", ("b",), "reading", 10),
    Activity("p1", "Practice set", ("b",), "practice_set", 20),
    Activity("j1", "Design a soccer league table", ("b",), "project", 90, ("soccer",)),
]


def test_ranking_follows_the_profile_and_varies_modality() -> None:
    profile = LearnerProfile(interests=("soccer",), learns_best=("video", "practice_set"))
    choices = rank_activities(ACTIVITIES, profile, suggestions=4)
    order = [c.activity.id for c in choices]
    # v2: video (3) + soccer (1.5); a second video loses 2.5 (3 - 2.5 = 0.5), so the practice
    # set (2) and the soccer project (1.5) come first; a third video (3 - 5) falls below the
    # reading (0). Equal scores go to the shorter activity (v3, 6 min, before v1, 8 min).
    assert order == ["v2", "p1", "j1", "v3", "r1", "v1"]
    assert [c.suggested for c in choices] == [True, True, True, True, False, False]
    assert len({c.activity.modality for c in choices if c.suggested}) >= 3
    assert choices[0].why == (
        "A video, 12 min: you learn best with videos; about soccer, which you're interested in"
    )
    assert choices[0].to_dict()["rank"] == 1


def test_ranking_is_independent_of_input_order() -> None:
    profile = LearnerProfile(interests=("puzzles",), learns_best=("reading",))
    forward = [c.activity.id for c in rank_activities(ACTIVITIES, profile, 3)]
    backward = [c.activity.id for c in rank_activities(ACTIVITIES[::-1], profile, 3)]
    assert forward == backward
    assert forward[:2] == ["r1", "v1"]


def test_without_a_profile_shorter_and_varied_first() -> None:
    order = [c.activity.id for c in rank_activities(ACTIVITIES, LearnerProfile(), 4)]
    assert order == ["v3", "r1", "p1", "j1", "v1", "v2"]


def test_teacher_assigned_activities_come_first(chain: CompetencyGraph, term: TermCalendar) -> None:
    profile = LearnerProfile(learns_best=("video",))
    edit = PlanEdit("assign", "b", activity_ids=("j1", "missing"))
    plan = plan_for(chain, term, {"a": mastered()}, activities=ACTIVITIES, profile=profile,
                    edits=[edit])
    choices = plan.step("b").activities
    assert choices[0].activity.id == "j1" and choices[0].assigned
    assert choices[0].why.endswith("assigned by your teacher")
    # then the two shortest videos (a loved modality survives one repeat), then variety
    assert [c.activity.id for c in choices] == ["j1", "v3", "v1", "r1", "p1", "v2"]
    assert [c.suggested for c in choices] == [True, True, True, True, True, False]


def test_bad_activities_and_profiles_are_refused() -> None:
    with pytest.raises(PlanInputError, match="modality 'podcast'"):
        Activity("z", "?", ("b",), "podcast", 5)  # type: ignore[arg-type]
    with pytest.raises(PlanInputError, match="estimated_minutes must be a positive"):
        Activity("z", "?", ("b",), "video", 0)
    with pytest.raises(PlanInputError, match="needs at least one standard"):
        Activity("z", "?", (), "video", 5)
    with pytest.raises(PlanInputError, match="learns_best: 'dance'"):
        LearnerProfile(learns_best=("dance",))  # type: ignore[arg-type]
    with pytest.raises(PlanInputError, match="not one string"):
        LearnerProfile(interests="soccer")  # type: ignore[arg-type]


def test_ready_classmates_counts_the_others() -> None:
    ready = {"me": ["b", "x"], "ana": ["x", "b"], "bo": ["x"], "cy": ["c"]}
    assert ready_classmates(ready, "me") == {"b": 1, "c": 1, "x": 2}
