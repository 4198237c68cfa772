"""The learner model inside the platform: evidence in, mastery out.

Every piece of evidence moves the student's mastery **in the same transaction** that stores it
(:func:`apply_evidence`, called by :func:`~trellis.learning.actions.do_record_evidence`):

1. the district's *active* learner-model parameters are loaded — the newest
   :class:`~trellis.learning.models.LearnerModelParameters` row marked active, or, before the
   district's first refit, the shipped prior (:mod:`trellis.learning.prior`); fitted models are
   cached per parameter row, so this is one small query per answer. Parameters that no longer
   work with the engine (fitted before its features changed) fall back to the prior, so answers
   are never refused for it;
2. the student's :class:`~trellis.learning.models.LearnerModelState` (the engine's JSON state:
   running counts of attempts, successes, recent performance...) is locked and loaded;
3. the evidence becomes one *response* of the engine (:func:`response_of`) and is folded in
   with ``model.update`` — O(1), whatever the length of the student's history;
4. for each standard the evidence bears on, ``model.mastery(state, code)`` is written to
   :class:`~trellis.learning.models.MasteryState` with how much this evidence moved it
   (``last_change``), which event that was (``last_evidence``), and the evidence count and days.

Any error rolls the whole thing back, the evidence included: a stored answer always has its
mastery update.

**Evidence → response.** The engine sees every kind of evidence as an answer to an "item"
exercising "skills" (the standards' codes), right or wrong:

* practice, quiz and diagnostic answers: the item (and step) answered, ``correct`` as marked;
  a first attempt after asking for a hint counts as *not yet* (the knowledge-tracing convention:
  the hint did part of the work);
* retries (``first_attempt=False``) are stored and listed but do **not** move mastery: they
  follow feedback on the same question, so they measure the feedback as much as the student;
* project rubric scores and teacher observations (``score`` 0–1): at least half marks is a
  success, below half is *not yet*. Each kind is its own pseudo-item (``"project"``,
  ``"observation"``), so a refit learns from the district's own data how much such evidence
  predicts later answers.

Mastery of a standard is the engine's: the predicted chance of answering a typical new item of
that standard correctly now (``docs/learner-model.md``). Only the standards of the evidence are
rewritten; the model's small "general ability" effect on other standards is brought up to date
the next time they get evidence, or at the next refit (which recomputes everything).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from trellis.curriculum.models import Standard
from trellis.engine.learner import LearnerModel, State
from trellis.learning.models import (
    EvidenceEvent,
    LearnerModelParameters,
    LearnerModelState,
    MasteryState,
)
from trellis.learning.prior import prior_document

logger = logging.getLogger(__name__)

PRIOR_VERSION = 0
"""The version number of the shipped prior (fitted versions start at 1)."""


@dataclass(frozen=True)
class ActiveModel:
    """The model a district uses now, and which parameter version it is."""

    model: LearnerModel
    version: int
    parameters_id: int | None  # None: the shipped prior


@dataclass(frozen=True)
class Response:
    """One piece of evidence as the engine sees it."""

    item_id: str
    skills: tuple[str, ...]
    correct: int
    timestamp: float


# (row id, when fitted) -> model; None: stored parameters unusable. The fitting time is in the
# key because a database may reuse the id of a deleted row.
_models: dict[tuple[int, str] | None, LearnerModel | None] = {}
_models_lock = threading.Lock()
_CACHE_SIZE = 16


def _usable(model: LearnerModel) -> bool:
    """Whether the parameters work with this engine (parameters stored by an older engine
    whose features have changed since do not)."""
    try:
        state = model.initial_state("probe")
        model.predict_proba(state, "probe", ["probe"])
        model.update(state, "probe", ["probe"], 1)
        model.mastery(state, "probe")
    except (KeyError, TypeError, ValueError, IndexError):
        return False
    return True


def _model_for(key: tuple[int, str] | None) -> LearnerModel | None:
    """The fitted model of a parameter row (``(id, fitted_at)``; ``None``: the prior), parsed
    once and cached; ``None`` when the row's parameters do not work with this engine."""
    if key in _models:
        return _models[key]
    parameters_id = None if key is None else key[0]
    model: LearnerModel | None
    if parameters_id is None:
        model = LearnerModel.from_json(prior_document())
    else:
        text = json.dumps(LearnerModelParameters.objects.get(id=parameters_id).parameters)
        try:
            model = LearnerModel.from_json(text)
        except (KeyError, TypeError, ValueError):
            model = None
        if model is not None and not _usable(model):
            model = None
        if model is None:
            logger.warning("learner-model parameters %s do not fit this engine: the prior is "
                           "used until the district is refitted", parameters_id)
    with _models_lock:
        if len(_models) >= _CACHE_SIZE:
            _models.clear()  # rows never change once written, so dropping them is always safe
        _models[key] = model
    return model


def active_model(district_id: int) -> ActiveModel:
    """The district's active parameters; the prior when it has never been refitted, or when
    the active parameters were fitted by an older engine and no longer load (a refit fixes
    that; the learner-model page says so)."""
    row = (
        LearnerModelParameters.objects.filter(district_id=district_id, active=True)
        .values_list("id", "version", "fitted_at")
        .first()
    )
    if row is not None:
        parameters_id, version, fitted_at = row
        model = _model_for((parameters_id, fitted_at.isoformat()))
        if model is not None:
            return ActiveModel(model, version, parameters_id)
    return ActiveModel(prior_model(), PRIOR_VERSION, None)


def prior_model() -> LearnerModel:
    model = _model_for(None)
    if model is None:  # the shipped prior always loads (tests/learning check it)
        raise RuntimeError("the shipped learner-model prior does not load")
    return model


def skill_of(standard: Standard) -> str:
    """The engine's skill id of a standard: its code (a code-less node gets a unique id)."""
    return standard.code or f"standard:{standard.id}"


def moves_mastery(event: EvidenceEvent) -> bool:
    """Retries after feedback are kept as evidence but do not move the model."""
    return event.first_attempt and (event.correct is not None or event.score is not None)


def response_of(event: EvidenceEvent, standard_codes: Sequence[str]) -> Response:
    """The engine's view of one piece of evidence (see the module docstring)."""
    if event.item_id is not None:
        item_id = f"item:{event.item_id}" + (f"/{event.step}" if event.step else "")
    else:
        item_id = str(event.kind)
    if event.correct is not None:
        correct = int(bool(event.correct) and event.hints_used == 0)
    else:
        correct = int((event.score or 0.0) >= 0.5)
    return Response(item_id, tuple(standard_codes), correct, event.occurred_at.timestamp())


def mastery_of(model: LearnerModel, state: State, skill: str) -> float:
    """``model.mastery``, where a log-odds so negative that ``exp`` overflows is exactly 0."""
    try:
        return model.mastery(state, skill)
    except OverflowError:
        return 0.0


def step(model: LearnerModel, state: State, response: Response
         ) -> dict[str, tuple[float, float]]:
    """Fold one response into ``state``; each skill's mastery ``(before, after)``."""
    before = {code: mastery_of(model, state, code) for code in response.skills}
    model.update(state, response.item_id, list(response.skills), response.correct,
                 response.timestamp)
    return {code: (before[code], mastery_of(model, state, code)) for code in response.skills}


def apply_evidence(event: EvidenceEvent, standards: list[Standard]) -> None:
    """Move the student's mastery with one new piece of evidence (inside the caller's
    transaction; see the module docstring)."""
    if not moves_mastery(event):
        return
    active = active_model(event.district_id)
    learner, _ = LearnerModelState.objects.select_for_update().get_or_create(
        student_id=event.student_id,
        defaults={"district_id": event.district_id, "state": {},
                  "parameters_version": active.version},
    )
    state = learner.state or active.model.initial_state(str(event.student_id))
    by_code: dict[str, list[Standard]] = {}
    for standard in standards:  # two frameworks of a district may share a code
        by_code.setdefault(skill_of(standard), []).append(standard)
    response = response_of(event, sorted(by_code))
    try:
        moved = step(active.model, state, response)
    except (KeyError, TypeError, ValueError, IndexError):
        # A stored state this engine cannot read (its state layout changed since): rebuild it
        # from the evidence, once, then apply this answer to the rebuilt state.
        state = {}
        earlier = [e for e in events_in_order(event.student_id) if e.id != event.id]
        for _ in replay(active.model, event.student_id, earlier, state=state):
            pass
        moved = step(active.model, state, response)
    learner.state = state
    learner.parameters_version = active.version
    learner.save(update_fields=["state", "parameters_version", "updated_at"])
    day = event.occurred_at.date().isoformat()
    for code, (before, after) in moved.items():
        for standard in by_code[code]:
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


@dataclass(frozen=True)
class ReplayedEvent:
    """One of a student's events replayed through the model, with what it did to mastery."""

    event: EvidenceEvent
    standards: tuple[Standard, ...]
    codes: tuple[str, ...]
    moved: dict[str, tuple[float, float]]  # empty for evidence that does not move mastery


def events_in_order(student_id: int) -> Iterable[EvidenceEvent]:
    """A student's evidence in the order it happened (ties: the order it was stored)."""
    return (
        EvidenceEvent.objects.filter(student_id=student_id)
        .select_related("item")
        .prefetch_related("standards")
        .order_by("occurred_at", "id")
    )


def replay(model: LearnerModel, student_id: int, events: Iterable[EvidenceEvent] | None = None,
           state: State | None = None) -> Iterator[ReplayedEvent]:
    """Replay a student's evidence from scratch through ``model`` (``state`` is filled in)."""
    if state is None:
        state = {}
    state.clear()
    state.update(model.initial_state(str(student_id)))
    for event in events_in_order(student_id) if events is None else events:
        standards = tuple(event.standards.all())
        codes = tuple(sorted({skill_of(s) for s in standards}))
        moved: dict[str, tuple[float, float]] = {}
        if moves_mastery(event) and codes:
            moved = step(model, state, response_of(event, codes))
        yield ReplayedEvent(event, standards, codes, moved)


def recompute_student(student_id: int, district_id: int, active: ActiveModel) -> int:
    """Rebuild one student's learner state and every MasteryState row from their evidence
    with ``active``'s parameters. Call inside a transaction; returns the events replayed.

    The learner-state row is locked *before* the evidence is read, so an answer recorded
    meanwhile is either in the replay or applied on top of it afterwards — never lost.
    """
    learner, _ = LearnerModelState.objects.select_for_update().get_or_create(
        student_id=student_id, defaults={"district_id": district_id, "state": {}})
    state: State = {}
    summary: dict[int, dict[str, Any]] = {}  # by standard id
    standards: dict[int, Standard] = {}
    count = 0
    for replayed in replay(active.model, student_id, state=state):
        count += 1
        day = replayed.event.occurred_at.date().isoformat()
        for standard in replayed.standards:
            if skill_of(standard) not in replayed.moved:
                continue
            before, after = replayed.moved[skill_of(standard)]
            entry = summary.setdefault(standard.id, {"count": 0, "days": set()})
            entry.update(change=after - before, event=replayed.event.id)
            standards[standard.id] = standard
            entry["count"] += 1
            entry["days"].add(day)
    learner.state = state
    learner.parameters_version = active.version
    learner.save(update_fields=["state", "parameters_version", "updated_at"])
    existing = {
        row.standard_id: row
        for row in MasteryState.objects.select_for_update()
        .filter(student_id=student_id).select_related("standard")
    }
    for standard_id, entry in summary.items():
        row = existing.pop(standard_id, None) or MasteryState(
            student_id=student_id, standard=standards[standard_id], district_id=district_id)
        # the value now, after everything the student did since (not just after its evidence)
        row.probability = mastery_of(active.model, state, skill_of(row.standard))
        row.last_change = entry["change"]
        row.last_evidence_id = entry["event"]
        row.evidence_count = entry["count"]
        row.evidence_days = sorted(entry["days"])
        row.save()
    # Rows no evidence supports any more (the evidence was deleted) go back to the model's
    # view of a student with this history.
    for row in existing.values():
        row.probability = mastery_of(active.model, state, skill_of(row.standard))
        row.last_change = 0.0
        row.last_evidence = None
        row.evidence_count = 0
        row.evidence_days = []
        row.save()
    return count
