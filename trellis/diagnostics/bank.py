"""Database rows → a diagnostic engine, cached; live sessions, cached.

**Scope.** For a student of grade *g* the check covers the framework's standards of grades
*g−1*, *g* and *g+1* (the grade band; HS for 9–12), plus the direct prerequisites of those
standards that have items (so a gap one step below the band can be seen); when nothing in the
band has items (a framework of other grades), every standard up to grade *g+1*. A student without a
grade gets every standard of the framework. Standards of the band without any item stay in
scope: the engine reports them *not assessable* and never guesses them.

**Item bank.** Every ``curriculum.Item`` of the district aligned to a standard in scope becomes
a :class:`~trellis.engine.assessment.DiagnosticItem` ``item:<pk>`` requiring those standards,
with the slip and guess fitted by ``trellis diagnostic calibrate`` (until then the engine's
defaults, :data:`trellis.engine.mastery.DEFAULT_SLIP` / ``DEFAULT_GUESS``: 0.1 / 0.2).

**Prior from current mastery.** A check (re)started after the learner model has evidence
starts from it: a standard with a mastery estimate *p* gets the difficulty ``-logit(p)`` (at
average ability the check takes it as known with probability *p*); one without evidence gets
``0.5 × (its grade − the student's grade)``. The prior still respects the prerequisites.

**Caches.** The spec (scope, bank, prior) is stored with the session, so the engine is a pure
function of the framework's graph and the spec: engines are kept in a module-level LRU keyed by
a fingerprint of both (building one takes ~0.3 s on the Common Core scope). Rebuilding a session
replays its answers (~3 s for 25 under load), so live sessions are kept in a second LRU and
reused when their document still matches the stored one (same process, no other writer).
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from trellis.accounts.models import User
from trellis.content.models import Item
from trellis.engine.assessment import (
    AbilityPrior,
    DiagnosticConfig,
    DiagnosticEngine,
    DiagnosticItem,
    DiagnosticSession,
)
from trellis.engine.competencies import CompetencyGraph
from trellis.engine.mastery import DEFAULT_GUESS, DEFAULT_SLIP
from trellis.frameworks.adapters import load_framework
from trellis.frameworks.models import Framework

MAX_ITEMS = 25
CONFIDENCE = 0.9
# Checks may be resumed days later: no time limit.
CONFIG = DiagnosticConfig(max_items=MAX_ITEMS, confidence=CONFIDENCE, time_limit_s=None)

_ENGINES = 8
_SESSIONS = 64
_engines: OrderedDict[str, DiagnosticEngine] = OrderedDict()
_sessions: OrderedDict[int, DiagnosticSession] = OrderedDict()
_lock = threading.Lock()
_session_locks: dict[int, threading.Lock] = {}


def session_lock(session_pk: int) -> threading.Lock:
    """One writer at a time per session in this process (two tabs of the same student): the
    cached engine session is mutated in memory before the database row is written."""
    with _lock:
        if len(_session_locks) > 4 * _SESSIONS:  # forget the idle ones
            for pk in [pk for pk, lock in _session_locks.items() if not lock.locked()]:
                del _session_locks[pk]
        return _session_locks.setdefault(session_pk, threading.Lock())


def grade_number(grade: str) -> int | None:
    """K → 0, "07" → 7, HS (or 9–12) → 9; None when unknown."""
    text = (grade or "").strip().upper()
    if text in {"K", "KG", "00"}:
        return 0
    if text == "HS":
        return 9
    if text.isdigit():
        return min(int(text), 9)
    return None


@dataclass(frozen=True)
class EngineSpec:
    """Everything, besides the framework's graph, that determines a session's engine."""

    scope: tuple[str, ...]
    bank: tuple[tuple[str, tuple[str, ...], float, float], ...]
    prior: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"scope": list(self.scope),
                "bank": [[i, list(s), slip, guess] for i, s, slip, guess in self.bank],
                "prior": self.prior}

    @classmethod
    def from_stored(cls, scope: Iterable[str], bank: Iterable[Any],
                    prior: dict[str, Any]) -> EngineSpec:
        return cls(tuple(scope),
                   tuple((str(i), tuple(s), float(slip), float(guess))
                         for i, s, slip, guess in bank),
                   dict(prior))

    def fingerprint(self, framework: Framework) -> str:
        digest = hashlib.sha256(
            json.dumps([framework.id, str(framework.imported_at), self.to_json()],
                       sort_keys=True).encode())
        return digest.hexdigest()[:24]


def item_id(item_pk: int) -> str:
    return f"item:{item_pk}"


def item_pk(engine_item_id: str) -> int:
    return int(engine_item_id.split(":", 1)[1])


def _items_by_code(framework: Framework) -> dict[int, list[str]]:
    """Item pk → graph node keys of the framework it is aligned to."""
    keys = load_framework(framework).keys
    aligned: dict[int, list[str]] = {}
    rows = Item.objects.filter(
        district_id=framework.district_id, alignments__framework=framework
    ).values_list("id", "alignments__id")
    for pk, standard_id in rows:
        code = keys.get(standard_id)
        if code is not None and code not in aligned.setdefault(pk, []):
            aligned[pk].append(code)
    return {pk: codes for pk, codes in aligned.items() if codes}


def assessable_codes(framework: Framework) -> set[str]:
    return {code for codes in _items_by_code(framework).values() for code in codes}


def choose_scope(graph: CompetencyGraph, grade: int | None, with_items: set[str]) -> list[str]:
    """The student's grade band plus the direct prerequisites that have items (see above)."""
    if grade is None:
        return list(graph.codes)
    band = {grade - 1, grade, grade + 1}
    inside = [c for c in graph.codes if grade_number(graph.standard(c).grade) in band]
    if not with_items.intersection(inside):
        # nothing to ask in the band (a framework of other grades): everything up to g+1
        inside = [c for c in graph.codes
                  if (grade_number(graph.standard(c).grade) or 0) <= grade + 1]
    chosen = set(inside)
    for code in inside:
        chosen.update(p for p in graph.prerequisites(code) if p in with_items)
    return [c for c in graph.codes if c in chosen]


def build_spec(framework: Framework, student: User,
               mastery: dict[str, float] | None = None) -> EngineSpec:
    """Scope, bank and prior for a new session of ``student`` (see the module docstring)."""
    from trellis.diagnostics.models import ItemCalibration

    graph = load_framework(framework).graph
    by_item = _items_by_code(framework)
    with_items = {c for codes in by_item.values() for c in codes}
    grade = grade_number(student.grade)
    scope = choose_scope(graph, grade, with_items)
    inside = set(scope)
    fitted = {
        pk: (slip, guess) for pk, slip, guess in ItemCalibration.objects.filter(
            item_id__in=list(by_item)).values_list("item_id", "slip", "guess")}
    bank = []
    for pk in sorted(by_item):
        codes = tuple(sorted(c for c in by_item[pk] if c in inside))
        if codes:
            slip, guess = fitted.get(pk, (DEFAULT_SLIP, DEFAULT_GUESS))
            bank.append((item_id(pk), codes, slip, guess))
    difficulty: dict[str, float] = {}
    for code in scope:
        p = (mastery or {}).get(code)
        if p is not None:
            p = min(0.95, max(0.05, p))
            difficulty[code] = round(-math.log(p / (1.0 - p)), 4)
        elif grade is not None:
            standard_grade = grade_number(graph.standard(code).grade)
            if standard_grade is not None:
                difficulty[code] = 0.5 * (standard_grade - grade)
    return EngineSpec(tuple(scope), tuple(bank), {"slope": 1.0, "difficulty": difficulty})


def engine_for(framework: Framework, spec: EngineSpec) -> DiagnosticEngine:
    """The engine for ``spec`` on the framework's current graph (LRU-cached)."""
    key = spec.fingerprint(framework)
    with _lock:
        hit = _engines.get(key)
        if hit is not None:
            _engines.move_to_end(key)
            return hit
    graph = load_framework(framework).graph
    items = [DiagnosticItem(i, s, slip=slip, guess=guess) for i, s, slip, guess in spec.bank]
    prior = AbilityPrior(difficulty=dict(spec.prior.get("difficulty", {})),
                         slope=float(spec.prior.get("slope", 1.0)))
    # Grades order the entry standards of the map (engine docstring: "Ready to learn").
    sequence = {code: level for code in spec.scope if code in graph
                for level in [grade_number(graph.standard(code).grade)] if level is not None}
    engine = DiagnosticEngine(graph, items, scope=list(spec.scope), prior=prior, config=CONFIG,
                              sequence=sequence)
    with _lock:
        _engines[key] = engine
        while len(_engines) > _ENGINES:
            _engines.popitem(last=False)
    return engine


def live_session(session_pk: int, engine: DiagnosticEngine, document: str) -> DiagnosticSession:
    """The engine session for a stored document: the cached one when it is still the same,
    else rebuilt by replaying the answers."""
    with _lock:
        hit = _sessions.get(session_pk)
    if hit is not None and hit.engine is engine and hit.to_json() == document:
        with _lock:
            _sessions.move_to_end(session_pk)
        return hit
    live = engine.resume(document)
    remember(session_pk, live)
    return live


def remember(session_pk: int, live: DiagnosticSession) -> None:
    with _lock:
        _sessions[session_pk] = live
        _sessions.move_to_end(session_pk)
        while len(_sessions) > _SESSIONS:
            _sessions.popitem(last=False)


def forget(session_pk: int) -> None:
    with _lock:
        _sessions.pop(session_pk, None)


def clear_caches() -> None:
    with _lock:
        _engines.clear()
        _sessions.clear()
