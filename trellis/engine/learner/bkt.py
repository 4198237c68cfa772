"""Bayesian Knowledge Tracing (Corbett & Anderson 1995), fitted by a vectorised EM.

BKT models each skill as a hidden two-state variable per student: *unknown* or *known*.

* ``prior``: P(known) before the first practice;
* ``learn``: P(unknown -> known) after each practice opportunity (no forgetting);
* ``guess``: P(correct | unknown); ``slip``: P(wrong | known).

After each answer the probability of *known* is updated by Bayes' rule and then by the learning
transition; P(correct) of the next answer is ``known * (1 - slip) + (1 - known) * guess``.
**Mastery** of a skill is simply P(known) — the classic BKT definition (0.95 is the usual
"mastered" threshold).

Fitting: Baum-Welch EM over all (student, skill) sequences at once. The sequences are laid out
*time-major* (all first answers, then all second answers, ...) with the longest sequences first,
so each time step is one slice of NumPy arrays; the Python loop runs over time steps, never over
students. The M-step adds Beta pseudo-counts (a maximum-a-posteriori EM), so a skill seen only a
few times keeps parameters near sane defaults instead of degenerate 0/1 estimates, and guess and
slip are capped below 0.5 (above that, *known* would mean performing worse than *unknown*).
A row with several skills counts as practice of each; its P(correct) is the mean over them.
Skills never seen in training get the average parameters of the fitted skills.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from trellis.engine.learner._grouped import exclusive_cumsum, factorize
from trellis.engine.learner.base import LearnerModel, State, register_model
from trellis.engine.learner.log import ResponseLog, distinct_skills
from trellis.engine.mastery import DEFAULT_GUESS, DEFAULT_SLIP

PARAMETERS = ("prior", "learn", "guess", "slip")
# Beta(a, b) priors, as pseudo-counts added in the M-step, each worth this many answers.
PRIOR_WEIGHT = 10.0


def _beta_counts(mean: float) -> tuple[float, float]:
    return (mean * PRIOR_WEIGHT, (1.0 - mean) * PRIOR_WEIGHT)


# Means 0.5, 0.1, and the engine's default guess (0.2) and slip (0.1).
PRIOR_COUNTS = {"prior": _beta_counts(0.5), "learn": _beta_counts(0.1),
                "guess": _beta_counts(DEFAULT_GUESS), "slip": _beta_counts(DEFAULT_SLIP)}
MAX_GUESS_SLIP = 0.45


class _Layout:
    """Time-major layout of every (student, skill) sequence of a log (module docstring)."""

    def __init__(self, log: ResponseLog, skill_codes: npt.NDArray[np.int64]) -> None:
        pair_rows = log.skill_rows()
        rank = np.empty(len(log), dtype=np.int64)
        rank[log.time_order()] = np.arange(len(log))
        time_sorted = np.argsort(rank[pair_rows], kind="stable")
        student_codes, _ = factorize(log.student)
        n_skill_codes = int(skill_codes.max()) + 1 if len(skill_codes) else 1
        group = student_codes[pair_rows] * n_skill_codes + skill_codes
        group_codes, _ = factorize(group)
        step = np.empty(len(pair_rows), dtype=np.int64)
        step[time_sorted] = exclusive_cumsum(group_codes[time_sorted],
                                             np.ones(len(pair_rows))).astype(np.int64)
        lengths = np.bincount(group_codes)
        by_length = np.argsort(-lengths, kind="stable")
        group_rank = np.empty(len(lengths), dtype=np.int64)
        group_rank[by_length] = np.arange(len(lengths))
        max_length = int(lengths.max()) if len(lengths) else 0
        # active[t]: how many sequences have a (t+1)-th answer; they are ranks 0..active[t]-1.
        self.active = len(lengths) - np.cumsum(np.bincount(lengths, minlength=max_length + 1))
        self.active = self.active[:max_length]
        self.offsets = np.concatenate([[0], np.cumsum(self.active)]).astype(np.int64)
        self.position = self.offsets[step] + group_rank[group_codes]  # pair -> time-major slot
        self.pair_rows = pair_rows
        self.n_groups = len(lengths)
        self.group_skill = np.empty(len(lengths), dtype=np.int64)
        self.group_skill[group_rank[group_codes]] = skill_codes  # skill of each ranked sequence
        self.skill = np.empty(len(pair_rows), dtype=np.int64)
        self.skill[self.position] = skill_codes

    def to_time_major(self, values: npt.NDArray[Any]) -> npt.NDArray[Any]:
        out = np.empty(len(values), dtype=values.dtype)
        out[self.position] = values
        return out


@register_model
class BKT(LearnerModel):
    """Standard BKT with a Beta-prior EM fit (module docstring)."""

    name: ClassVar[str] = "bkt"

    def __init__(self, random_state: int | None = 0, max_iter: int = 100,
                 tol: float = 1e-4) -> None:
        super().__init__(random_state)
        self.max_iter = max_iter
        self.tol = tol

    def get_settings(self) -> dict[str, Any]:
        return {"random_state": self.random_state, "max_iter": self.max_iter, "tol": self.tol}

    # -- fitting ------------------------------------------------------------------------------

    def fit(self, log: ResponseLog) -> BKT:
        if len(log) == 0:
            raise ValueError("cannot fit on an empty log")
        skill_codes, skills = factorize(log.skill_flat)
        layout = _Layout(log, skill_codes)
        observed = layout.to_time_major(log.correct[layout.pair_rows].astype(np.float64))
        rng = np.random.default_rng(self.random_state)
        n_skills = len(skills)
        means = {name: a / (a + b) for name, (a, b) in PRIOR_COUNTS.items()}
        # Start near the prior means, jittered so that symmetric starts cannot stall EM.
        params = {name: np.clip(means[name] * rng.uniform(0.8, 1.2, n_skills), 0.01,
                                MAX_GUESS_SLIP) for name in PARAMETERS}
        previous = -np.inf
        self.n_iter_ = 0
        for _ in range(self.max_iter):
            loglik, stats = self._e_step(layout, observed, params, n_skills)
            params = self._m_step(stats)
            self.n_iter_ += 1
            if loglik - previous < self.tol * len(observed):
                break
            previous = loglik
        self.log_likelihood_ = float(loglik)
        default = {name: float(np.mean(params[name])) for name in PARAMETERS}
        self.params_: dict[str, Any] = {
            "skills": {str(s): [float(params[name][k]) for name in PARAMETERS]
                       for k, s in enumerate(skills)},
            "default": [default[name] for name in PARAMETERS],
        }
        return self

    @staticmethod
    def _e_step(layout: _Layout, observed: npt.NDArray[np.float64],
                params: dict[str, npt.NDArray[np.float64]], n_skills: int
                ) -> tuple[float, dict[str, tuple[npt.NDArray[np.float64],
                                                  npt.NDArray[np.float64]]]]:
        prior, learn, guess, slip = (params[name] for name in PARAMETERS)
        skill = layout.skill
        learn_e = learn[skill]
        # Likelihood of each observation under known (1) / unknown (0).
        emit_known = np.where(observed > 0, 1 - slip[skill], slip[skill])
        emit_unknown = np.where(observed > 0, guess[skill], 1 - guess[skill])
        predicted = np.empty(len(observed))  # P(known) before the answer
        filtered = np.empty(len(observed))   # P(known) after it
        scale = np.empty(len(observed))      # P(answer | earlier answers)
        known = prior[layout.group_skill]
        offsets, active = layout.offsets, layout.active
        for t in range(len(active)):
            here = slice(offsets[t], offsets[t + 1])
            known = known[: active[t]]
            predicted[here] = known
            joint_known = known * emit_known[here]
            scale[here] = joint_known + (1 - known) * emit_unknown[here]
            filtered[here] = joint_known / scale[here]
            known = filtered[here] + (1 - filtered[here]) * learn_e[here]
        # Backward pass: beta_t(state) = P(later answers | state at t) / their scales.
        beta_known = np.ones(len(observed))
        beta_unknown = np.ones(len(observed))
        for t in range(len(active) - 2, -1, -1):
            now = offsets[t]
            n_next = active[t + 1]
            nxt = slice(offsets[t + 1], offsets[t + 1] + n_next)
            cont = slice(now, now + n_next)  # sequences that go on to step t + 1
            known_term = emit_known[nxt] * beta_known[nxt] / scale[nxt]
            unknown_term = emit_unknown[nxt] * beta_unknown[nxt] / scale[nxt]
            beta_known[cont] = known_term
            beta_unknown[cont] = (1 - learn_e[cont]) * unknown_term + learn_e[cont] * known_term
        posterior_known = filtered * beta_known
        posterior_known /= posterior_known + (1 - filtered) * beta_unknown
        # Expected unknown -> known transitions between step t and t + 1.
        learned = np.zeros(len(observed))
        could_learn = np.zeros(len(observed))
        for t in range(len(active) - 1):
            n_next = active[t + 1]
            cont = slice(offsets[t], offsets[t] + n_next)
            nxt = slice(offsets[t + 1], offsets[t + 1] + n_next)
            learned[cont] = ((1 - filtered[cont]) * learn_e[cont] * emit_known[nxt]
                             * beta_known[nxt] / scale[nxt])
            could_learn[cont] = 1 - posterior_known[cont]
        first = slice(0, offsets[1] if len(offsets) > 1 else 0)

        def per_skill(values: npt.NDArray[np.float64],
                      skill_of: npt.NDArray[np.int64] = skill) -> npt.NDArray[np.float64]:
            return np.bincount(skill_of, weights=values, minlength=n_skills).astype(np.float64)

        unknown = 1 - posterior_known
        stats = {
            "prior": (per_skill(posterior_known[first], layout.group_skill),
                      np.bincount(layout.group_skill, minlength=n_skills).astype(np.float64)),
            "learn": (per_skill(learned), per_skill(could_learn)),
            "guess": (per_skill(unknown * observed), per_skill(unknown)),
            "slip": (per_skill(posterior_known * (1 - observed)), per_skill(posterior_known)),
        }
        return float(np.log(scale).sum()), stats

    @staticmethod
    def _m_step(stats: dict[str, tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]]
                ) -> dict[str, npt.NDArray[np.float64]]:
        params = {}
        for name in PARAMETERS:
            hits, total = stats[name]
            a, b = PRIOR_COUNTS[name]
            # Pseudo-counts (posterior-mean smoothing): with no evidence, the prior mean.
            params[name] = (hits + a) / (total + a + b)
        params["guess"] = np.minimum(params["guess"], MAX_GUESS_SLIP)
        params["slip"] = np.minimum(params["slip"], MAX_GUESS_SLIP)
        return params

    def get_params_json(self) -> dict[str, Any]:
        self._check_fitted()
        return self.params_

    def set_params_json(self, params: dict[str, Any]) -> None:
        self.params_ = params

    def skill_params(self, skill: str) -> dict[str, float]:
        """The fitted prior/learn/guess/slip of ``skill`` (the defaults if never seen)."""
        self._check_fitted()
        values = self.params_["skills"].get(str(skill), self.params_["default"])
        return dict(zip(PARAMETERS, values, strict=True))

    # -- batch prediction ---------------------------------------------------------------------

    def predict_log(self, log: ResponseLog) -> npt.NDArray[np.float64]:
        self._check_fitted()
        if len(log) == 0:
            return np.empty(0)
        skill_codes, skills = factorize(log.skill_flat)
        table = np.array([self.params_["skills"].get(str(s), self.params_["default"])
                          for s in skills], dtype=np.float64).reshape(len(skills), 4)
        prior, learn, guess, slip = table.T
        layout = _Layout(log, skill_codes)
        observed = layout.to_time_major(log.correct[layout.pair_rows].astype(np.float64))
        skill = layout.skill
        predicted = np.empty(len(observed))
        known = prior[layout.group_skill]
        for t in range(len(layout.active)):
            here = slice(layout.offsets[t], layout.offsets[t + 1])
            known = known[: layout.active[t]]
            predicted[here] = known
            s = skill[here]
            right = observed[here] > 0
            joint_known = known * np.where(right, 1 - slip[s], slip[s])
            joint_unknown = (1 - known) * np.where(right, guess[s], 1 - guess[s])
            posterior = joint_known / (joint_known + joint_unknown)
            known = posterior + (1 - posterior) * learn[s]
        p_pair = predicted * (1 - slip[skill]) + (1 - predicted) * guess[skill]
        by_pair = np.empty(len(observed))
        by_pair[:] = p_pair[layout.position]  # back to pair order
        n_skills = np.maximum(log.n_skills_per_row, 1)
        p_row = np.bincount(layout.pair_rows, weights=by_pair, minlength=len(log)) / n_skills
        no_skill = log.n_skills_per_row == 0
        if no_skill.any():
            d_prior, _, d_guess, d_slip = self.params_["default"]
            p_row[no_skill] = d_prior * (1 - d_slip) + (1 - d_prior) * d_guess
        return p_row

    # -- online use ---------------------------------------------------------------------------

    def initial_state(self, student: str = "") -> State:
        return {"student": student, "known": {}}

    def _known(self, state: State, skill: str) -> float:
        known = state["known"].get(skill)
        return float(self.skill_params(skill)["prior"] if known is None else known)

    def predict_proba(self, state: State, item_id: str, skill_ids: Sequence[str]) -> float:
        self._check_fitted()
        skill_ids = distinct_skills(skill_ids) or ["\0no skill"]
        total = 0.0
        for skill in skill_ids:
            p = self.skill_params(skill)
            known = self._known(state, skill)
            total += known * (1 - p["slip"]) + (1 - known) * p["guess"]
        return total / len(skill_ids)

    def update(self, state: State, item_id: str, skill_ids: Sequence[str], correct: int,
               timestamp: float | None = None) -> State:
        self._check_fitted()
        if correct not in (0, 1):
            raise ValueError(f"correct must be 0 or 1, not {correct!r}")
        for skill in distinct_skills(skill_ids):
            p = self.skill_params(skill)
            known = self._known(state, skill)
            if correct:
                joint_known, joint_unknown = known * (1 - p["slip"]), (1 - known) * p["guess"]
            else:
                joint_known, joint_unknown = known * p["slip"], (1 - known) * (1 - p["guess"])
            posterior = joint_known / (joint_known + joint_unknown)
            state["known"][skill] = posterior + (1 - posterior) * p["learn"]
        return state

    def mastery(self, state: State, skill: str) -> float:
        self._check_fitted()
        return self._known(state, str(skill))
