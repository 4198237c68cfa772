"""Gentle SMART prompts for a goal a student is writing.

A goal the student sets themselves is worth more than one handed to them, but "get better at
math" cannot be planned toward. Rather than refusing such a goal, the goal form asks questions —
*Specific* (which standards?), *Measurable* (progress is standards mastered, so it needs at
least one), *Achievable* (how many standards is that, at your pace?), *Relevant* (is it on your
map?), *Time-bound* (by when, and is that a school day in this term?). :func:`smart_prompts`
returns those questions for what has been filled in so far; an empty list means the goal is
ready to save. Prompts are suggestions, never errors: the student may save anyway.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from trellis.engine.competencies import CompetencyGraph
from trellis.engine.planning.calendar import TermCalendar
from trellis.engine.planning.parts import planning_graph

SPECIFIC_WORDS = ("better", "more", "improve", "good", "harder", "work on")


def smart_prompts(
    title: str,
    standard_codes: Sequence[str],
    due: date | None,
    *,
    as_of: date,
    calendar: TermCalendar,
    graph: CompetencyGraph | None = None,
    days_per_standard: float | None = None,
    known: Sequence[str] = (),
) -> list[str]:
    """Questions that would make the goal SMART; empty when it already is.

    With ``graph``, ``days_per_standard`` (``plan.pace.rate.days_per_standard``) and ``known``
    (the plan's mastered, assumed and implied standards) it also checks the goal is achievable
    at the learner's pace.
    """
    prompts: list[str] = []
    text = title.strip().lower()
    if not text:
        prompts.append("Give your goal a name in your own words.")
    elif not standard_codes and any(word in text for word in SPECIFIC_WORDS):
        prompts.append(
            "What exactly do you want to be able to do? Pick the standards on your map that "
            "show it."
        )
    if not standard_codes:
        prompts.append(
            "How will you know you reached it? Choose at least one standard: your progress is "
            "the standards you master."
        )
    elif graph is not None:
        unknown = [code for code in standard_codes if code not in graph]
        if unknown:
            prompts.append(
                f"{', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} not on your map: "
                "choose standards from the map."
            )
    if due is None:
        prompts.append("By when? Pick a date so you can check your pace.")
    else:
        if due <= as_of:
            prompts.append("Pick a date in the future.")
        elif due > calendar.end:
            prompts.append(
                f"The term ends on {calendar.end.isoformat()}: is a date in this term "
                "possible, or is this a longer goal?"
            )
        elif not calendar.is_school_day(due):
            prompts.append("That date is not a school day: pick a school day so you can check.")
        if (
            graph is not None
            and days_per_standard
            and standard_codes
            and due > as_of
            and all(code in graph for code in standard_codes)
        ):
            needed = set(planning_graph(graph).pathway(set(known), standard_codes))
            available = calendar.school_days_between(as_of, due)
            if needed and len(needed) * days_per_standard > available:
                prompts.append(
                    f"This goal needs {len(needed)} standards and at your pace that is about "
                    f"{len(needed) * days_per_standard:.0f} school days; there are {available} "
                    "until your date. A later date, or a smaller first goal?"
                )
    return prompts
