"""Weekly schedules (trellis.engine.scheduling): hard rules, explanations, views, iCalendar."""

from __future__ import annotations

import random
import re
from datetime import UTC, date, datetime, time

import pytest

from trellis.engine.grouping import EvidenceSummary, StudentSnapshot, suggest_groups
from trellis.engine.scheduling import (
    BellSchedule,
    Meeting,
    PeriodTime,
    Room,
    Schedule,
    SchoolWeek,
    SessionKind,
    SessionRequest,
    Student,
    Teacher,
    precheck,
    requests_for_section,
    score_schedule,
    solve_week,
    student_week,
    teacher_week,
    validate_schedule,
    week_to_ics,
)

BELL = BellSchedule(
    (
        PeriodTime("P1", time(8, 0), time(8, 50)),
        PeriodTime("P2", time(9, 0), time(9, 50)),
        PeriodTime("P3", time(10, 0), time(10, 50)),
        PeriodTime("After school", time(15, 0), time(16, 0), after_school=True),
    ),
    days=("Mon", "Tue", "Wed"),
)


def small_school(**changes: object) -> SchoolWeek:
    """Nine students, three teachers, three rooms; every kind of session."""
    students = tuple(Student(f"s{i}", f"Student {i}") for i in range(9))
    students = tuple(
        Student(s.student_id, s.name, frozenset({(0, 0)})) if s.student_id == "s4" else s
        for s in students
    )
    teachers = (
        Teacher("t1", "Ms Diaz", frozenset({(1, 1)}), max_per_week=6, max_per_day=3),
        Teacher("t2", "Mr Okafor", max_per_week=6, max_per_day=3),
        Teacher("t3", "Dr Lee", max_per_week=4, max_per_day=2),
    )
    rooms = (
        Room("r1", "Room 1", 30),
        Room("r2", "Huddle room", 4),
        Room("lab", "Lab", 10, frozenset({(2, 2)})),
    )
    requests = [
        SessionRequest(
            "g1", SessionKind.SMALL_GROUP, "Ratios group", ("s0", "s1", "s2"), ("t1",), per_week=2
        ),
        SessionRequest(
            "g2",
            SessionKind.SMALL_GROUP,
            "Fractions group",
            ("s3", "s4", "s5"),
            ("t2",),
            per_week=2,
            min_per_week=1,
        ),
        SessionRequest("o6", SessionKind.ONE_ON_ONE, "One-on-one", ("s6",), ("t1", "t3")),
        SessionRequest("o1", SessionKind.ONE_ON_ONE, "One-on-one", ("s1",), ("t1", "t3")),
        SessionRequest(
            "ind",
            SessionKind.INDEPENDENT,
            "Independent playlist",
            tuple(f"s{i}" for i in range(9)),
            per_week=2,
            min_per_week=1,
        ),
        SessionRequest(
            "onl",
            SessionKind.ONLINE_WITH_TEACHER,
            "Online session",
            ("s7",),
            ("t2",),
            needs_room=False,
        ),
        SessionRequest(
            "ext",
            SessionKind.EXTENDED_LEARNING,
            "Robotics club",
            ("s0", "s8"),
            ("t3",),
            fixed_slots=((0, 3), (2, 3)),
            fixed_room_id="lab",
        ),
        SessionRequest(
            "dual",
            SessionKind.DUAL_ENROLLMENT,
            "College algebra",
            ("s8",),
            needs_room=False,
            fixed_slots=((1, 2),),
        ),
    ]
    fields: dict[str, object] = {
        "bell": BELL,
        "teachers": teachers,
        "rooms": rooms,
        "students": students,
        "requests": tuple(requests),
    }
    fields.update(changes)
    return SchoolWeek(**fields)  # type: ignore[arg-type]


def test_small_school_is_solved_without_hard_violations() -> None:
    school = small_school()
    schedule = solve_week(school, time_limit_s=10, seed=3)
    assert schedule.feasible, schedule.problems
    assert validate_schedule(school, schedule) == []
    soft = schedule.soft
    assert soft is not None
    assert soft.one_on_one_met == soft.one_on_one_wanted == 2
    assert soft.groups_fully_met == soft.groups_total == 2
    assert soft.unmet == () and soft.score > 80


def test_fixed_blocks_stay_fixed_and_extended_learning_is_after_school() -> None:
    school = small_school()
    schedule = solve_week(school, time_limit_s=10)
    ext = sorted(m.slot for m in schedule.meetings if m.request_id == "ext")
    assert ext == [(0, 3), (2, 3)]
    assert {m.room_id for m in schedule.meetings if m.request_id == "ext"} == {"lab"}
    dual = [m for m in schedule.meetings if m.request_id == "dual"]
    assert [(m.slot, m.room_id) for m in dual] == [((1, 2), None)]
    # nothing flexible lands after school, and nobody in the club is booked twice
    flexible = [m for m in schedule.meetings if m.request_id not in {"ext", "dual"}]
    assert all(m.slot[1] != 3 for m in flexible)


def test_solving_is_deterministic_for_a_seed_with_one_worker() -> None:
    first = solve_week(small_school(), time_limit_s=10, seed=5, num_workers=1)
    second = solve_week(small_school(), time_limit_s=10, seed=5, num_workers=1)
    assert first.meetings == second.meetings


def test_validator_finds_every_kind_of_violation() -> None:
    school = small_school()
    bad = Schedule(
        "hand-made",
        (
            # s1 in the group and in the one-on-one at the same time; t1 unavailable Tue P2
            Meeting("g1", (1, 1), "t1", "r2"),
            Meeting("o1", (1, 1), "t3", "r2"),
            # s4 unavailable Mon P1; group too big for the huddle room? (3 <= 4: fine) -> lab off
            Meeting("g2", (0, 0), "t2", "lab"),
            Meeting("g2", (0, 1), "t2", "lab"),
            Meeting("g2", (0, 2), "t2", "lab"),
            # nine students in the four-seat room; led by a teacher when none asked
            Meeting("ind", (2, 0), "t2", "r2"),
            # fixed block moved, dual enrollment missing
            Meeting("ext", (1, 3), "t3", "lab"),
        ),
    )
    text = "\n".join(validate_schedule(school, bad))
    assert "Ms Diaz is unavailable" in text
    assert "room r2 double-booked on Tue P2" in text
    assert "student s1 double-booked on Tue P2" in text
    assert "Student 4 is unavailable" in text
    assert "Fractions group: 3 meetings on Mon" in text
    assert "Fractions group: meets 3 times, at most 2" in text
    assert "holds 4 < 9" in text
    assert "has a teacher but asks for none" in text
    assert "Robotics club: fixed block not placed exactly as fixed" in text
    assert "College algebra: fixed block not placed exactly as fixed" in text


def test_teacher_load_limits_are_checked_by_the_validator() -> None:
    school = small_school(
        teachers=(
            Teacher("t1", "Ms Diaz", max_per_week=1, max_per_day=1),
            Teacher("t2", "Mr Okafor"),
            Teacher("t3", "Dr Lee"),
        )
    )
    schedule = Schedule(
        "hand-made", (Meeting("g1", (0, 0), "t1", "r2"), Meeting("g1", (1, 0), "t1", "r2"))
    )
    violations = validate_schedule(school, schedule)
    assert any("Ms Diaz: 2 sessions this week > 1" in v for v in violations)


def test_rooms_are_shared_out_by_size() -> None:
    # Four small groups at once need the huddle room and the bigger rooms too.
    students = tuple(Student(f"s{i}", f"Student {i}") for i in range(12))
    teachers = tuple(Teacher(f"t{i}", f"Teacher {i}") for i in range(4))
    rooms = (Room("big", "Big", 30), Room("mid", "Mid", 6), Room("tiny", "Tiny", 3))
    one_slot = frozenset({(0, 0)})
    requests = tuple(
        SessionRequest(
            f"g{i}",
            SessionKind.SMALL_GROUP,
            f"Group {i}",
            tuple(f"s{3 * i + k}" for k in range(3)),
            (f"t{i}",),
            per_week=1,
            allowed_slots=one_slot,
        )
        for i in range(4)
    )
    school = SchoolWeek(BELL, teachers, rooms, students, requests)
    schedule = solve_week(school, time_limit_s=10)
    assert validate_schedule(school, schedule) == []
    assert len(schedule.meetings) == 3  # three rooms, so one group must wait
    assert schedule.soft is not None and len(schedule.soft.unmet) == 1


def test_too_few_common_free_periods_is_explained_naming_people() -> None:
    busy = frozenset((d, p) for d in range(3) for p in range(3)) - {(2, 2)}
    school = small_school(
        students=tuple(
            Student(f"s{i}", f"Student {i}", busy if i == 5 else frozenset()) for i in range(9)
        )
    )
    schedule = solve_week(school, time_limit_s=10)
    assert not schedule.feasible and schedule.meetings == ()
    text = " ".join(schedule.problems)
    assert "Student 5 must attend at least 2 sessions" in text
    assert "Fractions group" in text and "Wed P3" in text
    assert not re.search(r"INFEASIBLE|status", text)


def test_conflicting_requirements_found_by_the_solver_are_named() -> None:
    # Both teachers are free only on Mon P1, but three one-on-ones are required.
    all_but_one = frozenset(BELL.slots) - {(0, 0)}
    teachers = (Teacher("t1", "Ms Diaz", all_but_one), Teacher("t2", "Mr Okafor", all_but_one))
    students = tuple(Student(f"s{i}", f"Student {i}") for i in range(3))
    requests = tuple(
        SessionRequest(
            f"o{i}",
            SessionKind.ONE_ON_ONE,
            "One-on-one",
            (f"s{i}",),
            ("t1", "t2"),
            needs_room=False,
            min_per_week=1,
        )
        for i in range(3)
    )
    school = SchoolWeek(BELL, teachers, (), students, requests)
    assert precheck(school) == []  # each request alone is possible
    schedule = solve_week(school, time_limit_s=10)
    assert schedule.status == "infeasible" and schedule.meetings == ()
    (text,) = schedule.problems
    assert "cannot all hold" in text
    # the conflicting set is shrunk to what matters: the three required one-on-ones
    assert text.count("must meet at least 1 times a week") == 3
    assert "Student 2" in text and "Ms Diaz" in text
    assert "may lead at most" not in text


def test_clashing_fixed_blocks_are_explained() -> None:
    school = small_school()
    clash = SessionRequest(
        "dual2",
        SessionKind.DUAL_ENROLLMENT,
        "Statistics",
        ("s8",),
        needs_room=False,
        fixed_slots=((1, 2),),
    )
    school = small_school(requests=(*school.requests, clash))
    reasons = precheck(school)
    assert any("Student 8 has two fixed blocks on Tue P3" in r for r in reasons)


def test_a_teacher_overloaded_by_requirements_is_explained() -> None:
    base = small_school()
    teachers = (
        Teacher("t1", "Ms Diaz", max_per_week=6),
        Teacher("t2", "Mr Okafor", max_per_week=0),
        Teacher("t3", "Dr Lee"),
    )
    reasons = precheck(small_school(teachers=teachers, requests=base.requests))
    assert any("Mr Okafor must lead at least 1 sessions" in r for r in reasons)


def test_bad_problems_are_refused_with_the_name_of_the_fault() -> None:
    with pytest.raises(ValueError, match="unknown student 'nobody'"):
        small_school(requests=(SessionRequest("x", SessionKind.INDEPENDENT, "X", ("nobody",)),))
    with pytest.raises(ValueError, match="min_per_week"):
        SessionRequest("x", SessionKind.SMALL_GROUP, "X", ("s1",), per_week=1, min_per_week=2)
    with pytest.raises(ValueError, match="overlap"):
        BellSchedule((PeriodTime("A", time(8), time(9)), PeriodTime("B", time(8, 30), time(10))))


def test_weekly_views_show_each_persons_meetings_in_time_order() -> None:
    school = small_school()
    schedule = solve_week(school, time_limit_s=10)
    week = student_week(school, schedule, "s8")
    titles = [entry.title for entry in week]
    assert titles.count("Robotics club") == 2 and "College algebra" in titles
    assert [entry.slot for entry in week] == sorted(entry.slot for entry in week)
    lee = teacher_week(school, schedule, "t3")
    assert all(entry.teacher == "Dr Lee" for entry in lee)
    assert sum(entry.title == "Robotics club" for entry in lee) == 2


# --- iCalendar -------------------------------------------------------------------------------


def parse_ics(text: str) -> list[dict[str, str]]:
    """A small strict RFC 5545 reader: CRLF, folding, nesting, required properties."""
    assert text.endswith("\r\n")
    physical = text[:-2].split("\r\n")
    assert all("\n" not in line and "\r" not in line for line in physical)
    assert all(len(line.encode("utf-8")) <= 75 for line in physical)
    logical: list[str] = []
    for line in physical:
        if line.startswith((" ", "\t")):
            assert logical, "continuation line before any content line"
            logical[-1] += line[1:]
        else:
            logical.append(line)
    stack: list[str] = []
    events: list[dict[str, str]] = []
    calendar: dict[str, str] = {}
    for line in logical:
        name, sep, value = line.partition(":")
        assert sep and re.fullmatch(r"[A-Z][A-Z0-9-]*(;[^:]*)?", name), line
        if name == "BEGIN":
            stack.append(value)
            if value == "VEVENT":
                events.append({})
        elif name == "END":
            assert stack and stack.pop() == value, f"unbalanced END:{value}"
        elif stack == ["VCALENDAR", "VEVENT"]:
            events[-1][name] = value
        elif stack == ["VCALENDAR"]:
            calendar[name] = value
        else:
            raise AssertionError(f"property outside a component: {line}")
    assert stack == []
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    stamp = re.compile(r"\d{8}T\d{6}Z")
    for event in events:
        for required in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"):
            assert required in event, f"VEVENT without {required}"
        assert stamp.fullmatch(event["DTSTAMP"]) and stamp.fullmatch(event["DTSTART"])
        assert event["DTSTART"] < event["DTEND"]
    assert len({event["UID"] for event in events}) == len(events)
    return events


def test_ics_of_a_students_week_parses_and_has_one_event_per_meeting() -> None:
    school = small_school()
    schedule = solve_week(school, time_limit_s=10)
    week = student_week(school, schedule, "s0")
    text = week_to_ics(
        week,
        date(2026, 9, 7),
        timezone="America/Chicago",
        calendar_name="Student 0, week of 7 September",
        owner_id="s0",
        dtstamp=datetime(2026, 9, 1, 12, 0, tzinfo=UTC),
    )
    events = parse_ics(text)
    assert len(events) == len(week) >= 4
    club = [e for e in events if e["SUMMARY"] == "Robotics club"]
    # Mon 7 Sep 2026, 15:00 in Chicago (CDT, UTC-5) is 20:00 UTC
    assert sorted(e["DTSTART"] for e in club) == ["20260907T200000Z", "20260909T200000Z"]
    assert all(e["LOCATION"] == "Lab" for e in club)


def test_ics_folds_long_lines_and_escapes_text() -> None:
    school = small_school()
    schedule = solve_week(school, time_limit_s=10)
    week = teacher_week(school, schedule, "t2")
    independent = [e for e in student_week(school, schedule, "s3") if e.kind == "independent"]
    text = week_to_ics(
        [*week, *independent],
        date(2026, 9, 7),
        calendar_name="Okafor; week, 1",
        dtstamp=datetime(2026, 9, 1, tzinfo=UTC),
    )
    events = parse_ics(text)
    assert "X-WR-CALNAME:Okafor\\; week\\, 1" in text
    assert any(line.startswith(" ") for line in text.split("\r\n"))  # a long line was folded
    long_description = next(e["DESCRIPTION"] for e in events if "Student 8" in e["DESCRIPTION"])
    assert "Student 0\\, Student 1" in long_description


def test_score_rewards_meeting_the_soft_goals() -> None:
    school = small_school()
    solved = solve_week(school, time_limit_s=10)
    empty = score_schedule(school, Schedule("empty", ()))
    assert solved.soft is not None and solved.soft.score > empty.score
    assert empty.one_on_one_met == 0 and len(empty.unmet) >= 4


def random_school(seed: int) -> SchoolWeek:
    """A small random school: some students and teachers busy, rooms of mixed sizes."""
    rng = random.Random(seed)
    slots = [s for s in BELL.slots if s[1] != 3]
    students = tuple(
        Student(
            f"s{i}",
            f"Student {i}",
            frozenset(rng.sample(slots, rng.randint(0, 3))) if rng.random() < 0.3 else frozenset(),
        )
        for i in range(16)
    )
    teachers = tuple(
        Teacher(f"t{i}", f"Teacher {i}", frozenset(rng.sample(slots, 2)), max_per_week=6)
        for i in range(3)
    )
    rooms = (Room("big", "Big", 16), Room("mid", "Mid", 5), Room("tiny", "Tiny", 2))
    ids = [s.student_id for s in students]
    rng.shuffle(ids)
    requests: list[SessionRequest] = []
    for g in range(4):
        members = tuple(ids[4 * g : 4 * g + rng.randint(3, 4)])
        requests.append(
            SessionRequest(
                f"g{g}",
                SessionKind.SMALL_GROUP,
                f"Group {g}",
                members,
                (f"t{g % 3}",),
                per_week=2,
            )
        )
    for sid in rng.sample(ids, 5):
        requests.append(
            SessionRequest(
                f"o-{sid}", SessionKind.ONE_ON_ONE, "One-on-one", (sid,), ("t0", "t1", "t2")
            )
        )
    requests.append(
        SessionRequest("ind", SessionKind.INDEPENDENT, "Independent", tuple(ids), per_week=2)
    )
    return SchoolWeek(BELL, teachers, rooms, students, tuple(requests))


@pytest.mark.parametrize("seed", range(6))
def test_random_small_schools_have_no_hard_violations(seed: int) -> None:
    school = random_school(seed)
    schedule = solve_week(school, time_limit_s=5, seed=seed)
    assert schedule.feasible, schedule.problems
    assert validate_schedule(school, schedule) == []
    assert schedule.soft is not None and schedule.soft.score > 50


def test_a_sections_grouping_becomes_session_requests() -> None:
    snapshots = [
        StudentSnapshot(f"s{i}", f"Student {i}", "6.RP.A.1", 0.5 + 0.01 * i) for i in range(4)
    ]
    snapshots.append(
        StudentSnapshot("s8", "Student 8", None, 0.2, EvidenceSummary(days_behind_pace=10))
    )
    grouping = suggest_groups(snapshots)
    requests = requests_for_section("6A", grouping, "t1", one_on_one_teachers=("t3", "t1"))
    by_kind = {r.kind: r for r in requests}
    assert len(requests) == 2
    group = by_kind[SessionKind.SMALL_GROUP]
    assert group.request_id == "6A/group/6.RP.A.1#1" and group.per_week == 2
    assert set(group.student_ids) == {"s0", "s1", "s2", "s3"} and group.teacher_ids == ("t1",)
    one = by_kind[SessionKind.ONE_ON_ONE]
    assert one.student_ids == ("s8",) and one.teacher_ids == ("t1", "t3")
    school = small_school(requests=tuple(requests))
    schedule = solve_week(school, time_limit_s=5)
    assert validate_schedule(school, schedule) == []
    assert schedule.soft is not None and schedule.soft.unmet == ()


def test_ics_folding_never_splits_a_utf8_character() -> None:
    school = small_school(
        teachers=(
            Teacher("t1", "Señora Núñez-Ibáñez " * 4),
            Teacher("t2", "Mr Okafor"),
            Teacher("t3", "Dr Lee"),
        )
    )
    schedule = solve_week(school, time_limit_s=5)
    text = week_to_ics(teacher_week(school, schedule, "t1"), date(2026, 9, 7))
    events = parse_ics(text)  # checks every physical line is at most 75 octets
    assert events and all("Señora Núñez-Ibáñez" in e["DESCRIPTION"] for e in events)
    folded = [line for line in text.split("\r\n") if line.startswith(" ")]
    assert folded  # the long names were folded, at character boundaries (str lines decode)
