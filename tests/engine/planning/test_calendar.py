"""School-day arithmetic on a term calendar with holidays."""

from __future__ import annotations

from datetime import date

import pytest

from trellis.engine.planning import CalendarError, TermCalendar


def test_holidays_and_weekends_are_skipped(term: TermCalendar) -> None:
    tuesday = date(2026, 11, 24)
    # Wed-Fri 25-27 Nov are Thanksgiving, 28-29 the weekend: the next school day is Monday.
    assert term.add_school_days(tuesday, 1) == date(2026, 11, 30)
    assert term.add_school_days(tuesday, 0) == tuesday
    assert term.school_days_between(date(2026, 11, 20), date(2026, 11, 30)) == 3  # 23, 24, 30
    assert term.school_days_between(date(2026, 11, 30), date(2026, 11, 20)) == -3
    assert not term.is_school_day(date(2026, 11, 26))
    assert not term.is_school_day(date(2026, 11, 28))
    assert term.is_school_day(date(2026, 11, 30))


def test_spanned_days_count_both_ends_and_at_least_one(term: TermCalendar) -> None:
    assert term.school_days_spanned(date(2026, 11, 2), date(2026, 11, 4)) == 3
    assert term.school_days_spanned(date(2026, 11, 28), date(2026, 11, 28)) == 1  # a Saturday


def test_school_days_left_in_term(term: TermCalendar) -> None:
    # 14-18 Dec: five school days after Friday 11 Dec.
    assert term.school_days_left(date(2026, 12, 11)) == 5
    assert term.school_days_left(date(2026, 12, 18)) == 0
    assert term.school_days_left(date(2027, 1, 4)) == 0


def test_from_dict_round_trip(term: TermCalendar) -> None:
    again = TermCalendar.from_dict(term.to_dict())
    assert again == term
    assert term.to_dict()["holidays"] == ["2026-09-07", "2026-11-25", "2026-11-26", "2026-11-27"]


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"end": "2026-12-18"}, "needs 'start'"),
        ({"start": "2026-12-18", "end": "2026-08-24"}, "before it starts"),
        ({"start": "2026-13-01", "end": "2026-12-18"}, "start: '2026-13-01' is not an ISO date"),
        ({"start": "2026-08-24", "end": "2026-12-18", "holidays": [["2026-11-27"]]},
         "holidays[0]: a range is [first, last]"),
        ({"start": "2026-08-24", "end": "2026-12-18", "holidays": [["2026-11-27", "2026-11-25"]]},
         "range ends before it starts"),
        ({"start": "2026-08-24", "end": "2026-12-18", "school_weekdays": [7]}, "school_weekdays"),
    ],
)
def test_bad_calendars_are_refused_with_the_field(data: dict, fragment: str) -> None:
    with pytest.raises(CalendarError) as caught:
        TermCalendar.from_dict(data)
    assert fragment in str(caught.value)
