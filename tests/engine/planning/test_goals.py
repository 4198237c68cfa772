"""Gentle SMART prompts for student-set goals."""

from __future__ import annotations

from datetime import date

from trellis.engine.competencies import CompetencyGraph
from trellis.engine.planning import TermCalendar, smart_prompts

from .conftest import MONDAY


def test_vague_goal_gets_questions_not_errors(term: TermCalendar) -> None:
    prompts = smart_prompts("Get better at math", [], None, as_of=MONDAY, calendar=term)
    assert prompts == [
        "What exactly do you want to be able to do? Pick the standards on your map that show it.",
        "How will you know you reached it? Choose at least one standard: your progress is the "
        "standards you master.",
        "By when? Pick a date so you can check your pace.",
    ]


def test_smart_goal_has_no_prompts(chain: CompetencyGraph, term: TermCalendar) -> None:
    prompts = smart_prompts(
        "Master c before the break", ["c"], date(2026, 12, 17), as_of=MONDAY, calendar=term,
        graph=chain, days_per_standard=3.0, known=["a"],
    )
    assert prompts == []


def test_dates_and_achievability(chain: CompetencyGraph, term: TermCalendar) -> None:
    def ask(due: date, days: float = 3.0, codes: tuple[str, ...] = ("d",)) -> list[str]:
        return smart_prompts("Reach d", codes, due, as_of=MONDAY, calendar=term, graph=chain,
                             days_per_standard=days, known=["a"])

    assert ask(date(2026, 11, 20)) == ["Pick a date in the future."]
    assert ask(date(2027, 2, 1))[0].startswith("The term ends on 2026-12-18")
    assert ask(date(2026, 11, 26))[0].startswith("That date is not a school day")
    # b, x, c, d at 3 days each is 12 school days; Mon 23 Nov to Tue 1 Dec has 3.
    assert ask(date(2026, 12, 1)) == [
        "This goal needs 4 standards and at your pace that is about 12 school days; there are "
        "3 until your date. A later date, or a smaller first goal?"
    ]
    assert ask(date(2026, 12, 17), codes=("zz",)) == [
        "zz is not on your map: choose standards from the map."
    ]
