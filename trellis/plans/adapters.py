"""Database rows → the planning engine's inputs, and the plan built from them.

The plan is **computed, never stored**: every page, the API and ``trellis plan show`` call
:func:`student_plan`, which gathers one student's inputs from the database and hands them to
:func:`trellis.engine.planning.build_plan`:

- the **map**: the competency graph of the district's planning framework, through
  :func:`trellis.frameworks.adapters.load_framework` (cached per framework version);
- the **mastery state**: the student's ``MasteryState`` rows as
  :class:`~trellis.engine.mastery.EvidenceSummary` (with first and last evidence days, from
  which the engine measures the student's own pace);
- the district's **mastery rule** and **term calendar** (:class:`PlanSettings`, validated by
  the engine; defaults when absent);
- the student's **goals**, **learner profile** and the teachers' **edits**;
- the district's **activities** aligned to the map (directly, or through a playlist of the
  standard);
- **classmates ready for the same step** (for the small-group mode), from the classes the
  student attends.

:func:`class_plans` builds the plans of a whole class at once, sharing the map, the activities
and the classmates' ready sets, for the teacher's class page.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from trellis.accounts.models import User
from trellis.content.models import Activity, PlaylistEntry
from trellis.diagnostics.models import DiagnosticSession
from trellis.engine.competencies import CompetencyGraph
from trellis.engine.mastery import EvidenceSummary, MasteryRule, MasteryRuleError
from trellis.engine.planning import (
    Activity as EngineActivity,
)
from trellis.engine.planning import (
    CalendarError,
    LearningPlan,
    PlanInputError,
    TermCalendar,
    build_plan,
    grade_rank,
    planning_graph,
    ready_classmates,
    standards_below_grade,
)
from trellis.engine.planning import (
    Goal as EngineGoal,
)
from trellis.engine.planning import (
    LearnerProfile as EngineProfile,
)
from trellis.engine.planning import (
    PlanEdit as EnginePlanEdit,
)
from trellis.frameworks.adapters import LoadedFramework, load_framework
from trellis.frameworks.models import Framework, Standard, StandardAssociation
from trellis.learning.models import EvidenceEvent, MasteryState
from trellis.learning.rules import mastery_rule_for
from trellis.plans.models import Goal, LearnerProfile, PlanEdit, PlanSettings
from trellis.roster.models import AcademicSession, Class, Enrollment

# Activity.Kind (the database) → the engine's modality names.
MODALITY: dict[str, str] = {
    Activity.Kind.LESSON: "lesson",
    Activity.Kind.VIDEO: "video",
    Activity.Kind.READING: "reading",
    Activity.Kind.PRACTICE: "practice_set",
    Activity.Kind.PROJECT: "project",
    Activity.Kind.TEACHER_SESSION: "teacher_session",
    Activity.Kind.ONLINE_SESSION: "online_session",
}


# -- district settings ------------------------------------------------------------------------


def stored_mastery_rule(district_id: int) -> MasteryRule | None:
    """The rule the district set on its plan settings page, or ``None`` when it set none.

    Registered with :mod:`trellis.learning.rules` (``PlansConfig.ready``): everything reads the
    rule through :func:`trellis.learning.rules.mastery_rule_for`.
    """
    stored = PlanSettings.objects.filter(district_id=district_id).values_list(
        "mastery_rule", flat=True).first()
    if not stored:
        return None
    try:
        return MasteryRule.from_dict(stored)
    except MasteryRuleError:
        return None  # settings are validated on save; never break every page


def default_calendar(district_id: int | None, today: dt.date) -> TermCalendar:
    """The school year around ``today``: the district's roster session that contains it
    (a school year first, else the longest), else mid-August to mid-June."""
    sessions = AcademicSession.objects.filter(
        district_id=district_id or 0, start_date__lte=today, end_date__gte=today)
    chosen = sessions.filter(type=AcademicSession.Type.SCHOOL_YEAR).order_by("start_date").first()
    if chosen is None:
        candidates = sorted(sessions, key=lambda s: (s.start_date - s.end_date, s.id))
        chosen = candidates[0] if candidates else None
    if chosen is not None and chosen.end_date > chosen.start_date:
        return TermCalendar(chosen.start_date, chosen.end_date)
    year = today.year if today.month >= 8 else today.year - 1
    return TermCalendar(dt.date(year, 8, 15), dt.date(year + 1, 6, 15))


def term_calendar(district_id: int | None, today: dt.date) -> TermCalendar:
    stored = None if district_id is None else PlanSettings.objects.filter(
        district_id=district_id).values_list("term_calendar", flat=True).first()
    if stored:
        try:
            return TermCalendar.from_dict(stored)
        except CalendarError:
            pass  # validated on save; fall back rather than break every page
    return default_calendar(district_id, today)


def plan_framework(district_id: int | None) -> Framework | None:
    """The map plans walk: the district's chosen one, else the framework with the most
    prerequisite links (the Common Core Coherence Map in the demo)."""
    if district_id is None:
        return None
    chosen = PlanSettings.objects.filter(district_id=district_id).select_related(
        "framework").first()
    if chosen is not None and chosen.framework is not None:
        return chosen.framework
    # Each count is its own subquery: joining both relations in one aggregate multiplied every
    # link by every standard (757 × 480 rows on the demo map, about two seconds a page).
    return (
        Framework.objects.filter(district_id=district_id)
        .annotate(links=_count_per_framework(StandardAssociation),
                  size=_count_per_framework(Standard))
        .order_by("-links", "-size", "id")
        .first()
    )


def _count_per_framework(model: type[Standard] | type[StandardAssociation]) -> Coalesce:
    """How many rows of ``model`` the outer framework has, as a correlated subquery."""
    rows = (model.objects.filter(framework_id=OuterRef("pk")).order_by()
            .values("framework_id").annotate(n=Count("id")).values("n"))
    return Coalesce(Subquery(rows), Value(0))


# -- one student's inputs -----------------------------------------------------------------------


def learner_grade(student: User) -> str | None:
    """The student's grade as the engine reads it, or None when unknown or unusable."""
    grade = (student.grade or "").strip().upper()
    if not grade:
        return None
    try:
        grade_rank(grade)
    except PlanInputError:
        return None
    # CEDS writes "07" and "KG"; people (and the engine's sentences) say "7" and "K"
    if grade.isdigit():
        return str(int(grade)) if int(grade) else "K"
    return "K" if grade == "KG" else grade


def evidence_states(
    student_ids: Iterable[int], loaded: LoadedFramework
) -> dict[int, dict[str, EvidenceSummary]]:
    """Per student, the learner model's state on the map's standards (graph node keys),
    with the first and last days of evidence (:func:`with_mastery_dates` adds the day
    mastery was shown)."""
    states: dict[int, dict[str, EvidenceSummary]] = defaultdict(dict)
    rows = MasteryState.objects.filter(
        student_id__in=list(student_ids), standard_id__in=list(loaded.keys)
    ).values_list("student_id", "standard_id", "probability", "evidence_count", "evidence_days")
    for student_id, standard_id, probability, count, days in rows:
        key = loaded.keys.get(standard_id)
        if key is None:
            continue
        dates = sorted({dt.date.fromisoformat(d) for d in days or [] if isinstance(d, str)})
        count = max(count, len(dates))
        states[student_id][key] = EvidenceSummary(
            probability=min(1.0, max(0.0, probability)),
            evidence_days=len(dates),
            evidence_count=count,
            first_evidence_on=dates[0] if dates else None,
            last_evidence_on=dates[-1] if dates else None,
        )
    return states


@dataclass(frozen=True)
class LearnerInputs:
    """One student's evidence state and check-up placement, as the engine takes them."""

    state: dict[str, EvidenceSummary]
    diagnostic_likely_known: frozenset[str] | None


def diagnostic_placements(
    student_ids: Iterable[int], framework: Framework
) -> dict[int, frozenset[str]]:
    """Per student, what their latest completed check-up on the map found *likely known*
    (the check's own threshold, not the district's mastery rule)."""
    placed: dict[int, frozenset[str]] = {}
    sessions = DiagnosticSession.objects.filter(
        student_id__in=list(student_ids), framework=framework,
        status=DiagnosticSession.Status.COMPLETED,
    ).order_by("student_id", "-finished_at", "-id").values_list("student_id", "result")
    for student_id, result in sessions:
        if student_id not in placed:
            codes = (result or {}).get("likely_known", []) if isinstance(result, dict) else []
            placed[student_id] = frozenset(c for c in codes if isinstance(c, str))
    return placed


def placement_counts(
    student_ids: Iterable[int], loaded: LoadedFramework
) -> dict[tuple[int, str], int]:
    """How many pieces of each student's evidence per standard are diagnostic placements
    (the check's inferred results, not answers)."""
    counts: dict[tuple[int, str], int] = defaultdict(int)
    rows = EvidenceEvent.standards.through.objects.filter(
        evidenceevent__student_id__in=list(student_ids),
        evidenceevent__kind=EvidenceEvent.Kind.DIAGNOSTIC, evidenceevent__step="placement",
        standard_id__in=list(loaded.keys),
    ).values_list("evidenceevent__student_id", "standard_id")
    for student_id, standard_id in rows:
        counts[(student_id, loaded.keys[standard_id])] += 1
    return counts


def learner_inputs(
    student_ids: Sequence[int], context: MapContext
) -> dict[int, LearnerInputs]:
    """Each student's state and placement. A standard the check-up found likely known
    whose only evidence is that placement is left to the placement (the engine's *assumed*
    known) rather than counted as a started step: the check inferred it, nobody practised
    it, and evidence from one sitting cannot meet the rule's separate days anyway."""
    states = evidence_states(student_ids, context.loaded)
    placed = diagnostic_placements(student_ids, context.framework)
    placements = placement_counts(student_ids, context.loaded) if placed else {}
    result = {}
    for student_id in student_ids:
        state = dict(states.get(student_id, {}))
        known = placed.get(student_id)
        if known is not None:
            for code in known:
                summary = state.get(code)
                if summary is not None and summary.evidence_count <= placements.get(
                        (student_id, code), 0):
                    del state[code]
        result[student_id] = LearnerInputs(state=state, diagnostic_likely_known=known)
    return result


def with_mastery_dates(
    state: dict[str, EvidenceSummary], rule: MasteryRule
) -> dict[str, EvidenceSummary]:
    """Mastered standards get ``mastered_on`` = their last evidence day (the pace input)."""
    result = {}
    for code, summary in state.items():
        if rule.is_mastered(summary) and summary.last_evidence_on is not None:
            summary = EvidenceSummary(
                probability=summary.probability, evidence_days=summary.evidence_days,
                evidence_count=summary.evidence_count,
                first_evidence_on=summary.first_evidence_on,
                last_evidence_on=summary.last_evidence_on,
                mastered_on=summary.last_evidence_on,
            )
        result[code] = summary
    return result


def engine_goals(goals: Sequence[Goal], graph: CompetencyGraph) -> list[EngineGoal]:
    """Goals as the engine takes them; standards no longer on the map are left out (a goal
    left with none is not planned)."""
    result = []
    for goal in goals:
        codes = [c for c in goal.standard_codes if isinstance(c, str) and c in graph]
        if not codes:
            continue
        setter = goal.set_by.display_name if goal.set_by is not None else ""
        result.append(EngineGoal(str(goal.id), goal.kind, goal.title,  # type: ignore[arg-type]
                                 tuple(codes), goal.due, set_by=setter))
    return result


def engine_edits(edits: Sequence[PlanEdit]) -> list[EnginePlanEdit]:
    result = []
    for edit in edits:
        try:
            result.append(EnginePlanEdit(
                edit.action,  # type: ignore[arg-type]
                edit.code,
                position=edit.position,
                mode=(edit.mode or None),  # type: ignore[arg-type]
                activity_ids=tuple(str(i) for i in edit.activity_ids or ()),
                by=edit.by.display_name if edit.by is not None else "",
                note=edit.note,
            ))
        except PlanInputError:
            continue  # validated when made; a row edited by hand must not break the plan
    return result


def engine_profile(profile: LearnerProfile | None) -> EngineProfile:
    if profile is None:
        return EngineProfile()
    try:
        return EngineProfile(
            interests=tuple(profile.interests or ()), learns_best=tuple(profile.learns_best or ()),
            strengths=tuple(profile.strengths or ()), languages=tuple(profile.languages or ()),
        )
    except PlanInputError:
        return EngineProfile()


def district_activities(
    district_id: int, loaded: LoadedFramework
) -> tuple[list[EngineActivity], dict[int, Activity]]:
    """Every activity of the district aligned to the map, directly or by a playlist."""
    codes_of: dict[int, set[str]] = defaultdict(set)
    through = Activity.standards.through.objects.filter(
        activity__district_id=district_id, standard_id__in=list(loaded.keys)
    ).values_list("activity_id", "standard_id")
    for activity_id, standard_id in through:
        codes_of[activity_id].add(loaded.keys[standard_id])
    listed = PlaylistEntry.objects.filter(
        playlist__district_id=district_id, playlist__standard_id__in=list(loaded.keys)
    ).values_list("activity_id", "playlist__standard_id")
    for activity_id, standard_id in listed:
        codes_of[activity_id].add(loaded.keys[standard_id])
    rows = {a.id: a for a in Activity.objects.filter(id__in=list(codes_of))}
    engine = []
    for activity_id in sorted(rows):
        row = rows[activity_id]
        tags = tuple(t for t in (row.tags or []) if isinstance(t, str) and t.strip())
        try:
            engine.append(EngineActivity(
                str(row.id), row.title, tuple(sorted(codes_of[activity_id])),
                MODALITY.get(row.kind, "lesson"),  # type: ignore[arg-type]
                max(1, row.minutes or 1), tags,
            ))
        except PlanInputError:
            continue
    return engine, rows


# -- plans -------------------------------------------------------------------------------------


@dataclass
class MapContext:
    """What every plan of a district shares: the map, rule, calendar and activities."""

    district_id: int
    framework: Framework
    loaded: LoadedFramework
    graph: CompetencyGraph  # the planning graph (parts before their parent)
    rule: MasteryRule
    calendar: TermCalendar
    as_of: dt.date
    activities: list[EngineActivity]
    activity_rows: dict[int, Activity]
    _below_grade: dict[str, list[str]] = field(default_factory=dict)

    def standard_id(self, code: str) -> int | None:
        return self.loaded.standard_ids.get(code)

    def below_grade(self, grade: str | None) -> list[str]:
        if grade is None:
            return []
        if grade not in self._below_grade:
            self._below_grade[grade] = standards_below_grade(self.graph, grade)
        return self._below_grade[grade]


def map_context(district_id: int | None, as_of: dt.date | None = None) -> MapContext | None:
    """The shared inputs for a district's plans; None when it has no framework yet."""
    framework = plan_framework(district_id)
    if framework is None or district_id is None:
        return None
    loaded = load_framework(framework)
    today = as_of or timezone.localdate()
    activities, rows = district_activities(district_id, loaded)
    return MapContext(
        district_id=district_id, framework=framework, loaded=loaded,
        graph=planning_graph(loaded.graph), rule=mastery_rule_for(district_id),
        calendar=term_calendar(district_id, today), as_of=today,
        activities=activities, activity_rows=rows,
    )


@dataclass
class StudentPlan:
    """One student's plan and the rows behind it (what the pages need besides the JSON)."""

    student: User
    context: MapContext
    plan: LearningPlan
    state: dict[str, EvidenceSummary]
    goals: list[Goal]

    def to_dict(self) -> dict[str, Any]:
        return self.plan.to_dict()


def classmates_of(student: User) -> list[int]:
    """Students who share a (scheduled, not homeroom) class with ``student``: who could
    learn a step together in a small group."""
    class_ids = Enrollment.objects.filter(
        user=student, role=Enrollment.Role.STUDENT,
    ).exclude(klass__class_type=Class.ClassType.HOMEROOM).values("klass_id")
    return sorted(set(
        Enrollment.objects.filter(klass_id__in=class_ids, role=Enrollment.Role.STUDENT)
        .exclude(user_id=student.id).values_list("user_id", flat=True)
    ))


def _ready_sets(
    context: MapContext, students: Sequence[User], inputs: dict[int, LearnerInputs]
) -> dict[str, set[str]]:
    ready: dict[str, set[str]] = {}
    for other in students:
        mine = inputs.get(other.id, LearnerInputs({}, None))
        assumed = (mine.diagnostic_likely_known if mine.diagnostic_likely_known is not None
                   else context.below_grade(learner_grade(other)))
        classification = context.rule.classify(context.graph, mine.state,
                                               assumed_mastered=assumed)
        ready[str(other.id)] = set(classification.ready)
    return ready


@dataclass
class PlanRows:
    """What students and teachers said about plans: goals, active edits and profiles, read
    for a whole class in three queries (not three per student)."""

    goals: dict[int, list[Goal]]
    edits: dict[int, list[PlanEdit]]
    profiles: dict[int, LearnerProfile]

    @classmethod
    def of(cls, student_ids: Sequence[int]) -> PlanRows:
        ids = list(student_ids)
        goals: dict[int, list[Goal]] = defaultdict(list)
        for goal in Goal.objects.filter(student_id__in=ids).select_related("set_by"):
            goals[goal.student_id].append(goal)  # in the model's order (due, id)
        edits: dict[int, list[PlanEdit]] = defaultdict(list)
        for edit in PlanEdit.objects.filter(student_id__in=ids, active=True).select_related("by"):
            edits[edit.student_id].append(edit)  # in the order they were made (id)
        profiles = {p.student_id: p for p in LearnerProfile.objects.filter(student_id__in=ids)}
        return cls(goals=goals, edits=edits, profiles=profiles)


def _build(
    context: MapContext, student: User, inputs: LearnerInputs,
    classmates_ready: dict[str, set[str]], rows: PlanRows,
) -> StudentPlan:
    goals = list(rows.goals.get(student.id, []))
    edits = rows.edits.get(student.id, [])
    profile = rows.profiles.get(student.id)
    state = with_mastery_dates(inputs.state, context.rule)
    plan = build_plan(
        context.graph, state, rule=context.rule, calendar=context.calendar,
        as_of=context.as_of, goals=engine_goals(goals, context.graph),
        activities=context.activities, profile=engine_profile(profile),
        edits=engine_edits(edits), grade=learner_grade(student),
        diagnostic_likely_known=inputs.diagnostic_likely_known,
        classmates_at_step=ready_classmates(classmates_ready, str(student.id)),
        sub_standards={},
    )
    return StudentPlan(student=student, context=context, plan=plan, state=state, goals=goals)


def student_plan(
    student: User, *, as_of: dt.date | None = None, context: MapContext | None = None
) -> StudentPlan | None:
    """The student's plan now (None when the district has no framework to plan on).

    The caller has already checked the viewer may see ``student`` (``access_student``).
    """
    context = context or map_context(student.district_id, as_of)
    if context is None:
        return None
    classmate_ids = classmates_of(student)
    inputs = learner_inputs([student.id, *classmate_ids], context)
    classmates = list(User.objects.filter(id__in=classmate_ids))
    ready = _ready_sets(context, classmates, inputs)
    return _build(context, student, inputs[student.id], ready, PlanRows.of([student.id]))


def class_plans(
    students: Sequence[User], district_id: int, *, as_of: dt.date | None = None
) -> tuple[MapContext | None, list[StudentPlan]]:
    """Plans of a class's students, sharing the map and each other's ready sets."""
    context = map_context(district_id, as_of)
    if context is None:
        return None, []
    student_ids = [s.id for s in students]
    inputs = learner_inputs(student_ids, context)
    ready = _ready_sets(context, students, inputs)
    rows = PlanRows.of(student_ids)
    return context, [_build(context, s, inputs[s.id], ready, rows) for s in students]


def standards_by_code(context: MapContext, codes: Iterable[str]) -> dict[str, Standard]:
    ids = {code: context.standard_id(code) for code in codes}
    rows = Standard.objects.in_bulk([i for i in ids.values() if i is not None])
    return {code: rows[i] for code, i in ids.items() if i is not None and i in rows}
