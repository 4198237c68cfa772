"""Every read of the instruction area: permission checks, and the database rows the grouping
and scheduling engines take (their answers read back for pages and calendars).

**Permission-checked reads.** Every page and API endpoint of Today, schedules and school set-up
gets its object here; a missing and a forbidden object both raise
:class:`~trellis.accounts.permissions.NotFound`.

- a class's Today page: its teachers, its school's administrators, the district administrators
  (:func:`trellis.roster.queries.access_class`);
- a student's week: the student, their guardians, their teachers, their school's and
  district's administrators (:func:`trellis.accounts.queries.access_student`);
- a teacher's week: the teacher, their coach, their school's and district's administrators
  (:func:`trellis.accounts.queries.access_staff_member`);
- a school's set-up and solved week: its school administrators and the district
  administrators (:func:`trellis.accounts.queries.access_school`).

**Rows → engines.** The engines are pure Python; the functions below know both sides (and
write nothing: the writes are :mod:`trellis.instruction.actions`):

- :func:`next_steps` — each student's next standard (the first step of their plan), from
  :func:`trellis.plans.adapters.class_plans`, the one seam to the plans area.
- :func:`class_today` — a class's groups, one-on-one flags and independent work for today, with
  the teacher's persisted :class:`~trellis.instruction.models.GroupOverride` rows replayed. The
  class's learners are :func:`trellis.roster.queries.class_learners` (enrolled as students and
  holding a student account: the people with plans).
- :func:`school_week` — the scheduling problem of a school's week (bells, teachers, rooms,
  availability, every class's groups and one-on-ones, fixed blocks).
- :func:`latest_week` / :func:`week_grid` / :func:`entries_for_ics` — a saved
  :class:`~trellis.instruction.models.WeeklySchedule` read back for pages and calendars.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from trellis.accounts.models import School, User
from trellis.accounts.queries import access_school, access_staff_member, access_student
from trellis.content.models import Playlist
from trellis.engine.grouping import (
    DissolveGroup,
    EvidenceSummary,
    GroupingPolicy,
    GroupingResult,
    MoveStudent,
    Override,
    PinGroup,
    StudentSnapshot,
    suggest_groups,
)
from trellis.engine.scheduling import (
    KIND_WORDS,
    PeriodTime,
    SchoolWeek,
    SessionKind,
    SessionRequest,
    WeekEntry,
    requests_for_section,
)
from trellis.engine.scheduling import (
    BellSchedule as EngineBell,
)
from trellis.engine.scheduling import (
    Room as EngineRoom,
)
from trellis.engine.scheduling import (
    Student as EngineStudent,
)
from trellis.engine.scheduling import (
    Teacher as EngineTeacher,
)
from trellis.instruction.models import (
    DAY_NAMES,
    BellSchedule,
    FixedBlock,
    GroupOverride,
    Period,
    Room,
    StudentAvailability,
    TeacherAvailability,
    WeeklySchedule,
)
from trellis.learning.models import EvidenceEvent, MasteryState
from trellis.plans.adapters import class_plans
from trellis.roster.models import Class, Enrollment
from trellis.roster.queries import access_class, class_learners

# A student with no evidence yet on their next standard is grouped as a beginner.
NO_EVIDENCE_ABILITY = 0.3
EVIDENCE_WINDOW_DAYS = 7
DIAGNOSTIC_LOOKBACK_DAYS = 60
GROUP_MEETINGS_PER_WEEK = 2
INDEPENDENT_BLOCKS_PER_WEEK = 2


class SetupIncomplete(Exception):
    """The school lacks what a week needs (no periods...); the message says what to add."""


# -- permission-checked reads -------------------------------------------------------------------


def access_today_class(user: User, class_id: int) -> Class:
    return access_class(user, class_id)


def access_student_week(user: User, student_id: int) -> User:
    return access_student(user, student_id)


def access_teacher_week(user: User, staff_id: int) -> User:
    return access_staff_member(user, staff_id)


def access_setup_school(user: User, school_id: int) -> School:
    return access_school(user, school_id)


# -- next standards ------------------------------------------------------------------------------


@dataclass(frozen=True)
class NextStep:
    """A student's next standard, as the plan says."""

    code: str
    label: str
    probability: float | None
    target_date: dt.date | None = None
    mode: str | None = None  # the plan's mode of instruction for the step


def next_steps(students: Sequence[User], district_id: int) -> dict[int, NextStep | None]:
    """Each student's next standard: the first step of their plan (None: nothing planned)."""
    if not students:
        return {}
    _context, plans = class_plans(list(students), district_id)
    found: dict[int, NextStep | None] = {student.id: None for student in students}
    for student_plan in plans:
        steps = [s for s in student_plan.plan.steps if s.state == "ready"]
        if steps:
            step = steps[0]
            found[student_plan.student.id] = NextStep(
                step.code, step.label, step.probability, step.target_date, step.mode
            )
    return found


# -- a class today -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SuggestedActivity:
    title: str
    url_name: str  # "playlist-detail" or "practice", or "" when there is nothing to open
    object_id: int | None


@dataclass
class ClassToday:
    """Everything the Today page shows for one class."""

    klass: Class
    students: dict[str, User]
    snapshots: list[StudentSnapshot]
    result: GroupingResult
    labels: dict[str, str]
    activities: dict[str, SuggestedActivity] = field(default_factory=dict)
    overrides: list[GroupOverride] = field(default_factory=list)
    steps: dict[str, NextStep | None] = field(default_factory=dict)

    def name(self, student_id: str) -> str:
        student = self.students.get(student_id)
        return student.display_name if student else student_id


_MATH = re.compile(r"math|algebra|geometry|calculus|statistic", re.IGNORECASE)


def follows_the_map(klass: Class) -> bool:
    """Whether a class teaches what the plans walk (mathematics, the district's map): only
    such classes are grouped by next standard. Art is not grouped by fractions."""
    subjects = [*(klass.subjects or []), *(klass.course.subjects or [])]
    if any(_MATH.search(str(subject)) for subject in subjects):
        return True
    return bool(_MATH.search(klass.title) or _MATH.search(klass.course.title))


def class_teacher(klass: Class) -> User | None:
    return (
        User.objects.filter(enrollments__klass=klass, enrollments__role=Enrollment.Role.TEACHER)
        .order_by("-enrollments__primary", "last_name", "id")
        .first()
    )


def engine_overrides(rows: Iterable[GroupOverride]) -> list[Override]:
    overrides: list[Override] = []
    for row in rows:
        if row.kind == GroupOverride.Kind.MOVE and row.student_id is not None:
            overrides.append(MoveStudent(str(row.student_id), row.group_id))
        elif row.kind == GroupOverride.Kind.DISSOLVE:
            overrides.append(DissolveGroup(row.group_id))
        elif row.kind == GroupOverride.Kind.PIN:
            overrides.append(PinGroup(row.group_id, tuple(str(s) for s in row.student_ids)))
    return overrides


def recent_evidence(
    students: Sequence[User], steps: Mapping[int, NextStep | None], today: dt.date,
    district_id: int,
) -> dict[int, EvidenceSummary]:
    """Each student's recent evidence on their next standard, in the grouping's terms, read
    for the whole class in three queries (not three per student).

    ``mastery_change`` is the learner model's last move on the standard when that evidence is
    inside the window (the model keeps no history of probabilities); failures with no upward
    move read as *stuck*.
    """
    now = timezone.now()
    since = now - dt.timedelta(days=EVIDENCE_WINDOW_DAYS)
    gap_since = now - dt.timedelta(days=DIAGNOSTIC_LOOKBACK_DAYS)
    ids = [student.id for student in students]
    step_code = {sid: step.code for sid, step in steps.items() if step is not None}
    codes = {step_code[sid] for sid in ids if sid in step_code}

    outcomes: dict[int, list[bool]] = defaultdict(list)
    changes: dict[int, float] = {}
    if codes:
        scored = EvidenceEvent.objects.filter(
            student_id__in=ids, district_id=district_id, standards__code__in=codes,
            occurred_at__gte=since, correct__isnull=False,
        ).values_list("student_id", "standards__code", "correct")
        for student_id, code, correct in scored:
            if step_code.get(student_id) == code:
                outcomes[student_id].append(bool(correct))
        states = (
            MasteryState.objects.filter(student_id__in=ids, standard__code__in=codes)
            .order_by("pk")
            .values_list("student_id", "standard__code", "last_change",
                         "last_evidence__occurred_at")
        )
        for student_id, code, last_change, last_at in states:
            if step_code.get(student_id) != code or student_id in changes:
                continue  # the first state on the step's code counts, as before
            changes[student_id] = (
                last_change if last_at is not None and last_at >= since else 0.0)
    gaps: dict[int, set[str]] = defaultdict(set)
    diagnosed = EvidenceEvent.objects.filter(
        student_id__in=ids, district_id=district_id, kind=EvidenceEvent.Kind.DIAGNOSTIC,
        correct=False, occurred_at__gte=gap_since,
    ).values_list("student_id", "standards__code")
    for student_id, code in diagnosed:
        if code and code != step_code.get(student_id, ""):
            gaps[student_id].add(code)

    found: dict[int, EvidenceSummary] = {}
    for student in students:
        step = steps.get(student.id)
        days_behind = 0.0
        if step is not None and step.target_date is not None and step.target_date < today:
            days_behind = float((today - step.target_date).days)
        mine = outcomes.get(student.id, [])
        found[student.id] = EvidenceSummary(
            recent_attempts=len(mine), recent_failures=sum(1 for ok in mine if not ok),
            mastery_change=changes.get(student.id, 0.0),
            window_days=EVIDENCE_WINDOW_DAYS, days_behind_pace=days_behind,
            diagnostic_gaps=tuple(sorted(gaps.get(student.id, set()))[:5]),
        )
    return found


def snapshots_for(
    students: Sequence[User], steps: Mapping[int, NextStep | None], district_id: int
) -> tuple[list[StudentSnapshot], dict[str, str]]:
    today = timezone.localdate()
    evidence = recent_evidence(students, steps, today, district_id)
    labels: dict[str, str] = {}
    snapshots = []
    for student in students:
        step = steps.get(student.id)
        if step is not None and step.label:
            labels[step.code] = step.label
        ability = NO_EVIDENCE_ABILITY
        if step is not None and step.probability is not None:
            ability = float(step.probability)
        snapshots.append(
            StudentSnapshot(
                student_id=str(student.id), name=student.display_name,
                next_standard=step.code if step else None, ability=ability,
                evidence=evidence[student.id],
            )
        )
    return snapshots, labels


def suggested_activities(district_id: int, codes: Iterable[str]) -> dict[str, SuggestedActivity]:
    """Per standard: the first activity of its playlist, else its practice page."""
    from trellis.frameworks.models import Standard

    wanted = set(codes)
    found: dict[str, SuggestedActivity] = {}
    playlists = (
        Playlist.objects.filter(district_id=district_id, standard__code__in=wanted)
        .select_related("standard")
        .prefetch_related("entries__activity")
        .order_by("id")
    )
    for playlist in playlists:
        code = playlist.standard.code
        if code in found:
            continue
        entries = sorted(playlist.entries.all(), key=lambda e: e.position)
        title = entries[0].activity.title if entries else playlist.title
        found[code] = SuggestedActivity(f"{title} (playlist “{playlist.title}”)",
                                        "playlist-detail", playlist.id)
    standards = Standard.objects.filter(
        framework__district_id=district_id, code__in=wanted - set(found)
    ).order_by("id")
    for standard in standards:
        found.setdefault(standard.code, SuggestedActivity(f"Practice {standard.code}", "practice",
                                                          standard.id))
    for code in wanted - set(found):
        found[code] = SuggestedActivity(f"Practice {code}", "", None)
    return found


def _overrides_of(klass: Class) -> list[GroupOverride]:
    return list(GroupOverride.objects.filter(klass=klass, active=True).order_by("id"))


def group_classes(
    classes: Sequence[Class], district_id: int, policy: GroupingPolicy | None = None
) -> dict[int, ClassToday]:
    """Today's grouping of several classes, planning each student once."""
    rosters = {klass.id: list(class_learners(klass)) for klass in classes}
    everyone = {s.id: s for roster in rosters.values() for s in roster}
    steps = next_steps(list(everyone.values()), district_id)
    snapshots_all, labels = snapshots_for(list(everyone.values()), steps, district_id)
    by_id = {snap.student_id: snap for snap in snapshots_all}
    found: dict[int, ClassToday] = {}
    for klass in classes:
        roster = rosters[klass.id]
        snapshots = [by_id[str(s.id)] for s in roster]
        overrides = _overrides_of(klass)
        result = suggest_groups(snapshots, policy, engine_overrides(overrides), labels)
        found[klass.id] = ClassToday(
            klass=klass, students={str(s.id): s for s in roster}, snapshots=snapshots,
            result=result, labels=labels, overrides=overrides,
            steps={str(s.id): steps.get(s.id) for s in roster},
        )
    return found


def class_today(klass: Class, policy: GroupingPolicy | None = None) -> ClassToday:
    today = group_classes([klass], klass.district_id, policy)[klass.id]
    codes = {group.standard for group in today.result.groups}
    today.activities = suggested_activities(klass.district_id, codes)
    return today


# -- a school's week -----------------------------------------------------------------------------


def week_start(today: dt.date | None = None) -> dt.date:
    """Monday of this school week (next week's Monday on a weekend)."""
    today = today or timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    return monday + dt.timedelta(days=7) if today.weekday() >= 5 else monday


def bell_of(school: School) -> tuple[BellSchedule | None, list[Period]]:
    bell = BellSchedule.objects.filter(school=school).first()
    return bell, list(Period.objects.filter(school=school).order_by("start", "id"))


def _slots(
    rows: Iterable[TeacherAvailability | StudentAvailability], days: int,
    period_index: Mapping[int, int], key: str,
) -> dict[int, set[tuple[int, int]]]:
    busy: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for row in rows:
        person = getattr(row, key)
        if row.day >= days:
            continue
        if row.period_id is None:
            busy[person].update((row.day, p) for p in period_index.values())
        elif row.period_id in period_index:
            busy[person].add((row.day, period_index[row.period_id]))
    return busy


@dataclass
class WeekInputs:
    problem: SchoolWeek
    timezone: str
    class_of_request: dict[str, int]


def _teacher_sessions(
    section: str, klass: Class, today: ClassToday, teacher_id: str
) -> list[SessionRequest]:
    """Students not in a group whose plan says their step needs a teacher (nothing they can do
    alone is aligned to it yet) meet the teacher online, by standard, once a week."""
    waiting: dict[str, list[str]] = defaultdict(list)
    for item in today.result.independent:
        step = today.steps.get(item.student_id)
        if step is not None and step.mode == "teacher_session":
            waiting[step.code].append(item.student_id)
    return [
        SessionRequest(
            f"{section}/online/{code}", SessionKind.ONLINE_WITH_TEACHER,
            f"{klass.title}: online session on {code}", tuple(ids), (teacher_id,),
            needs_room=False, per_week=1, min_per_week=0,
        )
        for code, ids in sorted(waiting.items())
    ]


def school_week(school: School, report: Any = None) -> WeekInputs:
    """The scheduling problem of ``school``'s week; :class:`SetupIncomplete` says what is
    missing."""
    bell_row, periods = bell_of(school)
    if not periods:
        raise SetupIncomplete(
            f"{school.name} has no bell periods yet: a school administrator adds them on the "
            f"School setup page."
        )
    if not any(not p.after_school for p in periods):
        raise SetupIncomplete(
            f"{school.name} has only after-school periods: add the school day's periods."
        )
    days = bell_row.day_names if bell_row else list(DAY_NAMES[:5])
    tz = bell_row.timezone if bell_row else "America/Chicago"
    bell = EngineBell(
        tuple(PeriodTime(p.name, p.start, p.end, p.after_school) for p in periods), tuple(days)
    )
    period_index = {p.id: i for i, p in enumerate(periods)}

    classes = [
        klass
        for klass in Class.objects.filter(school=school).select_related("course")
        .order_by("title", "id")
        if follows_the_map(klass)
    ]
    teachers_of: dict[int, User] = {}
    for klass in classes:
        teacher = class_teacher(klass)
        if teacher is not None:
            teachers_of[klass.id] = teacher
    taught = [klass for klass in classes if klass.id in teachers_of]
    if report:
        report(0.1, f"Grouping {len(taught)} classes…")
    todays = group_classes(taught, school.district_id)

    blocks = list(
        FixedBlock.objects.filter(school=school).select_related("teacher", "room")
        # people the roster deactivated keep their history but get no place in the week
        .prefetch_related(Prefetch("students", queryset=User.objects.filter(
            deactivated_at__isnull=True)))
    )
    students: dict[int, User] = {}
    for today in todays.values():
        students.update({s.id: s for s in today.students.values()})
    teachers: dict[int, User] = {t.id: t for t in teachers_of.values()}
    for block in blocks:
        students.update({s.id: s for s in block.students.all()})
        if block.teacher is not None:
            teachers[block.teacher.id] = block.teacher

    teacher_busy = _slots(
        TeacherAvailability.objects.filter(school=school), len(days), period_index, "teacher_id"
    )
    student_busy = _slots(
        StudentAvailability.objects.filter(school=school), len(days), period_index, "student_id"
    )
    rooms = [
        EngineRoom(str(r.id), r.name, r.capacity)
        for r in Room.objects.filter(school=school).order_by("name")
    ]
    requests: list[SessionRequest] = []
    class_of_request: dict[str, int] = {}
    for klass in taught:
        today = todays[klass.id]
        if not today.students:
            continue
        section = f"class-{klass.id}"
        teacher_id = str(teachers_of[klass.id].id)
        made = requests_for_section(
            section, today.result, teacher_id, group_per_week=GROUP_MEETINGS_PER_WEEK
        )
        for request in made:
            if request.kind is SessionKind.SMALL_GROUP:
                title = f"{klass.title}: small group {request.title.removeprefix('Small group: ')}"
            else:
                who = today.name(request.student_ids[0])
                title = f"{klass.title}: one-on-one with {who}"
            requests.append(dataclasses.replace(request, title=title))
        requests += _teacher_sessions(section, klass, today, teacher_id)
        requests.append(
            SessionRequest(
                f"{section}/independent", SessionKind.INDEPENDENT,
                f"{klass.title}: independent playlist time",
                tuple(today.students), needs_room=False,
                per_week=INDEPENDENT_BLOCKS_PER_WEEK, min_per_week=0,
            )
        )
    for request in requests:
        class_of_request[request.request_id] = int(request.request_id.split("/")[0][6:])
    for block in blocks:
        member_ids = tuple(str(s.id) for s in block.students.all())
        slots = tuple(
            (int(day), period_index[int(pid)])
            for day, pid in block.slots
            if int(pid) in period_index and int(day) < len(days)
        )
        if not member_ids or not slots:
            continue
        requests.append(
            SessionRequest(
                f"block-{block.id}", SessionKind(block.kind), block.title, member_ids,
                (str(block.teacher_id),) if block.teacher_id else (),
                needs_room=block.room_id is not None,
                fixed_slots=slots,
                fixed_room_id=str(block.room_id) if block.room_id else None,
            )
        )
    problem = SchoolWeek(
        bell=bell,
        teachers=tuple(
            EngineTeacher(str(t.id), t.display_name, frozenset(teacher_busy.get(t.id, ())))
            for t in sorted(teachers.values(), key=lambda t: t.id)
        ),
        rooms=tuple(rooms),
        students=tuple(
            EngineStudent(str(s.id), s.display_name, frozenset(student_busy.get(s.id, ())))
            for s in sorted(students.values(), key=lambda s: s.id)
        ),
        requests=tuple(requests),
    )
    return WeekInputs(problem, tz, class_of_request)


def week_result(inputs: WeekInputs, meetings: Iterable[Any]) -> dict[str, Any]:
    """The JSON stored in :attr:`WeeklySchedule.result`: self-contained for pages and .ics."""
    problem = inputs.problem
    rows = []
    for meeting in meetings:
        request = problem.request_by_id[meeting.request_id]
        teacher = problem.teacher_by_id[meeting.teacher_id] if meeting.teacher_id else None
        room = problem.room_by_id[meeting.room_id] if meeting.room_id else None
        rows.append({
            "request_id": request.request_id,
            "kind": str(request.kind),
            "title": request.title,
            "day": meeting.slot[0],
            "period": meeting.slot[1],
            "teacher_id": int(teacher.teacher_id) if teacher else None,
            "teacher": teacher.name if teacher else None,
            "room": room.name if room else None,
            "student_ids": [int(s) for s in request.student_ids],
            "students": [problem.student_by_id[s].name for s in request.student_ids],
            "class_id": inputs.class_of_request.get(request.request_id),
        })
    rows.sort(key=lambda r: (r["day"], r["period"], r["request_id"]))
    return {
        "days": list(problem.bell.days),
        "periods": [
            {"name": p.name, "start": p.start.isoformat(timespec="minutes"),
             "end": p.end.isoformat(timespec="minutes"), "after_school": p.after_school}
            for p in problem.bell.periods
        ],
        "timezone": inputs.timezone,
        "meetings": rows,
    }


# -- a stored week, read back --------------------------------------------------------------------


def latest_week(school_id: int | None) -> WeeklySchedule | None:
    if school_id is None:
        return None
    return WeeklySchedule.objects.filter(school_id=school_id).order_by("-id").first()


def latest_ready_week(school_id: int | None) -> WeeklySchedule | None:
    if school_id is None:
        return None
    return (
        WeeklySchedule.objects.filter(school_id=school_id, status=WeeklySchedule.Status.READY)
        .order_by("-id")
        .first()
    )


def school_of(person: User) -> int | None:
    """The school whose week holds ``person``: their primary school, else a class's."""
    if person.school_id is not None:
        return person.school_id
    return (
        Enrollment.objects.filter(user=person).order_by("id")
        .values_list("klass__school_id", flat=True).first()
    )


def meetings_of_student(week: WeeklySchedule, student_id: int) -> list[dict[str, Any]]:
    return [m for m in week.result.get("meetings", []) if student_id in m["student_ids"]]


def meetings_of_teacher(week: WeeklySchedule, teacher_id: int) -> list[dict[str, Any]]:
    return [m for m in week.result.get("meetings", []) if m["teacher_id"] == teacher_id]


def meetings_of_class(week: WeeklySchedule, class_id: int) -> list[dict[str, Any]]:
    return [m for m in week.result.get("meetings", []) if m.get("class_id") == class_id]


KIND_CLASS = {
    "one_on_one": "one-on-one", "small_group": "small-group", "independent": "independent",
    "online_with_teacher": "online", "extended_learning": "extended",
    "dual_enrollment": "dual",
}


def week_grid(week: WeeklySchedule, meetings: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Rows of periods × columns of days, each cell the meetings in it (for the template)."""
    days = week.result.get("days", [])
    periods = week.result.get("periods", [])
    cells: dict[tuple[int, int], list[dict[str, Any]]] = defaultdict(list)
    for meeting in meetings:
        shown = dict(meeting)
        shown["css"] = KIND_CLASS.get(meeting["kind"], "independent")
        shown["kind_words"] = KIND_WORDS[SessionKind(meeting["kind"])]
        cells[(meeting["day"], meeting["period"])].append(shown)
    dates = [week.week_start + dt.timedelta(days=i) for i in range(len(days))]
    rows = [
        {"period": period, "cells": [cells.get((d, p), []) for d in range(len(days))]}
        for p, period in enumerate(periods)
    ]
    return {"days": list(zip(days, dates, strict=True)), "rows": rows, "count": len(meetings)}


def entries_for_ics(week: WeeklySchedule, meetings: Sequence[dict[str, Any]]) -> list[WeekEntry]:
    days = week.result.get("days", [])
    periods = week.result.get("periods", [])
    entries = []
    for meeting in meetings:
        period = periods[meeting["period"]]
        entries.append(
            WeekEntry(
                slot=(meeting["day"], meeting["period"]), day=days[meeting["day"]],
                period=period["name"], start=dt.time.fromisoformat(period["start"]),
                end=dt.time.fromisoformat(period["end"]), title=meeting["title"],
                kind=SessionKind(meeting["kind"]), request_id=meeting["request_id"],
                teacher=meeting["teacher"], room=meeting["room"],
                with_students=tuple(meeting["students"]),
            )
        )
    return entries
