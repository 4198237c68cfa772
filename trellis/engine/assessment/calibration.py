"""Calibration: learn the diagnostic's parameters from a response matrix.

Two things can be learned from students' answers (a ``students x items`` matrix of 1/0, NaN
where an item was not given):

- :func:`learn_prerequisites` recovers a prerequisite order between *items* when no map is
  given (item tree analysis, van Leeuwe 1974): item ``a`` is taken as a prerequisite of ``b``
  when ``a`` is easier and almost nobody who solves ``b`` fails ``a``. Each item then stands for
  its own skill, and the knowledge states are the sets of items closed under this order.
- :func:`fit_knowledge_structure` fits the basic local independence model (BLIM) by
  expectation-maximisation over every prerequisite-closed state: each item's slip and guess and
  the prior probability of each state (smoothed towards the ability prior, so rare states keep
  some mass). The result plugs into :class:`~trellis.engine.assessment.DiagnosticEngine`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from trellis.engine.assessment.model import (
    AbilityPrior,
    DiagnosticItem,
    FloatArray,
    GraphArrays,
    ItemTable,
)
from trellis.engine.competencies import CompetencyGraph

# Fitted rates stay inside these bounds so no answer is ever treated as impossible.
MIN_RATE, MAX_RATE = 0.01, 0.45


def learn_prerequisites(
    item_ids: Sequence[str], responses: FloatArray, *, tolerance: float = 0.1
) -> CompetencyGraph:
    """Item-level prerequisite graph from a response matrix (item tree analysis).

    ``a -> b`` when ``a`` is solved more often than ``b`` and, among students who solved ``b``,
    at most ``tolerance`` failed ``a``. Edges always run from the easier item to the harder, so
    the graph is acyclic by construction.
    """
    if responses.shape[1] != len(item_ids):
        raise ValueError("responses must have one column per item id")
    seen = ~np.isnan(responses)
    solved = np.where(seen, responses, 0.0) > 0.5
    failed = seen & ~solved
    rate = solved.sum(axis=0) / np.maximum(seen.sum(axis=0), 1)
    # easier first; ties by position, so the order is strict and deterministic
    order = sorted(range(len(item_ids)), key=lambda i: (-rate[i], i))
    rank = {item: r for r, item in enumerate(order)}
    edges: list[tuple[str, str]] = []
    for b in range(len(item_ids)):
        solvers = solved[:, b]
        for a in range(len(item_ids)):
            if a == b or rank[a] > rank[b]:
                continue
            both_seen = solvers & seen[:, a]
            if not both_seen.any():
                continue
            counterexamples = (both_seen & failed[:, a]).sum() / both_seen.sum()
            if counterexamples <= tolerance:
                edges.append((item_ids[a], item_ids[b]))
    return CompetencyGraph(list(item_ids), edges)


@dataclass(frozen=True)
class FittedStructure:
    """The outcome of :func:`fit_knowledge_structure`."""

    items: list[DiagnosticItem]
    log_prior: FloatArray  # over GraphArrays(graph).closed_states(cap), in that order
    log_likelihood: float
    iterations: int


def fit_knowledge_structure(
    graph: CompetencyGraph,
    items: Sequence[DiagnosticItem],
    responses: FloatArray,
    *,
    prior: AbilityPrior | None = None,
    smoothing: float = 10.0,
    max_iterations: int = 200,
    tolerance: float = 1e-5,
    cap: int = 20_000,
) -> FittedStructure:
    """Fit item slips/guesses and a prior over closed states by EM (BLIM).

    ``responses`` has one row per student and one column per item of ``items`` (1, 0 or NaN).
    ``smoothing`` is how many pseudo-students the ability prior is worth.
    """
    if responses.shape[1] != len(items):
        raise ValueError("responses must have one column per item")
    arrays = GraphArrays(graph)
    table = ItemTable.build(arrays, list(items))
    states = arrays.closed_states(cap)
    capable = table.capable(states).astype(np.float64)  # (K, I)
    base = (prior or AbilityPrior()).log_prob(arrays, states)
    base_mass = np.exp(base - np.logaddexp.reduce(base))
    seen = ~np.isnan(responses)
    right = (np.where(seen, responses, 0.0) > 0.5).astype(np.float64)
    wrong = (seen & (right < 0.5)).astype(np.float64)
    slip, guess = table.slip.copy(), table.guess.copy()
    log_prior = np.log(base_mass)
    previous = -np.inf
    total = previous
    iteration = 0
    for iteration in range(1, max_iterations + 1):  # noqa: B007 - reported below
        p = capable * (1.0 - slip) + (1.0 - capable) * guess  # (K, I)
        loglik = right @ np.log(p).T + wrong @ np.log(1.0 - p).T + log_prior  # (N, K)
        norm = np.logaddexp.reduce(loglik, axis=1, keepdims=True)
        total = float(norm.sum())
        posterior = np.exp(loglik - norm)
        # M step: state prior with pseudo-counts, then each item's two rates
        counts = posterior.sum(axis=0) + smoothing * base_mass
        log_prior = np.log(counts / counts.sum())
        m = posterior @ capable  # (N, I): P(student capable of item)
        slip = _rate(m * wrong, m * seen)
        guess = _rate((1.0 - m) * right, (1.0 - m) * seen)
        guess = np.minimum(guess, 1.0 - slip - 0.05)
        if total - previous < tolerance * abs(total):
            break
        previous = total
    fitted = [
        replace(item, slip=float(s), guess=float(g))
        for item, s, g in zip(items, slip, guess, strict=True)
    ]
    return FittedStructure(fitted, log_prior, total, iteration)


def _rate(numerator: FloatArray, denominator: FloatArray) -> FloatArray:
    num = numerator.sum(axis=0) + 0.5  # a weak Beta(0.5, 0.5)-style pull away from 0
    den = denominator.sum(axis=0) + 1.0
    return np.asarray(np.clip(num / den, MIN_RATE, MAX_RATE))
