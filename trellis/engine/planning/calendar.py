"""The term calendar: which days are school days.

Pace is counted in **school days**, never calendar days: a standard that takes a learner four
school days takes a week and a half if Thanksgiving falls in the middle. A
:class:`TermCalendar` knows the term's first and last day, the weekdays school meets on and the
holidays; dates after the term's end keep the same weekday rule so a plan can still say when a
goal *would* be reached (and flag it as after the term).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any


class CalendarError(ValueError):
    """A term calendar that cannot be used."""


def _parse_date(value: Any, what: str) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            raise CalendarError(f"{what}: {value!r} is not an ISO date (YYYY-MM-DD)") from exc
    raise CalendarError(f"{what}: expected an ISO date, got {value!r}")


@dataclass(frozen=True)
class TermCalendar:
    """A term: ``start`` to ``end`` inclusive, on ``school_weekdays`` (0 = Monday), minus
    ``holidays``.

    >>> term = TermCalendar(date(2026, 11, 23), date(2026, 12, 18),
    ...                     holidays=frozenset({date(2026, 11, 26), date(2026, 11, 27)}))
    >>> term.add_school_days(date(2026, 11, 25), 1)
    datetime.date(2026, 11, 30)
    """

    start: date
    end: date
    holidays: frozenset[date] = field(default_factory=frozenset)
    school_weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise CalendarError(f"term ends ({self.end}) before it starts ({self.start})")
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        weekdays = frozenset(self.school_weekdays)
        if not weekdays or not weekdays <= set(range(7)):
            raise CalendarError("school_weekdays must be a non-empty set of 0 (Mon) .. 6 (Sun)")
        object.__setattr__(self, "school_weekdays", weekdays)

    def is_school_day(self, day: date) -> bool:
        return day.weekday() in self.school_weekdays and day not in self.holidays

    def school_days_between(self, after: date, until: date) -> int:
        """School days in ``(after, until]``; negative when ``until`` is before ``after``."""
        if until < after:
            return -self.school_days_between(until, after)
        count = 0
        day = after + timedelta(days=1)
        while day <= until:
            if self.is_school_day(day):
                count += 1
            day += timedelta(days=1)
        return count

    def school_days_spanned(self, first: date, last: date) -> int:
        """School days from ``first`` to ``last`` inclusive, at least 1 (a day's work counts)."""
        return max(1, self.school_days_between(first - timedelta(days=1), last))

    def add_school_days(self, day: date, count: int) -> date:
        """The ``count``-th school day after ``day`` (``count`` 0: ``day`` itself)."""
        if count < 0:
            raise ValueError("count must be non-negative")
        while count > 0:
            day += timedelta(days=1)
            if self.is_school_day(day):
                count -= 1
        return day

    def school_days_left(self, as_of: date) -> int:
        """School days after ``as_of`` up to the end of the term."""
        return max(0, self.school_days_between(max(as_of, self.start - timedelta(days=1)),
                                               self.end))

    # -- storage ---------------------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TermCalendar:
        """From ``{"start": "2026-08-24", "end": "2027-06-04", "holidays": [...],
        "school_weekdays": [0, 1, 2, 3, 4]}``; a holiday is a date or a ``[first, last]``
        range (inclusive)."""
        if not isinstance(data, Mapping):
            raise CalendarError("calendar must be a JSON object")
        for key in ("start", "end"):
            if key not in data:
                raise CalendarError(f"calendar needs {key!r}")
        holidays: set[date] = set()
        for i, entry in enumerate(data.get("holidays", [])):
            if isinstance(entry, list | tuple):
                if len(entry) != 2:
                    raise CalendarError(f"holidays[{i}]: a range is [first, last]")
                first = _parse_date(entry[0], f"holidays[{i}][0]")
                last = _parse_date(entry[1], f"holidays[{i}][1]")
                if last < first:
                    raise CalendarError(f"holidays[{i}]: range ends before it starts")
                holidays.update(_days(first, last))
            else:
                holidays.add(_parse_date(entry, f"holidays[{i}]"))
        weekdays = data.get("school_weekdays", [0, 1, 2, 3, 4])
        return cls(
            start=_parse_date(data["start"], "start"),
            end=_parse_date(data["end"], "end"),
            holidays=frozenset(holidays),
            school_weekdays=frozenset(weekdays),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "holidays": [d.isoformat() for d in sorted(self.holidays)],
            "school_weekdays": sorted(self.school_weekdays),
        }


def _days(first: date, last: date) -> Iterable[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)
