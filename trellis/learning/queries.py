"""Permission-checked reads of mastery and evidence, and the "why is it this value" story.

Who may see a student's mastery and evidence: exactly who may see the student's profile
(:func:`~trellis.accounts.permissions.students_visible_to`): the student themself, their
guardians, the teachers of their classes, administrators of their school and of their district.
As everywhere, a missing and a forbidden object both raise
:class:`~trellis.accounts.permissions.NotFound`.

"Why" is answered from the evidence itself: :func:`access_standard_mastery` replays the
student's evidence through the district's active model (the same computation as the online
update and the refit's recompute), so each piece of evidence on the standard comes with the
mastery just before and just after it. The latest one that moved it is the answer to "why is it
this value"; the rest is its history. Answers on *other* standards move a standard a little too
(through the model's general-ability features): that drift is shown separately.

Refitting the model is for district administrators (:func:`can_refit`).

:func:`map_colouring` is the hook through which the learner model colours the skill map: for
one student, every standard of a framework is *mastered*, *ready to learn* (not mastered, every
prerequisite mastered) or *not yet*, by the district's one mastery rule
(:func:`trellis.learning.rules.mastery_rule_for`) applied to the student's
:class:`~trellis.learning.models.MasteryState` rows. With no evidence at all the map stays
neutral (an empty colouring): calling every first standard "ready" for a student we know nothing
about would tell nobody anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from django.db.models import Count, Max, Min, QuerySet

from trellis.accounts.models import User
from trellis.accounts.permissions import NotFound, is_district_admin
from trellis.accounts.queries import access_student
from trellis.engine.mastery import EvidenceSummary, MasteryRule, MasteryStatus
from trellis.frameworks.adapters import load_framework
from trellis.frameworks.layout import MapStatus
from trellis.frameworks.models import Framework, Standard
from trellis.learning import modeling
from trellis.learning.models import EvidenceEvent, LearnerModelParameters, MasteryState
from trellis.learning.rules import mastery_rule_for

STATUS_LABELS: dict[str, str] = {
    "mastered": "Mastered",
    "in_progress": "In progress",
    "not_started": "Not started",
}

Result = Literal["right", "wrong", "score"]


@dataclass(frozen=True)
class MasteryRow:
    """One standard of a student's mastery, as pages and the API show it."""

    state: MasteryState
    status: MasteryStatus
    explanation: str

    @property
    def standard(self) -> Standard:
        return self.state.standard

    @property
    def percent(self) -> int:
        return round(self.state.probability * 100)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def days(self) -> int:
        return len(set(self.state.evidence_days or []))

    @property
    def change_points(self) -> int:
        """How much the latest evidence moved it, in percentage points."""
        return round(self.state.last_change * 100)


@dataclass(frozen=True)
class StudentMastery:
    student: User
    rule: MasteryRule
    rows: list[MasteryRow]
    model_version: int  # 0: the shipped prior


@dataclass(frozen=True)
class EvidenceStep:
    """One piece of evidence on a standard, with what it did to the mastery of it."""

    event: EvidenceEvent
    before: float | None  # None: evidence that does not move mastery (a retry)
    after: float | None

    @property
    def moved(self) -> bool:
        return self.before is not None

    @property
    def change(self) -> float:
        if self.before is None or self.after is None:
            return 0.0
        return self.after - self.before

    @property
    def change_points(self) -> int:
        """The change in percentage points, as pages print it."""
        return round(self.change * 100)

    @property
    def result(self) -> str:
        event = self.event
        if event.correct is not None:
            if event.correct and event.hints_used:
                return "Right, after a hint"
            return "Right" if event.correct else "Wrong"
        return f"Scored {round((event.score or 0.0) * 100)}%"

    @property
    def what(self) -> str:
        event = self.event
        label = EvidenceEvent.Kind(event.kind).label
        if event.item is not None:
            label += f": {event.item}"
            if event.step:
                label += f" (step {event.step})"
        if not event.first_attempt:
            label += " — retry"
        return label


@dataclass(frozen=True)
class StandardMastery:
    """Why one standard's mastery is what it is, for one student."""

    student: User
    standard: Standard
    row: MasteryRow | None
    history: list[EvidenceStep]  # newest first
    latest_move: EvidenceStep | None
    drift: float  # how much other work moved it since its latest evidence
    rule: MasteryRule

    @property
    def drift_points(self) -> int:
        return round(self.drift * 100)



def evidence_summaries(student: User, framework: Framework) -> dict[str, EvidenceSummary]:
    """The student's learner-model state on a framework's standards, by graph node key."""
    keys = load_framework(framework).keys
    states = MasteryState.objects.filter(
        student=student, standard__framework=framework
    ).values_list("standard_id", "probability", "evidence_count", "evidence_days")
    summaries: dict[str, EvidenceSummary] = {}
    for standard_id, probability, count, days in states:
        key = keys.get(standard_id)
        if key is None:
            continue  # a grade, domain or cluster row: not a node of the map
        distinct_days = len(set(days or []))
        summaries[key] = EvidenceSummary(
            probability=min(1.0, max(0.0, probability)),
            evidence_days=min(distinct_days, count),
            evidence_count=count,
        )
    return summaries


def map_colouring(student: User, framework: Framework | None = None) -> dict[str, MapStatus]:
    """Each standard's map status for ``student``: ``{code: "mastered" | "ready" |
    "not_yet"}``; empty (a neutral map) when the student has no evidence on the framework.

    Without ``framework``, every framework of the student's district is coloured (the keys
    are graph node keys, normally the standards' codes).
    """
    if framework is not None:
        frameworks = [framework]
    elif student.district_id is None:
        return {}
    else:
        frameworks = list(Framework.objects.filter(district_id=student.district_id))
    rule = mastery_rule_for(student.district_id)
    colouring: dict[str, MapStatus] = {}
    for each in frameworks:
        state = evidence_summaries(student, each)
        if not state:
            continue
        classification = rule.classify(load_framework(each).graph, state)
        colouring.update(dict.fromkeys(classification.not_yet, "not_yet"))
        colouring.update(dict.fromkeys(classification.ready, "ready"))
        colouring.update(dict.fromkeys(classification.mastered, "mastered"))
    return colouring

def _row(state: MasteryState, rule: MasteryRule) -> MasteryRow:
    count = state.evidence_count
    summary = EvidenceSummary(
        probability=min(1.0, max(0.0, state.probability)),
        evidence_days=min(len(set(state.evidence_days or [])), count),
        evidence_count=count,
    )
    return MasteryRow(state, rule.status_of(summary), rule.explain(summary))


def mastery_states_of(student: User) -> QuerySet[MasteryState]:
    return (
        MasteryState.objects.filter(student=student)
        .select_related("standard", "standard__framework", "last_evidence",
                        "last_evidence__item")
        .order_by("standard__framework__title", "standard__position", "standard__code")
    )


def mastery_rows_of(student: User) -> tuple[MasteryRule, list[MasteryRow]]:
    """The district's rule and the student's mastery of every standard with evidence, for a
    student the caller already obtained through an ``access_*`` function."""
    rule = mastery_rule_for(student.district_id)
    return rule, [_row(state, rule) for state in mastery_states_of(student)]


def access_student_mastery(user: User, student_id: int) -> StudentMastery:
    """The student's mastery of every standard with evidence (same rule as the profile)."""
    student = access_student(user, student_id)
    rule, rows = mastery_rows_of(student)
    version = modeling.active_model(student.district_id).version if student.district_id else 0
    return StudentMastery(student, rule, rows, version)


def access_standard_mastery(user: User, student_id: int, standard_id: int) -> StandardMastery:
    """Why the student's mastery of one standard is what it is (see the module docstring)."""
    student = access_student(user, student_id)
    district_id = student.district_id
    if district_id is None:  # students_visible_to only yields students of a district
        raise NotFound
    try:
        standard = Standard.objects.select_related("framework").get(
            id=standard_id, framework__district_id=district_id)
    except Standard.DoesNotExist:
        raise NotFound from None
    rule = mastery_rule_for(district_id)
    state = mastery_states_of(student).filter(standard=standard).first()
    active = modeling.active_model(district_id)
    on_standard = set(
        EvidenceEvent.objects.filter(student=student, standards=standard)
        .values_list("id", flat=True))
    history: list[EvidenceStep] = []
    final_state: dict[str, object] = {}
    for replayed in modeling.replay(active.model, student.id, state=final_state):
        if replayed.event.id not in on_standard:
            continue
        moved = replayed.moved.get(modeling.skill_of(standard))
        history.append(EvidenceStep(replayed.event, *(moved if moved else (None, None))))
    history.reverse()
    latest = next((step for step in history if step.moved), None)
    drift = 0.0
    if latest is not None and latest.after is not None:
        drift = modeling.mastery_of(active.model, final_state,
                                   modeling.skill_of(standard)) - latest.after
    return StandardMastery(
        student=student, standard=standard, row=_row(state, rule) if state else None,
        history=history, latest_move=latest, drift=drift, rule=rule,
    )


def can_refit(user: User) -> bool:
    """Refitting the learner model is for the district's administrators."""
    return is_district_admin(user)


def parameter_versions_for(user: User) -> QuerySet[LearnerModelParameters]:
    """The district's learner-model versions, newest first (district admins only)."""
    if not can_refit(user) or user.district_id is None:
        raise NotFound
    return LearnerModelParameters.objects.filter(district_id=user.district_id).order_by(
        "-version")


# -- plain reads of evidence for the pages of other apps (the caller obtained the students
# through an access_* function or a permission rule) --------------------------------------------


def recent_observations(student_ids: Iterable[int], limit: int) -> QuerySet[EvidenceEvent]:
    """The latest teacher observations of these students (unevaluated: one query when read,
    with the student, and one for their standards)."""
    return EvidenceEvent.objects.filter(
        student_id__in=list(student_ids), kind=EvidenceEvent.Kind.OBSERVATION
    ).select_related("student").prefetch_related("standards")[:limit]


def evidence_counts(student_ids: Iterable[int]) -> dict[int, int]:
    """How many pieces of evidence each of these students has (absent: none), in one query."""
    return dict(EvidenceEvent.objects.filter(student_id__in=list(student_ids))
                .values("student_id").annotate(n=Count("id")).values_list("student_id", "n"))


def evidence_span(student: User) -> dict[str, Any]:
    """The student's evidence in one line: ``n`` pieces, the ``first`` and ``last`` times."""
    return EvidenceEvent.objects.filter(student=student).aggregate(
        n=Count("id"), first=Min("occurred_at"), last=Max("occurred_at"))
