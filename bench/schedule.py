"""Benchmark: group every class and schedule the week of a generated 1,000-student school.

Run:  .venv/bin/python bench/schedule.py [--seed 7] [--time-limit 15] [--json OUT]

The school is generated from a seed (so every run is the same school): 33 classes of 30-31
students (1,000 in all), 40 teachers (33 class teachers, 7 interventionists), a 5-day bell
schedule of 6 periods plus an after-school period, 33 classrooms, 8 small-group rooms and
2 labs. Each class is grouped with :func:`trellis.engine.grouping.suggest_groups`; the week
then asks for every small group twice, a one-on-one for every flagged student (class teacher or
one of two interventionists), three independent lab/classroom blocks per class (two required),
an online session with a teacher for part-time online learners, and fixed after-school
extended-learning clubs and off-site dual-enrollment courses.

``--tight`` runs the same requests with fewer rooms and lower teacher limits, where not every
wanted meeting fits and the solver's coverage phase has work to do.

Figures: grouping time per class (p50 and max, ms), CP-SAT solve time for the week, hard
violations found by the independent validator (``validate_schedule``, which does not trust the
solver), and the soft-goal score — side by side with a greedy first-fit scheduler (the peer)
on the same school.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import time as clock_time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from trellis.engine.grouping import (
    EvidenceSummary,
    GroupingResult,
    StudentSnapshot,
    suggest_groups,
)
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
    requests_for_section,
    score_schedule,
    solve_week,
    validate_schedule,
)

STANDARDS_BY_GRADE = {
    grade: [f"{grade}.{domain}.{cluster}.{n}" for domain, cluster, n in picks]
    for grade, picks in {
        "3": [("OA", "A", 1), ("OA", "A", 3), ("NF", "A", 1), ("NF", "A", 2), ("MD", "A", 1)],
        "4": [("NBT", "B", 4), ("NBT", "B", 5), ("NF", "A", 1), ("NF", "B", 3), ("MD", "C", 5)],
        "5": [("NBT", "A", 1), ("NBT", "B", 7), ("NF", "A", 1), ("NF", "B", 4), ("G", "A", 1)],
        "6": [("RP", "A", 1), ("RP", "A", 3), ("NS", "A", 1), ("EE", "A", 2), ("EE", "B", 7)],
        "7": [("RP", "A", 2), ("NS", "A", 1), ("NS", "A", 2), ("EE", "B", 4), ("G", "B", 6)],
        "8": [("EE", "A", 1), ("EE", "C", 8), ("F", "A", 1), ("F", "B", 4), ("G", "B", 7)],
    }.items()
}


@dataclass
class GeneratedSchool:
    week: SchoolWeek
    rosters: list[list[StudentSnapshot]]
    groupings: list[GroupingResult]


def bell_schedule() -> BellSchedule:
    starts = [(8, 0), (9, 0), (10, 0), (11, 0), (12, 30), (13, 30)]
    periods = [
        PeriodTime(f"P{i + 1}", clock_time(h, m), clock_time(h + (m + 50) // 60, (m + 50) % 60))
        for i, (h, m) in enumerate(starts)
    ]
    periods.append(PeriodTime("After school", clock_time(14, 45), clock_time(16, 0), True))
    return BellSchedule(tuple(periods))


def class_roster(rng: random.Random, class_no: int, size: int, grade: str) -> list[StudentSnapshot]:
    standards = STANDARDS_BY_GRADE[grade]
    roster = []
    for seat in range(size):
        attempts = rng.randint(0, 12)
        failures = rng.randint(0, attempts)
        roster.append(
            StudentSnapshot(
                student_id=f"c{class_no:02d}s{seat:02d}",
                name=f"Student {class_no:02d}-{seat:02d}",
                # most of a class is on two or three nearby standards
                next_standard=rng.choices(standards, weights=[5, 4, 3, 2, 1])[0]
                if rng.random() > 0.03
                else None,
                ability=round(min(1.0, max(0.0, rng.gauss(0.55, 0.2))), 3),
                evidence=EvidenceSummary(
                    recent_attempts=attempts,
                    recent_failures=failures,
                    mastery_change=round(rng.gauss(0.06, 0.05), 3),
                    days_behind_pace=rng.choice([0] * 12 + [3, 6, 9]),
                    diagnostic_gaps=(f"{int(grade) - 1}.NF.A.1",) if rng.random() < 0.04 else (),
                ),
            )
        )
    return roster


def generate_school(seed: int, n_students: int = 1000, n_teachers: int = 40) -> GeneratedSchool:
    rng = random.Random(seed)
    bell = bell_schedule()
    in_school = [s for s in bell.slots if not bell.periods[s[1]].after_school]
    after_school = [s for s in bell.slots if bell.periods[s[1]].after_school]
    n_classes = 33
    class_teachers = [f"T{i + 1:02d}" for i in range(n_classes)]
    interventionists = [f"T{i + 1:02d}" for i in range(n_classes, n_teachers)]

    teachers = []
    for tid in class_teachers + interventionists:
        # one prep period a day, at a random period
        prep = frozenset((day, rng.randrange(6)) for day in range(len(bell.days)))
        teachers.append(Teacher(tid, f"Teacher {tid}", prep, max_per_week=22, max_per_day=6))
    rooms = [Room(f"R{100 + i}", f"Classroom {100 + i}", 32) for i in range(n_classes)]
    rooms += [Room(f"S{i + 1}", f"Small-group room {i + 1}", 8) for i in range(8)]
    rooms += [Room(f"L{i + 1}", f"Learning lab {i + 1}", 34) for i in range(2)]

    sizes = [n_students // n_classes] * n_classes
    for extra in range(n_students - sum(sizes)):
        sizes[extra] += 1
    students: list[Student] = []
    requests: list[SessionRequest] = []
    rosters: list[list[StudentSnapshot]] = []
    groupings: list[GroupingResult] = []
    grades = list(STANDARDS_BY_GRADE)
    for class_no, size in enumerate(sizes):
        grade = grades[class_no % len(grades)]
        roster = class_roster(rng, class_no, size, grade)
        grouping = suggest_groups(roster)
        rosters.append(roster)
        groupings.append(grouping)
        teacher = class_teachers[class_no]
        helpers = tuple(rng.sample(interventionists, 2))
        for snapshot in roster:
            unavailable: frozenset[tuple[int, int]] = frozenset()
            if rng.random() < 0.05:  # therapy, part-time work placement, ...
                unavailable = frozenset(rng.sample(in_school, rng.randint(2, 4)))
            students.append(Student(snapshot.student_id, snapshot.name, unavailable))
        requests += requests_for_section(
            f"c{class_no:02d}", grouping, teacher, one_on_one_teachers=helpers
        )
        requests.append(
            SessionRequest(
                f"ind-{class_no:02d}",
                SessionKind.INDEPENDENT,
                f"Independent playlist, class {class_no:02d}",
                tuple(s.student_id for s in roster),
                per_week=3,
                min_per_week=2,
            )
        )
        for snapshot in roster:
            if rng.random() < 0.05:  # part-time online learner
                requests.append(
                    SessionRequest(
                        f"onl-{snapshot.student_id}",
                        SessionKind.ONLINE_WITH_TEACHER,
                        "Online session",
                        (snapshot.student_id,),
                        (teacher, helpers[0]),
                        needs_room=False,
                    )
                )
    # Fixed external blocks: after-school clubs (Tue/Thu) and off-site dual enrollment.
    # (students with other commitments during the day are not in these programmes)
    everyone = [s.student_id for s in students if not s.unavailable]
    pool = rng.sample(everyone, 150 + 60)
    club_days = [after_school[1], after_school[3]]
    for club in range(5):
        members = tuple(pool[club * 30 : (club + 1) * 30])
        requests.append(
            SessionRequest(
                f"ext-{club}",
                SessionKind.EXTENDED_LEARNING,
                f"Extended learning club {club + 1}",
                members,
                (interventionists[club],),
                fixed_slots=tuple(club_days),
                fixed_room_id=f"R{100 + club}",
            )
        )
    older = pool[150:]
    for course in range(3):
        members = tuple(older[course * 20 : (course + 1) * 20])
        days = (0, 2) if course < 2 else (1, 3)
        requests.append(
            SessionRequest(
                f"dual-{course}",
                SessionKind.DUAL_ENROLLMENT,
                f"Dual enrollment course {course + 1}",
                members,
                needs_room=False,
                fixed_slots=tuple((day, period) for day in days for period in (4, 5)),
            )
        )
    week = SchoolWeek(bell, tuple(teachers), tuple(rooms), tuple(students), tuple(requests))
    return GeneratedSchool(week, rosters, groupings)


def tighten(week: SchoolWeek) -> SchoolWeek:
    """The same requests with fewer rooms and lower teacher limits: not everything fits."""
    teachers = tuple(replace(t, max_per_week=16, max_per_day=4) for t in week.teachers)
    classrooms = [r for r in week.rooms if r.room_id.startswith("R")][:30]
    labs = [r for r in week.rooms if r.room_id.startswith("L")]
    return SchoolWeek(week.bell, teachers, (*classrooms, *labs), week.students, week.requests)


def greedy_first_fit(problem: SchoolWeek) -> Schedule:
    """The peer: fixed blocks, then one meeting at a time into the first slot that fits."""
    started = time.perf_counter()
    busy: set[tuple[str, str, tuple[int, int]]] = set()
    week_load: dict[str, int] = defaultdict(int)
    day_load: dict[tuple[str, int], int] = defaultdict(int)
    meetings: list[Meeting] = []
    rooms = sorted(problem.rooms, key=lambda r: (r.capacity, r.room_id))

    def book(request: SessionRequest, slot: tuple[int, int], tid: str | None, rid: str | None):
        for sid in request.student_ids:
            busy.add(("s", sid, slot))
        if tid:
            busy.add(("t", tid, slot))
            week_load[tid] += 1
            day_load[(tid, slot[0])] += 1
        if rid:
            busy.add(("r", rid, slot))
        meetings.append(Meeting(request.request_id, slot, tid, rid))

    for request in problem.requests:
        if request.is_fixed:
            for slot in request.fixed_slots:
                room = request.fixed_room_id
                if request.needs_room and room is None:
                    room = next(r.room_id for r in rooms if r.capacity >= request.size)
                book(request, slot, request.teacher_ids[0] if request.teacher_ids else None, room)
    order = {
        SessionKind.ONE_ON_ONE: 0,
        SessionKind.SMALL_GROUP: 1,
        SessionKind.ONLINE_WITH_TEACHER: 2,
        SessionKind.INDEPENDENT: 3,
    }
    flexible = sorted(
        (r for r in problem.requests if not r.is_fixed),
        key=lambda r: (order.get(r.kind, 4), r.request_id),
    )
    placed: dict[str, int] = defaultdict(int)
    days_used: dict[str, set[int]] = defaultdict(set)
    for round_no in range(max((r.per_week for r in flexible), default=0)):
        for request in flexible:
            if round_no >= request.per_week:
                continue
            for slot in problem.allowed_slots(request):
                if slot[0] in days_used[request.request_id]:
                    continue
                if any(
                    ("s", sid, slot) in busy or slot in problem.student_by_id[sid].unavailable
                    for sid in request.student_ids
                ):
                    continue
                leader = None
                if request.teacher_ids:
                    leader = next(
                        (
                            tid
                            for tid in request.teacher_ids
                            if ("t", tid, slot) not in busy
                            and slot not in problem.teacher_by_id[tid].unavailable
                            and week_load[tid] < problem.teacher_by_id[tid].max_per_week
                            and day_load[(tid, slot[0])] < problem.teacher_by_id[tid].max_per_day
                        ),
                        None,
                    )
                    if leader is None:
                        continue
                room_id = None
                if request.needs_room:
                    room_id = next(
                        (
                            r.room_id
                            for r in rooms
                            if r.capacity >= request.size
                            and ("r", r.room_id, slot) not in busy
                            and slot not in r.unavailable
                        ),
                        None,
                    )
                    if room_id is None:
                        continue
                book(request, slot, leader, room_id)
                placed[request.request_id] += 1
                days_used[request.request_id].add(slot[0])
                break
    meetings.sort(key=lambda m: (m.slot, m.request_id))
    schedule = Schedule("greedy", tuple(meetings), (), time.perf_counter() - started)
    return Schedule(
        "greedy", schedule.meetings, (), schedule.solve_seconds, score_schedule(problem, schedule)
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--time-limit", type=float, default=15.0, help="CP-SAT seconds")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--tight",
        action="store_true",
        help="a stretched school: no small-group rooms, 30 classrooms, teachers at 16/week, 4/day",
    )
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    args = parser.parse_args(argv)

    school = generate_school(args.seed)
    week = school.week
    if args.tight:
        week = tighten(week)
    kinds: dict[str, int] = defaultdict(int)
    for request in week.requests:
        kinds[request.kind.value] += 1
    print(
        f"school: {len(week.students)} students, {len(week.teachers)} teachers, "
        f"{len(week.rooms)} rooms, {len(school.groupings)} classes, "
        f"{len(week.bell.slots)} slots/week; requests: {dict(sorted(kinds.items()))}"
    )
    # Grouping timed on its own, per class (the lead runs it per class each morning).
    group_ms = []
    for grouping_input in school.rosters:
        started = time.perf_counter()
        suggest_groups(grouping_input)
        group_ms.append((time.perf_counter() - started) * 1000)
    placed = sum(len(g.placed_student_ids()) for g in school.groupings)
    in_groups = sum(len(gr.student_ids) for g in school.groupings for gr in g.groups)
    flagged = sum(len(g.one_on_one) for g in school.groupings)
    print(
        f"grouping: {len(group_ms)} classes, p50 {statistics.median(group_ms):.2f} ms, "
        f"max {max(group_ms):.2f} ms; {in_groups}/{placed} students in groups, "
        f"{flagged} flagged for one-on-one"
    )

    solved = solve_week(week, time_limit_s=args.time_limit, num_workers=args.workers)
    cp_violations = validate_schedule(week, solved) if solved.feasible else ["no schedule"]
    greedy = greedy_first_fit(week)
    greedy_violations = validate_schedule(week, greedy)

    def row(name: str, schedule: Schedule, violations: list[str]) -> str:
        soft = schedule.soft
        if soft is None:
            return f"{name:<16} {schedule.status}: {' '.join(schedule.problems)}"
        return (
            f"{name:<16} {schedule.solve_seconds:>8.2f} {len(violations):>6} {soft.score:>7.2f} "
            f"{soft.one_on_one_met:>4}/{soft.one_on_one_wanted:<4} "
            f"{soft.groups_fully_met:>4}/{soft.groups_total:<4} "
            f"{soft.other_meetings_placed:>4}/{soft.other_meetings_wanted:<4} "
            f"{soft.teacher_load_min:>3}-{soft.teacher_load_max:<3} {schedule.status}"
        )

    print(
        f"{'scheduler':<16} {'time s':>8} {'hard':>6} {'soft':>7} {'1-on-1':>9} "
        f"{'groups 2x':>9} {'other':>9} {'load':>7} status"
    )
    print(row("CP-SAT (ours)", solved, cp_violations))
    print(row("greedy first-fit", greedy, greedy_violations))
    for violation in greedy_violations[:3]:
        print(f"  greedy violation: {violation}")
    for violation in cp_violations[:3]:
        print(f"  CP-SAT violation: {violation}")

    figures = {
        "group_ms_p50": round(statistics.median(group_ms), 3),
        "group_ms_max": round(max(group_ms), 3),
        "week_solve_s": round(solved.solve_seconds, 3),
        "hard_violations": len(cp_violations),
        "soft_score": solved.soft.score if solved.soft else 0.0,
        "greedy_hard_violations": len(greedy_violations),
        "greedy_soft_score": greedy.soft.score if greedy.soft else 0.0,
    }
    print(json.dumps(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
