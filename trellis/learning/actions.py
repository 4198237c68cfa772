"""Every write of the learner model: evidence, mastery, the district's parameters.

- :func:`do_record_evidence` stores an :class:`EvidenceEvent` and, in the same transaction,
  updates the student's learner state and mastery of every standard it bears on (computed by
  :func:`trellis.learning.modeling.fold_evidence`), then audits it. It is idempotent on
  ``(student, idempotency_key)``: a retried submit returns the event already stored and changes
  nothing.
- :func:`do_refit_district` fits the district's learner model on its own evidence
  (:mod:`trellis.learning.refit` computes), stores the new parameter version and makes it the
  only active one in one audited transaction (``learner.refit``), then rebuilds every student's
  learner state and mastery in batches (``learner.recompute`` when done).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from trellis.accounts.models import District, Role, User
from trellis.audit.actions import record
from trellis.content.models import Item
from trellis.frameworks.models import Standard
from trellis.learning import modeling, refit
from trellis.learning.models import (
    EvidenceEvent,
    LearnerModelParameters,
    LearnerModelState,
    MasteryState,
)


class EvidenceError(ValueError):
    """Evidence that cannot be recorded (wrong person, standard of another district...)."""


def do_record_evidence(
    student: User,
    *,
    kind: str,
    standards: Iterable[Standard],
    idempotency_key: str,
    correct: bool | None = None,
    score: float | None = None,
    item: Item | None = None,
    step: str = "",
    first_attempt: bool = True,
    hints_used: int = 0,
    seconds: float | None = None,
    response: str = "",
    note: str = "",
    recorded_by: User | None = None,
    occurred_at: dt.datetime | None = None,
) -> tuple[EvidenceEvent, bool]:
    """Store one piece of evidence and move mastery; returns ``(event, created)``."""
    standard_list = list(standards)
    if student.district_id is None:
        raise EvidenceError(f"{student.username} belongs to no district")
    _validate(student, kind, standard_list, idempotency_key, correct, score, item)
    existing = EvidenceEvent.objects.filter(
        student=student, idempotency_key=idempotency_key
    ).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            event = EvidenceEvent.objects.create(
                district_id=student.district_id, student=student, kind=kind, item=item,
                step=step, correct=correct, score=score, first_attempt=first_attempt,
                hints_used=hints_used, seconds=seconds, response=response[:2000], note=note,
                idempotency_key=idempotency_key, recorded_by=recorded_by,
                occurred_at=occurred_at or timezone.now(),
            )
            event.standards.set(standard_list)
            _apply_evidence(event, standard_list)
            record(
                recorded_by or student, f"evidence.{kind}", student,
                details={"standards": [s.code for s in standard_list], "correct": correct,
                         "score": score, "event": event.id},
            )
    except IntegrityError:
        # A concurrent retry of the same submit won the race: return what it stored.
        return EvidenceEvent.objects.get(student=student, idempotency_key=idempotency_key), False
    return event, True


def _apply_evidence(event: EvidenceEvent, standards: list[Standard]) -> None:
    """Move the student's mastery with one new piece of evidence, inside the caller's
    transaction (see :mod:`trellis.learning.modeling`): the learner state row is locked, the
    evidence folded in, the state and each standard's ``MasteryState`` stored."""
    if not modeling.moves_mastery(event):
        return
    active = modeling.active_model(event.district_id)
    learner, _ = LearnerModelState.objects.select_for_update().get_or_create(
        student_id=event.student_id,
        defaults={"district_id": event.district_id, "state": {},
                  "parameters_version": active.version},
    )
    state = learner.state or active.model.initial_state(str(event.student_id))
    folded = modeling.fold_evidence(active, state, event, standards)
    learner.state = folded.state
    learner.parameters_version = active.version
    learner.save(update_fields=["state", "parameters_version", "updated_at"])
    day = event.occurred_at.date().isoformat()
    for standard, before, after in folded.moved:
        mastery, _ = MasteryState.objects.select_for_update().get_or_create(
            student_id=event.student_id, standard=standard,
            defaults={"district_id": event.district_id, "probability": before},
        )
        mastery.probability = after
        mastery.last_change = after - before
        mastery.last_evidence = event
        mastery.evidence_count += 1
        if day not in mastery.evidence_days:
            mastery.evidence_days = sorted([*mastery.evidence_days, day])
        mastery.save()


def _validate(
    student: User, kind: str, standards: list[Standard], key: str, correct: bool | None,
    score: float | None, item: Item | None,
) -> None:
    if student.role != Role.STUDENT:
        raise EvidenceError(f"{student.username} is not a student")
    if kind not in EvidenceEvent.Kind.values:
        raise EvidenceError(f"unknown evidence kind {kind!r}")
    if not key or len(key) > 100:
        raise EvidenceError("an idempotency key of 1–100 characters is required")
    if not standards:
        raise EvidenceError("evidence must bear on at least one standard")
    if any(s.framework.district_id != student.district_id for s in standards):
        raise EvidenceError("a standard of another district")
    if item is not None and item.district_id != student.district_id:
        raise EvidenceError("an item of another district")
    if correct is None and score is None:
        raise EvidenceError("evidence needs a result: correct or a score")
    if score is not None and not 0.0 <= score <= 1.0:
        raise EvidenceError("a score must be between 0 and 1")


# -- refitting the district's learner model ------------------------------------------------------


def do_refit_district(
    district: District, *, actor: User | None, progress: refit.Progress | None = None,
    details: Mapping[str, Any] | None = None, random_state: int = 0,
) -> refit.RefitSummary:
    """Fit, swap in and recompute (see :mod:`trellis.learning.refit`); ``progress(fraction,
    message)``. ``actor`` is who asked (``None``: the system — a command line without
    ``--as``, the demo); ``details`` add to both audit entries (``{"via": "cli", ...}``)."""
    def report(fraction: float, message: str) -> None:
        if progress is not None:
            progress(fraction, message)

    extra = dict(details or {})
    report(0.02, "Reading the district's responses")
    log = refit.district_log(district.id)
    report(0.1, f"Fitting the learner model on {len(log)} responses")
    started = time.perf_counter()
    document, prior_weight, note = refit.fit_parameters(log, random_state=random_state)
    fit_seconds = time.perf_counter() - started
    with transaction.atomic():
        # Lock the district row: two refits at once take turns at numbering and activating.
        District.objects.select_for_update().get(id=district.id)
        latest = LearnerModelParameters.objects.filter(district=district).aggregate(
            Max("version"))["version__max"] or 0
        LearnerModelParameters.objects.filter(district=district, active=True).update(
            active=False)
        parameters = LearnerModelParameters.objects.create(
            district=district, model_name=str(document["model"]), parameters=document,
            version=latest + 1, active=True, responses_used=len(log), note=note[:300],
        )
        record(actor, "learner.refit", parameters, district=district, details={
            "version": parameters.version, "responses_used": len(log),
            "prior_weight": round(prior_weight, 4), "fit_seconds": round(fit_seconds, 3),
            "note": note, **extra})
    report(0.5, f"Version {parameters.version} is active; recomputing mastery")
    started = time.perf_counter()
    students, events = _recompute_district(district.id, report, 0.5, 1.0)
    recompute_seconds = time.perf_counter() - started
    summary = refit.RefitSummary(
        district_id=district.id, version=parameters.version, responses_used=len(log),
        students=len(set(log.student.tolist())), students_recomputed=students,
        prior_weight=prior_weight, fit_seconds=fit_seconds,
        recompute_seconds=recompute_seconds, note=note,
    )
    with transaction.atomic():
        record(actor, "learner.recompute", parameters, district=district, details={
            "version": parameters.version, "students": students, "events": events,
            "recompute_seconds": round(recompute_seconds, 3), **extra})
    report(1.0, f"Version {parameters.version} active; {students} students recomputed")
    return summary


def _recompute_district(district_id: int, progress: refit.Progress | None = None,
                        start: float = 0.0, end: float = 1.0) -> tuple[int, int]:
    """Rebuild every student's mastery with the active parameters, in batches.

    Each batch is one transaction; the active parameters are read per batch, so a refit that
    lands in the middle is picked up by the remaining students (and its own recompute redoes
    the rest). Returns (students, events replayed).
    """
    student_ids = list(
        User.objects.filter(district_id=district_id, role=Role.STUDENT)
        .filter(evidence__isnull=False).distinct().order_by("id").values_list("id", flat=True)
    )
    total = len(student_ids)
    replayed = 0
    for first in range(0, total, refit.BATCH_SIZE):
        batch = student_ids[first:first + refit.BATCH_SIZE]
        with transaction.atomic():
            active = modeling.active_model(district_id)
            for student_id in batch:
                replayed += _recompute_student(student_id, district_id, active)
        if progress is not None:
            done = first + len(batch)
            progress(start + (end - start) * done / max(total, 1),
                     f"Recomputing mastery: {done} of {total} students")
    return total, replayed


def _recompute_student(student_id: int, district_id: int, active: modeling.ActiveModel) -> int:
    """Rebuild one student's learner state and every MasteryState row from their evidence
    with ``active``'s parameters. Call inside a transaction; returns the events replayed.

    The learner-state row is locked *before* the evidence is read, so an answer recorded
    meanwhile is either in the replay or applied on top of it afterwards — never lost.
    """
    learner, _ = LearnerModelState.objects.select_for_update().get_or_create(
        student_id=student_id, defaults={"district_id": district_id, "state": {}})
    rebuilt = modeling.rebuild_student(active, student_id)
    learner.state = rebuilt.state
    learner.parameters_version = active.version
    learner.save(update_fields=["state", "parameters_version", "updated_at"])
    existing = {
        row.standard_id: row
        for row in MasteryState.objects.select_for_update()
        .filter(student_id=student_id).select_related("standard")
    }
    for standard_id, history in rebuilt.standards.items():
        row = existing.pop(standard_id, None) or MasteryState(
            student_id=student_id, standard=history.standard, district_id=district_id)
        # the value now, after everything the student did since (not just after its evidence)
        row.probability = modeling.mastery_of(active.model, rebuilt.state,
                                              modeling.skill_of(row.standard))
        row.last_change = history.last_change
        row.last_evidence_id = history.last_event_id
        row.evidence_count = history.count
        row.evidence_days = sorted(history.days)
        row.save()
    # Rows no evidence supports any more (the evidence was deleted) go back to the model's
    # view of a student with this history.
    for row in existing.values():
        row.probability = modeling.mastery_of(active.model, rebuilt.state,
                                              modeling.skill_of(row.standard))
        row.last_change = 0.0
        row.last_evidence = None
        row.evidence_count = 0
        row.evidence_days = []
        row.save()
    return rebuilt.events
