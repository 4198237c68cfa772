"""The default learner model: a logistic regression over a student's history (Best-LR+ family).

Knowledge tracing as logistic regression (Gervet et al. 2020, "Best-LR"; Schmucker et al. 2022,
"Best-LR+") predicts the next answer from a handful of interpretable quantities::

    logit P(correct) = bias + item difficulty + skill difficulty
                     + per-skill learning from attempts and successes on that skill
                     + shared effects of the student's history (features below)

Per answer to item *i* exercising skills *S*, from the student's *earlier* answers only:

* counts ``log(1 + attempts)`` and ``log(1 + successes)`` in total, on each skill of *S*
  (with a coefficient per skill and a shared one), and on item *i* itself;
* smoothed success rates (total and per skill), and exponentially decayed rates that weight the
  latest answers most (the "recent performance" features of Best-LR+);
* an *ability proxy*: the student's average surprise, ``correct - expected``, where *expected*
  is the item's smoothed success rate in the training data. Counting successes ignores how hard
  the items were; the surprise corrects for it, which is what a student-ability term does in
  IRT, without a parameter per student (held-out students have none);
* the item's smoothed success rate itself, so that items never seen in training still get a
  difficulty from their skills (and skills never seen, from the global rate).

Besides its own difficulty, every item has a **slope** on a few student-level features (overall
and recent success rate and the two surprise terms, and the same on the item's skill): the
item-specific *discrimination* of two-parameter IRT. Some items separate strong from weak
students sharply, others are answered alike by all; a single shared weight per feature cannot
express that. The slopes are L2-penalised like every other weight, and only items with at
least ``ITEM_SLOPE_MIN_ANSWERS`` training answers get one: a rarely answered item (or one never
seen in training) has slope 0, the shared weights alone.

All of these are running sums, so the online :meth:`BestLRPlus.update` is O(1) per answer and
the student state is a small JSON dict. The batch path (:meth:`BestLRPlus.predict_log` and
fitting) computes exactly the same features with vectorised group sums (:mod:`._grouped`).

**Mastery** of a skill is the probability that the student *knows* it, read from the predicted
probability *p* that they answer a *typical new item* of that skill correctly now (the model's
prediction for an item it knows nothing about except that it exercises that one skill, given
everything the student has done so far). *p* itself never gets near 1: students who know a
skill still slip, and on the benchmark logs thirty right answers in a row give *p* ≈ 0.95, so a
"95% mastered" rule read on *p* would ask for thirty. The BKT reading of an answer fixes that:
``p = known (1 - slip) + (1 - known) guess`` with the engine's default slip 0.1 and guess 0.2
(:data:`trellis.engine.mastery.DEFAULT_SLIP` / ``DEFAULT_GUESS``, also the means of this
package's BKT priors), so ``known = (p - 0.2) / 0.7``, clipped to [0, 0.99]. It moves with
every answer on the skill and, more weakly, with every other answer (through the ability and
recent-performance features).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.optimize import minimize
from threadpoolctl import threadpool_limits

from trellis.engine.learner._grouped import (
    exclusive_cumsum,
    exclusive_decayed_sum,
    exclusive_streak,
    factorize,
    previous_in_group,
)
from trellis.engine.learner.base import LearnerModel, State, register_model
from trellis.engine.learner.log import ResponseLog, distinct_skills
from trellis.engine.mastery import DEFAULT_GUESS, DEFAULT_SLIP

# Decay rates of the recent-performance features (per answer: 0.5 ~ the last 2 answers,
# 0.95 ~ the last 20). Fixed settings, the same on every dataset.
TOTAL_DECAYS = (0.5, 0.8, 0.95)
SKILL_DECAYS = (0.5, 0.8, 0.95)
SURPRISE_DECAY = 0.9
# Pseudo-counts that shrink success rates of rarely seen items / skills toward their parent.
ITEM_PRIOR_WEIGHT = 5.0
SKILL_PRIOR_WEIGHT = 10.0
# Pseudo-count of the ability proxy: a few answers are needed before it departs from zero.
SURPRISE_SHRINK = 5.0

DENSE_FEATURES = (
    "log_attempts_total", "log_successes_total", "rate_total",
    *(f"recent_rate_{d}" for d in TOTAL_DECAYS),
    "surprise_total", "recent_surprise",
    "log_attempts_skill", "log_successes_skill", "rate_skill", "surprise_skill",
    *(f"recent_rate_skill_{d}" for d in SKILL_DECAYS),
    "log_right_streak_skill", "log_wrong_streak_skill", "log_gap_skill", "new_skill",
    "log_attempts_item", "log_successes_item", "item_last_right", "item_last_wrong",
    "item_expected_rate",
)
# History features that get a per-item slope (IRT discrimination, module docstring): the
# student's overall and on-this-skill success, recent success and surprise. Parameters record
# the names they were fitted with ("item_slope_features"); those saved before the record read as
# LEGACY_ITEM_SLOPE_FEATURES.
ITEM_SLOPE_FEATURES = (
    "rate_total", "recent_rate_0.8", "surprise_total", "recent_surprise",
    "rate_skill", *(f"recent_rate_skill_{d}" for d in SKILL_DECAYS), "surprise_skill",
)
LEGACY_ITEM_SLOPE_FEATURES = ("rate_total", "recent_rate_0.8", "surprise_total",
                              "recent_surprise")
ITEM_SLOPE_COLUMNS = tuple(DENSE_FEATURES.index(name) for name in ITEM_SLOPE_FEATURES)
# A slope is a second parameter per item: only items with at least this many training answers
# get one (the others keep the shared weights, slope 0); fewer answers would fit noise.
ITEM_SLOPE_MIN_ANSWERS = 50


# Mastery reads P(correct) the way BKT does: a student who knows the skill still slips, one who
# does not still guesses right sometimes (DEFAULT_SLIP / DEFAULT_GUESS of trellis.engine.mastery).
# Evidence never makes knowing certain: 99% at most, so a page never claims 100%.
MASTERY_CEILING = 0.99


def knowledge_from_success(p_correct: float) -> float:
    """P(knows) from P(correct) = P(knows) (1 - slip) + (1 - P(knows)) guess, clipped to
    [0, MASTERY_CEILING]."""
    known = (p_correct - DEFAULT_GUESS) / (1.0 - DEFAULT_SLIP - DEFAULT_GUESS)
    return min(max(known, 0.0), MASTERY_CEILING)


def _logit(p: npt.ArrayLike) -> npt.NDArray[np.float64]:
    p = np.clip(np.asarray(p, dtype=np.float64), 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def _logit1(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def _decayed_weight(decay: float, count: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Sum of ``decay ** k`` for k < count: the decayed number of earlier answers."""
    return (1 - decay ** np.asarray(count, dtype=np.float64)) / (1 - decay)


N_SKILL_FEATURES = 4 + len(SKILL_DECAYS) + 4


def _item_entry(entry: Sequence[int] | None) -> tuple[int, int, int]:
    """(attempts, successes, last answer or -1) from a state's item entry."""
    if not entry:
        return 0, 0, -1
    return int(entry[0]), int(entry[1]), int(entry[2]) if len(entry) > 2 else -1


def _new_skill_state() -> list[Any]:
    return [0, 0, 0.0, [0.0] * len(SKILL_DECAYS), 0, 0, -1]


def _fit_logistic(dense: npt.NDArray[np.float64], sparse: sp.csr_matrix,
                  target: npt.NDArray[np.float64], C: float, max_iter: int, tol: float
                  ) -> tuple[float, npt.NDArray[np.float64]]:
    """L2-regularised logistic regression, ``C * sum(log-loss) + |w|^2 / 2`` (as scikit-learn),
    intercept not penalised, fitted by preconditioned L-BFGS.

    The design is kept in two parts: the few dense history features as a dense array (fast
    BLAS products) and the one-hot / per-skill columns as a sparse matrix. scikit-learn would
    need a single sparse matrix, where the dense part dominates the cost of every iteration.

    **Why precondition.** The history features are strongly correlated (attempts, successes and
    rates move together) and the sparse columns differ in scale by orders of magnitude (an item
    answered 10,000 times beside one answered 5 times), so the loss is a long, narrow valley and
    plain L-BFGS needs hundreds of iterations to walk it. We fit in rotated coordinates instead:
    the intercept and dense weights through the inverse Cholesky factor of their exact Hessian at
    the average answer (``C p(1-p) A^T A + I``), each sparse weight scaled by its diagonal
    Hessian entry. The optimum is the same weights, only the path is shorter: on the benchmark
    logs the loss settles in 35-50 iterations instead of 400 (docs/learner-model.md).

    Products run in float32 (half the memory traffic; the loss and gradient are summed in
    float64); the iteration stops once an iteration lowers the loss by less than ``tol`` of it.
    """
    n_rows, n_dense = dense.shape
    sign = 2 * target - 1
    rate = float(target.mean())
    curvature = C * rate * (1 - rate)  # d2 log-loss / d score2 at the average answer
    with_intercept = np.empty((n_rows, n_dense + 1), dtype=np.float32)
    with_intercept[:, 0] = 1.0
    with_intercept[:, 1:] = dense
    hessian = curvature * (with_intercept.T.astype(np.float64) @ with_intercept)
    hessian[1:, 1:] += np.eye(n_dense)
    hessian[0, 0] += 1e-9 + 1e-9 * hessian[0, 0]  # the intercept is unpenalised; keep it PD
    # theta_dense = rotate @ u_dense, so that the dense block of the Hessian in u is ~identity.
    rotate = np.linalg.inv(np.linalg.cholesky(hessian)).T
    sparse32 = sparse.astype(np.float32).tocsr()
    sparse_scale = 1.0 / np.sqrt(
        curvature * np.asarray(sparse.multiply(sparse).sum(axis=0)).ravel() + 1.0)
    dense_t = np.ascontiguousarray(with_intercept.T)
    sparse_t = sparse32.T.tocsr()
    n_first = n_dense + 1

    def loss_and_gradient(u: npt.NDArray[np.float64]) -> tuple[float, np.ndarray]:
        theta_dense = rotate @ u[:n_first]
        w_sparse = u[n_first:] * sparse_scale
        score = (with_intercept @ theta_dense.astype(np.float32)
                 + sparse32 @ w_sparse.astype(np.float32))
        margin = sign * score
        # log(1 + e^-m) and the sigmoid from one exponential, stable for either sign of m.
        shrunk = np.exp(-np.abs(margin))
        loss = C * float(np.maximum(-margin, 0.0).sum() + np.log1p(shrunk).sum())
        residual = (-C * sign * np.where(margin >= 0, shrunk, 1.0) / (1.0 + shrunk)
                    ).astype(np.float32)  # d loss / d score
        w_dense = theta_dense[1:]
        gradient_dense = (dense_t @ residual).astype(np.float64)
        gradient_dense[1:] += w_dense
        gradient_sparse = (sparse_t @ residual).astype(np.float64) + w_sparse
        loss += 0.5 * float(w_dense @ w_dense + w_sparse @ w_sparse)
        return loss, np.concatenate([rotate.T @ gradient_dense, gradient_sparse * sparse_scale])

    # One BLAS thread: L-BFGS makes many small vector operations, and on a busy machine
    # threads that wait for each other cost far more than they save (20x measured).
    with threadpool_limits(limits=1):
        result = minimize(loss_and_gradient, np.zeros(n_first + sparse.shape[1]), jac=True,
                          method="L-BFGS-B",
                          options={"maxiter": max_iter, "ftol": tol, "gtol": 1e-8})
    theta_dense = rotate @ result.x[:n_first]
    return float(theta_dense[0]), np.concatenate(
        [theta_dense[1:], result.x[n_first:] * sparse_scale])


@dataclass(frozen=True)
class _Expected:
    """Smoothed success rates from training: global, per skill, per item."""

    global_rate: float
    skill_rate: dict[str, float]
    item_rate: dict[str, float]

    def for_skills(self, skills: Sequence[str]) -> float:
        if not skills:
            return self.global_rate
        return sum(self.skill_rate.get(s, self.global_rate) for s in skills) / len(skills)

    def for_answer(self, item: str, skills: Sequence[str]) -> float:
        rate = self.item_rate.get(item)
        return self.for_skills(skills) if rate is None else rate


@register_model
class BestLRPlus(LearnerModel):
    """Logistic knowledge tracing with Best-LR+ style history features (module docstring)."""

    name: ClassVar[str] = "best-lr-plus"

    def __init__(self, random_state: int | None = 0, C: float = 0.3, max_iter: int = 300,
                 tol: float = 1e-5) -> None:
        super().__init__(random_state)
        self.C = C
        self.max_iter = max_iter
        self.tol = tol

    def get_settings(self) -> dict[str, Any]:
        return {"random_state": self.random_state, "C": self.C, "max_iter": self.max_iter,
                "tol": self.tol}

    # -- fitting ------------------------------------------------------------------------------

    def fit(self, log: ResponseLog) -> BestLRPlus:
        if len(log) == 0:
            raise ValueError("cannot fit on an empty log")
        expected = self._fit_expected(log)
        item_codes, items = factorize(log.item)
        skill_codes, skills = factorize(log.skill_flat)
        pair_rows = log.skill_rows()
        correct = log.correct.astype(np.float64)
        # Leave-one-out expected rates for training rows: a rate that included the answer it
        # explains would leak that answer into its own features.
        item_attempts = np.bincount(item_codes).astype(np.float64)
        item_successes = np.bincount(item_codes, weights=correct)
        skill_row_rate = self._row_skill_rate(expected, log, pair_rows)
        loo_rate = (item_successes[item_codes] - correct + ITEM_PRIOR_WEIGHT * skill_row_rate) / (
            item_attempts[item_codes] - 1 + ITEM_PRIOR_WEIGHT)
        dense, pair_counts = self._features(log, loo_rate, pair_rows)
        mean = dense.mean(axis=0)
        scale = dense.std(axis=0)
        scale[scale < 1e-9] = 1.0
        n, n_items, n_skills = len(log), len(items), len(skills)
        attempts_skill, successes_skill = pair_counts
        standardised = (dense - mean) / scale
        rows = np.arange(n)
        has_slope = np.bincount(item_codes, minlength=n_items) >= ITEM_SLOPE_MIN_ANSWERS
        slope_rows = np.flatnonzero(has_slope[item_codes])
        sparse = sp.hstack([
            sp.csr_matrix((np.ones(n), (rows, item_codes)), shape=(n, n_items)),
            sp.csr_matrix((np.ones(len(pair_rows)), (pair_rows, skill_codes)),
                          shape=(n, n_skills)),
            sp.csr_matrix((np.log1p(attempts_skill), (pair_rows, skill_codes)),
                          shape=(n, n_skills)),
            sp.csr_matrix((np.log1p(successes_skill), (pair_rows, skill_codes)),
                          shape=(n, n_skills)),
            *(sp.csr_matrix((standardised[slope_rows, column],
                             (slope_rows, item_codes[slope_rows])), shape=(n, n_items))
              for column in ITEM_SLOPE_COLUMNS),
        ])
        target = log.correct.astype(np.float64)
        if len(np.unique(target)) < 2:
            raise ValueError("cannot fit on a log whose answers are all correct or all wrong")
        intercept, weights = _fit_logistic(standardised, sparse.tocsr(), target,
                                           C=self.C, max_iter=self.max_iter, tol=self.tol)
        n_dense = dense.shape[1]
        blocks = np.split(weights[n_dense:], np.cumsum(
            [n_items, n_skills, n_skills, n_skills] + [n_items] * len(ITEM_SLOPE_COLUMNS)))
        item_weight, skill_weight, skill_attempt_weight, skill_success_weight = blocks[:4]
        # Slopes were fitted on standardised features; store them on the raw features (what
        # the online path computes) and move their constant part into the item's weight.
        slope_columns = list(ITEM_SLOPE_COLUMNS)
        item_slope = np.array(blocks[4:4 + len(slope_columns)]).reshape(
            len(slope_columns), n_items) / scale[slope_columns, None]
        item_weight = item_weight - mean[slope_columns] @ item_slope
        self.params_: dict[str, Any] = {
            "intercept": intercept,
            "dense_weight": [float(w) for w in weights[:n_dense]],
            "dense_mean": [float(v) for v in mean],
            "dense_scale": [float(v) for v in scale],
            "item_weight": {str(k): float(v) for k, v in zip(items, item_weight, strict=True)},
            "skill_weight": {
                str(k): [float(a), float(b), float(c)]
                for k, a, b, c in zip(skills, skill_weight, skill_attempt_weight,
                                      skill_success_weight, strict=True)},
            # Every answer has an item and a skill, so their weights share an arbitrary offset
            # with the intercept: an unseen item or skill gets the average weight, not zero.
            "default_item_weight": float(np.mean(item_weight[item_codes])),
            # Only items that have slopes; any other item (unseen ones too) has slope 0.
            "item_slope": {str(items[j]): [float(v) for v in item_slope[:, j]]
                           for j in np.flatnonzero(has_slope)},
            "item_slope_features": list(ITEM_SLOPE_FEATURES),
            "default_skill_weight": [
                float(np.mean(block[skill_codes]))
                for block in (skill_weight, skill_attempt_weight, skill_success_weight)],
            "global_rate": expected.global_rate,
            "skill_rate": expected.skill_rate,
            "item_rate": expected.item_rate,
        }
        self._load_params()
        return self

    @staticmethod
    def _fit_expected(log: ResponseLog) -> _Expected:
        correct = log.correct.astype(np.float64)
        global_rate = float(correct.mean())
        skill_codes, skills = factorize(log.skill_flat)
        pair_correct = correct[log.skill_rows()]
        skill_attempts = np.bincount(skill_codes, minlength=len(skills))
        skill_successes = np.bincount(skill_codes, weights=pair_correct, minlength=len(skills))
        skill_rate_values = (skill_successes + SKILL_PRIOR_WEIGHT * global_rate) / (
            skill_attempts + SKILL_PRIOR_WEIGHT)
        skill_rate = {str(s): float(r) for s, r in zip(skills, skill_rate_values, strict=True)}
        partial = _Expected(global_rate, skill_rate, {})
        item_codes, items = factorize(log.item)
        row_skill_rate = BestLRPlus._row_skill_rate(partial, log, log.skill_rows())
        # An item's prior: the mean skill rate of its rows (its skills, as the log gives them).
        item_attempts = np.bincount(item_codes, minlength=len(items)).astype(np.float64)
        item_prior = np.bincount(item_codes, weights=row_skill_rate,
                                 minlength=len(items)) / item_attempts
        item_successes = np.bincount(item_codes, weights=correct, minlength=len(items))
        item_rate_values = (item_successes + ITEM_PRIOR_WEIGHT * item_prior) / (
            item_attempts + ITEM_PRIOR_WEIGHT)
        item_rate = {str(i): float(r) for i, r in zip(items, item_rate_values, strict=True)}
        return _Expected(global_rate, skill_rate, item_rate)

    @staticmethod
    def _row_skill_rate(expected: _Expected, log: ResponseLog,
                        pair_rows: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
        skill_codes, skills = factorize(log.skill_flat)
        rate_of_code = np.array([expected.skill_rate.get(str(s), expected.global_rate)
                                 for s in skills])
        per_row = np.bincount(pair_rows, weights=rate_of_code[skill_codes], minlength=len(log))
        count = log.n_skills_per_row
        return np.where(count > 0, per_row / np.maximum(count, 1), expected.global_rate)

    def _load_params(self) -> None:
        params = self.params_
        self._expected = _Expected(params["global_rate"], params["skill_rate"],
                                   params["item_rate"])
        self._dense_weight = np.array(params["dense_weight"]) / np.array(params["dense_scale"])
        self._dense_offset = float(params["intercept"]) - float(
            np.dot(self._dense_weight, params["dense_mean"]))
        self._dense_weight_list = [float(w) for w in self._dense_weight]
        # Items without a slope, and parameters saved before slopes existed: slope 0, the
        # shared weights alone (as in training, where rarely answered items had none).
        names = params.get("item_slope_features", LEGACY_ITEM_SLOPE_FEATURES)
        unknown = [name for name in names if name not in DENSE_FEATURES]
        if unknown:
            raise ValueError(f"item slopes on unknown features {unknown}: refit the model")
        self._slope_columns = [DENSE_FEATURES.index(name) for name in names]
        self._item_slope: dict[str, list[float]] = params.get("item_slope", {})
        if any(len(slope) != len(names) for slope in self._item_slope.values()):
            raise ValueError("item slopes do not match their features: refit the model")
        self._default_item_slope = [0.0] * len(names)

    def get_params_json(self) -> dict[str, Any]:
        self._check_fitted()
        return self.params_

    def set_params_json(self, params: dict[str, Any]) -> None:
        self.params_ = params
        self._load_params()

    # -- features -----------------------------------------------------------------------------

    def _features(self, log: ResponseLog, expected_rate: npt.NDArray[np.float64],
                  pair_rows: npt.NDArray[np.int64]
                  ) -> tuple[npt.NDArray[np.float64],
                             tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]]:
        """Dense features of every row and per (row, skill) attempt/success counts."""
        order = log.time_order()
        n = len(log)
        rank = np.empty(n, dtype=np.int64)
        rank[order] = np.arange(n)  # position of each row in time order
        student_codes, _ = factorize(log.student)
        item_codes, items = factorize(log.item)
        skill_codes, skills = factorize(log.skill_flat)
        correct = log.correct.astype(np.float64)
        surprise = correct - expected_rate

        # Totals per student, computed in time order.
        students_t = student_codes[order]
        def total_sum(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
            out = np.empty(n)
            out[order] = exclusive_cumsum(students_t, values[order])
            return out

        def total_decayed(values: npt.NDArray[np.float64], decay: float
                          ) -> npt.NDArray[np.float64]:
            out = np.empty(n)
            out[order] = exclusive_decayed_sum(students_t, values[order], decay)
            return out

        attempts = total_sum(np.ones(n))
        successes = total_sum(correct)
        surprises = total_sum(surprise)
        columns: list[npt.NDArray[np.float64]] = [
            np.log1p(attempts), np.log1p(successes), _logit((successes + 1) / (attempts + 2)),
        ]
        for decay in TOTAL_DECAYS:
            recent = total_decayed(correct, decay)
            columns.append(_logit((recent + 0.5) / (_decayed_weight(decay, attempts) + 1)))
        columns.append(surprises / (attempts + SURPRISE_SHRINK))
        recent_surprise = total_decayed(surprise, SURPRISE_DECAY)
        columns.append(recent_surprise / (_decayed_weight(SURPRISE_DECAY, attempts) + 2))

        # Per student x skill, on (row, skill) pairs in time order.
        pair_order = np.argsort(rank[pair_rows], kind="stable")
        pair_groups = (student_codes[pair_rows] * len(skills) + skill_codes)[pair_order]

        def pair_sum(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
            out = np.empty(len(pair_rows))
            out[pair_order] = exclusive_cumsum(pair_groups, values[pair_order])
            return out

        pair_correct = correct[pair_rows]
        attempts_skill = pair_sum(np.ones(len(pair_rows)))
        successes_skill = pair_sum(pair_correct)
        surprises_skill = pair_sum(surprise[pair_rows])
        n_skills = np.maximum(log.n_skills_per_row, 1)

        def row_mean(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
            return np.bincount(pair_rows, weights=values, minlength=n) / n_skills

        def by_pair(compute: Any, *args: Any) -> npt.NDArray[np.float64]:
            out = np.empty(len(pair_rows))
            out[pair_order] = compute(pair_groups, *(a[pair_order] for a in args))
            return out

        columns += [
            row_mean(np.log1p(attempts_skill)),
            row_mean(np.log1p(successes_skill)),
            row_mean(_logit((successes_skill + 1) / (attempts_skill + 2))),
            row_mean(surprises_skill / (attempts_skill + SURPRISE_SHRINK)),
        ]
        for decay in SKILL_DECAYS:
            recent_skill = by_pair(
                lambda g, v, d=decay: exclusive_decayed_sum(g, v, d), pair_correct)
            columns.append(row_mean(_logit(
                (recent_skill + 0.5) / (_decayed_weight(decay, attempts_skill) + 1))))
        right = pair_correct > 0
        columns.append(row_mean(np.log1p(by_pair(exclusive_streak, right))))
        columns.append(row_mean(np.log1p(by_pair(exclusive_streak, ~right))))
        # Answers given since this skill was last practised (0 for a new skill).
        answer_index = attempts[pair_rows]
        last_index = by_pair(lambda g, v: previous_in_group(g, v, -1.0), answer_index)
        seen = attempts_skill > 0
        columns.append(row_mean(np.where(seen, np.log1p(answer_index - last_index - 1), 0.0)))
        columns.append(row_mean((~seen).astype(np.float64)))

        # Per student x item.
        item_groups = (student_codes * len(items) + item_codes)[order]
        attempts_item = np.empty(n)
        successes_item = np.empty(n)
        attempts_item[order] = exclusive_cumsum(item_groups, np.ones(n))
        successes_item[order] = exclusive_cumsum(item_groups, correct[order])
        last_item = np.empty(n)
        last_item[order] = previous_in_group(item_groups, correct[order], -1.0)
        columns += [np.log1p(attempts_item), np.log1p(successes_item),
                    (last_item == 1).astype(np.float64), (last_item == 0).astype(np.float64),
                    _logit(expected_rate)]
        return np.column_stack(columns), (attempts_skill, successes_skill)

    # -- batch prediction ---------------------------------------------------------------------

    def predict_log(self, log: ResponseLog) -> npt.NDArray[np.float64]:
        self._check_fitted()
        if len(log) == 0:
            return np.empty(0)
        pair_rows = log.skill_rows()
        expected = self._expected
        items, item_codes = np.unique(log.item, return_inverse=True)
        item_rate = np.array([expected.item_rate.get(str(i), math.nan) for i in items])
        row_rate = item_rate[item_codes]
        missing = np.isnan(row_rate)
        if missing.any():
            row_rate[missing] = self._row_skill_rate(expected, log, pair_rows)[missing]
        dense, (attempts_skill, successes_skill) = self._features(log, row_rate, pair_rows)
        score = dense @ self._dense_weight + self._dense_offset
        item_weight = self.params_["item_weight"]
        default_item = self.params_.get("default_item_weight", 0.0)
        score += np.array([item_weight.get(str(i), default_item) for i in items])[item_codes]
        slopes = np.array([self._item_slope.get(str(i), self._default_item_slope)
                           for i in items]).reshape(len(items), len(self._slope_columns))
        score += np.einsum("rf,rf->r", slopes[item_codes], dense[:, self._slope_columns])
        skills, skill_codes = np.unique(log.skill_flat, return_inverse=True)
        default_skill = self.params_.get("default_skill_weight", [0.0, 0.0, 0.0])
        skill_weight = np.array([self.params_["skill_weight"].get(str(s), default_skill)
                                 for s in skills])
        skill_weight = skill_weight.reshape(len(skills), 3)[skill_codes]
        pair_score = (skill_weight[:, 0] + skill_weight[:, 1] * np.log1p(attempts_skill)
                      + skill_weight[:, 2] * np.log1p(successes_skill))
        score += np.bincount(pair_rows, weights=pair_score, minlength=len(log))
        return 1.0 / (1.0 + np.exp(-score))

    # -- online use ---------------------------------------------------------------------------

    def initial_state(self, student: str = "") -> State:
        return {
            "student": student, "attempts": 0, "successes": 0, "surprise": 0.0,
            "recent": [0.0] * len(TOTAL_DECAYS), "recent_surprise": 0.0,
            # skill -> [attempts, successes, surprise, [recent per decay], right streak,
            #           wrong streak, index of its last answer];
            # item -> [attempts, successes, last answer]
            "skills": {}, "items": {},
        }

    def _score(self, state: State, item_id: str | None, skill_ids: Sequence[str],
               expected_rate: float) -> float:
        attempts, successes = state["attempts"], state["successes"]
        features = [
            math.log1p(attempts), math.log1p(successes),
            _logit1((successes + 1) / (attempts + 2)),
        ]
        for decay, recent in zip(TOTAL_DECAYS, state["recent"], strict=True):
            weight = (1 - decay ** attempts) / (1 - decay)
            features.append(_logit1((recent + 0.5) / (weight + 1)))
        features.append(state["surprise"] / (attempts + SURPRISE_SHRINK))
        weight = (1 - SURPRISE_DECAY ** attempts) / (1 - SURPRISE_DECAY)
        features.append(state["recent_surprise"] / (weight + 2))

        skill_states = state["skills"]
        skill_weights = self.params_["skill_weight"]
        default_skill = self.params_.get("default_skill_weight", [0.0, 0.0, 0.0])
        per_skill = [0.0] * N_SKILL_FEATURES
        score = 0.0
        for skill in skill_ids:
            skill_state = skill_states.get(skill)
            if skill_state is None:
                skill_state = _new_skill_state()
            skill_attempts, skill_successes, skill_surprise = skill_state[:3]
            log_attempts, log_successes = math.log1p(skill_attempts), math.log1p(skill_successes)
            values = [
                log_attempts, log_successes,
                _logit1((skill_successes + 1) / (skill_attempts + 2)),
                skill_surprise / (skill_attempts + SURPRISE_SHRINK),
            ]
            for decay, recent in zip(SKILL_DECAYS, skill_state[3], strict=True):
                weight = (1 - decay ** skill_attempts) / (1 - decay)
                values.append(_logit1((recent + 0.5) / (weight + 1)))
            values += [math.log1p(skill_state[4]), math.log1p(skill_state[5])]
            if skill_attempts > 0:
                values += [math.log1p(attempts - skill_state[6] - 1), 0.0]
            else:
                values += [0.0, 1.0]
            for j, value in enumerate(values):
                per_skill[j] += value
            coefficients = skill_weights.get(skill, default_skill)
            score += (coefficients[0] + coefficients[1] * log_attempts
                      + coefficients[2] * log_successes)
        count = max(len(skill_ids), 1)
        features += [value / count for value in per_skill]

        item_attempts, item_successes, item_last = _item_entry(
            state["items"].get(item_id) if item_id is not None else None)
        features += [math.log1p(item_attempts), math.log1p(item_successes),
                     float(item_last == 1), float(item_last == 0), _logit1(expected_rate)]
        score += self._dense_offset
        score += sum(w * f for w, f in zip(self._dense_weight_list, features, strict=True))
        default_item = self.params_.get("default_item_weight", 0.0)
        score += (default_item if item_id is None
                  else self.params_["item_weight"].get(item_id, default_item))
        slopes = (self._default_item_slope if item_id is None
                  else self._item_slope.get(item_id, self._default_item_slope))
        score += sum(slope * features[column]
                     for slope, column in zip(slopes, self._slope_columns, strict=True))
        return score

    def predict_proba(self, state: State, item_id: str, skill_ids: Sequence[str]) -> float:
        self._check_fitted()
        skill_ids = distinct_skills(skill_ids)
        score = self._score(state, str(item_id), skill_ids,
                            self._expected.for_answer(str(item_id), skill_ids))
        return 1.0 / (1.0 + math.exp(-score))

    def update(self, state: State, item_id: str, skill_ids: Sequence[str], correct: int,
               timestamp: float | None = None) -> State:
        self._check_fitted()
        item_id, skill_ids = str(item_id), distinct_skills(skill_ids)
        if correct not in (0, 1):
            raise ValueError(f"correct must be 0 or 1, not {correct!r}")
        surprise = correct - self._expected.for_answer(item_id, skill_ids)
        state["attempts"] += 1
        state["successes"] += correct
        state["surprise"] += surprise
        state["recent"] = [decay * recent + correct
                           for decay, recent in zip(TOTAL_DECAYS, state["recent"], strict=True)]
        state["recent_surprise"] = SURPRISE_DECAY * state["recent_surprise"] + surprise
        skills = state["skills"]
        answer_index = state["attempts"] - 1
        for skill in skill_ids:
            skill_state = skills.get(skill) or _new_skill_state()
            skills[skill] = [
                skill_state[0] + 1, skill_state[1] + correct, skill_state[2] + surprise,
                [decay * recent + correct
                 for decay, recent in zip(SKILL_DECAYS, skill_state[3], strict=True)],
                skill_state[4] + 1 if correct else 0, 0 if correct else skill_state[5] + 1,
                answer_index,
            ]
        item_attempts, item_successes, _ = _item_entry(state["items"].get(item_id))
        state["items"][item_id] = [item_attempts + 1, item_successes + correct, correct]
        if timestamp is not None:
            state["last_timestamp"] = timestamp
        return state

    def mastery(self, state: State, skill: str) -> float:
        """P(the student knows ``skill``), read from P(correct) on a typical new item of it
        (module docstring, "Mastery")."""
        self._check_fitted()
        skill = str(skill)
        score = self._score(state, None, [skill], self._expected.for_skills([skill]))
        return knowledge_from_success(1.0 / (1.0 + math.exp(-score)))
