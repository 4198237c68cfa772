"""Adaptive diagnostic (placement) over a competency graph.

Public API::

    from trellis.engine.assessment import DiagnosticEngine, DiagnosticItem, DiagnosticConfig

    engine = DiagnosticEngine(graph, items, scope=codes, config=DiagnosticConfig(max_items=25))
    session = engine.start("session-1", seed=1234)
    item_id = session.next_item()          # None once the stopping rule fires
    session.submit("attempt-1", item_id, correct=True)   # False if a duplicate
    saved = session.to_json()              # store it; engine.resume(saved) continues
    result = session.result()              # probabilities, likely_known, frontier, ...

See :mod:`.model` (knowledge states, items, prior, belief), :mod:`.session` (selection,
exposure control, stopping, persistence) and :mod:`.calibration` (fitting from responses).
"""

from trellis.engine.assessment.calibration import (
    FittedStructure,
    fit_knowledge_structure,
    learn_prerequisites,
)
from trellis.engine.assessment.model import (
    AbilityPrior,
    DiagnosticItem,
    KnowledgeBelief,
    TooManyStatesError,
)
from trellis.engine.assessment.session import (
    CONFIDENT,
    EXHAUSTED,
    MAX_ITEMS,
    TIME_LIMIT,
    Answer,
    DiagnosticConfig,
    DiagnosticEngine,
    DiagnosticResult,
    DiagnosticSession,
    SessionMismatchError,
    run_policy,
)

__all__ = [
    "CONFIDENT",
    "EXHAUSTED",
    "MAX_ITEMS",
    "TIME_LIMIT",
    "AbilityPrior",
    "Answer",
    "DiagnosticConfig",
    "DiagnosticEngine",
    "DiagnosticItem",
    "DiagnosticResult",
    "DiagnosticSession",
    "FittedStructure",
    "KnowledgeBelief",
    "SessionMismatchError",
    "TooManyStatesError",
    "fit_knowledge_structure",
    "learn_prerequisites",
    "run_policy",
]
