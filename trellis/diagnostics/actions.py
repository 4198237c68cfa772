"""Writes of the diagnostic (transactional, audited).

- :func:`do_start_session` opens a check from the student's current mastery;
- :func:`do_answer` records one answer — once, whatever the number of submits (the form's
  idempotency key; the session row is locked) — stores the engine document, records the answer
  as learner-model evidence (kind ``diagnostic``) and, when the engine stops, finishes the
  session and feeds the placement to the learner model (:func:`feed_placement`);
- :func:`do_pause` marks a session paused ("abandoned" in the data: left before the end); the
  next visit resumes it where it stopped;
- :func:`do_resume` puts a paused session back in progress when the student opens it again;
- :func:`do_reopen` lets a teacher (re)open the check for students: a new session, started from
  the mastery of that moment, never a gate;
- :func:`do_calibrate` stores items' slip and guess fitted from the district's evidence
  (:mod:`trellis.diagnostics.calibration`).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from trellis.accounts.models import District, Role, User
from trellis.audit.actions import record
from trellis.content.models import Item
from trellis.diagnostics import bank
from trellis.diagnostics.calibration import CalibrationReport, calibrate
from trellis.diagnostics.models import (
    DiagnosticAssignment,
    DiagnosticResponse,
    DiagnosticSession,
    ItemCalibration,
)
from trellis.engine.assessment import DiagnosticSession as LiveSession
from trellis.frameworks.adapters import load_framework
from trellis.frameworks.models import Framework, Standard
from trellis.learning.actions import do_record_evidence
from trellis.learning.models import MasteryState
from trellis.roster.models import Class

Status = DiagnosticSession.Status


class DiagnosticError(ValueError):
    """A diagnostic write that cannot be done (nothing to assess, not a student...)."""


def current_mastery(student: User, framework: Framework) -> dict[str, float]:
    """The learner model's mastery of the framework's standards that have evidence."""
    keys = load_framework(framework).keys
    rows = MasteryState.objects.filter(
        student=student, standard__framework=framework, evidence_count__gt=0
    ).values_list("standard_id", "probability")
    return {keys[sid]: p for sid, p in rows if sid in keys}


def open_session(student: User, framework: Framework) -> DiagnosticSession | None:
    return DiagnosticSession.objects.filter(
        student=student, framework=framework,
        status__in=[Status.IN_PROGRESS, Status.ABANDONED],
    ).first()


def session_seed(student: User, framework: Framework) -> int:
    """The engine seed of a new session: different per student and per retake (so exposure
    control shows different students different first items), reproducible for a given one."""
    taken = DiagnosticSession.objects.filter(student=student, framework=framework).count()
    digest = hashlib.sha256(f"{student.id}:{framework.id}:{taken}".encode()).digest()
    return int.from_bytes(digest[:4], "big") >> 1


def do_start_session(student: User, framework: Framework) -> DiagnosticSession:
    """Resume the student's unfinished check on ``framework``, or start a new one."""
    if student.role != Role.STUDENT:
        raise DiagnosticError("only students take the check")
    if framework.district_id != student.district_id:
        raise DiagnosticError("a framework of another district")
    existing = open_session(student, framework)
    if existing is not None:
        return existing
    spec = bank.build_spec(framework, student, current_mastery(student, framework))
    if not spec.bank:
        raise DiagnosticError("there are no questions for this subject yet")
    engine = bank.engine_for(framework, spec)
    seed = session_seed(student, framework)
    with transaction.atomic():
        assignment = DiagnosticAssignment.objects.filter(
            student=student, framework=framework, used_at__isnull=True).first()
        session = DiagnosticSession.objects.create(
            district_id=student.district_id, student=student, framework=framework,
            subject=framework.subject or framework.title, scope=list(spec.scope),
            bank=spec.to_json()["bank"], prior=spec.prior, seed=seed, document="",
            reopened_by=assignment,
        )
        live = engine.start(f"diagnostic-{session.id}", seed=seed, now=time.time())
        session.document = live.to_json()
        session.save(update_fields=["document"])
        if assignment is not None:
            DiagnosticAssignment.objects.filter(
                student=student, framework=framework, used_at__isnull=True
            ).update(used_at=timezone.now())
        record(student, "diagnostic.start", student,
               details={"session": session.id, "framework": framework.id,
                        "scope": len(spec.scope), "items": len(spec.bank)})
    bank.remember(session.id, live)
    return session


def spec_of(session: DiagnosticSession) -> bank.EngineSpec:
    return bank.EngineSpec.from_stored(session.scope, session.bank, session.prior)


def live(session: DiagnosticSession) -> LiveSession:
    """The engine session of a stored one (cached; rebuilt by replay when needed)."""
    engine = bank.engine_for(session.framework, spec_of(session))
    return bank.live_session(session.id, engine, session.document)


@dataclass(frozen=True)
class AnswerOutcome:
    counted: bool  # False: a double submit or a stale form, nothing changed
    finished: bool


def do_answer(session_id: int, student: User, *, engine_item: str, idempotency_key: str,
              correct: bool, response: str = "", skipped: bool = False) -> AnswerOutcome:
    """Record one answer to the question ``engine_item`` (see the module docstring)."""
    key = idempotency_key[:64]
    if not key:
        raise DiagnosticError("an answer needs its idempotency key")
    with bank.session_lock(session_id):
        try:
            return _answer(session_id, student, engine_item, key, correct, response, skipped)
        except IntegrityError:
            # a concurrent submit of the same key (another process) stored it first; the
            # in-memory session may hold this attempt: drop it, the stored document wins
            bank.forget(session_id)
            return AnswerOutcome(False, False)


def _answer(session_id: int, student: User, engine_item: str, key: str, correct: bool,
            response: str, skipped: bool) -> AnswerOutcome:
    with transaction.atomic():
        session = (DiagnosticSession.objects.select_for_update()
                   .select_related("framework").get(id=session_id, student=student))
        if DiagnosticResponse.objects.filter(session=session, idempotency_key=key).exists():
            return AnswerOutcome(False, session.finished)
        if session.finished:
            return AnswerOutcome(False, True)
        current = live(session)
        if current.next_item() != engine_item:
            return AnswerOutcome(False, False)  # a stale form: not the question shown now
        row = Item.objects.filter(id=bank.item_pk(engine_item)).first()
        accepted = current.submit(key, engine_item, correct)
        if not accepted:
            return AnswerOutcome(False, False)
        DiagnosticResponse.objects.create(
            session=session, item=row, engine_item=engine_item, idempotency_key=key,
            response=response[:2000], skipped=skipped, correct=correct)
        session.document = current.to_json()
        session.items_answered = len(current.answers)
        session.status = Status.IN_PROGRESS
        if row is not None:
            standards = list(row.alignments.filter(framework=session.framework))
            if standards:
                do_record_evidence(
                    student, kind="diagnostic", standards=standards,
                    idempotency_key=f"diagnostic:{session.id}:{key}"[:100], correct=correct,
                    item=row, step=_first_step(row), response=response,
                    note="I don't know yet" if skipped else "",
                )
        finished = current.next_item() is None
        if finished:
            _finish(session, current)
        session.save()
        bank.remember(session.id, current)
    return AnswerOutcome(True, finished)


def _first_step(row: Item) -> str:
    steps = row.content.get("steps") or [{}]
    return str(steps[0].get("identifier", ""))[:100]


def _finish(session: DiagnosticSession, current: LiveSession) -> None:
    result = current.result()
    session.status = Status.COMPLETED
    session.stop_reason = result.stop_reason or ""
    session.result = result.to_dict()
    session.finished_at = timezone.now()
    fed = feed_placement(session, result.probabilities, result.uncertain, current)
    record(session.student, "diagnostic.complete", session.student,
           details={"session": session.id, "items": result.items_answered,
                    "stop": result.stop_reason, "likely_known": len(result.likely_known),
                    "ready": len(result.frontier), "placement_evidence": fed})


def feed_placement(session: DiagnosticSession, probabilities: Mapping[str, float],
                   uncertain: Iterable[str], current: LiveSession) -> int:
    """Feed the placement to the learner model: one ``diagnostic`` evidence, with no item and
    ``score`` = the check's P(known), for each standard the check classified with confidence
    and did not ask about directly (asked ones already have their answers as evidence).
    Uncertain and not-assessable standards get nothing. The learner model counts score ≥ 0.5
    as a success of the pseudo-item "diagnostic", so a refit learns how far placements predict
    answers."""
    asked: set[str] = set()
    for answer in current.answers:
        asked.update(current.engine.items[current.engine.item_index[answer.item_id]].standards)
    skip = set(uncertain) | asked
    loaded = load_framework(session.framework)
    wanted = {code: p for code, p in probabilities.items() if code not in skip}
    rows = Standard.objects.in_bulk(
        [loaded.standard_ids[c] for c in wanted if c in loaded.standard_ids])
    fed = 0
    for code, p in wanted.items():
        standard = rows.get(loaded.standard_ids.get(code, -1))
        if standard is None:
            continue
        do_record_evidence(
            session.student, kind="diagnostic", standards=[standard],
            idempotency_key=f"diagnostic:{session.id}:placement:{standard.id}"[:100],
            score=round(min(1.0, max(0.0, p)), 3), step="placement",
            note=f"Placement from check #{session.id}",
        )
        fed += 1
    return fed


def do_pause(session_id: int, student: User) -> DiagnosticSession:
    with transaction.atomic():
        session = DiagnosticSession.objects.select_for_update().get(id=session_id,
                                                                     student=student)
        if session.status == Status.IN_PROGRESS:
            session.status = Status.ABANDONED
            session.save(update_fields=["status", "updated_at"])
            record(student, "diagnostic.pause", student,
                   details={"session": session.id, "answered": session.items_answered})
    return session


def do_resume(session: DiagnosticSession, student: User) -> None:
    """The student opened their paused check again: it is in progress (audited once, by
    whichever request resumes it)."""
    if session.status != Status.ABANDONED:
        return
    with transaction.atomic():
        resumed = DiagnosticSession.objects.filter(
            id=session.id, student=student, status=Status.ABANDONED,
        ).update(status=Status.IN_PROGRESS)
        if resumed:
            record(student, "diagnostic.resume", student,
                   details={"session": session.id, "answered": session.items_answered})
    session.status = Status.IN_PROGRESS


def do_reopen(actor: User, klass: Class, framework: Framework,
              students: Iterable[User]) -> int:
    """Open the check again for ``students`` of ``klass`` (already permission-checked by the
    caller). Students with an open invitation are skipped; returns how many were invited."""
    count = 0
    with transaction.atomic():
        for student in students:
            if DiagnosticAssignment.objects.filter(
                    student=student, framework=framework, used_at__isnull=True).exists():
                continue
            DiagnosticAssignment.objects.create(
                district_id=klass.district_id, framework=framework, klass=klass,
                student=student, opened_by=actor)
            record(actor, "diagnostic.reopen", student,
                   details={"class": klass.id, "framework": framework.id})
            count += 1
    return count


def do_calibrate(district: District, *, user: User | None = None, dry_run: bool = False,
                 min_responses: int = 5, details: Mapping[str, Any] | None = None,
                 ) -> CalibrationReport:
    """Fit items' slip and guess from the district's evidence
    (:mod:`trellis.diagnostics.calibration`) and store them, audited; ``dry_run`` stores
    nothing. ``details`` add to the audit entry (``{"via": "cli", ...}``)."""
    report = calibrate(district, dry_run=dry_run, min_responses=min_responses)
    if dry_run:
        return report
    with transaction.atomic():
        for item_id, (slip, guess, n) in report.fitted.items():
            ItemCalibration.objects.update_or_create(
                item_id=item_id, defaults={"district": district, "slip": slip,
                                           "guess": guess, "responses": n})
        record(user, "diagnostic.calibrate", None, district=district,
               details={"items": len(report.fitted), "skipped": report.skipped,
                        **(details or {})})
    return report
