"""Pace: how many school days a learner takes per standard, and what that means for dates.

A plan's target dates come from the learner's **own** observed rate, not from a fixed
calendar for the whole class: the median number of school days between first evidence on a
standard and the day it was mastered, over the standards they have mastered. The median keeps
one long summer-holiday gap or one lucky afternoon from swinging the estimate.

A learner with little history gets a **grade-level prior**: a school year of school days spread
over the standards of their grade (e.g. 180 days for 43 grade-7 standards is about 4.2 days
each). With fewer than ``min_history`` observations the two are blended, weighted by how much
history there is, so the plan moves smoothly from "a typical pace" to "your pace".

Grades are ranked K < 1 < … < 8 < high school (grades 9–12 and "HS" share a rank, since the
high-school standards are not split by grade); :func:`standards_below_grade` gives what a
learner with no evidence is assumed to know.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from trellis.engine.competencies import CompetencyGraph
from trellis.engine.mastery import EvidenceSummary, MasteryRule
from trellis.engine.planning.calendar import TermCalendar
from trellis.engine.planning.inputs import PlanInputError, PlanPolicy

RateSource = Literal["history", "blended", "grade_level", "default"]

_HIGH_SCHOOL = 9


def grade_rank(grade: str) -> int:
    """Order of a grade: PK -1, K 0, 1–8 as numbers, 9–12 and HS all 9 (high school)."""
    text = str(grade).strip().upper()
    if text in {"PK", "PREK", "PRE-K"}:
        return -1
    if text in {"K", "KG", "0", "00"}:
        return 0
    if text in {"HS", "9", "09", "10", "11", "12"}:
        return _HIGH_SCHOOL
    if text.isdigit() and 1 <= int(text) <= 8:
        return int(text)
    raise PlanInputError(f"unknown grade {grade!r}: expected PK, K, 1–12 or HS")


def _rank_or_none(grade: str) -> int | None:
    try:
        return grade_rank(grade) if grade else None
    except PlanInputError:
        return None


def standards_below_grade(graph: CompetencyGraph, grade: str) -> list[str]:
    """Standards of grades below ``grade`` (graph order): what a learner entering ``grade``
    is assumed to know when there is no evidence and no diagnostic yet."""
    rank = grade_rank(grade)
    below = []
    for code in graph.topological_order():
        standard_rank = _rank_or_none(graph.standard(code).grade)
        if standard_rank is not None and standard_rank < rank:
            below.append(code)
    return below


def standards_of_grade(graph: CompetencyGraph, grade: str) -> list[str]:
    rank = grade_rank(grade)
    return [
        code
        for code in graph.topological_order()
        if _rank_or_none(graph.standard(code).grade) == rank
    ]


@dataclass(frozen=True)
class LearningRate:
    """School days per standard, where the figure comes from, and that in words."""

    days_per_standard: float
    source: RateSource
    observations: int
    explanation: str


def grade_level_days(
    graph: CompetencyGraph, grade: str | None, policy: PlanPolicy
) -> tuple[float, RateSource, str]:
    """The prior: a year of school days over the grade's standards."""
    if grade:
        count = len(standards_of_grade(graph, grade))
        if count:
            days = policy.school_days_per_year / count
            return days, "grade_level", (
                f"a typical grade-{grade} pace: {policy.school_days_per_year} school days for "
                f"{count} standards, about {days:.1f} days each"
            )
    days = policy.default_days_per_standard
    return days, "default", f"a typical pace of {days:g} school days per standard"


def observed_learning_rate(
    state: Mapping[str, EvidenceSummary],
    rule: MasteryRule,
    calendar: TermCalendar,
    graph: CompetencyGraph,
    grade: str | None,
    policy: PlanPolicy,
) -> LearningRate:
    """The learner's school days per mastered standard (see the module docstring)."""
    durations = sorted(
        calendar.school_days_spanned(evidence.first_evidence_on, evidence.mastered_on)
        for code, evidence in sorted(state.items())
        if code in graph
        and rule.is_mastered(evidence)
        and evidence.first_evidence_on is not None
        and evidence.mastered_on is not None
    )
    prior, source, prior_words = grade_level_days(graph, grade, policy)
    if not durations:
        return LearningRate(prior, source, 0, f"No mastered standards yet, so {prior_words}.")
    median = float(statistics.median(durations))
    n = len(durations)
    plural = "standard" if n == 1 else "standards"
    if n >= policy.min_history:
        return LearningRate(
            median,
            "history",
            n,
            f"Your pace: a median of {median:g} school days per standard over the {n} "
            f"{plural} you mastered.",
        )
    weight = n / policy.min_history
    blended = weight * median + (1 - weight) * prior
    return LearningRate(
        blended,
        "blended",
        n,
        f"About {blended:.1f} school days per standard: your {n} mastered {plural} "
        f"(median {median:g} days) blended with {prior_words}, until you have "
        f"{policy.min_history}.",
    )
