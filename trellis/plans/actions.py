"""Every write about learning plans: one transaction each, audited.

Students set their own goals, choose an activity for a step, reflect after a step, edit their
learner profile and propose projects. Teachers and administrators set goals, edit plans (move,
add, remove a step, choose the mode, assign a playlist or activities), review and score
projects on the rubric and record observations. Scores and observations are **evidence**: they
go through :func:`trellis.learning.actions.do_record_evidence`, the one write path into the
learner model, so the plan moves exactly as it does after practice.

Callers have already checked who may do what (:mod:`trellis.plans.queries`); these functions
check that the data makes sense (a standard on the map, an activity of the district, a rule the
engine accepts) and raise :class:`PlanError` with a message for people otherwise.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction

from trellis.accounts.models import District, Role, User
from trellis.audit.actions import record
from trellis.content.models import Activity
from trellis.engine.mastery import MasteryRule, MasteryRuleError
from trellis.engine.planning import (
    MODALITIES,
    CalendarError,
    PlanInputError,
    TermCalendar,
)
from trellis.engine.planning import LearnerProfile as EngineProfile
from trellis.engine.planning import PlanEdit as EnginePlanEdit
from trellis.frameworks.models import Framework, Standard
from trellis.learning.actions import EvidenceError, do_record_evidence
from trellis.plans.adapters import MapContext, map_context
from trellis.plans.models import (
    Goal,
    LearnerProfile,
    PlanEdit,
    PlanSettings,
    ProjectProposal,
    Reflection,
    StepChoice,
)
from trellis.plans.rubric import LEVEL_NAMES, RubricError, level_score, rubric_score


class PlanError(ValueError):
    """A change to a plan that cannot be made; the message is for people."""


def _context(student: User) -> MapContext:
    context = map_context(student.district_id)
    if context is None:
        raise PlanError("The district has no standards framework yet, so there is no plan.")
    return context


def _check_student(student: User) -> int:
    """The student's district; refuses anyone who is not a student of a district."""
    if student.role != Role.STUDENT or student.district_id is None:
        raise PlanError(f"{student.username} is not a student")
    return student.district_id


def _codes_on_map(context: MapContext, codes: Sequence[str]) -> list[str]:
    cleaned = list(dict.fromkeys(c.strip() for c in codes if c and c.strip()))
    unknown = [c for c in cleaned if c not in context.graph]
    if unknown:
        raise PlanError(f"{', '.join(unknown)}: not a standard on the map.")
    return cleaned


# -- goals ------------------------------------------------------------------------------------


def do_set_goal(
    actor: User, student: User, *, title: str, standard_codes: Sequence[str], due: dt.date,
    kind: str | None = None, context: MapContext | None = None,
) -> Goal:
    """A goal for ``student``: theirs when they set it, a teacher goal otherwise (or
    ``kind="standards"`` for a grade's or course's standards)."""
    district_id = _check_student(student)
    context = context or _context(student)
    if not title.strip():
        raise PlanError("Give the goal a name.")
    codes = _codes_on_map(context, standard_codes)
    if not codes:
        raise PlanError("Choose at least one standard: progress is the standards mastered.")
    chosen_kind = kind or ("student" if actor.id == student.id else "teacher")
    if chosen_kind not in Goal.Kind.values:
        raise PlanError(f"unknown goal kind {chosen_kind!r}")
    with transaction.atomic():
        goal = Goal.objects.create(
            district_id=district_id, student=student, kind=chosen_kind,
            title=title.strip()[:200], standard_codes=codes, due=due, set_by=actor,
        )
        record(actor, "plan.goal.set", student, details={
            "goal": goal.id, "title": goal.title, "standards": codes, "due": due.isoformat(),
            "kind": chosen_kind})
    return goal


def do_delete_goal(actor: User, goal: Goal) -> None:
    """Remove a goal. Students remove only the goals they set themselves."""
    if actor.role == Role.STUDENT and (actor.id != goal.student_id or goal.kind != "student"):
        raise PlanError("Only your teacher can remove a goal your teacher set.")
    with transaction.atomic():
        record(actor, "plan.goal.removed", goal.student, details={
            "goal": goal.id, "title": goal.title})
        goal.delete()


# -- teacher edits ------------------------------------------------------------------------------


def do_edit_plan(
    actor: User, student: User, *, action: str, code: str, position: int | None = None,
    mode: str = "", activity_ids: Sequence[int] = (), note: str = "",
) -> PlanEdit:
    """Keep a teacher's edit of ``student``'s plan (applied every time the plan is built)."""
    district_id = _check_student(student)
    context = _context(student)
    code = code.strip()
    if code not in context.graph:
        raise PlanError(f"{code or 'That'}: not a standard on the map.")
    ids = [int(i) for i in activity_ids]
    if ids:
        found = set(Activity.objects.filter(district_id=district_id, id__in=ids)
                    .values_list("id", flat=True))
        if len(found) != len(set(ids)):
            raise PlanError("Choose activities of your district.")
    try:
        EnginePlanEdit(action, code, position=position, mode=(mode or None),  # type: ignore[arg-type]
                       activity_ids=tuple(str(i) for i in ids), note=note)
    except PlanInputError as exc:
        raise PlanError(str(exc)) from exc
    with transaction.atomic():
        edit = PlanEdit.objects.create(
            district_id=district_id, student=student, action=action, code=code,
            position=position, mode=mode, activity_ids=ids, note=note[:300], by=actor,
        )
        record(actor, f"plan.edit.{action}", student, details={
            "edit": edit.id, "code": code, "position": position, "mode": mode,
            "activities": ids, "note": note})
    return edit


def do_undo_last_edit(actor: User, student: User) -> PlanEdit | None:
    """Undo the most recent edit still in force (kept, marked inactive, for the record)."""
    with transaction.atomic():
        edit = PlanEdit.objects.filter(student=student, active=True).order_by("-id").first()
        if edit is None:
            return None
        edit.active = False
        edit.save(update_fields=["active"])
        record(actor, "plan.edit.undone", student, details={
            "edit": edit.id, "action": edit.action, "code": edit.code})
    return edit


# -- the student's own choices -------------------------------------------------------------------


def do_choose_activity(student: User, code: str, activity: Activity) -> StepChoice:
    """The student picks an activity for a step (one choice per step; a new one replaces it)."""
    _check_student(student)
    context = _context(student)
    if activity.district_id != student.district_id:
        raise PlanError("That activity is not available.")
    aligned = {a.id for a in context.activities if code in a.standard_codes}
    if str(activity.id) not in aligned:
        raise PlanError(f"That activity is not one of the choices for {code}.")
    with transaction.atomic():
        choice, _ = StepChoice.objects.update_or_create(
            student=student, code=code,
            defaults={"district_id": student.district_id, "activity": activity},
        )
        record(student, "plan.activity.chosen", student, details={
            "code": code, "activity": activity.id, "title": activity.title})
    return choice


def do_reflect(
    student: User, code: str, *, learned: str, hard: str, feeling: int
) -> Reflection:
    """A short reflection after a step, for the student and their teachers."""
    district_id = _check_student(student)
    if feeling not in dict(Reflection.FEELINGS):
        raise PlanError("Choose how you feel, from 1 to 5.")
    if not code.strip():
        raise PlanError("Which step is this reflection about?")
    with transaction.atomic():
        reflection = Reflection.objects.create(
            district_id=district_id, student=student, code=code.strip()[:100],
            learned=learned.strip()[:2000], hard=hard.strip()[:2000], feeling=feeling,
        )
        record(student, "plan.reflection", student, details={
            "reflection": reflection.id, "code": reflection.code, "feeling": feeling})
    return reflection


def _words(values: Sequence[str] | str) -> list[str]:
    items = values.split(",") if isinstance(values, str) else list(values)
    return list(dict.fromkeys(v.strip()[:60] for v in items if v and v.strip()))[:20]


def do_update_profile(
    student: User, *, interests: Sequence[str] | str, strengths: Sequence[str] | str,
    learns_best: Sequence[str], languages: Sequence[str] | str,
) -> LearnerProfile:
    """The student's learner profile, in their words (the engine checks the modalities)."""
    _check_student(student)
    values = {"interests": _words(interests), "strengths": _words(strengths),
              "learns_best": [m for m in dict.fromkeys(learns_best) if m],
              "languages": _words(languages)}
    bad = [m for m in values["learns_best"] if m not in MODALITIES]
    if bad:
        raise PlanError(f"{bad[0]!r} is not a way of learning Trellis knows.")
    try:
        EngineProfile(**{k: tuple(v) for k, v in values.items()})  # type: ignore[arg-type]
    except PlanInputError as exc:
        raise PlanError(str(exc)) from exc
    with transaction.atomic():
        profile, _ = LearnerProfile.objects.update_or_create(
            student=student, defaults={"district_id": student.district_id, **values})
        record(student, "plan.profile.updated", student, details=values)
    return profile


# -- projects -------------------------------------------------------------------------------------


def do_propose_project(
    student: User, standard: Standard, *, title: str, description: str
) -> ProjectProposal:
    """"Let me show mastery of this standard with a project": waits for the teacher."""
    _check_student(student)
    if standard.framework.district_id != student.district_id:
        raise PlanError("That standard is not on your map.")
    if not title.strip() or not description.strip():
        raise PlanError("Give your project a title and say what you will make or do.")
    with transaction.atomic():
        proposal = ProjectProposal.objects.create(
            district_id=student.district_id, student=student, standard=standard,
            title=title.strip()[:200], description=description.strip()[:4000],
        )
        record(student, "plan.project.proposed", student, details={
            "proposal": proposal.id, "code": standard.code, "title": proposal.title})
    return proposal


def do_review_project(
    actor: User, proposal: ProjectProposal, *, approve: bool, note: str = ""
) -> ProjectProposal:
    if proposal.status == ProjectProposal.Status.SCORED:
        raise PlanError("This project is already scored.")
    with transaction.atomic():
        proposal.status = (ProjectProposal.Status.APPROVED if approve
                           else ProjectProposal.Status.DECLINED)
        proposal.reviewed_by = actor
        proposal.teacher_note = note.strip()[:2000]
        proposal.save()
        record(actor, f"plan.project.{proposal.status}", proposal.student, details={
            "proposal": proposal.id, "note": proposal.teacher_note})
    return proposal


def do_score_project(
    actor: User, proposal: ProjectProposal, levels: Mapping[str, int], *, note: str = ""
) -> ProjectProposal:
    """Score an approved project on the rubric; the score becomes evidence on its standard."""
    if proposal.status == ProjectProposal.Status.SCORED:
        raise PlanError("This project is already scored.")
    if proposal.status != ProjectProposal.Status.APPROVED:
        raise PlanError("Approve the project before scoring it.")
    try:
        score = rubric_score(levels)
    except RubricError as exc:
        raise PlanError(str(exc).capitalize() + ".") from exc
    with transaction.atomic():
        try:
            event, _ = do_record_evidence(
                proposal.student, kind="project", standards=[proposal.standard],
                idempotency_key=f"project-{proposal.id}", score=score, recorded_by=actor,
                note=(note or proposal.title)[:2000],
            )
        except EvidenceError as exc:
            raise PlanError(str(exc)) from exc
        proposal.rubric_levels = dict(levels)
        proposal.score = score
        proposal.evidence = event
        proposal.status = ProjectProposal.Status.SCORED
        proposal.reviewed_by = actor
        if note.strip():
            proposal.teacher_note = note.strip()[:2000]
        proposal.save()
        record(actor, "plan.project.scored", proposal.student, details={
            "proposal": proposal.id, "levels": dict(levels), "score": score,
            "event": event.id})
    return proposal


def do_record_observation(
    actor: User, student: User, standard: Standard, *, level: int, note: str,
    key: str = "",
) -> Any:
    """A teacher's observation (note + level 1–4) as evidence on one standard.

    ``key`` makes a retried submit of the same form count once (the form carries it)."""
    _check_student(student)
    try:
        score = level_score(level)
    except RubricError as exc:
        raise PlanError("Choose a level from 1 to 4.") from exc
    if not note.strip():
        raise PlanError("Write what you observed.")
    try:
        event, _ = do_record_evidence(
            student, kind="observation", standards=[standard],
            idempotency_key=(key.strip() or f"observation-{uuid.uuid4().hex}")[:100],
            score=score, recorded_by=actor,
            note=f"{LEVEL_NAMES[level]}: {note.strip()}"[:2000],
        )
    except EvidenceError as exc:
        raise PlanError(str(exc)) from exc
    return event


# -- district settings ---------------------------------------------------------------------------


def do_update_plan_settings(
    actor: User | None, district: District, *, mastery_rule: Mapping[str, Any] | None = None,
    term_calendar: Mapping[str, Any] | None = None, framework: Framework | None = None,
    automatic_framework: bool = False,
) -> PlanSettings:
    """Store the district's mastery rule and term calendar, validated by the engine (an
    unknown field or a bad value is refused with the engine's message naming it).

    ``automatic_framework`` forgets the chosen map: plans then walk the framework with the most
    prerequisite links (:func:`trellis.plans.adapters.plan_framework`)."""
    try:
        rule = MasteryRule.from_dict(mastery_rule) if mastery_rule is not None else None
        calendar = TermCalendar.from_dict(term_calendar) if term_calendar is not None else None
    except (MasteryRuleError, CalendarError) as exc:
        raise PlanError(str(exc)) from exc
    if framework is not None and framework.district_id != district.id:
        raise PlanError("a framework of another district")
    with transaction.atomic():
        settings, _ = PlanSettings.objects.get_or_create(district=district)
        if rule is not None:
            settings.mastery_rule = rule.to_dict()
        if calendar is not None:
            settings.term_calendar = calendar.to_dict()
        if framework is not None:
            settings.framework = framework
        elif automatic_framework:
            settings.framework = None
        settings.save()
        record(actor, "plan.settings.updated", settings, district=district, details={
            "mastery_rule": settings.mastery_rule, "term_calendar": settings.term_calendar,
            "framework": settings.framework_id})
    return settings
