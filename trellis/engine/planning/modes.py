"""Mode of instruction for a step: who the learner works with, and why.

Four modes (:data:`~trellis.engine.planning.inputs.Mode`):

- ``one_on_one`` — the teacher's scarcest time, so it goes where it matters most: a learner
  **stuck** on a step (many tries and the evidence still low, or far longer on it than their
  usual pace) or **far behind** pace on a goal (for the step in front of them);
- ``small_group`` — enough classmates ready for the same step right now (this learner
  included, ``small_group_size`` or more) to learn it together;
- ``teacher_session`` — nothing the learner can do on their own is aligned to the step yet;
- ``independent_online`` — otherwise: the learner picks from the playlist and works at their
  own pace.

The rules are tried in that order and the first that applies wins; a teacher's choice (a
``set_mode`` edit) overrides them all. Every decision carries its reason in words, because a
learner told "one-on-one" without a reason hears "you are in trouble".
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from trellis.engine.planning.inputs import Mode, PlanPolicy

MODE_WORDS = {
    "independent_online": "independent work online",
    "small_group": "a small group",
    "one_on_one": "one-on-one time with your teacher",
    "teacher_session": "a session with your teacher",
}


@dataclass(frozen=True)
class StepSituation:
    """What the mode rules look at for one step."""

    is_first: bool
    is_ready: bool
    in_progress: bool
    probability: float
    evidence_count: int
    school_days_on_step: int
    usual_days_per_standard: float
    far_behind_goal: str | None
    classmates_ready: int
    has_independent_activities: bool
    teacher_mode: Mode | None = None
    teacher_note: str = ""


def choose_mode(situation: StepSituation, policy: PlanPolicy) -> tuple[Mode, str]:
    """The mode for a step and the reason, by the rules in the module docstring."""
    s = situation
    if s.teacher_mode is not None:
        note = f": {s.teacher_note}" if s.teacher_note else ""
        return s.teacher_mode, f"Your teacher chose {MODE_WORDS[s.teacher_mode]}{note}."
    if s.in_progress:
        many_tries = s.evidence_count >= policy.stuck_evidence_count
        if many_tries and s.probability < policy.stuck_probability:
            return "one_on_one", (
                f"You've tried this {s.evidence_count} times and it hasn't clicked yet: "
                "one-on-one time with your teacher will help."
            )
        usual = s.usual_days_per_standard
        if s.school_days_on_step > policy.stuck_pace_factor * usual:
            return "one_on_one", (
                f"You've been on this for {s.school_days_on_step} school days (your usual is "
                f"about {usual:.0f}): one-on-one time with your teacher will help."
            )
    if s.is_first and s.far_behind_goal is not None:
        return "one_on_one", (
            f"You're behind pace for your goal “{s.far_behind_goal}”: one-on-one time with "
            "your teacher to catch up."
        )
    if s.is_ready and s.classmates_ready + 1 >= policy.small_group_size:
        others = s.classmates_ready
        return "small_group", (
            f"{others} {'classmate is' if others == 1 else 'classmates are'} ready for this "
            "step too: learn it together in a small group."
        )
    if not s.has_independent_activities:
        return "teacher_session", (
            "There is nothing to do on your own for this standard yet: a session with your "
            "teacher."
        )
    if s.is_ready:
        return "independent_online", "Work on your own: choose from the activities below."
    return "independent_online", (
        "Planned as independent work; your teacher reviews it when you get there."
    )


def ready_classmates(
    ready_by_learner: Mapping[str, Collection[str]], learner: str
) -> dict[str, int]:
    """``classmates_at_step`` for ``learner``: per standard, how many *other* learners of the
    class have it ready now (from each learner's ``plan.ready`` or mastery classification)."""
    counts: dict[str, int] = {}
    for other, ready in sorted(ready_by_learner.items()):
        if other == learner:
            continue
        for code in set(ready):
            counts[code] = counts.get(code, 0) + 1
    return dict(sorted(counts.items()))
