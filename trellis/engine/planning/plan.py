"""Building a personalized learning plan.

:func:`build_plan` turns one learner's mastery state into a :class:`LearningPlan`:

1. **What they know.** Standards that meet the district's :class:`MasteryRule`, plus what is
   *assumed* when evidence is thin: the diagnostic's placement, or else every standard below
   their grade. Evidence beats assumptions: a standard with evidence that does not meet the rule
   is never assumed known. A learner with no evidence and no diagnostic gets a plan from their
   grade level and a ``needs_diagnostic`` flag. Mastering a standard also *implies* its
   unassessed prerequisites (whoever solves two-step equations can solve one-step ones), so
   they are not planned again.
2. **Pathway.** For each goal, earliest date first, the not-yet-known standards it needs in
   prerequisite order (:meth:`CompetencyGraph.pathway`); the first step is always on the
   ready-to-learn frontier. Without goals the pathway is the frontier itself. Ready steps the
   learner has already started move to the front. Then the teacher's edits are applied; an
   edit that puts a step before something it needs is kept, and the step carries a
   ``prerequisite_warnings`` list.
3. **Pace.** Target dates from the learner's own school days per standard on the term calendar
   (:mod:`.pace`), each goal's projected date, and on-track / behind / ahead.
4. **Mode and playlist** per step (:mod:`.modes`, :mod:`.playlists`).
5. **Words.** Every step says why it is where it is ("Next because you mastered 6.EE.A.3 and
   6.NS.B.4"); every goal says how far along it is and, if it cannot be met by its date, why.

Mastered steps leave the plan and newly ready ones enter it simply because the plan is
recomputed from the state: the plan is a pure function of its inputs (same inputs, same plan —
no clocks, no randomness; ``as_of`` is an input).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from trellis.engine.competencies import CompetencyGraph, UnknownStandardError
from trellis.engine.mastery import IN_PROGRESS, EvidenceSummary, MasteryRule, MasteryStatus
from trellis.engine.planning.calendar import TermCalendar
from trellis.engine.planning.inputs import (
    Activity,
    Goal,
    LearnerProfile,
    Mode,
    PlanEdit,
    PlanPolicy,
)
from trellis.engine.planning.modes import StepSituation, choose_mode
from trellis.engine.planning.pace import (
    LearningRate,
    grade_level_days,
    grade_rank,
    observed_learning_rate,
    standards_below_grade,
)
from trellis.engine.planning.parts import planning_graph
from trellis.engine.planning.playlists import ActivityChoice, rank_activities

BaselineSource = Literal["evidence", "diagnostic", "grade_level", "none"]
PaceStatus = Literal["on_track", "behind", "ahead"]
GoalStatus = Literal["met", "on_track", "unreachable"]
StepState = Literal["ready", "waiting"]

INDEPENDENT_MODALITIES = frozenset({"lesson", "video", "reading", "practice_set", "project"})


# -- results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanFlag:
    """Something a person should look at: ``kind`` is stable for code, ``message`` is for
    people; ``code`` / ``goal_id`` say what it is about when it is about one thing."""

    kind: str
    message: str
    code: str | None = None
    goal_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "message": self.message}
        if self.code is not None:
            data["code"] = self.code
        if self.goal_id is not None:
            data["goal_id"] = self.goal_id
        return data


@dataclass(frozen=True)
class PlanStep:
    """One standard on the pathway, with everything the plan page shows for it."""

    position: int
    code: str
    label: str
    grade: str
    domain: str
    state: StepState
    mastery_status: MasteryStatus
    probability: float | None
    mode: Mode
    mode_reason: str
    target_date: date
    after_term_end: bool
    reason: str
    activities: tuple[ActivityChoice, ...]
    needs_activities: bool
    goal_ids: tuple[str, ...]
    prerequisites: tuple[str, ...]
    waiting_on: tuple[str, ...]
    prerequisite_warnings: tuple[str, ...]
    edits: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "code": self.code,
            "label": self.label,
            "grade": self.grade,
            "domain": self.domain,
            "state": self.state,
            "mastery_status": self.mastery_status,
            "probability": self.probability,
            "mode": self.mode,
            "mode_reason": self.mode_reason,
            "target_date": self.target_date.isoformat(),
            "after_term_end": self.after_term_end,
            "reason": self.reason,
            "activities": [choice.to_dict() for choice in self.activities],
            "needs_activities": self.needs_activities,
            "goals": list(self.goal_ids),
            "prerequisites": list(self.prerequisites),
            "waiting_on": list(self.waiting_on),
            "prerequisite_warnings": list(self.prerequisite_warnings),
            "edits": list(self.edits),
        }


@dataclass(frozen=True)
class GoalProgress:
    """A goal with its progress: ``progress`` is the fraction of the standards it needs (the
    goal's standards and everything before them, leaving out what is only *assumed*) that are
    mastered by the rule."""

    goal: Goal
    status: GoalStatus
    progress: float
    mastered_count: int
    needed_count: int
    remaining: tuple[str, ...]
    projected_date: date | None
    school_days_late: int
    required_days_per_standard: float | None
    reason: str

    @property
    def unreachable(self) -> bool:
        return self.status == "unreachable"

    def to_dict(self) -> dict[str, Any]:
        g = self.goal
        return {
            "id": g.id,
            "kind": g.kind,
            "title": g.title,
            "standards": list(g.standard_codes),
            "due": g.due.isoformat(),
            "set_by": g.set_by,
            "status": self.status,
            "unreachable": self.unreachable,
            "progress": round(self.progress, 4),
            "mastered_count": self.mastered_count,
            "needed_count": self.needed_count,
            "remaining": list(self.remaining),
            "projected_date": self.projected_date.isoformat() if self.projected_date else None,
            "school_days_late": self.school_days_late,
            "required_days_per_standard": (
                None
                if self.required_days_per_standard is None
                else round(self.required_days_per_standard, 2)
            ),
            "reason": self.reason,
        }


@dataclass(frozen=True)
class PaceSummary:
    """The learner's pace and whether the plan is on track, with the reason."""

    status: PaceStatus
    rate: LearningRate
    far_behind: bool
    school_days_left_in_term: int
    explanation: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "days_per_standard": round(self.rate.days_per_standard, 2),
            "rate_source": self.rate.source,
            "observations": self.rate.observations,
            "far_behind": self.far_behind,
            "school_days_left_in_term": self.school_days_left_in_term,
            "rate_explanation": self.rate.explanation,
            "explanation": self.explanation,
        }


@dataclass(frozen=True)
class IgnoredEdit:
    edit: PlanEdit
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"action": self.edit.action, "code": self.edit.code, "reason": self.reason}


@dataclass(frozen=True)
class LearningPlan:
    """A learner's plan on ``as_of``; :meth:`to_dict` is the JSON the CLI and API print."""

    as_of: date
    rule: MasteryRule
    calendar: TermCalendar
    baseline_source: BaselineSource
    needs_diagnostic: bool
    assumed_mastered: tuple[str, ...]
    implied_mastered: tuple[str, ...]
    mastered: tuple[str, ...]
    ready: tuple[str, ...]
    goals: tuple[GoalProgress, ...]
    steps: tuple[PlanStep, ...]
    pace: PaceSummary
    flags: tuple[PlanFlag, ...]
    ignored_edits: tuple[IgnoredEdit, ...] = field(default=())

    @property
    def pathway(self) -> list[str]:
        """The pathway's standard codes in order."""
        return [step.code for step in self.steps]

    def step(self, code: str) -> PlanStep:
        for step in self.steps:
            if step.code == code:
                return step
        raise KeyError(code)

    def goal(self, goal_id: str) -> GoalProgress:
        for progress in self.goals:
            if progress.goal.id == goal_id:
                return progress
        raise KeyError(goal_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "mastery_rule": {**self.rule.to_dict(), "description": self.rule.describe()},
            "baseline": {
                "source": self.baseline_source,
                "needs_diagnostic": self.needs_diagnostic,
                "assumed_mastered_count": len(self.assumed_mastered),
                "implied_mastered_count": len(self.implied_mastered),
            },
            "pace": self.pace.to_dict(),
            "goals": [g.to_dict() for g in self.goals],
            "pathway": [s.to_dict() for s in self.steps],
            "ready": list(self.ready),
            "mastered": list(self.mastered),
            "flags": [f.to_dict() for f in self.flags],
            "ignored_edits": [e.to_dict() for e in self.ignored_edits],
        }


# -- words --------------------------------------------------------------------------------------


def join_codes(codes: Sequence[str], limit: int = 4) -> str:
    """``a``; ``a and b``; ``a, b and c``; long lists end ``and N more``."""
    items = list(codes)
    if len(items) > limit:
        shown = items[: limit - 1]
        return ", ".join(shown) + f" and {len(items) - len(shown)} more"
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# -- building -----------------------------------------------------------------------------------


@dataclass
class _EditedPathway:
    codes: list[str]
    notes: dict[str, list[str]]
    modes: dict[str, tuple[Mode, str]]
    assigned: dict[str, tuple[str, ...]]
    ignored: list[IgnoredEdit]


def _apply_edits(
    codes: list[str],
    edits: Sequence[PlanEdit],
    graph: CompetencyGraph,
    mastered: set[str],
) -> _EditedPathway:
    result = _EditedPathway(list(codes), {}, {}, {}, [])
    for edit in edits:
        code = edit.code
        if code not in graph:
            result.ignored.append(IgnoredEdit(edit, f"{code} is not in this map"))
            continue
        if code in mastered:
            result.ignored.append(IgnoredEdit(edit, f"{code} is already mastered"))
            continue
        in_plan = code in result.codes
        if edit.action in {"move", "add"}:
            if edit.action == "move" and not in_plan:
                result.ignored.append(IgnoredEdit(edit, f"{code} is not in the plan"))
                continue
            if in_plan and edit.position is None:
                result.ignored.append(IgnoredEdit(edit, f"{code} is already in the plan"))
                continue
            if in_plan:
                result.codes.remove(code)
            limit = len(result.codes) + 1
            position = limit if edit.position is None else min(edit.position, limit)
            result.codes.insert(position - 1, code)
            verb = "Moved to step " + str(position) if in_plan else "Added"
            result.notes.setdefault(code, []).append(verb + _edit_signature(edit))
        elif edit.action == "remove":
            if not in_plan:
                result.ignored.append(IgnoredEdit(edit, f"{code} is not in the plan"))
                continue
            result.codes.remove(code)
            result.notes.pop(code, None)
        elif edit.action == "set_mode":
            assert edit.mode is not None  # noqa: S101 -- PlanEdit validates set_mode has a mode
            result.modes[code] = (edit.mode, edit.note)
        else:  # assign
            result.assigned[code] = edit.activity_ids
    kept = set(result.codes)
    for code in list(result.modes):
        if code not in kept:
            result.modes.pop(code)
    for code in list(result.assigned):
        if code not in kept:
            result.assigned.pop(code)
    return result


def _edit_signature(edit: PlanEdit) -> str:
    by = f" by {edit.by}" if edit.by else " by your teacher"
    return by + (f" ({edit.note})" if edit.note else "")


def _goal_pathways(
    graph: CompetencyGraph, known: set[str], mastered: set[str], goals: Sequence[Goal]
) -> tuple[list[str], dict[str, list[str]]]:
    """Steps for each goal in date order, prerequisites first; which goals each step serves.

    A goal's own standards are planned unless *mastered*: a learner who names a standard as a
    goal wants to show it, even if it was only assumed or implied.
    """
    order: list[str] = []
    serves: dict[str, list[str]] = {}
    for goal in sorted(goals, key=lambda g: (g.due, g.id)):
        known_here = known - (set(goal.standard_codes) - mastered)
        for code in graph.pathway(known_here, goal.standard_codes):
            if code not in serves:
                order.append(code)
                serves[code] = []
            serves[code].append(goal.id)
    return order, serves


def build_plan(
    graph: CompetencyGraph,
    state: Mapping[str, EvidenceSummary],
    *,
    rule: MasteryRule,
    calendar: TermCalendar,
    as_of: date,
    goals: Sequence[Goal] = (),
    activities: Sequence[Activity] = (),
    profile: LearnerProfile | None = None,
    edits: Sequence[PlanEdit] = (),
    grade: str | None = None,
    diagnostic_likely_known: Collection[str] | None = None,
    classmates_at_step: Mapping[str, int] | None = None,
    policy: PlanPolicy | None = None,
    sub_standards: Mapping[str, Sequence[str]] | None = None,
) -> LearningPlan:
    """The learner's plan (see the module docstring for the steps).

    ``state`` maps standard codes to the learner model's :class:`EvidenceSummary` (codes not in
    ``graph`` are ignored). ``diagnostic_likely_known`` is the check-up's placement (the
    standards it found *likely known*; not mastered), if the learner took one.
    ``classmates_at_step`` counts, per standard, the *other* learners in the class for whom it
    is ready now. ``grade`` is the learner's grade (K, 1–12, HS): it gives the assumption when
    there is no diagnostic and the grade-level pace prior.

    The plan walks :func:`~.parts.planning_graph` of ``graph``: sub-standards come before
    their parent (``sub_standards`` overrides the parts found from the codes; pass ``{}`` with
    a graph that is already a planning graph to skip the work when planning a whole class).
    """
    graph = planning_graph(graph, sub_standards)
    profile = profile or LearnerProfile()
    policy = policy or PlanPolicy()
    classmates = classmates_at_step or {}
    if grade is not None:
        grade_rank(grade)  # refuse an unknown grade early, with its message
    for goal in goals:
        for code in goal.standard_codes:
            if code not in graph:
                raise UnknownStandardError(code, f"goal {goal.id}")
    if len({g.id for g in goals}) != len(goals):
        raise ValueError("goal ids must be unique")

    # 1. What the learner knows, and what is assumed.
    codes_in_order = graph.topological_order()
    status = {code: rule.status_of(state.get(code)) for code in codes_in_order}
    mastered = {code for code, s in status.items() if s == "mastered"}
    has_evidence = any(s != "not_started" for s in status.values())
    baseline: BaselineSource
    if diagnostic_likely_known is not None:
        baseline, assumed_source = "diagnostic", set(diagnostic_likely_known) & set(graph.codes)
    elif grade is not None:
        baseline, assumed_source = "grade_level", set(standards_below_grade(graph, grade))
    else:
        baseline, assumed_source = ("evidence" if has_evidence else "none"), set()
    assumed = {c for c in assumed_source if status[c] == "not_started" and c not in mastered}
    # Mastering a standard shows what it builds on: its unassessed prerequisites are implied.
    implied: set[str] = set()
    for code in mastered:
        implied |= graph.ancestors(code)
    implied = {c for c in implied if status[c] == "not_started"} - mastered - assumed
    known = mastered | assumed | implied
    needs_diagnostic = diagnostic_likely_known is None and not has_evidence
    classification = rule.classify(graph, state, assumed | implied)
    ready = list(classification.ready)
    ready_set = set(ready)

    # 2. Pathway, then the teacher's edits.
    flags: list[PlanFlag] = []
    if needs_diagnostic:
        where = f"grade {grade}" if grade is not None else "the start of the map"
        flags.append(
            PlanFlag(
                "needs_diagnostic",
                f"There is no evidence yet, so this plan starts from {where}. Take the "
                "diagnostic so your plan starts from what you already know.",
            )
        )
    if goals:
        base, serves = _goal_pathways(graph, known, mastered, goals)
    else:
        # The ready standards, with anything further back that contradicting evidence left
        # unknown placed before them.
        base, serves = graph.pathway(known, _frontier_pathway(graph, ready, grade)), {}
        flags.append(
            PlanFlag(
                "no_goals",
                "No goals yet: the plan shows what you're ready to learn. Set a goal to see the "
                "path toward it.",
            )
        )
    # Finish what you started: ready steps already in progress go first, unless something
    # further back is still unknown (possible when evidence contradicts itself).
    started = [
        c
        for c in base
        if c in ready_set and status[c] == IN_PROGRESS and not graph.ancestors(c) - known
    ]
    base = started + [c for c in base if c not in set(started)]
    edited = _apply_edits(base, edits, graph, mastered)
    pathway = edited.codes
    position_of = {code: i for i, code in enumerate(pathway)}

    # 3. Pace and target dates.
    rate = observed_learning_rate(state, rule, calendar, graph, grade, policy)
    usual = rate.days_per_standard
    targets: dict[str, date] = {}
    days_on_step: dict[str, int] = {}
    cumulative = 0.0
    for code in pathway:
        evidence = state.get(code)
        spent = 0
        if status[code] == IN_PROGRESS and evidence and evidence.first_evidence_on:
            spent = calendar.school_days_spanned(evidence.first_evidence_on, as_of)
        days_on_step[code] = spent
        cumulative += max(1.0, usual - spent) if spent else usual
        targets[code] = calendar.add_school_days(as_of, math.ceil(cumulative - 1e-9))

    goal_results = [
        _goal_progress(goal, graph, mastered, assumed | implied, known, pathway, targets,
                       calendar, as_of, policy)
        for goal in sorted(goals, key=lambda g: (g.due, g.id))
    ]
    pace = _pace_summary(goal_results, rate, calendar, graph, grade, as_of, policy)
    far_behind_goal = next(
        (
            g.goal.title
            for g in goal_results
            if g.unreachable and g.school_days_late >= policy.far_behind_school_days
        ),
        None,
    )
    for g in goal_results:
        if g.unreachable:
            flags.append(PlanFlag("goal_unreachable", g.reason, goal_id=g.goal.id))

    # 4./5. Each step: playlist, mode, words.
    by_code: dict[str, list[Activity]] = {}
    for activity in sorted(activities, key=lambda a: a.id):
        for code in dict.fromkeys(activity.standard_codes):
            by_code.setdefault(code, []).append(activity)
    goal_titles = {g.id: g for g in goals}
    graph_rank = {code: i for i, code in enumerate(codes_in_order)}
    steps: list[PlanStep] = []
    for i, code in enumerate(pathway):
        standard = graph.standard(code)
        evidence = state.get(code)
        prerequisites = graph.prerequisites(code)
        waiting_on = [p for p in prerequisites if p not in known]
        earlier = set(pathway[:i])
        warnings = sorted(
            (a for a in graph.ancestors(code) if a not in known and a not in earlier),
            key=graph_rank.__getitem__,
        )
        candidates = by_code.get(code, [])
        choices = rank_activities(
            candidates, profile, policy.suggestions_per_step, edited.assigned.get(code, ())
        )
        needs_activities = not candidates
        teacher_mode, teacher_note = edited.modes.get(code, (None, ""))
        situation = StepSituation(
            is_first=i == 0,
            is_ready=not waiting_on,
            in_progress=status[code] == IN_PROGRESS,
            probability=evidence.probability if evidence else 0.0,
            evidence_count=evidence.evidence_count if evidence else 0,
            school_days_on_step=days_on_step[code],
            usual_days_per_standard=usual,
            far_behind_goal=far_behind_goal,
            classmates_ready=classmates.get(code, 0) if code in ready_set else 0,
            has_independent_activities=any(
                a.modality in INDEPENDENT_MODALITIES for a in candidates
            ),
            teacher_mode=teacher_mode,
            teacher_note=teacher_note,
        )
        mode, mode_reason = choose_mode(situation, policy)
        reason = _step_reason(
            i, rule, evidence, status[code], prerequisites, waiting_on, warnings,
            mastered, implied, assumed, baseline, position_of,
            [goal_titles[g] for g in serves.get(code, [])], edited.notes.get(code, []),
        )
        if needs_activities:
            flags.append(
                PlanFlag(
                    "needs_activities",
                    f"No activities are aligned to {code} yet: a teacher can add one.",
                    code=code,
                )
            )
        if warnings:
            flags.append(
                PlanFlag(
                    "prerequisite_warning",
                    f"{code} comes before {join_codes(warnings)}, which it builds on.",
                    code=code,
                )
            )
        steps.append(
            PlanStep(
                position=i + 1,
                code=code,
                label=standard.label,
                grade=standard.grade,
                domain=standard.domain,
                state="waiting" if waiting_on else "ready",
                mastery_status=status[code],
                probability=evidence.probability if evidence else None,
                mode=mode,
                mode_reason=mode_reason,
                target_date=targets[code],
                after_term_end=targets[code] > calendar.end,
                reason=reason,
                activities=tuple(choices),
                needs_activities=needs_activities,
                goal_ids=tuple(serves.get(code, [])),
                prerequisites=tuple(prerequisites),
                waiting_on=tuple(waiting_on),
                prerequisite_warnings=tuple(warnings),
                edits=tuple(edited.notes.get(code, [])),
            )
        )
    late = [s.code for s in steps if s.after_term_end]
    if late:
        flags.append(
            PlanFlag(
                "after_term_end",
                f"At this pace {join_codes(late)} would come after the term ends "
                f"({calendar.end.isoformat()}).",
            )
        )
    if pace.status == "behind":
        flags.append(PlanFlag("behind_pace", pace.explanation))
    for ignored in edited.ignored:
        flags.append(
            PlanFlag(
                "edit_ignored",
                f"A teacher edit ({ignored.edit.action} {ignored.edit.code}) no longer applies: "
                f"{ignored.reason}.",
                code=ignored.edit.code,
            )
        )

    return LearningPlan(
        as_of=as_of,
        rule=rule,
        calendar=calendar,
        baseline_source=baseline,
        needs_diagnostic=needs_diagnostic,
        assumed_mastered=tuple(c for c in codes_in_order if c in assumed),
        implied_mastered=tuple(c for c in codes_in_order if c in implied),
        mastered=tuple(c for c in codes_in_order if c in mastered),
        ready=tuple(ready),
        goals=tuple(goal_results),
        steps=tuple(steps),
        pace=pace,
        flags=tuple(flags),
        ignored_edits=tuple(edited.ignored),
    )


def _frontier_pathway(graph: CompetencyGraph, ready: list[str], grade: str | None) -> list[str]:
    """Without goals: the ready standards, those of the learner's grade and below first."""
    if grade is None:
        return list(ready)
    rank = grade_rank(grade)

    def standard_rank(code: str) -> int:
        try:
            return grade_rank(graph.standard(code).grade)
        except ValueError:
            return rank + 1

    at_or_below = [c for c in ready if standard_rank(c) <= rank]
    return at_or_below or list(ready)


def _goal_progress(
    goal: Goal,
    graph: CompetencyGraph,
    mastered: set[str],
    assumed: set[str],
    known: set[str],
    pathway: list[str],
    targets: Mapping[str, date],
    calendar: TermCalendar,
    as_of: date,
    policy: PlanPolicy,
) -> GoalProgress:
    needed: set[str] = set(goal.standard_codes)
    for code in goal.standard_codes:
        needed |= graph.ancestors(code)
    targets_set = set(goal.standard_codes)
    counted = (needed - assumed) | targets_set
    mastered_count = len(counted & mastered)
    progress = mastered_count / len(counted)
    in_plan = set(pathway)
    remaining = [
        c
        for c in graph.topological_order()
        if c in needed and (c not in known or (c in targets_set and c not in mastered))
    ]
    remaining.sort(key=lambda c: (c not in in_plan, pathway.index(c) if c in in_plan else 0))
    due_words = goal.due.isoformat()
    if not remaining:
        return GoalProgress(
            goal, "met", 1.0, mastered_count, len(counted), (),
            None, 0, None, "Met: every standard this goal needs is mastered.",
        )
    school_days_available = calendar.school_days_between(as_of, goal.due)
    required = school_days_available / len(remaining) if school_days_available > 0 else 0.0
    missing = [c for c in remaining if c not in in_plan]
    if missing:
        return GoalProgress(
            goal, "unreachable", progress, mastered_count, len(counted), tuple(remaining), None,
            0, required,
            f"Needs {join_codes(missing)}, which {'is' if len(missing) == 1 else 'are'} not in "
            "the plan (removed by a teacher): this goal cannot be met until "
            f"{'it is' if len(missing) == 1 else 'they are'} added back.",
        )
    projected = max(targets[c] for c in remaining)
    late = max(0, calendar.school_days_between(goal.due, projected))
    left = len(remaining)
    steps_words = f"{left} {'standard' if left == 1 else 'standards'} to go"
    if goal.due < as_of:
        reason = (
            f"The goal date {due_words} has passed with {steps_words}; at your pace they "
            f"would be done by {projected.isoformat()}. Talk with your teacher about a new date."
        )
        return GoalProgress(
            goal, "unreachable", progress, mastered_count, len(counted), tuple(remaining),
            projected, max(late, policy.far_behind_school_days), required, reason,
        )
    if projected > goal.due:
        reason = (
            f"At your pace the last step ({remaining[-1]}) would be done on "
            f"{projected.isoformat()}, {late} school days after the goal date {due_words}: "
            f"{steps_words} in {school_days_available} school days needs about "
            f"{required:.1f} days each."
        )
        return GoalProgress(
            goal, "unreachable", progress, mastered_count, len(counted), tuple(remaining),
            projected, late, required, reason,
        )
    return GoalProgress(
        goal, "on_track", progress, mastered_count, len(counted), tuple(remaining), projected,
        0, required,
        f"On track: {steps_words}, projected for {projected.isoformat()} (goal date "
        f"{due_words}).",
    )


def _pace_summary(
    goals: Sequence[GoalProgress],
    rate: LearningRate,
    calendar: TermCalendar,
    graph: CompetencyGraph,
    grade: str | None,
    as_of: date,
    policy: PlanPolicy,
) -> PaceSummary:
    days_left = calendar.school_days_left(as_of)
    open_goals = [g for g in goals if g.status != "met"]
    if open_goals:
        behind = [g for g in open_goals if g.unreachable]
        far = any(g.school_days_late >= policy.far_behind_school_days for g in behind)
        if behind:
            worst = max(behind, key=lambda g: (g.school_days_late, g.goal.id))
            return PaceSummary("behind", rate, far, days_left, worst.reason)
        slack_ok = []
        for g in open_goals:
            available = calendar.school_days_between(as_of, g.goal.due)
            assert g.projected_date is not None  # noqa: S101 -- on-track goals have a date
            slack = calendar.school_days_between(g.projected_date, g.goal.due)
            slack_ok.append(slack >= max(1.0, policy.ahead_fraction * available))
        if all(slack_ok):
            return PaceSummary(
                "ahead", rate, False, days_left,
                "Ahead of pace: every goal is projected well before its date.",
            )
        return PaceSummary(
            "on_track", rate, False, days_left,
            "On track: every goal is projected to be met by its date.",
        )
    if goals:
        return PaceSummary(
            "on_track", rate, False, days_left, "Every goal is met: time to set a new one."
        )
    # No goals: compare the learner's own pace with the grade-level pace.
    prior, _, prior_words = grade_level_days(graph, grade, policy)
    if rate.source in {"history", "blended"}:
        if rate.days_per_standard <= prior * (1 - policy.ahead_fraction):
            return PaceSummary(
                "ahead", rate, False, days_left,
                f"Ahead: {rate.days_per_standard:.1f} school days per standard, faster than "
                f"{prior_words}.",
            )
        if rate.days_per_standard >= prior * (1 + policy.ahead_fraction):
            return PaceSummary(
                "behind", rate, False, days_left,
                f"Behind: {rate.days_per_standard:.1f} school days per standard, slower than "
                f"{prior_words}.",
            )
    return PaceSummary("on_track", rate, False, days_left, f"On track with {prior_words}.")


def _step_reason(
    index: int,
    rule: MasteryRule,
    evidence: EvidenceSummary | None,
    status: MasteryStatus,
    prerequisites: list[str],
    waiting_on: list[str],
    warnings: list[str],
    mastered: set[str],
    implied: set[str],
    assumed: set[str],
    baseline: BaselineSource,
    position_of: Mapping[str, int],
    goals: Sequence[Goal],
    edit_notes: Sequence[str],
) -> str:
    sentences: list[str] = []
    if not waiting_on:
        lead = "Next" if index == 0 else "Ready"
        done = [p for p in prerequisites if p in mastered]
        covered = [p for p in prerequisites if p in implied]
        taken = [p for p in prerequisites if p in assumed]
        parts = []
        if done:
            parts.append(f"you mastered {join_codes(done)}")
        if covered:
            verb = "is" if len(covered) == 1 else "are"
            parts.append(f"{join_codes(covered)} {verb} covered by standards you mastered")
        if taken:
            source = (
                "your diagnostic" if baseline == "diagnostic"
                else "your grade level (the diagnostic will check)"
            )
            verb = "is" if len(taken) == 1 else "are"
            parts.append(f"{join_codes(taken)} {verb} taken as known from {source}")
        if parts:
            sentence = f"{lead} because " + ", and ".join(parts)
        else:
            sentence = f"{lead}: it has no prerequisites"
    else:
        placed = [p for p in waiting_on if p in position_of and position_of[p] < index]
        if placed:
            where = join_codes([f"{p} (step {position_of[p] + 1})" for p in placed])
            sentence = f"After {where}, which it builds on"
        else:
            sentence = f"Needs {join_codes(waiting_on)} first"
    if goals:
        first = goals[0]
        more = f" and {len(goals) - 1} more" if len(goals) > 1 else ""
        sentence += f", toward your goal “{first.title}” (due {first.due.isoformat()}){more}"
    sentences.append(sentence + ".")
    if status == IN_PROGRESS:
        sentences.append(rule.explain(evidence))
    sentences.extend(note + "." for note in edit_notes)
    if warnings:
        sentences.append(
            f"Heads-up: it builds on {join_codes(warnings)}, which "
            f"{'is' if len(warnings) == 1 else 'are'} not before it in the plan."
        )
    return " ".join(sentences)
