"""Pages: a teacher's Today, weekly schedules (and their .ics files), school set-up.

- ``/today/`` and ``/today/<class>/`` — suggested small groups with their activity and
  rationale, the one-on-one list with reasons, independent work with reasons; students are
  dragged between groups (or moved with the select beside them), groups dissolved or kept
  together. Every change is a :class:`~trellis.instruction.models.GroupOverride` (audited) and
  re-solves the school's week as a background job; the week panel polls until it is ready.
- ``/schedule/`` — my week (student, teacher), my children's (guardian), schools' (admins);
  ``/schedule/students/<id>/`` and ``/schedule/staff/<id>/`` — a person's week as a grid of
  days × periods; ``.../week.ics`` — the same week as an iCalendar file (audited as an export);
  ``/schedule/schools/<id>/`` — the solved week of a school: score, checks, or why it cannot be
  built, in words.
- ``/school-setup/`` — periods, rooms, availability and fixed blocks of a school.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from trellis.accounts.models import Role, School, User
from trellis.accounts.permissions import schools_visible_to, staff_visible_to, students_visible_to
from trellis.engine.scheduling import week_to_ics
from trellis.instruction.actions import (
    SetupError,
    do_add_fixed_block,
    do_add_period,
    do_add_room,
    do_add_unavailability,
    do_delete_setup_item,
    do_dissolve_group,
    do_move_student,
    do_pin_group,
    do_reset_overrides,
    do_save_bell,
    do_solve_week,
    record_calendar_export,
    school_people,
)
from trellis.instruction.models import (
    DAY_NAMES,
    BellSchedule,
    FixedBlock,
    Period,
    Room,
    StudentAvailability,
    TeacherAvailability,
    WeeklySchedule,
)
from trellis.instruction.queries import (
    ClassToday,
    access_setup_school,
    access_student_week,
    access_teacher_week,
    access_today_class,
    class_today,
    entries_for_ics,
    follows_the_map,
    latest_ready_week,
    latest_week,
    meetings_of_class,
    meetings_of_student,
    meetings_of_teacher,
    school_of,
    week_grid,
    week_start,
)
from trellis.roster.permissions import classes_visible_to

FLAG_WORDS = {"stuck": "Stuck", "behind_pace": "Behind pace",
              "diagnostic_gaps": "Diagnostic gaps"}


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


# -- Today ---------------------------------------------------------------------------------------


@login_required
def today_home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    classes = classes_visible_to(user).select_related("school", "course").order_by(
        "school__name", "title")
    grouped = [klass for klass in classes[:500] if follows_the_map(klass)]
    return render(request, "instruction/today_home.html", {"classes": grouped})


_ID = re.compile(r"(?<![\w.#-])(\d+)(?![\w#]|\.\w)")


_GROUP_ID = re.compile(r"(?<![\w.])([A-Za-z0-9][\w.\-]*)#(\d+)")


def group_words(group_id: str, shown: dict[str, str] | None = None) -> str:
    """A group as the page names it: "Group 2 (7.NS.A.1)", or "the 7.NS.A.1 group"."""
    if shown and group_id in shown:
        return shown[group_id]
    match = _GROUP_ID.fullmatch(group_id)
    return f"the {match.group(1)} group" if match else f"“{group_id}”"


def _with_names(text: str, today: ClassToday, shown: dict[str, str] | None = None) -> str:
    """The engine speaks in student and group ids; the page speaks in names."""
    text = _GROUP_ID.sub(lambda m: group_words(m.group(0), shown), text)
    return _ID.sub(lambda m: today.name(m.group(1)) if m.group(1) in today.students
                   else m.group(1), text)


def _board_context(klass: Any) -> dict[str, Any]:
    today = class_today(klass)
    result = today.result
    shown = {group.group_id: f"group {number} ({group.standard})"
             for number, group in enumerate(result.groups, start=1)}
    groups = []
    for number, group in enumerate(result.groups, start=1):
        groups.append({
            "id": group.group_id,
            "number": number,
            "dom_id": f"group-{number}",
            "standard": group.standard,
            "label": today.labels.get(group.standard, ""),
            "members": [(sid, today.name(sid)) for sid in group.student_ids],
            "activity": group.activity,
            "suggestion": today.activities.get(group.standard),
            "rationale": _with_names(group.rationale, today, shown),
            "pinned": group.pinned,
            "ability": f"{group.ability_low:.2f}–{group.ability_high:.2f}",
        })
    one_on_one = [
        {"id": flag.student_id, "name": today.name(flag.student_id),
         "kinds": [FLAG_WORDS.get(str(kind), str(kind)) for kind in flag.kinds],
         "reasons": flag.reasons}
        for flag in result.one_on_one
    ]
    independent = [
        {"id": item.student_id, "name": today.name(item.student_id),
         "reason": _with_names(item.reason, today, shown),
         "standard": item.standard}
        for item in result.independent
    ]
    return {
        "klass": klass, "today": today, "groups": groups, "one_on_one": one_on_one,
        "independent": independent,
        "notes": [_with_names(note, today, shown) for note in result.notes],
        "group_choices": [(g["id"], f"Group {g['number']} · {g['standard']}") for g in groups],
        "override_count": len(today.overrides),
        "date": timezone.localdate(),
        **_week_panel_context(klass),
    }


def _week_panel_context(klass: Any) -> dict[str, Any]:
    latest = latest_week(klass.school_id)
    ready = latest_ready_week(klass.school_id)
    grid = week_grid(ready, meetings_of_class(ready, klass.id)) if ready else None
    return {"week": latest, "ready_week": ready, "grid": grid, "hide_teacher": None,
            "solving": bool(latest and latest.status == WeeklySchedule.Status.SOLVING)}


@login_required
def today_class(request: HttpRequest, class_id: int) -> HttpResponse:
    klass = access_today_class(_user(request), class_id)
    if not follows_the_map(klass):
        return render(request, "instruction/today_not_grouped.html", {"klass": klass})
    return render(request, "instruction/today.html", _board_context(klass))


@login_required
def today_week(request: HttpRequest, class_id: int) -> HttpResponse:
    """The week panel alone (htmx polls it while the week is being solved)."""
    klass = access_today_class(_user(request), class_id)
    return render(request, "instruction/week_panel.html", {"klass": klass,
                                                            **_week_panel_context(klass)})


def _after_change(request: HttpRequest, klass: Any, message: str) -> HttpResponse:
    """Re-solve the week in the background and show the new board."""
    do_solve_week(_user(request), klass.school)
    if request.htmx:  # type: ignore[attr-defined]
        context = _board_context(klass)
        context["flash"] = message
        return render(request, "instruction/today_board.html", context)
    messages.success(request, message)
    return redirect("today-class", class_id=klass.id)


def _refused(request: HttpRequest, klass: Any, error: SetupError) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        context = _board_context(klass)
        context["flash_error"] = str(error)
        return render(request, "instruction/today_board.html", context)
    messages.error(request, str(error))
    return redirect("today-class", class_id=klass.id)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
@require_POST
def today_move(request: HttpRequest, class_id: int) -> HttpResponse:
    user = _user(request)
    klass = access_today_class(user, class_id)
    student_id = _int(request.POST.get("student_id"))
    group_id = request.POST.get("group_id", "")
    try:
        if student_id is None:
            raise SetupError("Choose a student to move.")
        do_move_student(user, klass, student_id, group_id)
    except SetupError as error:
        return _refused(request, klass, error)
    name = User.objects.get(id=student_id).display_name
    return _after_change(request, klass, f"Moved {name} to {group_words(group_id)}.")


@login_required
@require_POST
def today_dissolve(request: HttpRequest, class_id: int) -> HttpResponse:
    user = _user(request)
    klass = access_today_class(user, class_id)
    group_id = request.POST.get("group_id", "")
    try:
        do_dissolve_group(user, klass, group_id)
    except SetupError as error:
        return _refused(request, klass, error)
    return _after_change(request, klass, f"Dissolved {group_words(group_id)}: its students "
                                         f"work independently today.")


@login_required
@require_POST
def today_pin(request: HttpRequest, class_id: int) -> HttpResponse:
    user = _user(request)
    klass = access_today_class(user, class_id)
    ids = [i for i in (_int(v) for v in request.POST.getlist("student_ids")) if i is not None]
    try:
        override = do_pin_group(user, klass, ids)
    except SetupError as error:
        return _refused(request, klass, error)
    return _after_change(request, klass, f"Kept together as “{override.group_id}”.")


@login_required
@require_POST
def today_reset(request: HttpRequest, class_id: int) -> HttpResponse:
    user = _user(request)
    klass = access_today_class(user, class_id)
    do_reset_overrides(user, klass)
    return _after_change(request, klass, "Your changes were undone: these are the suggested "
                                         "groups again.")


@login_required
@require_POST
def today_solve(request: HttpRequest, class_id: int) -> HttpResponse:
    user = _user(request)
    klass = access_today_class(user, class_id)
    do_solve_week(user, klass.school)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "instruction/week_panel.html",
                      {"klass": klass, **_week_panel_context(klass)})
    return redirect("today-class", class_id=klass.id)


# -- weekly schedules ----------------------------------------------------------------------------


def _person_week(person: User, meetings_of: Any) -> dict[str, Any]:
    school_id = school_of(person)
    latest = latest_week(school_id)
    ready = latest_ready_week(school_id)
    grid = week_grid(ready, meetings_of(ready, person.id)) if ready else None
    return {"person": person, "week": latest, "ready_week": ready, "grid": grid,
            "school": School.objects.filter(id=school_id).first() if school_id else None}


@login_required
def schedule_home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if user.role == Role.STUDENT:
        return schedule_student(request, user.id)
    if user.role == Role.TEACHER:
        return schedule_teacher(request, user.id)
    context: dict[str, Any] = {"children": [], "teachers": [], "schools": []}
    if user.role == Role.GUARDIAN:
        context["children"] = students_visible_to(user).order_by("first_name")
    elif user.role == Role.COACH:
        context["teachers"] = staff_visible_to(user).exclude(id=user.id)
    else:
        context["schools"] = schools_visible_to(user).order_by("name")
    return render(request, "instruction/schedule_home.html", context)


@login_required
def schedule_student(request: HttpRequest, student_id: int) -> HttpResponse:
    student = access_student_week(_user(request), student_id)
    context = _person_week(student, meetings_of_student)
    context["ics_url"] = reverse("schedule-student-ics", args=[student.id])
    context["is_self"] = student.id == request.user.id
    context["kind"] = "student"
    context["hide_teacher"] = None
    return render(request, "instruction/schedule_person.html", context)


@login_required
def schedule_teacher(request: HttpRequest, staff_id: int) -> HttpResponse:
    teacher = access_teacher_week(_user(request), staff_id)
    context = _person_week(teacher, meetings_of_teacher)
    context["ics_url"] = reverse("schedule-teacher-ics", args=[teacher.id])
    context["is_self"] = teacher.id == request.user.id
    context["kind"] = "teacher"
    context["hide_teacher"] = teacher.id  # "with <this teacher>" on every line says nothing
    return render(request, "instruction/schedule_person.html", context)


def _ics_response(request: HttpRequest, person: User, meetings_of: Any) -> HttpResponse:
    ready = latest_ready_week(school_of(person))
    entries = entries_for_ics(ready, meetings_of(ready, person.id)) if ready else []
    tz = ready.result.get("timezone", "UTC") if ready else "UTC"
    monday = ready.week_start if ready else week_start()
    text = week_to_ics(
        entries, monday, timezone=tz, calendar_name=f"{person.display_name} — Trellis week",
        owner_id=str(person.id), uid_domain=request.get_host().split(":")[0] or "trellis",
    )
    if ready is not None:
        record_calendar_export(_user(request), person, ready)
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    filename = f"trellis-week-{person.username}.ics"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def schedule_student_ics(request: HttpRequest, student_id: int) -> HttpResponse:
    student = access_student_week(_user(request), student_id)
    return _ics_response(request, student, meetings_of_student)


@login_required
def schedule_teacher_ics(request: HttpRequest, staff_id: int) -> HttpResponse:
    teacher = access_teacher_week(_user(request), staff_id)
    return _ics_response(request, teacher, meetings_of_teacher)


@login_required
def schedule_school(request: HttpRequest, school_id: int) -> HttpResponse:
    school = access_setup_school(_user(request), school_id)
    latest = latest_week(school.id)
    ready = latest_ready_week(school.id)
    teachers = []
    if ready is not None:
        counts: dict[int, int] = {}
        for meeting in ready.result.get("meetings", []):
            if meeting["teacher_id"] is not None:
                counts[meeting["teacher_id"]] = counts.get(meeting["teacher_id"], 0) + 1
        people = {u.id: u for u in User.objects.filter(id__in=counts)}
        teachers = sorted(
            ((people[i], n) for i, n in counts.items() if i in people),
            key=lambda pair: pair[0].last_name,
        )
    return render(request, "instruction/schedule_school.html", {
        "school": school, "week": latest, "ready_week": ready, "teachers": teachers,
        "solving": bool(latest and latest.status == WeeklySchedule.Status.SOLVING),
    })


@login_required
@require_POST
def schedule_solve(request: HttpRequest, school_id: int) -> HttpResponse:
    school = access_setup_school(_user(request), school_id)
    week = do_solve_week(_user(request), school)
    if week.status == WeeklySchedule.Status.SOLVING and week.job_id:
        return redirect("job-status", job_id=week.job_id)
    return redirect("schedule-school", school_id=school.id)


# -- school set-up -------------------------------------------------------------------------------


@login_required
def setup_home(request: HttpRequest) -> HttpResponse:
    schools = schools_visible_to(_user(request)).order_by("name")
    return render(request, "instruction/setup_home.html", {"schools": schools})


def _setup_context(school: School) -> dict[str, Any]:
    bell = BellSchedule.objects.filter(school=school).first()
    days = bell.day_names if bell else list(DAY_NAMES[:5])
    periods = list(Period.objects.filter(school=school).order_by("start"))
    return {
        "school": school,
        "bell": bell,
        "days": days,
        "day_choices": list(enumerate(days)),
        "all_days": DAY_NAMES,
        "timezone": bell.timezone if bell else "America/Chicago",
        "periods": periods,
        "rooms": Room.objects.filter(school=school).order_by("name"),
        "teacher_unavailable": TeacherAvailability.objects.filter(school=school)
        .select_related("teacher", "period"),
        "student_unavailable": StudentAvailability.objects.filter(school=school)
        .select_related("student", "period"),
        "blocks": FixedBlock.objects.filter(school=school).select_related("teacher", "room")
        .prefetch_related("students"),
        "teachers": school_people(school, Role.TEACHER),
        "students": school_people(school, Role.STUDENT),
        "kinds": FixedBlock.Kind.choices,
        "period_names": {p.id: p.name for p in periods},
    }


def _time(value: str, label: str) -> dt.time:
    try:
        return dt.time.fromisoformat(value.strip())
    except (ValueError, AttributeError):
        raise SetupError(f"{label}: enter a time like 08:30.") from None


def _apply_setup_form(user: User, school: School, post: Any) -> str:
    form = post.get("form", "")
    if form == "bell":
        do_save_bell(user, school, post.getlist("days"), post.get("timezone", "").strip())
        return "Saved the school days and time zone."
    if form == "period":
        period = do_add_period(
            user, school, post.get("name", ""), _time(post.get("start", ""), "Start"),
            _time(post.get("end", ""), "End"), after_school=post.get("after_school") == "on",
        )
        return f"Added period {period.name}."
    if form == "room":
        capacity = _int(post.get("capacity"))
        if capacity is None:
            raise SetupError("Capacity: enter a whole number of students.")
        room = do_add_room(user, school, post.get("name", ""), capacity)
        return f"Added room {room.name}."
    if form == "unavailable":
        person_id, day = _int(post.get("person")), _int(post.get("day"))
        if person_id is None or day is None:
            raise SetupError("Choose a person and a day.")
        do_add_unavailability(user, school, person_id, day, _int(post.get("period")),
                              post.get("note", ""))
        return "Saved: that time is now marked unavailable."
    if form == "block":
        days = [d for d in (_int(v) for v in post.getlist("block_days")) if d is not None]
        period_id = _int(post.get("period"))
        if period_id is None or not days:
            raise SetupError("Choose when the block meets: at least one day and a period.")
        block = do_add_fixed_block(
            user, school, kind=post.get("kind", ""), title=post.get("title", ""),
            student_ids=[i for i in (_int(v) for v in post.getlist("students")) if i],
            teacher_id=_int(post.get("teacher")), room_id=_int(post.get("room")),
            slots=[(day, period_id) for day in days],
        )
        return f"Added {block.get_kind_display().lower()} block “{block.title}”."
    raise SetupError("Unknown form.")


@login_required
def school_setup(request: HttpRequest, school_id: int) -> HttpResponse:
    user = _user(request)
    school = access_setup_school(user, school_id)
    if request.method == "POST":
        try:
            messages.success(request, _apply_setup_form(user, school, request.POST))
        except SetupError as error:
            messages.error(request, str(error))
        return redirect("school-setup", school_id=school.id)
    return render(request, "instruction/setup_school.html", _setup_context(school))


@login_required
@require_POST
def school_setup_delete(request: HttpRequest, school_id: int) -> HttpResponse:
    user = _user(request)
    school = access_setup_school(user, school_id)
    try:
        do_delete_setup_item(user, school, request.POST.get("what", ""),
                             _int(request.POST.get("id")) or 0)
        messages.success(request, "Removed.")
    except SetupError as error:
        messages.error(request, str(error))
    return redirect("school-setup", school_id=school.id)
