"""Adaptive diagnostic sessions: choose the next item, take answers, stop, report.

A :class:`DiagnosticEngine` is built once per subject (the competency graph, the standards in
scope, the item bank and the prior). Each student's check is a :class:`DiagnosticSession`:

1. **Selection.** The next item maximises the expected entropy reduction of the knowledge
   state (:meth:`~trellis.engine.assessment.model.KnowledgeBelief.information_gain`).
2. **Exposure control** (randomesque, Kingsbury & Zara 1989): the item is drawn at random
   from the ``exposure_top_k`` most informative, with a seeded generator, so the same few items
   are not always shown first and the bank wears evenly.
3. **Stopping.** The check ends when every assessable standard in scope is classified with at
   least ``confidence`` (P(known) ≥ c or ≤ 1 - c), after ``max_items`` answers, after
   ``time_limit_s`` seconds, or when the bank is used up.
4. **Result.** Per-standard probabilities of knowing it, the *likely known* set (at or above
   ``likely_known_threshold``), the ready-to-learn frontier and the standards that have no
   items (*not assessable*: listed, never guessed). "Likely known" is the check's own word: it
   is not *mastered*, which only the district's mastery rule (:mod:`trellis.engine.mastery`)
   decides, from evidence over several days.

**Ready to learn** (:meth:`DiagnosticEngine.frontier`) is an assessable standard, not likely
known, whose every prerequisite *in scope* counts as known: an assessable one when it is likely
known, one without items only when the belief says so (its inferred probability, which the
prerequisite structure and the student's answers determine, reaches the same threshold).
Having no items is never evidence of knowing a standard: a student who knows nothing is not
"ready" for a standard just because its prerequisites could not be asked. Prerequisites outside
the scope count as known: the caller chooses a scope that leaves out only what lies below the
student's level (the plan assumes it), so a scope must keep any prerequisite that cannot be
assumed.

Maps are incomplete: many standards have no prerequisite at all in the scope (an *entry*
standard), and the map alone would call every one of them ready, the hardest grade's too, for a
student who knows nothing. When the caller gives the curriculum order (``sequence``: a level per
standard, such as its grade), an entry standard is ready only at or below the *working level*,
the lowest level that still has an assessable standard not known. Standards with prerequisites
in scope follow the map alone.

A session is a small JSON document (:meth:`DiagnosticSession.to_json`): its seed and the
answers given. The belief is a deterministic function of those, so
:meth:`DiagnosticEngine.resume` rebuilds it exactly and offers the same next item — an
abandoned check continues where it stopped. Answers are keyed by an attempt id: a retried or
double-clicked submission counts once.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from trellis.engine.assessment.model import (
    AbilityPrior,
    BoolArray,
    DiagnosticItem,
    FloatArray,
    GraphArrays,
    KnowledgeBelief,
    TooManyStatesError,
    build_items,
)
from trellis.engine.competencies import CompetencyGraph

SESSION_FORMAT = 1

# Stop reasons, as they appear in results and JSON.
CONFIDENT = "confident"
MAX_ITEMS = "max_items"
TIME_LIMIT = "time_limit"
EXHAUSTED = "bank_exhausted"

# Selection objectives: expected entropy reduction of the whole knowledge state, or of the
# per-standard classifications of the assessable standards in scope.
STATE_OBJECTIVE = "state"
STANDARDS_OBJECTIVE = "standards"
OBJECTIVES = frozenset({STATE_OBJECTIVE, STANDARDS_OBJECTIVE})


@dataclass(frozen=True)
class DiagnosticConfig:
    """How a diagnostic selects, stops and decides."""

    max_items: int = 25
    confidence: float = 0.9
    time_limit_s: float | None = None
    exposure_top_k: int = 3
    likely_known_threshold: float = 0.5
    particles: int = 1000
    exact_state_cap: int = 20_000
    gibbs_sweeps: int = 2
    objective: str = "standards"

    def __post_init__(self) -> None:
        if self.objective not in OBJECTIVES:
            raise ValueError(f"objective must be one of {sorted(OBJECTIVES)}")
        if self.max_items < 1:
            raise ValueError("max_items must be at least 1")
        if not 0.5 < self.confidence < 1.0:
            raise ValueError("confidence must be in (0.5, 1)")
        if self.time_limit_s is not None and self.time_limit_s <= 0:
            raise ValueError("time_limit_s must be positive")
        if self.exposure_top_k < 1:
            raise ValueError("exposure_top_k must be at least 1")
        if not 0.0 < self.likely_known_threshold < 1.0:
            raise ValueError("likely_known_threshold must be in (0, 1)")
        if self.particles < 10:
            raise ValueError("particles must be at least 10")


@dataclass(frozen=True)
class Answer:
    """One recorded answer. ``attempt_id`` is the client's idempotency key."""

    attempt_id: str
    item_id: str
    correct: bool
    answered_at: float


@dataclass(frozen=True)
class DiagnosticResult:
    """What a diagnostic concluded.

    ``probabilities`` covers the assessable standards in scope (P(known)); ``likely_known`` are
    those at or above the likely-known threshold; ``frontier`` are the assessable standards not
    likely known whose prerequisites in scope are all known — assessable ones likely known, ones
    without items inferred at or above the threshold (ready to learn, see
    :meth:`DiagnosticEngine.frontier`); ``not_assessable`` are
    the standards in scope without items, with what the map alone suggests about them in
    ``inferred_probabilities`` (an inference, never a measurement); ``uncertain`` are the
    assessable standards not yet classified with the configured confidence.
    """

    probabilities: Mapping[str, float]
    likely_known: list[str]
    frontier: list[str]
    not_assessable: list[str]
    inferred_probabilities: Mapping[str, float]
    uncertain: list[str]
    items_answered: int
    stop_reason: str | None

    def to_dict(self) -> dict[str, object]:
        return {
            "probabilities": dict(self.probabilities),
            "likely_known": list(self.likely_known),
            "frontier": list(self.frontier),
            "not_assessable": list(self.not_assessable),
            "inferred_probabilities": dict(self.inferred_probabilities),
            "uncertain": list(self.uncertain),
            "items_answered": self.items_answered,
            "stop_reason": self.stop_reason,
        }


class SessionMismatchError(ValueError):
    """A saved session does not belong to this engine (other items, scope or format)."""


class DiagnosticEngine:
    """A subject's diagnostic: scope, item bank, prior and configuration.

    ``scope`` (default: the whole graph) is restricted with :meth:`CompetencyGraph.subgraph`,
    which keeps prerequisite links through standards left out. ``sequence`` gives standards a
    curriculum level (their grade), used only to decide which *entry* standards (no
    prerequisite in scope) are ready (module docstring). ``state_log_prior`` replaces
    the ability prior with a fitted prior over the closed states (as returned by
    :func:`~trellis.engine.assessment.calibration.fit_knowledge_structure`; exact mode only).
    """

    def __init__(
        self,
        graph: CompetencyGraph,
        items: Iterable[DiagnosticItem],
        *,
        scope: Collection[str] | None = None,
        prior: AbilityPrior | None = None,
        config: DiagnosticConfig | None = None,
        state_log_prior: FloatArray | None = None,
        sequence: Mapping[str, int] | None = None,
    ) -> None:
        self.graph = graph if scope is None else graph.subgraph(scope)
        # Curriculum order (e.g. grade) of the standards that have one: see "Ready to learn".
        self.sequence = {code: int(level) for code, level in (sequence or {}).items()
                         if code in self.graph}
        self.config = config or DiagnosticConfig()
        self.prior = prior or AbilityPrior()
        self.arrays = GraphArrays(self.graph)
        self.items, self.table = build_items(self.arrays, items)
        self.item_index = {item.item_id: i for i, item in enumerate(self.items)}
        measured: BoolArray = np.asarray(self.table.requires.any(axis=0), dtype=bool)
        self.assessable = [c for c, m in zip(self.arrays.codes, measured, strict=True) if m]
        self.not_assessable = [c for c in self.arrays.codes if c not in set(self.assessable)]
        self._assessable_idx = np.flatnonzero(measured)
        self._exact_states: BoolArray | None
        try:
            self._exact_states = self.arrays.closed_states(self.config.exact_state_cap)
        except TooManyStatesError:
            self._exact_states = None
        if state_log_prior is not None:
            if self._exact_states is None or len(state_log_prior) != len(self._exact_states):
                raise ValueError("state_log_prior must match the closed states of the scope")
            self._exact_log_prior: FloatArray | None = np.asarray(state_log_prior)
        elif self._exact_states is not None:
            self._exact_log_prior = self.prior.log_prob(self.arrays, self._exact_states)
        else:
            self._exact_log_prior = None
        self.fingerprint = self._fingerprint()

    @property
    def exact(self) -> bool:
        """True when the engine enumerates every closed state (small scopes)."""
        return self._exact_states is not None

    def _fingerprint(self) -> str:
        digest = hashlib.sha256()
        for code in self.arrays.codes:
            digest.update(code.encode() + b"\0")
        for item in self.items:
            digest.update(item.item_id.encode() + b"\1")
        return digest.hexdigest()[:16]

    def frontier(self, probabilities: Mapping[str, float]) -> list[str]:
        """The ready-to-learn standards given P(known) for every standard in scope.

        A standard is ready when it is assessable, its probability is below the likely-known
        threshold, and each of its direct prerequisites in scope (links through standards left
        out of the scope kept, so those count as known) is at or above it. The same threshold
        applies to a prerequisite without items, whose probability is an inference from the
        map and the answers: such a prerequisite is known only when that inference says so,
        never merely because nothing could be asked about it. An entry standard (no
        prerequisite in scope) is ready only at or below the working level when the engine
        has a ``sequence``. Topological order.
        """
        threshold = self.config.likely_known_threshold
        known = {code for code in self.arrays.codes if probabilities[code] >= threshold}
        open_levels = [self.sequence[c] for c in self.assessable
                       if c not in known and c in self.sequence]
        working_level = min(open_levels) if open_levels else None

        def ready(code: str) -> bool:
            if code in known:
                return False
            prerequisites = self.graph.prerequisites(code)
            if prerequisites:
                return all(p in known for p in prerequisites)
            level = self.sequence.get(code)
            return level is None or working_level is None or level <= working_level

        return [code for code in self.assessable if ready(code)]

    def new_belief(self, seed: int) -> KnowledgeBelief:
        if self._exact_states is not None and self._exact_log_prior is not None:
            return KnowledgeBelief(
                self.arrays, self.table, self._exact_states, self._exact_log_prior
            )
        rng = np.random.default_rng([seed, 0, 2])
        return KnowledgeBelief.particles(
            self.arrays,
            self.table,
            self.prior,
            self.config.particles,
            rng,
            gibbs_sweeps=self.config.gibbs_sweeps,
        )

    def start(self, session_id: str, *, seed: int, now: float | None = None) -> DiagnosticSession:
        """A new session; ``seed`` drives exposure control and particles, ``now`` the clock."""
        started = time.time() if now is None else now
        return DiagnosticSession(self, session_id, seed, started)

    def resume(self, document: str) -> DiagnosticSession:
        """Rebuild a session from :meth:`DiagnosticSession.to_json`."""
        data = json.loads(document)
        if data.get("format") != SESSION_FORMAT:
            raise SessionMismatchError(f"unknown session format {data.get('format')!r}")
        if data.get("engine") != self.fingerprint:
            raise SessionMismatchError("the session was taken on another scope or item bank")
        session = DiagnosticSession(
            self, str(data["session_id"]), int(data["seed"]), float(data["started_at"])
        )
        for answer in data["answers"]:
            session.submit(
                str(answer["attempt_id"]),
                str(answer["item_id"]),
                bool(answer["correct"]),
                now=float(answer["answered_at"]),
            )
        session.stop_reason_recorded = data.get("stopped")
        return session


@dataclass(eq=False)
class DiagnosticSession:
    """One student's diagnostic in progress. Not thread-safe: one writer per session.

    :meth:`next_item` is a pure function of the answers so far (and the clock, for the time
    limit): calling it again before an answer returns the same item, so a page can re-render.
    The time limit counts wall time since ``started_at``; a resumed session keeps its start.
    """

    engine: DiagnosticEngine
    session_id: str
    seed: int
    started_at: float
    answers: list[Answer] = field(default_factory=list)
    stop_reason_recorded: str | None = None

    def __post_init__(self) -> None:
        self.belief = self.engine.new_belief(self.seed)
        self._attempts: set[str] = set()
        self._answered_items: set[str] = set()

    # -- flow ----------------------------------------------------------------------------------

    def next_item(self, now: float | None = None) -> str | None:
        """The item to show now, or None when the diagnostic should stop."""
        if self.stop_reason(now) is not None:
            return None
        gain = self.information_gain()
        for item_id in self._answered_items:
            gain[self.engine.item_index[item_id]] = -np.inf
        ranked = np.argsort(-gain, kind="stable")
        available = int(np.isfinite(gain).sum())
        top = ranked[: min(self.engine.config.exposure_top_k, available)]
        rng = np.random.default_rng([self.seed, len(self.answers), 1])
        return self.engine.items[int(top[rng.integers(len(top))])].item_id

    def submit(
        self, attempt_id: str, item_id: str, correct: bool, now: float | None = None
    ) -> bool:
        """Record an answer. Returns False (and changes nothing) for an attempt id already
        recorded or an item already answered in this session."""
        if item_id not in self.engine.item_index:
            raise KeyError(f"unknown item {item_id!r}")
        if attempt_id in self._attempts or item_id in self._answered_items:
            return False
        answered_at = time.time() if now is None else now
        self._attempts.add(attempt_id)
        self._answered_items.add(item_id)
        self.answers.append(Answer(attempt_id, item_id, bool(correct), answered_at))
        rng = np.random.default_rng([self.seed, len(self.answers), 3])
        self.belief.observe(self.engine.item_index[item_id], bool(correct), rng)
        return True

    def stop(self, reason: str = "stopped_by_user") -> None:
        """End the session early (a teacher closes it); :meth:`next_item` then returns None."""
        self.stop_reason_recorded = reason

    def stop_reason(self, now: float | None = None) -> str | None:
        """Why the diagnostic should stop now, or None to go on."""
        config = self.engine.config
        if self.stop_reason_recorded is not None:
            return self.stop_reason_recorded
        if len(self.answers) >= config.max_items:
            return MAX_ITEMS
        if config.time_limit_s is not None:
            current = time.time() if now is None else now
            if current - self.started_at >= config.time_limit_s:
                return TIME_LIMIT
        if len(self._answered_items) >= len(self.engine.items):
            return EXHAUSTED
        if not self.uncertain():
            return CONFIDENT
        return None

    def information_gain(self) -> FloatArray:
        """Each bank item's expected entropy reduction under the configured objective."""
        if self.engine.config.objective == STATE_OBJECTIVE:
            return self.belief.information_gain()
        return self.belief.standards_information_gain(self.engine._assessable_idx)

    # -- reading the belief ----------------------------------------------------------------------

    def probabilities(self) -> dict[str, float]:
        """P(known) for every standard in scope (assessable or not), in topological order."""
        marginals = self.belief.marginals()
        return {code: float(p) for code, p in zip(self.engine.arrays.codes, marginals, strict=True)}

    def uncertain(self) -> list[str]:
        confidence = self.engine.config.confidence
        marginals = self.belief.marginals()[self.engine._assessable_idx]
        sure = (marginals >= confidence) | (marginals <= 1.0 - confidence)
        return [c for c, ok in zip(self.engine.assessable, sure, strict=True) if not ok]

    def predict_correct(self) -> dict[str, float]:
        """Posterior predictive P(correct) for every item in the bank."""
        p = self.belief.p_correct()
        return {item.item_id: float(v) for item, v in zip(self.engine.items, p, strict=True)}

    def result(self, now: float | None = None) -> DiagnosticResult:
        probabilities = self.probabilities()
        threshold = self.engine.config.likely_known_threshold
        assessable = {c: probabilities[c] for c in self.engine.assessable}
        likely_known = [c for c, p in assessable.items() if p >= threshold]
        return DiagnosticResult(
            probabilities=assessable,
            likely_known=likely_known,
            frontier=self.engine.frontier(probabilities),
            not_assessable=list(self.engine.not_assessable),
            inferred_probabilities={c: probabilities[c] for c in self.engine.not_assessable},
            uncertain=self.uncertain(),
            items_answered=len(self.answers),
            stop_reason=self.stop_reason(now),
        )

    # -- persistence -----------------------------------------------------------------------------

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": SESSION_FORMAT,
                "engine": self.engine.fingerprint,
                "session_id": self.session_id,
                "seed": self.seed,
                "started_at": self.started_at,
                "stopped": self.stop_reason_recorded,
                "answers": [
                    {
                        "attempt_id": a.attempt_id,
                        "item_id": a.item_id,
                        "correct": a.correct,
                        "answered_at": a.answered_at,
                    }
                    for a in self.answers
                ],
            },
            sort_keys=True,
        )


def run_policy(
    session: DiagnosticSession,
    answer: Callable[[str], bool],
    *,
    limit: int | None = None,
    on_step: Callable[[DiagnosticSession], None] | None = None,
) -> DiagnosticResult:
    """Drive a session to its stop with ``answer(item_id) -> correct`` (simulations, replays).

    ``limit`` stops after that many answers whatever the stopping rule says.
    """
    steps = 0
    while limit is None or steps < limit:
        item_id = session.next_item(now=session.started_at)
        if item_id is None:
            break
        session.submit(
            f"{session.session_id}:{steps}", item_id, answer(item_id), now=session.started_at
        )
        steps += 1
        if on_step is not None:
            on_step(session)
    return session.result(now=session.started_at)
