"""Weekly schedules: fitting personalized sessions into a school's real periods, people and rooms.

A personalized school still runs on bells. The week is a grid of **slots** — ``(day, period)``
pairs from the bell schedule, with optional after-school periods — and every session a plan
asks for must land in that grid:

- **one-on-one** slots for students the grouping flagged (:mod:`trellis.engine.grouping`);
- **small-group** sessions, each group ideally twice a week;
- **independent / online** blocks (a lab, or from home) and **online sessions with a teacher**;
- **extended learning** (after school) and **dual-enrollment** courses, usually *fixed external
  blocks*: their times are set elsewhere and the rest of the week must work around them.

A :class:`SessionRequest` says who meets (students, and which teachers may lead), whether it
needs a room, how many meetings a week are wanted (``per_week``, a soft goal) and required
(``min_per_week``, hard), or the exact ``fixed_slots`` of an external block.

**Hard constraints** (never violated; :func:`validate_schedule` re-checks every one of them
without trusting the solver): nobody — student, teacher or room — is in two places at once;
rooms hold the group; people and rooms are used only when available; teachers stay within
their weekly and daily load limits; fixed blocks stay where they are; every request meets at
least ``min_per_week`` and at most ``per_week`` times, at most ``max_per_day`` a day.

**Soft goals** (maximised, then scored by :func:`score_schedule`): every flagged student gets a
one-on-one this week, each small group meets as often as wanted (twice), the other blocks are
placed, and teacher load is fair (small spread between the busiest and the least busy teacher
who could take extra sessions).

The solver is OR-Tools CP-SAT. Each flexible request gets one boolean per candidate
``(slot, teacher)``; candidates where someone is unavailable are never created. Rooms are not
chosen by the solver: for each slot it only bounds, for every size ``c``, the number of sessions
of at least ``c`` students by the number of free rooms holding at least ``c`` (Hall's condition
for nested capacities), and rooms are then handed out largest session first, smallest fitting
room first — which always succeeds when those bounds hold.

The search runs in two phases, both started from a constructive first-fit week given to
CP-SAT as a complete hint: **phase 1** maximises the weighted number of wanted meetings placed
(skipped when the first-fit week already reaches the per-request upper bound); **phase 2**
keeps every request's meetings and minimises the spread between the busiest and the least busy
teacher. A final pass hands meetings to another eligible, less-loaded teacher where that
keeps every rule. With ``num_workers=1`` a seed gives the same week every time; with two
workers, runs can differ between equally good weeks.

When the week cannot be built, the answer is words, not a status code: :func:`precheck` finds
the common causes directly (a group with too few common free periods, naming who is busy; a
teacher whose required load exceeds the limit; clashing fixed blocks), and if the solver still
proves infeasibility, a second solve with one *assumption* literal per hard requirement asks
CP-SAT for a sufficient set of conflicting requirements and names them.
"""

from __future__ import annotations

import time as clock
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from ortools.sat.python import cp_model

from trellis.engine.grouping import GroupingResult

__all__ = [
    "BellSchedule",
    "Meeting",
    "PeriodTime",
    "Room",
    "Schedule",
    "SchoolWeek",
    "SessionKind",
    "SessionRequest",
    "SoftGoalReport",
    "Student",
    "Teacher",
    "WeekEntry",
    "precheck",
    "requests_for_section",
    "score_schedule",
    "solve_week",
    "student_week",
    "teacher_week",
    "validate_schedule",
    "week_to_ics",
]

Slot = tuple[int, int]
"""``(day index, period index)`` into a :class:`BellSchedule`."""


# --- the school ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodTime:
    """One bell period, the same on every day of the week."""

    name: str
    start: time
    end: time
    after_school: bool = False

    def __post_init__(self) -> None:
        if self.start >= self.end:
            raise ValueError(f"period {self.name}: start {self.start} is not before end {self.end}")


@dataclass(frozen=True)
class BellSchedule:
    """Days of the week and the periods of each day."""

    periods: tuple[PeriodTime, ...]
    days: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri")

    def __post_init__(self) -> None:
        if not self.periods or not self.days:
            raise ValueError("a bell schedule needs at least one day and one period")
        for earlier, later in zip(self.periods, self.periods[1:], strict=False):
            if later.start < earlier.end:
                raise ValueError(f"periods {earlier.name} and {later.name} overlap")

    @property
    def slots(self) -> list[Slot]:
        return [(d, p) for d in range(len(self.days)) for p in range(len(self.periods))]

    def is_slot(self, slot: Slot) -> bool:
        day, period = slot
        return 0 <= day < len(self.days) and 0 <= period < len(self.periods)

    def label(self, slot: Slot) -> str:
        day, period = slot
        return f"{self.days[day]} {self.periods[period].name}"


@dataclass(frozen=True)
class Teacher:
    teacher_id: str
    name: str
    unavailable: frozenset[Slot] = frozenset()
    max_per_week: int = 25
    max_per_day: int = 6

    def __post_init__(self) -> None:
        if self.max_per_week < 0 or self.max_per_day < 0:
            raise ValueError(f"teacher {self.teacher_id}: load limits cannot be negative")


@dataclass(frozen=True)
class Room:
    room_id: str
    name: str
    capacity: int
    unavailable: frozenset[Slot] = frozenset()

    def __post_init__(self) -> None:
        if self.capacity < 1:
            raise ValueError(f"room {self.room_id}: capacity must be at least 1")


@dataclass(frozen=True)
class Student:
    student_id: str
    name: str
    unavailable: frozenset[Slot] = frozenset()


class SessionKind(StrEnum):
    ONE_ON_ONE = "one_on_one"
    SMALL_GROUP = "small_group"
    INDEPENDENT = "independent"
    ONLINE_WITH_TEACHER = "online_with_teacher"
    EXTENDED_LEARNING = "extended_learning"
    DUAL_ENROLLMENT = "dual_enrollment"


KIND_WORDS = {
    SessionKind.ONE_ON_ONE: "one-on-one",
    SessionKind.SMALL_GROUP: "small group",
    SessionKind.INDEPENDENT: "independent block",
    SessionKind.ONLINE_WITH_TEACHER: "online session",
    SessionKind.EXTENDED_LEARNING: "extended learning",
    SessionKind.DUAL_ENROLLMENT: "dual enrollment",
}

# Objective weight of one meeting; a request's own ``weight`` overrides it.
DEFAULT_WEIGHT = {
    SessionKind.ONE_ON_ONE: 25,
    SessionKind.SMALL_GROUP: 6,
    SessionKind.ONLINE_WITH_TEACHER: 4,
    SessionKind.INDEPENDENT: 2,
    SessionKind.EXTENDED_LEARNING: 1,
    SessionKind.DUAL_ENROLLMENT: 1,
}


@dataclass(frozen=True)
class SessionRequest:
    """Something to put on the timetable, ``per_week`` times (or at ``fixed_slots``).

    ``teacher_ids`` are the teachers who may lead it (one is chosen per meeting; empty: no
    teacher). ``allowed_slots`` restricts where it may go; by default extended learning goes
    in after-school periods and everything else in school periods.
    """

    request_id: str
    kind: SessionKind
    title: str
    student_ids: tuple[str, ...]
    teacher_ids: tuple[str, ...] = ()
    needs_room: bool = True
    per_week: int = 1
    min_per_week: int = 0
    max_per_day: int = 1
    fixed_slots: tuple[Slot, ...] = ()
    fixed_room_id: str | None = None
    allowed_slots: frozenset[Slot] | None = None
    weight: int | None = None

    def __post_init__(self) -> None:
        if not self.student_ids:
            raise ValueError(f"request {self.request_id}: no students")
        if len(set(self.student_ids)) != len(self.student_ids):
            raise ValueError(f"request {self.request_id}: a student is listed twice")
        if self.fixed_slots:
            if len(self.teacher_ids) > 1:
                raise ValueError(f"request {self.request_id}: a fixed block has one teacher")
            if len(set(self.fixed_slots)) != len(self.fixed_slots):
                raise ValueError(f"request {self.request_id}: a fixed slot is listed twice")
        elif not 0 <= self.min_per_week <= self.per_week:
            raise ValueError(
                f"request {self.request_id}: need 0 <= min_per_week <= per_week "
                f"(got {self.min_per_week}, {self.per_week})"
            )
        if self.max_per_day < 1:
            raise ValueError(f"request {self.request_id}: max_per_day must be at least 1")
        if self.fixed_room_id is not None and not self.needs_room:
            raise ValueError(f"request {self.request_id}: fixed room but needs_room is False")

    @property
    def is_fixed(self) -> bool:
        return bool(self.fixed_slots)

    @property
    def size(self) -> int:
        return len(self.student_ids)

    @property
    def meeting_weight(self) -> int:
        return self.weight if self.weight is not None else DEFAULT_WEIGHT[self.kind]


@dataclass(frozen=True)
class SchoolWeek:
    """The whole scheduling problem for one week; validates its references when built."""

    bell: BellSchedule
    teachers: tuple[Teacher, ...]
    rooms: tuple[Room, ...]
    students: tuple[Student, ...]
    requests: tuple[SessionRequest, ...]
    teacher_by_id: Mapping[str, Teacher] = field(init=False, repr=False, compare=False)
    room_by_id: Mapping[str, Room] = field(init=False, repr=False, compare=False)
    student_by_id: Mapping[str, Student] = field(init=False, repr=False, compare=False)
    request_by_id: Mapping[str, SessionRequest] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for attribute, items, key in (
            ("teacher_by_id", self.teachers, "teacher_id"),
            ("room_by_id", self.rooms, "room_id"),
            ("student_by_id", self.students, "student_id"),
            ("request_by_id", self.requests, "request_id"),
        ):
            index: dict[str, object] = {}
            for item in items:
                item_id = getattr(item, key)
                if item_id in index:
                    raise ValueError(f"{key} {item_id!r} appears twice")
                index[item_id] = item
            object.__setattr__(self, attribute, index)
        for request in self.requests:
            where = f"request {request.request_id}"
            for sid in request.student_ids:
                if sid not in self.student_by_id:
                    raise ValueError(f"{where}: unknown student {sid!r}")
            for tid in request.teacher_ids:
                if tid not in self.teacher_by_id:
                    raise ValueError(f"{where}: unknown teacher {tid!r}")
            if request.fixed_room_id is not None and request.fixed_room_id not in self.room_by_id:
                raise ValueError(f"{where}: unknown room {request.fixed_room_id!r}")
            for slot in (*request.fixed_slots, *(request.allowed_slots or ())):
                if not self.bell.is_slot(slot):
                    raise ValueError(f"{where}: slot {slot} is not in the bell schedule")

    def allowed_slots(self, request: SessionRequest) -> list[Slot]:
        if request.allowed_slots is not None:
            return sorted(request.allowed_slots)
        want_after_school = request.kind is SessionKind.EXTENDED_LEARNING
        return [
            slot
            for slot in self.bell.slots
            if self.bell.periods[slot[1]].after_school == want_after_school
        ]

    def describe(self, request: SessionRequest, limit: int = 5) -> str:
        """``Title (small group: Ana, Ben, Cy with Ms Diaz)`` — for messages."""
        names = [self.student_by_id[sid].name for sid in request.student_ids[:limit]]
        more = len(request.student_ids) - limit
        who = ", ".join(names) + (f" and {more} more" if more > 0 else "")
        if request.teacher_ids:
            leaders = " or ".join(self.teacher_by_id[t].name for t in request.teacher_ids)
            who = f"{who} with {leaders}"
        return f"{request.title} ({KIND_WORDS[request.kind]}: {who})"


def requests_for_section(
    section_id: str,
    grouping: GroupingResult,
    teacher_id: str,
    *,
    one_on_one_teachers: Sequence[str] = (),
    group_per_week: int = 2,
) -> list[SessionRequest]:
    """What a section's grouping asks of the week.

    Each small group meets ``group_per_week`` times with the section's teacher; each flagged
    student gets one one-on-one, led by the section's teacher or any of
    ``one_on_one_teachers`` (interventionists, co-teachers). Ids are
    ``<section>/group/<group id>`` and ``<section>/one-on-one/<student id>``.
    """
    requests = [
        SessionRequest(
            f"{section_id}/group/{group.group_id}",
            SessionKind.SMALL_GROUP,
            f"Small group: {group.standard}",
            group.student_ids,
            (teacher_id,),
            per_week=group_per_week,
        )
        for group in grouping.groups
    ]
    leaders = tuple(dict.fromkeys((teacher_id, *one_on_one_teachers)))
    requests += [
        SessionRequest(
            f"{section_id}/one-on-one/{flag.student_id}",
            SessionKind.ONE_ON_ONE,
            "One-on-one",
            (flag.student_id,),
            leaders,
        )
        for flag in grouping.one_on_one
    ]
    return requests


# --- the answer ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Meeting:
    """One placed meeting of a request."""

    request_id: str
    slot: Slot
    teacher_id: str | None
    room_id: str | None


@dataclass(frozen=True)
class SoftGoalReport:
    """How well the soft goals were met; ``score`` is 0–100."""

    one_on_one_met: int
    one_on_one_wanted: int
    groups_fully_met: int
    groups_total: int
    other_meetings_placed: int
    other_meetings_wanted: int
    teacher_load_min: int
    teacher_load_max: int
    fairness: float
    score: float
    unmet: tuple[str, ...]


@dataclass(frozen=True)
class Schedule:
    """A solved week (``meetings``), or the plain-language reasons there is none."""

    status: str
    meetings: tuple[Meeting, ...]
    problems: tuple[str, ...] = ()
    solve_seconds: float = 0.0
    soft: SoftGoalReport | None = None

    @property
    def feasible(self) -> bool:
        return not self.problems and self.status in {"optimal", "feasible", "feasible (first-fit)"}


# --- shared bookkeeping ----------------------------------------------------------------------


def _fixed_usage(
    problem: SchoolWeek,
) -> tuple[dict[str, set[Slot]], dict[str, set[Slot]], dict[str, set[Slot]]]:
    """Slots taken by fixed blocks, per student, teacher and fixed room."""
    student_busy: dict[str, set[Slot]] = defaultdict(set)
    teacher_busy: dict[str, set[Slot]] = defaultdict(set)
    room_busy: dict[str, set[Slot]] = defaultdict(set)
    for request in problem.requests:
        for slot in request.fixed_slots:
            for sid in request.student_ids:
                student_busy[sid].add(slot)
            for tid in request.teacher_ids:
                teacher_busy[tid].add(slot)
            if request.fixed_room_id is not None:
                room_busy[request.fixed_room_id].add(slot)
    return student_busy, teacher_busy, room_busy


@dataclass
class _Candidates:
    """Where each flexible request could go: ``slot -> eligible teachers`` (``[None]``: none)."""

    by_request: dict[str, dict[Slot, list[str | None]]]
    blocked_by: dict[str, dict[str, int]]  # request -> person name -> candidate slots they block


def _candidates(problem: SchoolWeek) -> _Candidates:
    student_busy, teacher_busy, room_busy = _fixed_usage(problem)
    room_sizes = {
        slot: sorted(
            (
                room.capacity
                for room in problem.rooms
                if slot not in room.unavailable and slot not in room_busy[room.room_id]
            ),
            reverse=True,
        )
        for slot in problem.bell.slots
    }
    by_request: dict[str, dict[Slot, list[str | None]]] = {}
    blocked_by: dict[str, dict[str, int]] = {}
    for request in problem.requests:
        if request.is_fixed:
            continue
        options: dict[Slot, list[str | None]] = {}
        blockers: dict[str, int] = defaultdict(int)
        for slot in problem.allowed_slots(request):
            busy_students = [
                sid
                for sid in request.student_ids
                if slot in problem.student_by_id[sid].unavailable or slot in student_busy[sid]
            ]
            for sid in busy_students:
                blockers[problem.student_by_id[sid].name] += 1
            teachers: list[str | None] = [
                tid
                for tid in request.teacher_ids
                if slot not in problem.teacher_by_id[tid].unavailable
                and slot not in teacher_busy[tid]
            ]
            if request.teacher_ids and not teachers:
                for tid in request.teacher_ids:
                    blockers[problem.teacher_by_id[tid].name] += 1
            room_ok = not request.needs_room or (
                bool(room_sizes[slot]) and room_sizes[slot][0] >= request.size
            )
            if not room_ok:
                blockers["the rooms (none free that is large enough)"] += 1
            if busy_students or (request.teacher_ids and not teachers) or not room_ok:
                continue
            options[slot] = teachers if request.teacher_ids else [None]
        by_request[request.request_id] = options
        blocked_by[request.request_id] = dict(blockers)
    return _Candidates(by_request, blocked_by)


def _max_meetings(request: SessionRequest, slots: Iterable[Slot]) -> int:
    """Most meetings possible in ``slots`` given the request's per-day cap."""
    per_day: dict[int, int] = defaultdict(int)
    for day, _period in slots:
        per_day[day] += 1
    return sum(min(count, request.max_per_day) for count in per_day.values())


# --- pre-check: infeasibility in words -------------------------------------------------------


def precheck(problem: SchoolWeek) -> list[str]:
    """Reasons, in plain words, why the hard constraints cannot all hold (empty: none found)."""
    bell = problem.bell
    reasons: list[str] = []
    # Fixed blocks against availability and against each other.
    holders: dict[tuple[str, str, Slot], list[SessionRequest]] = defaultdict(list)
    for request in problem.requests:
        for slot in request.fixed_slots:
            label = bell.label(slot)
            for sid in request.student_ids:
                holders[("student", sid, slot)].append(request)
                if slot in problem.student_by_id[sid].unavailable:
                    reasons.append(
                        f"{problem.student_by_id[sid].name} is unavailable on {label}, but the "
                        f"fixed block {problem.describe(request)} is then."
                    )
            for tid in request.teacher_ids:
                holders[("teacher", tid, slot)].append(request)
                if slot in problem.teacher_by_id[tid].unavailable:
                    reasons.append(
                        f"{problem.teacher_by_id[tid].name} is unavailable on {label}, but "
                        f"leads the fixed block {problem.describe(request)} then."
                    )
            if request.fixed_room_id is not None:
                room = problem.room_by_id[request.fixed_room_id]
                holders[("room", room.room_id, slot)].append(request)
                if slot in room.unavailable:
                    reasons.append(
                        f"Room {room.name} is unavailable on {label}, but the fixed block "
                        f"{problem.describe(request)} is booked there."
                    )
        if request.fixed_room_id is not None:
            room = problem.room_by_id[request.fixed_room_id]
            if room.capacity < request.size:
                reasons.append(
                    f"Room {room.name} holds {room.capacity}, but {problem.describe(request)} "
                    f"has {request.size} students."
                )
    for (role, person_id, slot), requests in holders.items():
        if len(requests) > 1:
            name = {
                "student": lambda i: problem.student_by_id[i].name,
                "teacher": lambda i: problem.teacher_by_id[i].name,
                "room": lambda i: f"Room {problem.room_by_id[i].name}",
            }[role](person_id)
            titles = " and ".join(r.title for r in requests)
            reasons.append(f"{name} has two fixed blocks on {bell.label(slot)}: {titles}.")

    # Each flexible request needs enough common free periods for its required meetings.
    candidates = _candidates(problem)
    largest_room = max((room.capacity for room in problem.rooms), default=0)
    for request in problem.requests:
        if request.is_fixed or request.min_per_week == 0:
            continue
        if request.needs_room and request.size > largest_room:
            reasons.append(
                f"{problem.describe(request)} has {request.size} students, but the largest "
                f"room holds {largest_room}."
            )
            continue
        options = candidates.by_request[request.request_id]
        possible = _max_meetings(request, options)
        if possible < request.min_per_week:
            blockers = candidates.blocked_by[request.request_id]
            worst = sorted(blockers, key=lambda name: (-blockers[name], name))[:3]
            because = ", ".join(f"{name} ({blockers[name]} periods)" for name in worst)
            free = ", ".join(bell.label(slot) for slot in sorted(options)) or "no period"
            reasons.append(
                f"{problem.describe(request)} must meet {request.min_per_week} times a week, "
                f"but everyone is free together only in {free}. Busy: {because}."
            )

    # Required teacher load against the limits (only requests with a single possible leader).
    required_load: dict[str, int] = defaultdict(int)
    for request in problem.requests:
        if len(request.teacher_ids) != 1:
            continue
        needed = len(request.fixed_slots) if request.is_fixed else request.min_per_week
        required_load[request.teacher_ids[0]] += needed
    for tid, load in sorted(required_load.items()):
        teacher = problem.teacher_by_id[tid]
        if load > teacher.max_per_week:
            reasons.append(
                f"{teacher.name} must lead at least {load} sessions this week, but the limit "
                f"is {teacher.max_per_week}."
            )
    _, teacher_busy, _ = _fixed_usage(problem)
    for tid, slots in sorted(teacher_busy.items()):
        teacher = problem.teacher_by_id[tid]
        per_day: dict[int, int] = defaultdict(int)
        for day, _period in slots:
            per_day[day] += 1
        for day, count in sorted(per_day.items()):
            if count > teacher.max_per_day:
                reasons.append(
                    f"{teacher.name} has {count} fixed blocks on {bell.days[day]}, but the "
                    f"daily limit is {teacher.max_per_day}."
                )

    # A student's required meetings against the periods they have.
    student_busy, _, _ = _fixed_usage(problem)
    required: dict[str, list[SessionRequest]] = defaultdict(list)
    usable: dict[str, set[Slot]] = defaultdict(set)
    for request in problem.requests:
        if request.is_fixed or request.min_per_week == 0:
            continue
        for sid in request.student_ids:
            required[sid].append(request)
            usable[sid].update(problem.allowed_slots(request))
    for sid, requests in sorted(required.items()):
        if len(requests) < 2:
            continue  # a single request was already checked above
        student = problem.student_by_id[sid]
        free_slots = sorted(usable[sid] - student.unavailable - student_busy[sid])
        needed = sum(request.min_per_week for request in requests)
        if needed > len(free_slots):
            titles = ", ".join(request.title for request in requests)
            where = ", ".join(bell.label(slot) for slot in free_slots) or "none"
            reasons.append(
                f"{student.name} must attend at least {needed} sessions this week ({titles}) "
                f"but is free in only {len(free_slots)} of the periods they could use "
                f"({where})."
            )
    return list(dict.fromkeys(reasons))


# --- the CP-SAT model ------------------------------------------------------------------------


@dataclass
class _Model:
    model: cp_model.CpModel
    place: dict[tuple[str, Slot, str | None], cp_model.IntVar]
    assumption_words: dict[int, str]
    coverage: cp_model.LinearExprT
    coverage_upper: int
    counts: dict[str, cp_model.LinearExprT]
    full: dict[str, cp_model.IntVar] = field(default_factory=dict)
    loads: dict[str, cp_model.IntVar] = field(default_factory=dict)


def _build_model(
    problem: SchoolWeek,
    candidates: _Candidates,
    *,
    with_assumptions: bool,
) -> _Model:
    model = cp_model.CpModel()
    bell = problem.bell
    place: dict[tuple[str, Slot, str | None], cp_model.IntVar] = {}
    words: dict[int, str] = {}

    def requirement(text: str) -> cp_model.IntVar | None:
        """An assumption literal that switches a hard requirement on (diagnosis only)."""
        if not with_assumptions:
            return None
        literal = model.new_bool_var(text)
        words[literal.index] = text
        return literal

    by_request_slot: dict[tuple[str, Slot], list[cp_model.IntVar]] = defaultdict(list)
    teacher_vars: dict[str, list[tuple[Slot, cp_model.IntVar]]] = defaultdict(list)
    for request_id, options in candidates.by_request.items():
        for slot, teachers in options.items():
            for tid in teachers:
                var = model.new_bool_var(f"{request_id}@{slot}/{tid}")
                place[(request_id, slot, tid)] = var
                by_request_slot[(request_id, slot)].append(var)
                if tid is not None:
                    teacher_vars[tid].append((slot, var))

    # Requests: at most one meeting per slot, daily cap, weekly target and minimum.
    objective: list[cp_model.LinearExprT] = []
    full_of: dict[str, cp_model.IntVar] = {}
    counts: dict[str, cp_model.LinearExprT] = {}
    upper = 0  # the best coverage each request could reach on its own
    vars_of_request: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    for (request_id, _slot), variables in by_request_slot.items():
        if len(variables) > 1:
            model.add_at_most_one(variables)
        vars_of_request[request_id].extend(variables)
    for request in problem.requests:
        if request.is_fixed:
            continue
        variables = vars_of_request.get(request.request_id, [])
        count = sum(variables)
        if variables:
            model.add(count <= request.per_week)
            per_day: dict[int, list[cp_model.IntVar]] = defaultdict(list)
            for slot in candidates.by_request[request.request_id]:
                per_day[slot[0]].extend(by_request_slot[(request.request_id, slot)])
            for day_vars in per_day.values():
                if len(day_vars) > request.max_per_day:
                    model.add(sum(day_vars) <= request.max_per_day)
            full = model.new_bool_var(f"full:{request.request_id}")
            full_of[request.request_id] = full
            counts[request.request_id] = count
            model.add(count >= request.per_week * full)
            weight = request.meeting_weight
            objective.append(weight * count + weight * full)
            reachable = min(
                request.per_week,
                _max_meetings(request, candidates.by_request[request.request_id]),
            )
            upper += weight * reachable + (weight if reachable >= request.per_week else 0)
        if request.min_per_week > 0:
            literal = requirement(
                f"{problem.describe(request)} must meet at least {request.min_per_week} "
                f"times a week"
            )
            constraint = model.add(count >= request.min_per_week)
            if literal is not None:
                constraint.only_enforce_if(literal)

    # People: nobody in two places at once (fixed blocks were already removed from candidates).
    # Students in the same requests share one constraint per slot (deduplicated).
    seen_groups: set[frozenset[int]] = set()
    requests_of_student: dict[str, list[str]] = defaultdict(list)
    for request in problem.requests:
        if not request.is_fixed:
            for sid in request.student_ids:
                requests_of_student[sid].append(request.request_id)
    for sid in sorted(requests_of_student):
        request_ids = requests_of_student[sid]
        if len(request_ids) < 2:
            continue
        for slot in bell.slots:
            clash = [var for rid in request_ids for var in by_request_slot.get((rid, slot), [])]
            if len(clash) < 2:
                continue
            key = frozenset(var.index for var in clash)
            if key in seen_groups:
                continue
            seen_groups.add(key)
            model.add_at_most_one(clash)

    # Teachers: one place at a time, weekly and daily load limits, and fair load.
    fixed_load: dict[str, list[Slot]] = defaultdict(list)
    for request in problem.requests:
        if request.is_fixed:
            for tid in request.teacher_ids:
                fixed_load[tid].extend(request.fixed_slots)
    loads: dict[str, cp_model.IntVar] = {}
    for teacher in problem.teachers:
        entries = teacher_vars.get(teacher.teacher_id, [])
        if not entries:
            continue
        by_slot: dict[Slot, list[cp_model.IntVar]] = defaultdict(list)
        by_day: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        for slot, var in entries:
            by_slot[slot].append(var)
            by_day[slot[0]].append(var)
        for variables in by_slot.values():
            if len(variables) > 1:
                model.add_at_most_one(variables)
        fixed_slots = fixed_load[teacher.teacher_id]
        week_literal = requirement(
            f"{teacher.name} may lead at most {teacher.max_per_week} sessions a week"
        )
        total = sum(var for _slot, var in entries)
        constraint = model.add(total <= teacher.max_per_week - len(fixed_slots))
        if week_literal is not None:
            constraint.only_enforce_if(week_literal)
        day_literal = requirement(
            f"{teacher.name} may lead at most {teacher.max_per_day} sessions a day"
        )
        for day, variables in by_day.items():
            fixed_today = sum(1 for slot in fixed_slots if slot[0] == day)
            if len(variables) + fixed_today > teacher.max_per_day:
                constraint = model.add(sum(variables) <= teacher.max_per_day - fixed_today)
                if day_literal is not None:
                    constraint.only_enforce_if(day_literal)
        load = model.new_int_var(0, len(entries) + len(fixed_slots), f"load:{teacher.teacher_id}")
        model.add(load == total + len(fixed_slots))
        loads[teacher.teacher_id] = load

    # Rooms: per slot and size threshold, sessions of at least c students <= rooms holding c.
    _, _, room_busy = _fixed_usage(problem)
    for slot in bell.slots:
        capacities = sorted(
            room.capacity
            for room in problem.rooms
            if slot not in room.unavailable and slot not in room_busy[room.room_id]
        )
        fixed_sizes = [
            request.size
            for request in problem.requests
            if request.is_fixed
            and request.needs_room
            and request.fixed_room_id is None
            and slot in request.fixed_slots
        ]
        flexible = [
            (problem.request_by_id[rid].size, var)
            for (rid, at), variables in by_request_slot.items()
            if at == slot and problem.request_by_id[rid].needs_room
            for var in variables
        ]
        for threshold in sorted({size for size, _var in flexible}):
            rooms_here = sum(1 for capacity in capacities if capacity >= threshold)
            fixed_here = sum(1 for size in fixed_sizes if size >= threshold)
            users = [var for size, var in flexible if size >= threshold]
            if len(users) + fixed_here > rooms_here:
                model.add(sum(users) <= rooms_here - fixed_here)

    coverage = sum(objective)
    model.add(coverage <= upper)  # valid, and lets the solver stop as soon as it gets there
    model.maximize(coverage)
    if with_assumptions:
        model.add_assumptions([model.get_bool_var_from_proto_index(i) for i in words])
    return _Model(model, place, words, coverage, upper, counts, full_of, loads)


def _assign_rooms(
    problem: SchoolWeek, placed: list[tuple[SessionRequest, Slot, str | None]]
) -> list[Meeting]:
    """Hand out rooms per slot: fixed rooms first, then largest session -> smallest fitting room."""
    by_slot: dict[Slot, list[tuple[SessionRequest, str | None]]] = defaultdict(list)
    for request, slot, tid in placed:
        by_slot[slot].append((request, tid))
    meetings: list[Meeting] = []
    for slot in sorted(by_slot):
        free = sorted(
            (room for room in problem.rooms if slot not in room.unavailable),
            key=lambda room: (room.capacity, room.room_id),
        )
        taken = {request.fixed_room_id for request, _tid in by_slot[slot] if request.fixed_room_id}
        free = [room for room in free if room.room_id not in taken]
        ordered = sorted(by_slot[slot], key=lambda item: (-item[0].size, item[0].request_id))
        for request, tid in ordered:
            room_id: str | None = None
            if request.fixed_room_id is not None:
                room_id = request.fixed_room_id
            elif request.needs_room:
                for index, room in enumerate(free):
                    if room.capacity >= request.size:
                        room_id = free.pop(index).room_id
                        break
            meetings.append(Meeting(request.request_id, slot, tid, room_id))
    meetings.sort(key=lambda m: (m.slot, m.request_id))
    return meetings


def _first_fit(
    problem: SchoolWeek, candidates: _Candidates
) -> list[tuple[SessionRequest, Slot, str | None]]:
    """A quick constructive week, used as the solver's starting hint.

    Required meetings first, then one-on-ones, groups and the rest, one meeting per request per
    round; each into its first candidate slot where everyone and a room are free, led by the
    eligible teacher with the least *projected* load (the sessions only they can lead, plus
    what they have taken on so far) — so shared work flows to the teachers with room for it.
    It respects every hard constraint except, possibly, the weekly minimums (the solver then
    repairs it).
    """
    busy: set[tuple[str, str, Slot]] = set()
    projected: dict[str, int] = defaultdict(int)
    for request in problem.requests:
        if len(request.teacher_ids) == 1:
            projected[request.teacher_ids[0]] += (
                len(request.fixed_slots) if request.is_fixed else request.per_week
            )
    week_load: dict[str, int] = defaultdict(int)
    day_load: dict[tuple[str, int], int] = defaultdict(int)
    free_rooms: dict[Slot, list[Room]] = {
        slot: sorted(
            (room for room in problem.rooms if slot not in room.unavailable),
            key=lambda room: (room.capacity, room.room_id),
        )
        for slot in problem.bell.slots
    }
    placed: list[tuple[SessionRequest, Slot, str | None]] = []

    def room_free(slot: Slot, size: int) -> bool:
        return any(room.capacity >= size for room in free_rooms[slot])

    def take_room(slot: Slot, size: int, room_id: str | None = None) -> bool:
        for index, room in enumerate(free_rooms[slot]):
            if room.room_id == room_id or (room_id is None and room.capacity >= size):
                free_rooms[slot].pop(index)
                return True
        return False

    for request in problem.requests:
        for slot in request.fixed_slots:
            for tid in request.teacher_ids:
                week_load[tid] += 1
                day_load[(tid, slot[0])] += 1
            if request.needs_room:
                take_room(slot, request.size, request.fixed_room_id)
    order = {SessionKind.ONE_ON_ONE: 0, SessionKind.SMALL_GROUP: 1}
    flexible = sorted(
        (request for request in problem.requests if not request.is_fixed),
        key=lambda request: (order.get(request.kind, 2), request.request_id),
    )
    days_used: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    count: dict[str, int] = defaultdict(int)
    rounds = max((request.per_week for request in flexible), default=0)
    # Pass 1 places the required meetings, pass 2 the wanted ones.
    for required_pass in (True, False):
        for round_no in range(rounds):
            for request in flexible:
                goal = request.min_per_week if required_pass else request.per_week
                if round_no >= goal or count[request.request_id] >= goal:
                    continue
                shared = len(request.teacher_ids) > 1
                best: tuple[tuple[int, int], Slot, str | None] | None = None
                options = candidates.by_request[request.request_id].items()
                for position, (slot, teachers) in enumerate(options):
                    if days_used[request.request_id][slot[0]] >= request.max_per_day:
                        continue
                    if any(("s", sid, slot) in busy for sid in request.student_ids):
                        continue
                    if request.needs_room and not room_free(slot, request.size):
                        continue
                    leader: str | None = None
                    if request.teacher_ids:
                        eligible = [
                            tid
                            for tid in teachers
                            if tid is not None
                            and ("t", tid, slot) not in busy
                            and week_load[tid] < problem.teacher_by_id[tid].max_per_week
                            and day_load[(tid, slot[0])] < problem.teacher_by_id[tid].max_per_day
                        ]
                        if not eligible:
                            continue
                        leader = min(eligible, key=lambda tid: (projected[tid], tid))
                    # Shared work: the least-loaded teacher's first free slot; else first fit.
                    rank = (projected[leader] if shared and leader else 0, position)
                    if best is None or rank < best[0]:
                        best = (rank, slot, leader)
                    if not shared:
                        break
                if best is None:
                    continue
                _rank, slot, leader = best
                if request.needs_room:
                    take_room(slot, request.size)
                for sid in request.student_ids:
                    busy.add(("s", sid, slot))
                if leader is not None:
                    busy.add(("t", leader, slot))
                    week_load[leader] += 1
                    day_load[(leader, slot[0])] += 1
                    if shared:
                        projected[leader] += 1
                days_used[request.request_id][slot[0]] += 1
                count[request.request_id] += 1
                placed.append((request, slot, leader))
    return placed


def _rebalance_leaders(
    problem: SchoolWeek, placed: list[tuple[SessionRequest, Slot, str | None]]
) -> list[tuple[SessionRequest, Slot, str | None]]:
    """Even out teacher load without moving any meeting: hand a meeting to another of its
    eligible teachers when that teacher is free then and would still be less loaded.

    A cheap local search the solver's min-max objective is slow to find (a load range narrows
    only when many meetings change hands at once). Every move keeps the hard constraints.
    """
    placed = list(placed)
    week_load: dict[str, int] = defaultdict(int)
    day_load: dict[tuple[str, int], int] = defaultdict(int)
    busy: set[tuple[str, Slot]] = set()
    for _request, slot, tid in _with_fixed_blocks(problem, placed):
        if tid is not None:
            week_load[tid] += 1
            day_load[(tid, slot[0])] += 1
            busy.add((tid, slot))
    _, teacher_fixed, _ = _fixed_usage(problem)

    def can_take(tid: str, slot: Slot) -> bool:
        teacher = problem.teacher_by_id[tid]
        return (
            (tid, slot) not in busy
            and slot not in teacher.unavailable
            and slot not in teacher_fixed[tid]
            and week_load[tid] < teacher.max_per_week
            and day_load[(tid, slot[0])] < teacher.max_per_day
        )

    moved = True
    while moved:
        moved = False
        order = sorted(range(len(placed)), key=lambda i: (-week_load[placed[i][2] or ""], i))
        for index in order:
            request, slot, tid = placed[index]
            if tid is None or len(request.teacher_ids) < 2:
                continue
            options = [
                other
                for other in request.teacher_ids
                if other != tid and week_load[other] + 1 < week_load[tid] and can_take(other, slot)
            ]
            if not options:
                continue
            other = min(options, key=lambda t: (week_load[t], t))
            for who, step in ((tid, -1), (other, 1)):
                week_load[who] += step
                day_load[(who, slot[0])] += step
            busy.discard((tid, slot))
            busy.add((other, slot))
            placed[index] = (request, slot, other)
            moved = True
    return placed


def _values_of(
    problem: SchoolWeek, built: _Model, placed: list[tuple[SessionRequest, Slot, str | None]]
) -> dict[int, int]:
    """The value of every model variable for the meetings ``placed`` (a complete hint)."""
    chosen = {(request.request_id, slot, tid) for request, slot, tid in placed}
    count: dict[str, int] = defaultdict(int)
    load: dict[str, int] = defaultdict(int)
    for request in problem.requests:
        for fixed_leader in request.teacher_ids:
            load[fixed_leader] += len(request.fixed_slots)
    for request, _slot, leader in placed:
        count[request.request_id] += 1
        if leader is not None:
            load[leader] += 1
    values = {var.index: int(key in chosen) for key, var in built.place.items()}
    for request_id, var in built.full.items():
        values[var.index] = int(count[request_id] >= problem.request_by_id[request_id].per_week)
    for tid, var in built.loads.items():
        values[var.index] = load[tid]
    return values


def _coverage_of(problem: SchoolWeek, placed: list[tuple[SessionRequest, Slot, str | None]]) -> int:
    """The phase-1 objective for ``placed``, computed directly."""
    count: dict[str, int] = defaultdict(int)
    for request, _slot, _leader in placed:
        count[request.request_id] += 1
    total = 0
    for request in problem.requests:
        if request.is_fixed:
            continue
        placed_here = min(count[request.request_id], request.per_week)
        weight = request.meeting_weight
        total += weight * placed_here + (weight if placed_here >= request.per_week else 0)
    return total


STATUS_WORDS = {
    cp_model.OPTIMAL: "optimal",
    cp_model.FEASIBLE: "feasible",
    cp_model.INFEASIBLE: "infeasible",
    cp_model.MODEL_INVALID: "invalid",
    cp_model.UNKNOWN: "no schedule found in time",
}


def solve_week(
    problem: SchoolWeek,
    *,
    time_limit_s: float = 30.0,
    num_workers: int = 2,
    seed: int = 0,
    balance_load: bool = True,
    log_progress: bool = False,
) -> Schedule:
    """Build the week with CP-SAT; the result carries meetings or the reasons in words.

    ``num_workers`` is capped at 2 (the project's machines are small and shared);
    ``time_limit_s`` bounds the search — the best week found by then is returned.
    """
    started = clock.perf_counter()
    reasons = precheck(problem)
    if reasons:
        return Schedule("infeasible", (), tuple(reasons), clock.perf_counter() - started)
    candidates = _candidates(problem)
    # Start from a constructive week: the solver then only has to improve it.
    hint = _rebalance_leaders(problem, _first_fit(problem, candidates))
    built = _build_model(problem, candidates, with_assumptions=False)
    model = built.model
    variables = _all_vars(built)
    values = _values_of(problem, built, hint)
    for var in variables:
        model.add_hint(var, values[var.index])
    workers = max(1, min(num_workers, 2))
    placed: list[tuple[SessionRequest, Slot, str | None]] = []
    if _coverage_of(problem, hint) >= built.coverage_upper:
        # The constructive week already places everything that can be placed.
        status, placed = cp_model.OPTIMAL, list(hint)
    else:
        # Phase 1: place as many wanted meetings as possible (most of the time budget at most).
        share = 0.6 if balance_load else 1.0
        solver = _solver(workers, time_limit_s * share, seed, log_progress)
        status = solver.solve(model)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            values = {var.index: solver.value(var) for var in variables}
            placed = _placed_from(problem, built, values)
    words = STATUS_WORDS.get(status, "unknown")
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        # Phase 2: keep every request's meetings, and make teacher load as even as possible.
        remaining = time_limit_s - (clock.perf_counter() - started)
        if balance_load and built.loads and remaining > 1:
            met: dict[str, int] = defaultdict(int)
            for request, _slot, _leader in placed:
                met[request.request_id] += 1
            for request_id, count in built.counts.items():
                if met[request_id]:
                    model.add(count >= met[request_id])
            busiest = model.new_int_var(0, len(problem.bell.slots), "busiest")
            quietest = model.new_int_var(0, len(problem.bell.slots), "quietest")
            model.add_max_equality(busiest, list(built.loads.values()))
            model.add_min_equality(quietest, list(built.loads.values()))
            model.minimize(busiest - quietest)
            model.clear_hints()
            for var in variables:
                model.add_hint(var, values[var.index])
            loads = [values[var.index] for var in built.loads.values()]
            model.add_hint(busiest, max(loads))
            model.add_hint(quietest, min(loads))
            balanced = _solver(workers, remaining, seed, log_progress)
            second = balanced.solve(model)
            if second in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                placed = _placed_from(
                    problem, built, {var.index: balanced.value(var) for var in variables}
                )
                if second != cp_model.OPTIMAL:
                    words = "feasible"
    elif status == cp_model.INFEASIBLE:
        problems = _explain_with_assumptions(problem, candidates, time_limit_s, seed)
        return Schedule(words, (), tuple(problems), clock.perf_counter() - started)
    else:
        # Out of time before the first solution: the constructive week, if it is complete.
        fallback = _with_fixed_blocks(problem, hint)
        trial = Schedule("feasible (first-fit)", tuple(_assign_rooms(problem, fallback)))
        if validate_schedule(problem, trial):
            problems = [
                f"No schedule was found within {time_limit_s:g} seconds; nothing proves the "
                f"week impossible. Allow more time, or relax some requests."
            ]
            return Schedule(words, (), tuple(problems), clock.perf_counter() - started)
        words, placed = trial.status, hint
    placed = _rebalance_leaders(problem, placed)
    meetings = tuple(_assign_rooms(problem, _with_fixed_blocks(problem, placed)))
    schedule = Schedule(words, meetings, (), clock.perf_counter() - started)
    return Schedule(words, meetings, (), schedule.solve_seconds, score_schedule(problem, schedule))


def _solver(workers: int, time_limit_s: float, seed: int, log: bool) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = workers
    solver.parameters.max_time_in_seconds = max(0.1, time_limit_s)
    solver.parameters.random_seed = seed
    solver.parameters.log_search_progress = log
    # Probing in presolve costs seconds on a week-sized model and buys little here.
    solver.parameters.cp_model_probing_level = 0
    solver.parameters.max_presolve_iterations = 1
    return solver


def _placed_from(
    problem: SchoolWeek, built: _Model, values: Mapping[int, int]
) -> list[tuple[SessionRequest, Slot, str | None]]:
    return [
        (problem.request_by_id[request_id], slot, tid)
        for (request_id, slot, tid), var in built.place.items()
        if values[var.index]
    ]


def _all_vars(built: _Model) -> list[cp_model.IntVar]:
    return [*built.place.values(), *built.full.values(), *built.loads.values()]


def _with_fixed_blocks(
    problem: SchoolWeek, placed: list[tuple[SessionRequest, Slot, str | None]]
) -> list[tuple[SessionRequest, Slot, str | None]]:
    placed = list(placed)
    for request in problem.requests:
        for slot in request.fixed_slots:
            leader = request.teacher_ids[0] if request.teacher_ids else None
            placed.append((request, slot, leader))
    return placed


def _explain_with_assumptions(
    problem: SchoolWeek, candidates: _Candidates, time_limit_s: float, seed: int
) -> list[str]:
    built = _build_model(problem, candidates, with_assumptions=True)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1  # the infeasible core is reported by the sequential search
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.random_seed = seed
    status = solver.solve(built.model)
    core = list(solver.sufficient_assumptions_for_infeasibility())
    if status == cp_model.INFEASIBLE and core:
        core = _shrink_core(built, core, time_limit_s)
        listed = "; ".join(sorted(built.assumption_words[i] for i in core))
        return [
            "These requirements cannot all hold at once (with nobody double-booked and rooms "
            f"large enough): {listed}."
        ]
    return [
        "The week is impossible even before any of the listed requirements: people, rooms and "
        "fixed blocks leave no room for it. Check availability and room capacities."
    ]


def _shrink_core(built: _Model, core: list[int], time_limit_s: float) -> list[int]:
    """Drop requirements from a conflicting set while it stays conflicting (deletion filter).

    CP-SAT's set is sufficient, not minimal; naming fewer requirements makes the message
    actionable. Bounded: at most 20 candidates, and a share of the time limit each.
    """
    if len(core) > 20:
        return core
    kept = list(core)
    per_try = max(0.5, time_limit_s / (2 * len(core)))
    for literal in list(core):
        trial = [index for index in kept if index != literal]
        if not trial:
            break
        built.model.clear_assumptions()
        built.model.add_assumptions(
            [built.model.get_bool_var_from_proto_index(index) for index in trial]
        )
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = per_try
        if solver.solve(built.model) == cp_model.INFEASIBLE:
            kept = trial
    return kept


# --- independent checks ----------------------------------------------------------------------


def validate_schedule(problem: SchoolWeek, schedule: Schedule) -> list[str]:
    """Every hard-constraint violation of ``schedule``, in words; trusts nothing from the solver."""
    bell = problem.bell
    violations: list[str] = []
    occupied: dict[tuple[str, str, Slot], list[str]] = defaultdict(list)
    count: dict[str, int] = defaultdict(int)
    per_day: dict[tuple[str, int], int] = defaultdict(int)
    teacher_week_load: dict[str, int] = defaultdict(int)
    teacher_day_load: dict[tuple[str, int], int] = defaultdict(int)
    fixed_seen: dict[str, set[Slot]] = defaultdict(set)
    for meeting in schedule.meetings:
        request = problem.request_by_id.get(meeting.request_id)
        if request is None:
            violations.append(f"meeting of unknown request {meeting.request_id!r}")
            continue
        what = f"{request.title} on {meeting.slot}"
        if not bell.is_slot(meeting.slot):
            violations.append(f"{what}: slot is not in the bell schedule")
            continue
        label = bell.label(meeting.slot)
        what = f"{request.title} on {label}"
        count[request.request_id] += 1
        per_day[(request.request_id, meeting.slot[0])] += 1
        if request.is_fixed:
            fixed_seen[request.request_id].add(meeting.slot)
            if meeting.slot not in request.fixed_slots:
                violations.append(f"{what}: fixed block moved off its fixed slots")
        elif meeting.slot not in problem.allowed_slots(request):
            violations.append(f"{what}: not an allowed period for this session")
        for sid in request.student_ids:
            occupied[("student", sid, meeting.slot)].append(request.title)
            if meeting.slot in problem.student_by_id[sid].unavailable:
                violations.append(f"{what}: {problem.student_by_id[sid].name} is unavailable")
        if request.teacher_ids:
            if meeting.teacher_id not in request.teacher_ids:
                violations.append(f"{what}: led by {meeting.teacher_id!r}, not an allowed teacher")
        elif meeting.teacher_id is not None:
            violations.append(f"{what}: has a teacher but asks for none")
        if meeting.teacher_id is not None and meeting.teacher_id in problem.teacher_by_id:
            teacher = problem.teacher_by_id[meeting.teacher_id]
            occupied[("teacher", teacher.teacher_id, meeting.slot)].append(request.title)
            teacher_week_load[teacher.teacher_id] += 1
            teacher_day_load[(teacher.teacher_id, meeting.slot[0])] += 1
            if meeting.slot in teacher.unavailable:
                violations.append(f"{what}: {teacher.name} is unavailable")
        if request.needs_room:
            room = problem.room_by_id.get(meeting.room_id or "")
            if room is None:
                violations.append(f"{what}: needs a room but has {meeting.room_id!r}")
            else:
                occupied[("room", room.room_id, meeting.slot)].append(request.title)
                if room.capacity < request.size:
                    violations.append(
                        f"{what}: room {room.name} holds {room.capacity} < {request.size}"
                    )
                if meeting.slot in room.unavailable:
                    violations.append(f"{what}: room {room.name} is unavailable")
                if request.fixed_room_id is not None and room.room_id != request.fixed_room_id:
                    violations.append(f"{what}: not in its fixed room")
        elif meeting.room_id is not None:
            violations.append(f"{what}: has a room but needs none")
    for (role, who, slot), titles in occupied.items():
        if len(titles) > 1:
            violations.append(
                f"{role} {who} double-booked on {bell.label(slot)}: {', '.join(sorted(titles))}"
            )
    for request in problem.requests:
        placed = count[request.request_id]
        if request.is_fixed:
            if fixed_seen[request.request_id] != set(request.fixed_slots) or placed != len(
                request.fixed_slots
            ):
                violations.append(f"{request.title}: fixed block not placed exactly as fixed")
            continue
        if placed < request.min_per_week:
            violations.append(
                f"{request.title}: meets {placed} times, required {request.min_per_week}"
            )
        if placed > request.per_week:
            violations.append(f"{request.title}: meets {placed} times, at most {request.per_week}")
    for (rid, day), placed in per_day.items():
        request = problem.request_by_id[rid]
        if not request.is_fixed and placed > request.max_per_day:
            violations.append(
                f"{request.title}: {placed} meetings on {bell.days[day]}, "
                f"at most {request.max_per_day}"
            )
    for tid, load in teacher_week_load.items():
        teacher = problem.teacher_by_id[tid]
        if load > teacher.max_per_week:
            violations.append(f"{teacher.name}: {load} sessions this week > {teacher.max_per_week}")
    for (tid, day), load in teacher_day_load.items():
        teacher = problem.teacher_by_id[tid]
        if load > teacher.max_per_day:
            violations.append(
                f"{teacher.name}: {load} sessions on {bell.days[day]} > {teacher.max_per_day}"
            )
    return violations


def score_schedule(problem: SchoolWeek, schedule: Schedule) -> SoftGoalReport:
    """Score the soft goals from the meetings alone (0–100; higher is better)."""
    count: dict[str, int] = defaultdict(int)
    load: dict[str, int] = defaultdict(int)
    for meeting in schedule.meetings:
        count[meeting.request_id] += 1
        if meeting.teacher_id is not None:
            load[meeting.teacher_id] += 1
    one_met = one_wanted = groups_met = groups_total = other_placed = other_wanted = 0
    unmet: list[str] = []
    flexible_leaders: set[str] = set()
    for request in problem.requests:
        if request.is_fixed:
            continue
        if len(request.teacher_ids) > 1:
            flexible_leaders.update(request.teacher_ids)
        placed = count[request.request_id]
        if request.kind is SessionKind.ONE_ON_ONE:
            one_wanted += 1
            if placed >= 1:
                one_met += 1
            else:
                unmet.append(f"No one-on-one this week: {problem.describe(request)}")
        elif request.kind is SessionKind.SMALL_GROUP:
            groups_total += 1
            if placed >= request.per_week:
                groups_met += 1
            else:
                unmet.append(
                    f"Meets {placed} of {request.per_week} times: {problem.describe(request)}"
                )
        else:
            other_wanted += request.per_week
            other_placed += min(placed, request.per_week)
            if placed < request.per_week:
                unmet.append(f"Placed {placed} of {request.per_week}: {problem.describe(request)}")
    # Fairness is measured where there is a choice: among teachers who could take shared work.
    leaders = sorted(flexible_leaders) or sorted(load)
    loads = [load[tid] for tid in leaders]
    low, high = (min(loads), max(loads)) if loads else (0, 0)
    fairness = 1.0 - (high - low) / high if high else 1.0
    parts: list[tuple[float, float]] = []
    if one_wanted:
        parts.append((0.35, one_met / one_wanted))
    if groups_total:
        parts.append((0.35, groups_met / groups_total))
    if other_wanted:
        parts.append((0.15, other_placed / other_wanted))
    if loads:
        parts.append((0.15, fairness))
    total_weight = sum(weight for weight, _value in parts)
    score = 100.0 * sum(w * v for w, v in parts) / total_weight if total_weight else 100.0
    return SoftGoalReport(
        one_on_one_met=one_met,
        one_on_one_wanted=one_wanted,
        groups_fully_met=groups_met,
        groups_total=groups_total,
        other_meetings_placed=other_placed,
        other_meetings_wanted=other_wanted,
        teacher_load_min=low,
        teacher_load_max=high,
        fairness=round(fairness, 4),
        score=round(score, 2),
        unmet=tuple(unmet),
    )


# --- weekly views and iCalendar --------------------------------------------------------------


@dataclass(frozen=True)
class WeekEntry:
    """One line of a person's week, ready for a page or a calendar."""

    slot: Slot
    day: str
    period: str
    start: time
    end: time
    title: str
    kind: SessionKind
    request_id: str
    teacher: str | None
    room: str | None
    with_students: tuple[str, ...]


def _entries(problem: SchoolWeek, meetings: Iterable[Meeting]) -> list[WeekEntry]:
    bell = problem.bell
    entries = []
    for meeting in meetings:
        request = problem.request_by_id[meeting.request_id]
        period = bell.periods[meeting.slot[1]]
        teacher = problem.teacher_by_id[meeting.teacher_id].name if meeting.teacher_id else None
        room = problem.room_by_id[meeting.room_id].name if meeting.room_id else None
        entries.append(
            WeekEntry(
                slot=meeting.slot,
                day=bell.days[meeting.slot[0]],
                period=period.name,
                start=period.start,
                end=period.end,
                title=request.title,
                kind=request.kind,
                request_id=request.request_id,
                teacher=teacher,
                room=room,
                with_students=tuple(problem.student_by_id[s].name for s in request.student_ids),
            )
        )
    entries.sort(key=lambda entry: (entry.slot, entry.request_id))
    return entries


def student_week(problem: SchoolWeek, schedule: Schedule, student_id: str) -> list[WeekEntry]:
    """The student's meetings this week, in time order."""
    return _entries(
        problem,
        (
            m
            for m in schedule.meetings
            if student_id in problem.request_by_id[m.request_id].student_ids
        ),
    )


def teacher_week(problem: SchoolWeek, schedule: Schedule, teacher_id: str) -> list[WeekEntry]:
    """The meetings this teacher leads this week, in time order."""
    return _entries(problem, (m for m in schedule.meetings if m.teacher_id == teacher_id))


def _ics_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 §3.3.11)."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character (RFC 5545 §3.1)."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    pieces: list[str] = []
    current = ""
    limit = 75
    for char in line:
        if len((current + char).encode("utf-8")) > limit:
            pieces.append(current)
            current = char
            limit = 74  # continuation lines start with one space
        else:
            current += char
    pieces.append(current)
    return "\r\n ".join(pieces)


def _utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def week_to_ics(
    entries: Sequence[WeekEntry],
    week_start: date,
    *,
    timezone: str = "UTC",
    calendar_name: str = "Trellis week",
    uid_domain: str = "trellis.invalid",
    owner_id: str = "",
    dtstamp: datetime | None = None,
) -> str:
    """An iCalendar (RFC 5545) file for a person's week; times are written in UTC.

    ``week_start`` is the date of the bell schedule's first day; ``timezone`` (IANA name) is
    the school's, in which the period times are read. ``dtstamp`` defaults to now.
    """
    zone = ZoneInfo(timezone)
    stamp = _utc_stamp(dtstamp or datetime.now(UTC))
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Trellis//Weekly schedule//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_ics_text(calendar_name)}",
    ]
    for entry in entries:
        day = week_start + timedelta(days=entry.slot[0])
        begin = datetime.combine(day, entry.start, tzinfo=zone)
        finish = datetime.combine(day, entry.end, tzinfo=zone)
        uid_owner = f"-{owner_id}" if owner_id else ""
        uid = f"{entry.request_id}-{day:%Y%m%d}-p{entry.slot[1]}{uid_owner}@{uid_domain}"
        details = [KIND_WORDS[entry.kind]]
        if entry.teacher:
            details.append(f"with {entry.teacher}")
        if len(entry.with_students) > 1:
            details.append(f"students: {', '.join(entry.with_students)}")
        lines += [
            "BEGIN:VEVENT",
            f"UID:{_ics_text(uid)}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{_utc_stamp(begin)}",
            f"DTEND:{_utc_stamp(finish)}",
            f"SUMMARY:{_ics_text(entry.title)}",
            f"DESCRIPTION:{_ics_text('; '.join(details))}",
        ]
        if entry.room:
            lines.append(f"LOCATION:{_ics_text(entry.room)}")
        lines.append(f"CATEGORIES:{_ics_text(KIND_WORDS[entry.kind])}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)
