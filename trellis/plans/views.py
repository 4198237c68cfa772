"""The plan pages: "My plan" (student), the same page read-only (guardian) or with the
teacher's controls (staff), and the teacher's class page (heatmap, pace, proposals).

Every page recomputes the plan (:func:`trellis.plans.adapters.student_plan`); every POST goes
through a ``do_*`` action and comes back to the page it came from with a message (a plain
form post — the pages work without JavaScript).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from trellis.accounts.models import Role, User
from trellis.accounts.permissions import NotFound
from trellis.content.queries import (
    PRACTICE_ACTIVITY_KIND,
    get_activity,
    playlist_activity_ids,
    playlists_for_standards,
    standard_ids_with_items,
)
from trellis.engine.planning import MODALITIES, smart_prompts, standards_of_grade
from trellis.frameworks.queries import get_district_standard, get_district_standard_by_code
from trellis.learning.queries import recent_observations
from trellis.plans import actions
from trellis.plans.adapters import (
    MapContext,
    StudentPlan,
    class_plans,
    learner_grade,
    standards_by_code,
    student_plan,
)
from trellis.plans.models import Goal, PlanEdit, ProjectProposal, Reflection, StepChoice
from trellis.plans.queries import (
    PlanAccess,
    access_own_plan,
    access_plan,
    access_proposal,
    access_steered_plan,
    access_teaching_class,
)
from trellis.plans.rubric import CRITERIA, LEVELS
from trellis.roster.queries import class_learners

MODE_LABELS = {
    "independent_online": "On my own",
    "small_group": "Small group",
    "one_on_one": "One-on-one with my teacher",
    "teacher_session": "Session with my teacher",
}
MODE_LABELS_STAFF = {
    "independent_online": "Independent online",
    "small_group": "Small group",
    "one_on_one": "One-on-one",
    "teacher_session": "Session with a teacher",
}
MODALITY_LABELS = {
    "lesson": "Lesson", "video": "Video", "reading": "Reading", "practice_set": "Practice",
    "project": "Project", "teacher_session": "Session with a teacher",
    "online_session": "Online session",
}
PACE_LABELS = {"on_track": "On track", "behind": "Behind", "ahead": "Ahead"}
STATUS_LABELS = {"mastered": "Mastered", "in_progress": "In progress", "ready": "Ready to learn",
                 "not_yet": "Not yet", "assumed": "Taken as known"}


def _viewer(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _tenant(user: User) -> int:
    if user.district_id is None:
        raise NotFound
    return user.district_id


def _url_or_none(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def _back(request: HttpRequest, student: User) -> HttpResponse:
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    if _viewer(request).id == student.id:
        return redirect("plan-mine")
    return redirect("plan-student", student_id=student.id)


def _parse_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None


def _codes_from(request: HttpRequest) -> list[str]:
    codes = list(request.POST.getlist("standards"))
    codes += request.POST.get("other_standards", "").replace(";", ",").split(",")
    return list(dict.fromkeys(c.strip() for c in codes if c.strip()))


# -- the plan page -----------------------------------------------------------------------------


def _activity_link(activity: Any, standard: Any) -> str:
    if activity is None:
        return ""
    if activity.kind == PRACTICE_ACTIVITY_KIND and standard is not None:
        return reverse("practice", args=[standard.id])
    return activity.url


def _map_summary(sp: StudentPlan) -> dict[str, Any]:
    context = sp.context
    grade = learner_grade(sp.student)
    codes = standards_of_grade(context.graph, grade) if grade else context.graph.topological_order()
    mastered = set(sp.plan.mastered)
    known = mastered | set(sp.plan.assumed_mastered) | set(sp.plan.implied_mastered)
    ready = set(sp.plan.ready)
    in_progress = {c for c, s in sp.state.items()
                   if s.evidence_count and c not in mastered}
    return {
        "grade": grade,
        "grade_label": (grade.lstrip("0") or grade) if grade else "",
        "total": len(codes),
        "mastered": sum(1 for c in codes if c in mastered),
        "assumed": sum(1 for c in codes if c in known and c not in mastered),
        "ready": sum(1 for c in codes if c in ready and c not in known),
        "in_progress": sum(1 for c in codes if c in in_progress),
        "not_yet": sum(1 for c in codes if c not in known and c not in ready),
        "all_mastered": len(mastered),
    }


def _step_rows(sp: StudentPlan, access: PlanAccess) -> list[dict[str, Any]]:
    plan = sp.plan
    standards = standards_by_code(sp.context, [s.code for s in plan.steps])
    choices = dict(StepChoice.objects.filter(student=sp.student)
                   .values_list("code", "activity_id"))
    reflections: dict[str, list[Reflection]] = defaultdict(list)
    for reflection in Reflection.objects.filter(student=sp.student):
        reflections[reflection.code].append(reflection)
    unreachable = {g.goal.id for g in plan.goals if g.unreachable}
    goal_titles = {g.goal.id: g.goal.title for g in plan.goals}
    # items aligned to a step's standard: the practice page works for it, activity or not
    with_items = standard_ids_with_items(s.id for s in standards.values())
    playlists: dict[int, list[Any]] = defaultdict(list)
    if access.steer:
        for playlist in playlists_for_standards(_tenant(sp.student),
                                                [s.id for s in standards.values()]):
            playlists[playlist.standard_id].append(playlist)
    rows = []
    for step in plan.steps:
        standard = standards.get(step.code)
        if step.after_term_end:
            pace, pace_label = "behind", "After the term ends"
        elif any(g in unreachable for g in step.goal_ids):
            pace, pace_label = "behind", "Behind for your goal"
        else:
            pace, pace_label = plan.pace.status, PACE_LABELS[plan.pace.status]
        activities = []
        for choice in step.activities:
            row = sp.context.activity_rows.get(int(choice.activity.id))
            activities.append({
                "choice": choice, "row": row,
                "label": MODALITY_LABELS.get(choice.activity.modality, "Activity"),
                "link": _activity_link(row, standard),
                "chosen": choices.get(step.code) == int(choice.activity.id),
            })
        rows.append({
            "step": step, "standard": standard,
            "status_label": STATUS_LABELS.get(
                step.mastery_status if step.mastery_status == "in_progress" else step.state,
                "Ready to learn" if step.state == "ready" else "Waiting"),
            "mode_label": (MODE_LABELS_STAFF if access.steer else MODE_LABELS)[step.mode],
            "pace": pace, "pace_label": pace_label,
            "activities": activities,
            "chosen": next((a for a in activities if a["chosen"]), None),
            "reflections": reflections.get(step.code, [])[:3],
            "goal_titles": [goal_titles[g] for g in step.goal_ids if g in goal_titles],
            "explain": sp.context.rule.explain(sp.state.get(step.code)),
            "playlists": playlists.get(standard.id, []) if standard else [],
            "practice_url": reverse("practice", args=[standard.id])
            if standard is not None and standard.id in with_items and not access.read_only
            and not any(c.activity.modality == "practice_set" for c in step.activities)
            else "",
        })
    return rows


def _goal_rows(sp: StudentPlan, access: PlanAccess) -> list[dict[str, Any]]:
    rows = {str(g.id): g for g in sp.goals}
    name = sp.student.short_name
    result = []
    for progress in sp.plan.goals:
        goal = rows.get(progress.goal.id)
        kind = progress.goal.kind
        if kind == "student":
            label = "Set by me" if access.owner else f"Set by {name}"
        elif kind == "teacher":
            label = f"Set by {progress.goal.set_by or 'the teacher'}"
        else:
            label = "From the standards"
        result.append({"progress": progress, "row": goal,
                       "percent": round(progress.progress * 100), "kind_label": label})
    return result


def _recently_mastered(sp: StudentPlan, limit: int = 6) -> list[str]:
    mastered = [(s.last_evidence_on or dt.date.min, c) for c, s in sp.state.items()
                if c in set(sp.plan.mastered)]
    return [c for _, c in sorted(mastered, reverse=True)[:limit]]


def _reflection_codes(sp: StudentPlan) -> list[str]:
    """Steps a student may reflect on: the plan's steps and what they mastered lately."""
    recent = sorted(
        ((s.last_evidence_on or dt.date.min, c) for c, s in sp.state.items()
         if s.evidence_count), reverse=True)
    return list(dict.fromkeys([*[c for _, c in recent[:8]], *sp.plan.pathway]))


def _goal_code_choices(sp: StudentPlan) -> list[dict[str, str]]:
    codes = list(dict.fromkeys([*sp.plan.pathway[:8], *sp.plan.ready]))[:16]
    graph = sp.context.graph
    return [{"code": c, "label": graph.standard(c).label} for c in codes]


def _plan_context(
    request: HttpRequest, access: PlanAccess, *, goal_form: dict[str, Any] | None = None
) -> dict[str, Any]:
    sp = student_plan(access.student)
    base: dict[str, Any] = {"access": access, "student": access.student, "sp": sp,
                            "mode_labels": MODE_LABELS_STAFF, "levels": LEVELS}
    if sp is None:
        return base
    plan = sp.plan
    framework = sp.context.framework
    map_url = reverse("skill-map", args=[framework.id])
    if not access.owner:
        map_url += f"?student={access.student.id}"
    proposals = ProjectProposal.objects.filter(student=access.student).select_related("standard")
    edits = (PlanEdit.objects.filter(student=access.student).select_related("by")
             .order_by("-id")[:12]) if access.steer else []
    profile = getattr(access.student, "learner_profile", None)
    in_plan = set(plan.pathway)
    grade = learner_grade(access.student)
    also_ready = [c for c in plan.ready if c not in in_plan]
    if grade is not None:  # the student's own grade's standards, not the whole map
        of_grade = set(standards_of_grade(sp.context.graph, grade))
        also_ready = [c for c in also_ready if c in of_grade]
    learns_best = list(profile.learns_best) if profile else []
    base.update({
        "plan": plan,
        "rule_sentence": sp.context.rule.describe(
            None if access.owner else access.student.short_name),
        "pace": plan.pace,
        "pace_label": PACE_LABELS[plan.pace.status],
        "steps": _step_rows(sp, access),
        "goals": _goal_rows(sp, access),
        "recently_mastered": _recently_mastered(sp),
        "reflections": Reflection.objects.filter(student=access.student)[:8],
        "summary": _map_summary(sp),
        "map_url": map_url,
        "diagnostic_url": _url_or_none("diagnostic-home"),
        "no_evidence": not any(s.evidence_count for s in sp.state.values()),
        # the diagnostic prompt and missing activities are shown where they apply
        "flags": [f for f in plan.flags
                  if f.kind not in {"needs_activities", "no_goals", "needs_diagnostic"}],
        "also_ready": also_ready[:8],
        "also_ready_more": max(0, len(also_ready) - 8),
        "proposals": proposals,
        "edits": edits,
        "profile": profile,
        "learns_best": [*learns_best, "", "", ""][:3],
        "modalities": [(m, MODALITY_LABELS[m]) for m in MODALITIES],
        "feelings": Reflection.FEELINGS,
        "reflection_codes": _reflection_codes(sp),
        "goal_codes": _goal_code_choices(sp),
        "goal_form": goal_form or {},
        "as_of": sp.context.as_of,
        "calendar": sp.context.calendar,
        "observation_key": uuid.uuid4().hex,
        "all_codes": sp.context.graph.topological_order(),
    })
    return base


def _render_plan(request: HttpRequest, access: PlanAccess, **extra: Any) -> HttpResponse:
    return render(request, "plans/plan.html", _plan_context(request, access, **extra))


@login_required
def plan_mine(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    if viewer.role != Role.STUDENT:
        raise NotFound
    return _render_plan(request, access_plan(viewer, viewer.id))


@login_required
def plan_student(request: HttpRequest, student_id: int) -> HttpResponse:
    return _render_plan(request, access_plan(_viewer(request), student_id))


# -- goals ----------------------------------------------------------------------------------------


@require_POST
@login_required
def goal_new(request: HttpRequest, student_id: int) -> HttpResponse:
    """Save a goal; first show gentle SMART questions, which the student may answer or skip."""
    viewer = _viewer(request)
    access = access_plan(viewer, student_id)
    if access.read_only:
        raise NotFound
    title = request.POST.get("title", "")
    codes = _codes_from(request)
    due = _parse_date(request.POST.get("due", ""))
    sp = student_plan(access.student)
    prompts: list[str] = []
    if sp is not None:
        prompts = smart_prompts(
            title, codes, due, as_of=sp.context.as_of, calendar=sp.context.calendar,
            graph=sp.context.graph, days_per_standard=sp.plan.pace.rate.days_per_standard,
            known=[*sp.plan.mastered, *sp.plan.assumed_mastered, *sp.plan.implied_mastered],
        )
    blocking = not title.strip() or not codes or due is None or sp is None
    if prompts and (blocking or not request.POST.get("confirm")):
        form = {"title": title, "codes": codes, "due": request.POST.get("due", ""),
                "prompts": prompts, "can_save": not blocking}
        return _render_plan(request, access, goal_form=form)
    assert due is not None  # noqa: S101 - blocking covers it
    try:
        actions.do_set_goal(viewer, access.student, title=title, standard_codes=codes, due=due)
    except actions.PlanError as exc:
        form = {"title": title, "codes": codes, "due": request.POST.get("due", ""),
                "prompts": [str(exc)], "can_save": False}
        return _render_plan(request, access, goal_form=form)
    messages.success(request, f"Goal “{title.strip()}” saved.")
    return _back(request, access.student)


@require_POST
@login_required
def goal_delete(request: HttpRequest, student_id: int, goal_id: int) -> HttpResponse:
    access = access_plan(_viewer(request), student_id)
    if access.read_only:
        raise NotFound
    goal = Goal.objects.filter(student=access.student, id=goal_id).first()
    if goal is None:  # removed already (a second click, another tab): nothing to do
        messages.info(request, "That goal was already removed.")
        return _back(request, access.student)
    try:
        actions.do_delete_goal(_viewer(request), goal)
        messages.success(request, f"Goal “{goal.title}” removed.")
    except actions.PlanError as exc:
        messages.error(request, str(exc))
    return _back(request, access.student)


# -- the student's own choices ---------------------------------------------------------------------


@require_POST
@login_required
def choose_activity(request: HttpRequest, student_id: int) -> HttpResponse:
    student = access_own_plan(_viewer(request), student_id)
    code = request.POST.get("code", "")
    activity = get_activity(_tenant(student), _int(request.POST.get("activity")))
    if activity is None:
        messages.error(request, "Choose one of the activities.")
        return _back(request, student)
    try:
        actions.do_choose_activity(student, code, activity)
        messages.success(request, f"You chose “{activity.title}” for {code}.")
    except actions.PlanError as exc:
        messages.error(request, str(exc))
    return _back(request, student)


@require_POST
@login_required
def reflect(request: HttpRequest, student_id: int) -> HttpResponse:
    student = access_own_plan(_viewer(request), student_id)
    try:
        actions.do_reflect(
            student, request.POST.get("code", ""), learned=request.POST.get("learned", ""),
            hard=request.POST.get("hard", ""), feeling=_int(request.POST.get("feeling")),
        )
        messages.success(request, "Thanks for reflecting. Your teacher can read it.")
    except actions.PlanError as exc:
        messages.error(request, str(exc))
    return _back(request, student)


@require_POST
@login_required
def profile_update(request: HttpRequest, student_id: int) -> HttpResponse:
    student = access_own_plan(_viewer(request), student_id)
    try:
        actions.do_update_profile(
            student, interests=request.POST.get("interests", ""),
            strengths=request.POST.get("strengths", ""),
            learns_best=[request.POST.get(f"learns_best_{i}", "") for i in (1, 2, 3)],
            languages=request.POST.get("languages", ""),
        )
        messages.success(request, "Your learner profile is saved: suggestions now follow it.")
    except actions.PlanError as exc:
        messages.error(request, str(exc))
    return _back(request, student)


@require_POST
@login_required
def propose_project(request: HttpRequest, student_id: int) -> HttpResponse:
    student = access_own_plan(_viewer(request), student_id)
    standard = get_district_standard(_tenant(student), _int(request.POST.get("standard")))
    if standard is None:
        messages.error(request, "Choose the standard your project shows.")
        return _back(request, student)
    try:
        actions.do_propose_project(student, standard, title=request.POST.get("title", ""),
                                   description=request.POST.get("description", ""))
        messages.success(request, "Project proposed. Your teacher will look at it.")
    except actions.PlanError as exc:
        messages.error(request, str(exc))
    return _back(request, student)


# -- the teacher's controls on a plan ----------------------------------------------------------


def _int(value: Any) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return 0


@require_POST
@login_required
def plan_edit(request: HttpRequest, student_id: int) -> HttpResponse:
    """One teacher edit: move, add, remove, set_mode, assign (a playlist or an activity)."""
    viewer = _viewer(request)
    student = access_steered_plan(viewer, student_id)
    action = request.POST.get("action", "")
    code = request.POST.get("code", "").strip()
    if action == "undo":
        undone = actions.do_undo_last_edit(viewer, student)
        messages.success(request, f"Undid: {undone.get_action_display().lower()} {undone.code}."
                         if undone else "There is no edit to undo.")
        return _back(request, student)
    position = _int(request.POST.get("position")) or None
    activity_ids: list[int] = []
    if action == "assign":
        chosen = request.POST.get("assign", "")
        kind, _, number = chosen.partition(":")
        if kind == "playlist":
            activity_ids = playlist_activity_ids(_tenant(student), _int(number))
        elif kind == "activity":
            activity_ids = [_int(number)]
        if not activity_ids:
            messages.error(request, "Choose a playlist or an activity to assign.")
            return _back(request, student)
    try:
        actions.do_edit_plan(
            viewer, student, action=action, code=code, position=position,
            mode=request.POST.get("mode", ""), activity_ids=activity_ids,
            note=request.POST.get("note", ""),
        )
        messages.success(request, f"Plan updated: {action.replace('_', ' ')} {code}.")
    except actions.PlanError as exc:
        messages.error(request, str(exc))
    return _back(request, student)


def _observe(request: HttpRequest, viewer: User, student: User) -> None:
    standard = get_district_standard_by_code(_tenant(student),
                                             request.POST.get("code", "").strip())
    if standard is None:
        messages.error(request, "Choose the standard you observed.")
        return
    try:
        actions.do_record_observation(
            viewer, student, standard, level=_int(request.POST.get("level")),
            note=request.POST.get("note", ""), key=request.POST.get("key", ""),
        )
        messages.success(request, f"Observation on {standard.code} recorded for "
                         f"{student.display_name}.")
    except actions.PlanError as exc:
        messages.error(request, str(exc))


@require_POST
@login_required
def plan_observe(request: HttpRequest, student_id: int) -> HttpResponse:
    viewer = _viewer(request)
    student = access_steered_plan(viewer, student_id)
    _observe(request, viewer, student)
    return _back(request, student)


# -- the teacher's class page --------------------------------------------------------------------


def _class_grade(klass: Any, students: list[User]) -> str | None:
    for grade in [*(klass.grades or []), *[s.grade for s in students]]:
        fake = User(grade=str(grade))
        usable = learner_grade(fake)
        if usable:
            return usable
    return None


def _cell(sp: StudentPlan, code: str) -> str:
    plan = sp.plan
    if code in plan.mastered:
        return "mastered"
    summary = sp.state.get(code)
    if summary is not None and summary.evidence_count:
        return "in_progress"
    if code in plan.assumed_mastered or code in plan.implied_mastered:
        return "assumed"
    if code in plan.ready:
        return "ready"
    return "not_yet"


# Each heatmap cell shows its status as a letter (never by colour alone) and a short class
# for its colour; the legend explains both once, and the column header (the standard's code,
# its label in a tooltip) and the row header (the student) name the cell for a screen reader,
# so a class of 30 is no per-cell tooltip or hidden label heavier (issue 21: under 100 KB).
CELL_SHORT = {"mastered": "M", "in_progress": "P", "ready": "R", "not_yet": "N", "assumed": "K"}
CELL_CLASS = {"mastered": "m", "in_progress": "p", "ready": "r", "not_yet": "n", "assumed": "k"}


def _heatmap(
    context: MapContext, plans: list[StudentPlan], grade: str | None, domain: str, sort: str
) -> dict[str, Any]:
    graph = context.graph
    codes = list(standards_of_grade(graph, grade)) if grade else []
    for sp in plans:
        codes += sp.plan.pathway[:5]
    codes = list(dict.fromkeys(codes))
    domains = sorted({graph.standard(c).domain for c in codes if graph.standard(c).domain})
    if domain:
        codes = [c for c in codes if graph.standard(c).domain == domain]
    codes.sort(key=lambda c: (graph.standard(c).domain, c))
    rows: list[dict[str, Any]] = []
    for sp in plans:
        cells = []
        for c in codes:
            status = _cell(sp, c)
            # the letter and the class are looked up here, not by loops in the template: a
            # class of 30 has thousands of cells
            cells.append({"status": status, "cls": CELL_CLASS[status],
                          "short": CELL_SHORT[status]})
        mastered = sum(1 for c in cells if c["status"] == "mastered")
        rows.append({"sp": sp, "cells": cells, "mastered": mastered,
                     "progress": round(100 * mastered / len(codes)) if codes else 0})
    if sort == "progress":
        rows.sort(key=lambda r: (-r["mastered"], r["sp"].student.last_name,
                                 r["sp"].student.first_name))
    columns = [{"code": c, "label": graph.standard(c).label} for c in codes]
    return {"columns": columns, "rows": rows, "domains": domains}


@login_required
def class_page(request: HttpRequest, class_id: int) -> HttpResponse:
    viewer = _viewer(request)
    klass = access_teaching_class(viewer, class_id)
    students = list(class_learners(klass))
    context, plans = class_plans(students, klass.district_id)
    page: dict[str, Any] = {"klass": klass, "students": students, "context": context,
                            "levels": LEVELS, "observation_key": uuid.uuid4().hex}
    if context is not None:
        grade = _class_grade(klass, students)
        domain = request.GET.get("domain", "")
        sort = request.GET.get("sort", "name")
        heatmap = _heatmap(context, plans, grade, domain, sort)
        behind = [sp for sp in plans if sp.plan.pace.status == "behind"]
        student_ids = [s.id for s in students]
        page.update({
            "grade": grade, "grade_label": (grade or "").lstrip("0") or grade,
            "domain": domain, "sort": sort, "heatmap": heatmap,
            "behind": [{"sp": sp, "goals": [g for g in sp.plan.goals if g.unreachable]}
                       for sp in behind],
            "plans": [{"sp": sp, "first": sp.plan.steps[0] if sp.plan.steps else None,
                       "mode_label": MODE_LABELS_STAFF[sp.plan.steps[0].mode]
                       if sp.plan.steps else "",
                       "pace_label": PACE_LABELS[sp.plan.pace.status]} for sp in plans],
            "proposals": ProjectProposal.objects.filter(
                student_id__in=student_ids,
                status__in=[ProjectProposal.Status.PROPOSED, ProjectProposal.Status.APPROVED],
            ).select_related("student", "standard"),
            "reflections": Reflection.objects.filter(student_id__in=student_ids)
            .select_related("student")[:10],
            "observations": recent_observations(student_ids, 8),
            "rule_sentence": context.rule.describe("a student"),
            "legend": [{"cls": CELL_CLASS[k], "short": CELL_SHORT[k], "label": label}
                       for k, label in STATUS_LABELS.items()],
            "all_codes": list(dict.fromkeys(
                [c["code"] for c in heatmap["columns"]] + context.graph.topological_order())),
        })
    return render(request, "plans/class.html", page)


@require_POST
@login_required
def class_observe(request: HttpRequest, class_id: int) -> HttpResponse:
    viewer = _viewer(request)
    klass = access_teaching_class(viewer, class_id)
    student = class_learners(klass).filter(id=_int(request.POST.get("student"))).first()
    if student is None:
        messages.error(request, "Choose a student of this class.")
    else:
        _observe(request, viewer, student)
    return redirect("teach-class", class_id=klass.id)


# -- projects -------------------------------------------------------------------------------------


def _back_to_class(request: HttpRequest, proposal: ProjectProposal) -> HttpResponse:
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect("teach-project", proposal_id=proposal.id)


@require_POST
@login_required
def project_review(request: HttpRequest, proposal_id: int) -> HttpResponse:
    viewer = _viewer(request)
    proposal = access_proposal(viewer, proposal_id)
    decision = request.POST.get("decision", "")
    if decision not in {"approve", "decline"}:
        messages.error(request, "Approve or decline the proposal.")
        return _back_to_class(request, proposal)
    try:
        actions.do_review_project(viewer, proposal, approve=decision == "approve",
                                  note=request.POST.get("note", ""))
        messages.success(request, f"“{proposal.title}” {decision}d.")
    except actions.PlanError as exc:
        messages.error(request, str(exc))
    return _back_to_class(request, proposal)


@login_required
def project_detail(request: HttpRequest, proposal_id: int) -> HttpResponse:
    """A proposal and, once approved, its rubric: scoring records the evidence."""
    viewer = _viewer(request)
    proposal = access_proposal(viewer, proposal_id)
    chosen: dict[str, int] = dict(proposal.rubric_levels or {})
    if request.method == "POST":
        chosen = {c.key: _int(request.POST.get(c.key)) for c in CRITERIA
                  if request.POST.get(c.key)}
        try:
            actions.do_score_project(viewer, proposal, chosen, note=request.POST.get("note", ""))
            messages.success(
                request, f"Scored: {proposal.score:.0%} recorded as evidence on "
                f"{proposal.standard.code} for {proposal.student.display_name}.")
            return redirect("teach-project", proposal_id=proposal.id)
        except actions.PlanError as exc:
            messages.error(request, str(exc))
    return render(request, "plans/project.html", {
        "proposal": proposal, "criteria": CRITERIA, "levels": LEVELS, "chosen": chosen,
        "class_links": _classes_of(viewer, proposal.student),
    })


def _classes_of(viewer: User, student: User) -> list[Any]:
    from trellis.roster.permissions import classes_visible_to

    return list(classes_visible_to(viewer).filter(
        enrollments__user=student, enrollments__role="student").distinct()[:3])
