"""The diagnostic's probability model: knowledge states, items, and a prior over states.

**Knowledge states.** A student's *knowledge state* is the set of standards they know.
Knowledge-space theory (Doignon & Falmagne) only admits states that are closed under
prerequisites: whoever knows a standard knows its prerequisites. The diagnostic
keeps a belief over such states, so evidence flows along the prerequisite map in both
directions: a correct answer on a standard makes its prerequisites likely known (every state
containing it contains them), and a wrong answer on a prerequisite makes its dependents likely
unknown (no state lacking it contains them).

**Items.** An item requires one or more standards. Like the BLIM/DINA models, a student who
knows every required standard answers correctly unless they *slip*; anyone else answers
correctly only by a lucky *guess*::

    P(correct | state) = 1 - slip   if the item's standards are all in the state
                         guess      otherwise

**Prior.** :class:`AbilityPrior` is a higher-order model (de la Torre & Douglas, 2004): each
student has a general ability θ on a small grid, and a standard whose prerequisites are all
known is known with probability ``sigmoid(θ - difficulty)``; a standard with an unknown
prerequisite is never known. It generates prerequisite-closed states only, and θ lets
evidence on one branch of the map inform unrelated branches (able students know more
everywhere).

**Belief.** :class:`KnowledgeBelief` is a weighted set of states. For small maps it holds *every*
prerequisite-closed state (exact Bayesian updating); for large maps it holds particles drawn from
the prior and, when the weights degenerate, resamples them and moves them with Gibbs sweeps
that target the exact posterior (resample-move particle filtering).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from trellis.engine.competencies import CompetencyGraph
from trellis.engine.mastery import DEFAULT_GUESS, DEFAULT_SLIP

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

# Probabilities are clipped away from 0 and 1 before taking logs.
_EPS = 1e-9


class TooManyStatesError(ValueError):
    """The graph admits more prerequisite-closed states than the enumeration cap."""


@dataclass(frozen=True)
class DiagnosticItem:
    """One scorable item aligned to the standards it requires.

    ``slip`` is P(wrong | every required standard known); ``guess`` is P(correct | not).
    An item is informative only when ``guess < 1 - slip``; the constructor refuses anything else.
    """

    item_id: str
    standards: tuple[str, ...]
    slip: float = DEFAULT_SLIP
    guess: float = DEFAULT_GUESS

    def __post_init__(self) -> None:
        if not self.item_id:
            raise ValueError("an item needs an id")
        if not self.standards:
            raise ValueError(f"item {self.item_id!r} is aligned to no standard")
        if len(set(self.standards)) != len(self.standards):
            raise ValueError(f"item {self.item_id!r} lists a standard twice")
        for name, value in (("slip", self.slip), ("guess", self.guess)):
            if not 0.0 < value < 1.0:
                raise ValueError(f"item {self.item_id!r}: {name} must be in (0, 1), got {value}")
        if self.guess >= 1.0 - self.slip:
            raise ValueError(
                f"item {self.item_id!r}: guess ({self.guess}) must be below 1 - slip "
                f"({1.0 - self.slip}), or a correct answer is no evidence of knowing it"
            )


def binary_entropy(p: FloatArray) -> FloatArray:
    """Entropy in bits of a Bernoulli(p), elementwise."""
    q = np.clip(p, _EPS, 1.0 - _EPS)
    return np.asarray(-(q * np.log2(q) + (1.0 - q) * np.log2(1.0 - q)), dtype=np.float64)


class GraphArrays:
    """A :class:`CompetencyGraph` restricted to some standards, as index arrays for NumPy."""

    def __init__(self, graph: CompetencyGraph) -> None:
        self.graph = graph
        self.codes: list[str] = graph.topological_order()
        self.index: dict[str, int] = {code: i for i, code in enumerate(self.codes)}
        self.parents: list[IntArray] = [
            np.array([self.index[p] for p in graph.prerequisites(c)], dtype=np.int64)
            for c in self.codes
        ]
        self.children: list[IntArray] = [
            np.array([self.index[d] for d in graph.dependents(c)], dtype=np.int64)
            for c in self.codes
        ]

    def __len__(self) -> int:
        return len(self.codes)

    def eligible(self, states: BoolArray) -> BoolArray:
        """For each state and standard: are all of the standard's prerequisites in the state?"""
        out = np.ones(states.shape, dtype=bool)
        for s, parents in enumerate(self.parents):
            if parents.size:
                out[:, s] = states[:, parents].all(axis=1)
        return out

    def closed_states(self, cap: int) -> BoolArray:
        """Every prerequisite-closed state (down-set), or TooManyStatesError past ``cap``."""
        states: list[list[bool]] = [[]]
        for s in range(len(self.codes)):
            parents = self.parents[s]
            grown: list[list[bool]] = []
            for state in states:
                grown.append([*state, False])
                if all(state[p] for p in parents):
                    grown.append([*state, True])
            states = grown
            if len(states) > cap:
                raise TooManyStatesError(
                    f"more than {cap} prerequisite-closed states over {len(self.codes)} standards"
                )
        return np.array(states, dtype=bool).reshape(len(states), len(self.codes))


@dataclass(frozen=True)
class AbilityPrior:
    """Higher-order prior: P(known | prerequisites known, θ) = sigmoid(slope·θ - difficulty).

    ``difficulty`` maps standard codes to their difficulty (missing codes get 0); θ ranges over
    ``grid_size`` points of a standard normal.
    """

    difficulty: Mapping[str, float] = field(default_factory=dict)
    slope: float = 1.0
    grid_size: int = 15

    def __post_init__(self) -> None:
        if self.grid_size < 1:
            raise ValueError("grid_size must be at least 1")
        if self.slope < 0:
            raise ValueError("slope must be non-negative")

    def grid(self) -> tuple[FloatArray, FloatArray]:
        """Ability grid points and their log prior weights."""
        if self.grid_size == 1:
            return np.zeros(1), np.zeros(1)
        theta = np.linspace(-3.0, 3.0, self.grid_size)
        logw = -0.5 * theta**2
        logw -= np.logaddexp.reduce(logw)
        return theta, logw

    def log_rates(self, arrays: GraphArrays) -> tuple[FloatArray, FloatArray]:
        """log P(known | eligible, θ_g) and log P(not known | eligible, θ_g): (G, S)."""
        theta, _ = self.grid()
        difficulty = np.array([self.difficulty.get(c, 0.0) for c in arrays.codes])
        logits = self.slope * theta[:, None] - difficulty[None, :]
        return -np.logaddexp(0.0, -logits), -np.logaddexp(0.0, logits)

    def log_prob_given_ability(self, arrays: GraphArrays, states: BoolArray) -> FloatArray:
        """log P(state | θ_g) for each state and grid point: (N, G). States must be closed."""
        log_yes, log_no = self.log_rates(arrays)
        eligible = arrays.eligible(states)
        yes = (states & eligible).astype(np.float64)
        no = (~states & eligible).astype(np.float64)
        return np.asarray(yes @ log_yes.T + no @ log_no.T, dtype=np.float64)

    def log_prob(self, arrays: GraphArrays, states: BoolArray) -> FloatArray:
        """log P(state), θ summed out."""
        _, log_grid = self.grid()
        joint = self.log_prob_given_ability(arrays, states) + log_grid[None, :]
        return np.asarray(np.logaddexp.reduce(joint, axis=1), dtype=np.float64)

    def sample(
        self, arrays: GraphArrays, n: int, rng: np.random.Generator
    ) -> tuple[BoolArray, IntArray]:
        """Draw ``n`` states (and their ability indices) by ancestral sampling."""
        _, log_grid = self.grid()
        ability = rng.choice(self.grid_size, size=n, p=np.exp(log_grid)).astype(np.int64)
        log_yes, _ = self.log_rates(arrays)
        p_yes = np.exp(log_yes[ability])  # (n, S)
        states = np.zeros((n, len(arrays)), dtype=bool)
        for s in range(len(arrays)):  # topological order: parents are drawn first
            draw = rng.random(n) < p_yes[:, s]
            parents = arrays.parents[s]
            if parents.size:
                draw &= states[:, parents].all(axis=1)
            states[:, s] = draw
        return states, ability


@dataclass
class ItemTable:
    """Items as arrays aligned to a :class:`GraphArrays`: requirements, slips and guesses."""

    item_ids: list[str]
    requires: BoolArray  # (I, S)
    slip: FloatArray
    guess: FloatArray

    @classmethod
    def build(cls, arrays: GraphArrays, items: Sequence[DiagnosticItem]) -> ItemTable:
        requires = np.zeros((len(items), len(arrays)), dtype=bool)
        for i, item in enumerate(items):
            for code in item.standards:
                if code not in arrays.index:
                    raise ValueError(f"item {item.item_id!r} requires {code!r}, not in scope")
                requires[i, arrays.index[code]] = True
        return cls(
            item_ids=[item.item_id for item in items],
            requires=requires,
            slip=np.array([item.slip for item in items], dtype=np.float64),
            guess=np.array([item.guess for item in items], dtype=np.float64),
        )

    def capable(self, states: BoolArray) -> BoolArray:
        """(N, I): does each state contain every standard each item requires?"""
        missing = (~states).astype(np.float32) @ self.requires.T.astype(np.float32)
        return np.asarray(missing < 0.5)

    def log_likelihood(self, capable: BoolArray, item: int, correct: bool) -> FloatArray:
        """log P(answer | state) for one item, given a column of :meth:`capable`."""
        p = np.where(capable, 1.0 - self.slip[item], self.guess[item])
        return np.asarray(np.log(np.clip(p if correct else 1.0 - p, _EPS, 1.0)))


class KnowledgeBelief:
    """A weighted set of prerequisite-closed knowledge states.

    ``exact`` beliefs hold every closed state with its prior weight and update by Bayes' rule;
    particle beliefs hold samples of (state, ability) and rejuvenate themselves with
    resample-move when the effective sample size falls below ``ess_fraction`` of their size.
    """

    def __init__(
        self,
        arrays: GraphArrays,
        items: ItemTable,
        states: BoolArray,
        log_weights: FloatArray,
        *,
        prior: AbilityPrior | None = None,
        ability: IntArray | None = None,
        ess_fraction: float = 0.5,
        gibbs_sweeps: int = 2,
    ) -> None:
        self.arrays = arrays
        self.items = items
        self.states = states
        self.log_weights = log_weights - np.logaddexp.reduce(log_weights)
        self.prior = prior
        self.ability = ability
        self.exact = ability is None
        self.ess_fraction = ess_fraction
        self.gibbs_sweeps = gibbs_sweeps
        self.answers: list[tuple[int, bool]] = []
        self._capable = items.capable(states)

    # -- construction ------------------------------------------------------------------------

    @classmethod
    def exhaustive(
        cls,
        arrays: GraphArrays,
        items: ItemTable,
        prior: AbilityPrior,
        *,
        cap: int = 20_000,
        log_prior: FloatArray | None = None,
    ) -> KnowledgeBelief:
        """Every closed state, weighted by ``log_prior`` (aligned to ``closed_states``) or by
        the ability prior."""
        states = arrays.closed_states(cap)
        weights = prior.log_prob(arrays, states) if log_prior is None else log_prior
        return cls(arrays, items, states, np.asarray(weights, dtype=np.float64))

    @classmethod
    def particles(
        cls,
        arrays: GraphArrays,
        items: ItemTable,
        prior: AbilityPrior,
        n: int,
        rng: np.random.Generator,
        **options: float,
    ) -> KnowledgeBelief:
        states, ability = prior.sample(arrays, n, rng)
        return cls(
            arrays,
            items,
            states,
            np.zeros(n),
            prior=prior,
            ability=ability,
            ess_fraction=float(options.get("ess_fraction", 0.5)),
            gibbs_sweeps=int(options.get("gibbs_sweeps", 2)),
        )

    # -- queries -----------------------------------------------------------------------------

    @property
    def weights(self) -> FloatArray:
        return np.asarray(np.exp(self.log_weights))

    def effective_sample_size(self) -> float:
        w = self.weights
        return float(1.0 / np.sum(w * w))

    def marginals(self) -> FloatArray:
        """P(known) for each standard, in ``arrays.codes`` order."""
        return np.asarray(self.weights @ self.states.astype(np.float64))

    def p_capable(self) -> FloatArray:
        """P(every standard the item requires is known), for each item."""
        return np.asarray(self.weights @ self._capable.astype(np.float64))

    def p_correct(self) -> FloatArray:
        """Posterior predictive P(correct) for each item."""
        m = self.p_capable()
        return np.asarray(m * (1.0 - self.items.slip) + (1.0 - m) * self.items.guess)

    def information_gain(self) -> FloatArray:
        """Expected entropy reduction of the knowledge state from asking each item, in bits.

        It is the mutual information between the answer and the state:
        H(answer) - E_state[H(answer | state)], and the answer given a state is Bernoulli
        with one of only two rates, so it needs the probability of being capable and no more.
        """
        m = self.p_capable()
        p = m * (1.0 - self.items.slip) + (1.0 - m) * self.items.guess
        noise = m * binary_entropy(1.0 - self.items.slip) + (1.0 - m) * binary_entropy(
            self.items.guess
        )
        return np.asarray(binary_entropy(p) - noise)

    def standards_information_gain(self, standards: IntArray | None = None) -> FloatArray:
        """Expected reduction of the summed per-standard entropies from asking each item, in
        bits: what a classification of every standard (known or not) stands to gain.

        ``standards`` restricts the sum (default: every standard).
        """
        w = self.weights.astype(np.float32)
        known = self.states if standards is None else self.states[:, standards]
        known_f = known.astype(np.float32)
        capable = self._capable.astype(np.float32)
        p_if_capable = (1.0 - self.items.slip).astype(np.float32)
        guess = self.items.guess.astype(np.float32)
        p = capable * p_if_capable[None, :] + (1.0 - capable) * guess[None, :]  # (N, I)
        right = (w[:, None] * p).T  # (I, N)
        wrong = (w[:, None] * (1.0 - p)).T
        p_right = right.sum(axis=1)
        p_wrong = wrong.sum(axis=1)
        if_right = (right @ known_f) / np.maximum(p_right, _EPS)[:, None]  # (I, S)
        if_wrong = (wrong @ known_f) / np.maximum(p_wrong, _EPS)[:, None]
        now = binary_entropy(w.astype(np.float64) @ known_f.astype(np.float64)).sum()
        after = p_right * binary_entropy(if_right.astype(np.float64)).sum(axis=1) + p_wrong * (
            binary_entropy(if_wrong.astype(np.float64)).sum(axis=1)
        )
        return np.asarray(now - after, dtype=np.float64)

    # -- updating ----------------------------------------------------------------------------

    def observe(self, item: int, correct: bool, rng: np.random.Generator | None = None) -> None:
        """Condition on one answer; particle beliefs may rejuvenate (needs ``rng``)."""
        self.answers.append((item, correct))
        self.log_weights = self.log_weights + self.items.log_likelihood(
            self._capable[:, item], item, correct
        )
        self.log_weights -= np.logaddexp.reduce(self.log_weights)
        if (
            not self.exact
            and rng is not None
            and self.effective_sample_size() < self.ess_fraction * len(self.states)
        ):
            self._resample_move(rng)

    def _resample_move(self, rng: np.random.Generator) -> None:
        if self.ability is None:
            raise RuntimeError("an exact belief has no particles to move")
        n = len(self.states)
        # systematic resampling: low variance, keeps heavy particles
        positions = (rng.random() + np.arange(n)) / n
        cumulative = np.cumsum(self.weights)
        cumulative[-1] = 1.0
        chosen = np.searchsorted(cumulative, positions)
        self.states = self.states[chosen].copy()
        self.ability = self.ability[chosen].copy()
        self.log_weights = np.full(n, -math.log(n))
        for _ in range(self.gibbs_sweeps):
            self._gibbs_sweep(rng)
        self._capable = self.items.capable(self.states)

    def _evidence_by_standard(self) -> dict[int, list[tuple[int, bool]]]:
        touched: dict[int, list[tuple[int, bool]]] = {}
        for item, correct in self.answers:
            for s in np.flatnonzero(self.items.requires[item]):
                touched.setdefault(int(s), []).append((item, correct))
        return touched

    def _gibbs_sweep(self, rng: np.random.Generator) -> None:
        """One systematic-scan Gibbs sweep over every standard, then over ability."""
        if self.ability is None or self.prior is None:
            raise RuntimeError("an exact belief has no particles to move")
        arrays, items, states = self.arrays, self.items, self.states
        log_yes, log_no = self.prior.log_rates(arrays)
        ly, ln = log_yes[self.ability], log_no[self.ability]  # (N, S)
        evidence = self._evidence_by_standard()
        n = len(states)
        for s in range(len(arrays)):
            parents, children = arrays.parents[s], arrays.children[s]
            can_know = states[:, parents].all(axis=1) if parents.size else np.ones(n, bool)
            must_know = states[:, children].any(axis=1) if children.size else np.zeros(n, bool)
            log_odds = ly[:, s] - ln[:, s]
            # A child left unknown although eligible is a "no" only if s is known.
            for c in children:
                others = arrays.parents[c][arrays.parents[c] != s]
                eligible_otherwise = states[:, others].all(axis=1) if others.size else True
                log_odds = log_odds + np.where(eligible_otherwise & ~states[:, c], ln[:, c], 0.0)
            for item, correct in evidence.get(s, ()):
                others_req = items.requires[item].copy()
                others_req[s] = False
                ready = states[:, others_req].all(axis=1) if others_req.any() else True
                yes = 1.0 - items.slip[item] if correct else items.slip[item]
                no = items.guess[item] if correct else 1.0 - items.guess[item]
                log_odds = log_odds + np.where(ready, math.log(yes) - math.log(no), 0.0)
            p = 1.0 / (1.0 + np.exp(-np.clip(log_odds, -50, 50)))
            draw = rng.random(n) < p
            states[:, s] = np.where(must_know, True, np.where(can_know, draw, False))
        # ability | state: exact conditional over the grid
        _, log_grid = self.prior.grid()
        joint = self.prior.log_prob_given_ability(arrays, states) + log_grid[None, :]
        joint -= joint.max(axis=1, keepdims=True)
        probs = np.exp(joint)
        probs /= probs.sum(axis=1, keepdims=True)
        u = rng.random(n)[:, None]
        self.ability = np.minimum((probs.cumsum(axis=1) < u).sum(axis=1), len(log_grid) - 1)


def build_items(
    arrays: GraphArrays, items: Iterable[DiagnosticItem]
) -> tuple[list[DiagnosticItem], ItemTable]:
    """Validate a bank against the scope: unique ids, standards in scope."""
    bank = list(items)
    seen: set[str] = set()
    for item in bank:
        if item.item_id in seen:
            raise ValueError(f"duplicate item id {item.item_id!r}")
        seen.add(item.item_id)
    return bank, ItemTable.build(arrays, bank)
