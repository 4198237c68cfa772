"""Recording evidence: the one write path into the learner model.

:func:`do_record_evidence` stores an :class:`EvidenceEvent` and, in the same transaction,
updates the student's mastery of every standard it bears on, then audits it. It is idempotent
on ``(student, idempotency_key)``: a retried submit returns the event already stored and
changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone

from trellis.accounts.models import Role, User
from trellis.audit.actions import record
from trellis.curriculum.models import Item, Standard
from trellis.learning import modeling
from trellis.learning.models import EvidenceEvent


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
            modeling.apply_evidence(event, standard_list)
            record(
                recorded_by or student, f"evidence.{kind}", student,
                details={"standards": [s.code for s in standard_list], "correct": correct,
                         "score": score, "event": event.id},
            )
    except IntegrityError:
        # A concurrent retry of the same submit won the race: return what it stored.
        return EvidenceEvent.objects.get(student=student, idempotency_key=idempotency_key), False
    return event, True


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
