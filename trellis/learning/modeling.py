"""The learner model inside the platform: evidence in, mastery out (the computation; every
write is in :mod:`trellis.learning.actions`).

Every piece of evidence moves the student's mastery **in the same transaction** that stores it
(:func:`~trellis.learning.actions.do_record_evidence`, which computes the move with
:func:`fold_evidence`):

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
from dataclasses import dataclass, field

from trellis.engine.learner import LearnerModel, State
from trellis.frameworks.models import Standard
from trellis.learning.models import EvidenceEvent, LearnerModelParameters
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


@dataclass(frozen=True)
class EvidenceStep:
    """What one piece of evidence does to a student's model: the learner state after it, and
    each standard's mastery ``(standard, before, after)``."""

    state: State
    moved: list[tuple[Standard, float, float]]


def fold_evidence(active: ActiveModel, state: State, event: EvidenceEvent,
                  standards: Sequence[Standard]) -> EvidenceStep:
    """Fold one new piece of evidence into the student's ``state`` (updated in place; a state
    this engine cannot read is rebuilt from the student's earlier evidence first). Computes
    only: :func:`trellis.learning.actions.do_record_evidence` stores the result."""
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
    return EvidenceStep(state, [(standard, before, after)
                                for code, (before, after) in moved.items()
                                for standard in by_code[code]])


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


@dataclass
class StandardHistory:
    """What a student's evidence did to one standard, for its ``MasteryState`` row."""

    standard: Standard
    last_change: float = 0.0
    last_event_id: int | None = None
    count: int = 0
    days: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class RebuiltStudent:
    """A student's learner state replayed from all their evidence, and per standard id what
    the evidence did to it."""

    state: State
    events: int
    standards: dict[int, StandardHistory]


def rebuild_student(active: ActiveModel, student_id: int) -> RebuiltStudent:
    """Replay a student's whole evidence with ``active``'s parameters (reads only; the refit's
    recompute in :mod:`trellis.learning.actions` stores it)."""
    state: State = {}
    standards: dict[int, StandardHistory] = {}
    count = 0
    for replayed in replay(active.model, student_id, state=state):
        count += 1
        day = replayed.event.occurred_at.date().isoformat()
        for standard in replayed.standards:
            if skill_of(standard) not in replayed.moved:
                continue
            before, after = replayed.moved[skill_of(standard)]
            entry = standards.setdefault(standard.id, StandardHistory(standard))
            entry.last_change = after - before
            entry.last_event_id = replayed.event.id
            entry.count += 1
            entry.days.add(day)
    return RebuiltStudent(state, count, standards)
