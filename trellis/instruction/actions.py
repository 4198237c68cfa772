"""Every write of the instruction area: group overrides, school set-up, solving a week.

Each ``do_*`` runs in one transaction and records an audit event. Callers have already checked
permissions through :mod:`trellis.instruction.queries`, which also builds what the engines
solve. Bad input raises :class:`SetupError` with a message for people, and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from trellis.accounts.models import Role, School, User
from trellis.audit.actions import record
from trellis.core.jobs import start_job
from trellis.engine.scheduling import solve_week, validate_schedule
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
from trellis.instruction.queries import (
    SetupIncomplete,
    school_week,
    week_result,
    week_start,
)
from trellis.roster.models import Class, Enrollment

logger = logging.getLogger(__name__)


class SetupError(ValueError):
    """A request that cannot be applied; the message says why, in words."""


# -- group overrides -----------------------------------------------------------------------------


def _is_student_of(klass: Class, student_id: int) -> bool:
    return Enrollment.objects.filter(
        klass=klass, user_id=student_id, role=Enrollment.Role.STUDENT
    ).exists()


@transaction.atomic
def do_move_student(actor: User, klass: Class, student_id: int, group_id: str) -> GroupOverride:
    if not _is_student_of(klass, student_id):
        raise SetupError("That student is not in this class.")
    if not group_id:
        raise SetupError("Choose a group to move the student to.")
    # A newer move of the same student replaces the older one.
    GroupOverride.objects.filter(
        klass=klass, kind=GroupOverride.Kind.MOVE, student_id=student_id, active=True
    ).update(active=False)
    override = GroupOverride.objects.create(
        district_id=klass.district_id, klass=klass, kind=GroupOverride.Kind.MOVE,
        group_id=group_id[:120], student_id=student_id, created_by=actor,
    )
    record(actor, "instruction.group.move", override, details={
        "class": klass.id, "student": student_id, "group": group_id})
    return override


@transaction.atomic
def do_dissolve_group(actor: User, klass: Class, group_id: str) -> GroupOverride:
    if not group_id:
        raise SetupError("Choose a group to dissolve.")
    override = GroupOverride.objects.create(
        district_id=klass.district_id, klass=klass, kind=GroupOverride.Kind.DISSOLVE,
        group_id=group_id[:120], created_by=actor,
    )
    record(actor, "instruction.group.dissolve", override, details={
        "class": klass.id, "group": group_id})
    return override


@transaction.atomic
def do_pin_group(actor: User, klass: Class, student_ids: Sequence[int]) -> GroupOverride:
    """Keep these students together as a teacher's group (a new id, kept across days)."""
    members = [sid for sid in dict.fromkeys(student_ids) if _is_student_of(klass, sid)]
    if len(members) < 2:
        raise SetupError("A group needs at least two students of this class.")
    count = GroupOverride.objects.filter(klass=klass, kind=GroupOverride.Kind.PIN).count()
    override = GroupOverride.objects.create(
        district_id=klass.district_id, klass=klass, kind=GroupOverride.Kind.PIN,
        group_id=f"Teacher group {count + 1}", student_ids=members, created_by=actor,
    )
    # Earlier moves of these students would pull them out again: the pin replaces them.
    GroupOverride.objects.filter(
        klass=klass, kind=GroupOverride.Kind.MOVE, student_id__in=members, active=True
    ).update(active=False)
    record(actor, "instruction.group.pin", override, details={
        "class": klass.id, "students": members})
    return override


@transaction.atomic
def do_reset_overrides(actor: User, klass: Class) -> int:
    changed = GroupOverride.objects.filter(klass=klass, active=True).update(active=False)
    record(actor, "instruction.group.reset", klass, details={"overrides": changed})
    return changed


# -- solving a week ------------------------------------------------------------------------------


def solve_time_limit() -> float:
    return float(settings.SCHEDULE_TIME_LIMIT_S)


# A school this small solves in well under a second: do it in the request (still as a job,
# so it has the same record); larger schools solve in the background while pages poll.
INLINE_STUDENT_LIMIT = 80
KEEP_WEEKS = 10


def do_solve_week(
    actor: User | None, school: School, *, inline: bool | None = None,
    time_limit_s: float | None = None, details: Mapping[str, Any] | None = None,
) -> WeeklySchedule:
    """Re-solve the school's week as a job (in the background for a large school).

    Audited twice: ``instruction.schedule.solve`` when it is asked for (``actor``: who asked;
    ``None`` for the system — the command line without ``--as``, the demo — with ``details``
    such as ``{"via": "cli", ...}``), and ``instruction.schedule.solved`` with the outcome when
    the week is stored (ready, infeasible or failed)."""
    if inline is None:
        students = school_people(school, Role.STUDENT).count()
        inline = True if students <= INLINE_STUDENT_LIMIT else None  # None: the env decides
    extra = dict(details or {})
    with transaction.atomic():
        week = WeeklySchedule.objects.create(
            district_id=school.district_id, school=school, week_start=week_start(),
            requested_by=actor,
        )
        # Every change re-solves: keep the latest few weeks of a school, not every attempt.
        stale = WeeklySchedule.objects.filter(school=school).order_by("-id")[KEEP_WEEKS:]
        WeeklySchedule.objects.filter(id__in=[row.id for row in stale]).delete()
        record(actor, "instruction.schedule.solve", school, district=school.district,
               details={"weekly_schedule": week.id, **extra})

    def work(report: Any) -> dict[str, Any]:
        try:
            return solve_into(week.id, report, time_limit_s=time_limit_s, details=extra)
        except Exception as exc:
            # The job records the error; the week must not look "solving" forever.
            with transaction.atomic():
                WeeklySchedule.objects.filter(id=week.id).update(
                    status=WeeklySchedule.Status.FAILED)
                record(actor, "instruction.schedule.solved", school, district=school.district,
                       details={"weekly_schedule": week.id, "status": "failed",
                                "error": type(exc).__name__, **extra})
            raise

    job = start_job(
        "schedule", f"Weekly schedule of {school.name}", work, district=school.district,
        user=actor, result_url=reverse("schedule-school", args=[school.id]), inline=inline,
    )
    WeeklySchedule.objects.filter(id=week.id).update(job=job)
    week.refresh_from_db()
    return week


def solve_into(
    week_id: int, report: Any = None, *, time_limit_s: float | None = None,
    details: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Build and solve the week of the row ``week_id`` and store the answer in it (audited
    as ``instruction.schedule.solved``, by whoever asked for the week, with ``details``)."""
    week = WeeklySchedule.objects.select_related("school__district", "requested_by").get(
        id=week_id)
    extra = dict(details or {})
    try:
        inputs = school_week(week.school, report)
    except SetupIncomplete as exc:
        _finish(week, WeeklySchedule.Status.INFEASIBLE, problems=[str(exc)], details=extra)
        return {"status": "infeasible"}
    except ValueError as exc:  # the engine refused the problem: say so in words
        _finish(week, WeeklySchedule.Status.INFEASIBLE, problems=[str(exc)], details=extra)
        return {"status": "infeasible"}
    if report:
        report(0.3, f"Solving the week: {len(inputs.problem.requests)} sessions to place…")
    limit = time_limit_s if time_limit_s is not None else solve_time_limit()
    schedule = solve_week(inputs.problem, time_limit_s=limit, num_workers=1, seed=0)
    if not schedule.feasible:
        _finish(week, WeeklySchedule.Status.INFEASIBLE, problems=list(schedule.problems),
                seconds=schedule.solve_seconds, details=extra)
        return {"status": "infeasible"}
    if report:
        report(0.9, "Checking the week against every rule…")
    violations = validate_schedule(inputs.problem, schedule)
    soft = schedule.soft
    _finish(
        week, WeeklySchedule.Status.READY, result=week_result(inputs, schedule.meetings),
        violations=violations, seconds=schedule.solve_seconds,
        soft=(
            {
                "score": soft.score, "one_on_one_met": soft.one_on_one_met,
                "one_on_one_wanted": soft.one_on_one_wanted,
                "groups_fully_met": soft.groups_fully_met, "groups_total": soft.groups_total,
                "other_meetings_placed": soft.other_meetings_placed,
                "other_meetings_wanted": soft.other_meetings_wanted,
                "teacher_load_min": soft.teacher_load_min,
                "teacher_load_max": soft.teacher_load_max, "unmet": list(soft.unmet),
            }
            if soft else {}
        ),
        details=extra,
    )
    return {"status": "ready", "meetings": len(schedule.meetings), "violations": len(violations)}


def _finish(week: WeeklySchedule, status: str, *, result: dict[str, Any] | None = None,
            problems: list[str] | None = None, violations: list[str] | None = None,
            soft: dict[str, Any] | None = None, seconds: float = 0.0,
            details: Mapping[str, Any] | None = None) -> None:
    with transaction.atomic():
        WeeklySchedule.objects.filter(id=week.id).update(
            status=status, result=result or {}, problems=problems or [],
            violations=violations or [], soft=soft or {},
            soft_score=(soft or {}).get("score"), solve_seconds=round(seconds, 3),
        )
        record(week.requested_by, "instruction.schedule.solved", week.school,
               district=week.school.district, details={
                   "weekly_schedule": week.id, "status": status,
                   "meetings": len((result or {}).get("meetings", [])),
                   "problems": len(problems or []), "violations": len(violations or []),
                   "score": (soft or {}).get("score"), **(details or {})})


def record_calendar_export(actor: User | None, person: User, week: WeeklySchedule) -> None:
    record(actor, "instruction.schedule.export_ics", person, details={
        "weekly_schedule": week.id, "format": "text/calendar"})


# -- school set-up -------------------------------------------------------------------------------


@transaction.atomic
def do_save_bell(actor: User, school: School, days: Sequence[str], tz: str) -> BellSchedule:
    chosen = [d for d in DAY_NAMES if d in set(days)]
    if not chosen:
        raise SetupError("Choose at least one school day.")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise SetupError(
            f"“{tz}” is not a time zone name; use one like America/Chicago."
        ) from None
    bell, _ = BellSchedule.objects.update_or_create(
        school=school, defaults={"district_id": school.district_id, "days": chosen,
                                 "timezone": tz},
    )
    record(actor, "instruction.setup.bell", school, details={"days": chosen, "timezone": tz})
    return bell


@transaction.atomic
def do_add_period(actor: User, school: School, name: str, start: dt.time, end: dt.time,
                  after_school: bool = False) -> Period:
    name = name.strip()
    if not name:
        raise SetupError("Give the period a name, e.g. P1.")
    if start >= end:
        raise SetupError(f"Period {name}: the start ({start:%H:%M}) must be before the end "
                         f"({end:%H:%M}).")
    for other in Period.objects.filter(school=school):
        if start < other.end and other.start < end:
            raise SetupError(
                f"Period {name} ({start:%H:%M}–{end:%H:%M}) overlaps {other.name} "
                f"({other.start:%H:%M}–{other.end:%H:%M})."
            )
    try:
        with transaction.atomic():
            period = Period.objects.create(
                district_id=school.district_id, school=school, name=name, start=start, end=end,
                after_school=after_school,
            )
    except IntegrityError:
        raise SetupError(f"{school.name} already has a period called {name}.") from None
    record(actor, "instruction.setup.period", period, district=school.district)
    return period


@transaction.atomic
def do_add_room(actor: User, school: School, name: str, capacity: int) -> Room:
    name = name.strip()
    if not name:
        raise SetupError("Give the room a name.")
    if capacity < 1:
        raise SetupError(f"Room {name}: capacity must be at least 1 student.")
    try:
        with transaction.atomic():
            room = Room.objects.create(district_id=school.district_id, school=school, name=name,
                                       capacity=capacity)
    except IntegrityError:
        raise SetupError(f"{school.name} already has a room called {name}.") from None
    record(actor, "instruction.setup.room", room, district=school.district)
    return room


def school_people(school: School, role: str) -> Any:
    """Teachers or students of ``school``: their primary school, or a class there."""
    from django.db.models import Q

    return User.objects.filter(
        Q(school=school) | Q(enrollments__klass__school=school),
        district_id=school.district_id, role=role,
    ).distinct().order_by("last_name", "first_name", "id")


def _period_of(school: School, period_id: int | None) -> Period | None:
    if period_id is None:
        return None
    period = Period.objects.filter(school=school, id=period_id).first()
    if period is None:
        raise SetupError("That period is not one of this school's periods.")
    return period


def _day(school: School, day: int) -> int:
    bell = BellSchedule.objects.filter(school=school).first()
    days = bell.day_names if bell else list(DAY_NAMES[:5])
    if not 0 <= day < len(days):
        raise SetupError("Choose one of the school's days.")
    return day


@transaction.atomic
def do_add_unavailability(actor: User, school: School, person_id: int, day: int,
                          period_id: int | None, note: str = "") -> Any:
    person = school_people(school, Role.TEACHER).filter(id=person_id).first()
    model: Any = TeacherAvailability
    key = "teacher"
    if person is None:
        person = school_people(school, Role.STUDENT).filter(id=person_id).first()
        model, key = StudentAvailability, "student"
    if person is None:
        raise SetupError("Choose a teacher or student of this school.")
    row = model.objects.create(
        district_id=school.district_id, school=school, day=_day(school, day),
        period=_period_of(school, period_id), note=note.strip()[:200], **{key: person},
    )
    record(actor, f"instruction.setup.{key}_unavailable", person,
           details={"day": day, "period": period_id, "note": row.note})
    return row


@transaction.atomic
def do_add_fixed_block(actor: User, school: School, *, kind: str, title: str,
                       student_ids: Sequence[int], teacher_id: int | None, room_id: int | None,
                       slots: Sequence[tuple[int, int]]) -> FixedBlock:
    title = title.strip()
    if kind not in FixedBlock.Kind.values:
        raise SetupError("Choose what kind of block this is.")
    if not title:
        raise SetupError("Give the block a title, e.g. Robotics club.")
    students = list(school_people(school, Role.STUDENT).filter(id__in=student_ids))
    if not students:
        raise SetupError("Choose at least one student of this school.")
    teacher = None
    if teacher_id is not None:
        teacher = school_people(school, Role.TEACHER).filter(id=teacher_id).first()
        if teacher is None:
            raise SetupError("That teacher does not work at this school.")
    room = None
    if room_id is not None:
        room = Room.objects.filter(school=school, id=room_id).first()
        if room is None:
            raise SetupError("That room is not one of this school's rooms.")
    if not slots:
        raise SetupError("Choose when the block meets (a day and a period).")
    checked = [[_day(school, day), _period_of(school, pid).id] for day, pid in slots]  # type: ignore[union-attr]
    block = FixedBlock.objects.create(
        district_id=school.district_id, school=school, kind=kind, title=title, teacher=teacher,
        room=room, slots=checked,
    )
    block.students.set(students)
    record(actor, "instruction.setup.fixed_block", block, district=school.district,
           details={"students": [s.id for s in students], "slots": checked})
    return block


SETUP_MODELS: dict[str, Any] = {
    "period": Period, "room": Room, "teacher_unavailable": TeacherAvailability,
    "student_unavailable": StudentAvailability, "fixed_block": FixedBlock,
}


@transaction.atomic
def do_delete_setup_item(actor: User, school: School, what: str, item_id: int) -> None:
    model = SETUP_MODELS.get(what)
    if model is None:
        raise SetupError("Nothing to remove.")
    item = model.objects.filter(school=school, id=item_id).first()
    if item is None:
        raise SetupError("That item was already removed.")
    label = str(item)
    item.delete()
    record(actor, f"instruction.setup.delete_{what}", school, details={"removed": label})
