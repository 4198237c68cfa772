"""The evaluation protocol of ``docs/benchmarks.md`` §1: student folds, replay, pooled metrics.

* Students are split into folds by ``int(md5(student_id).hexdigest(), 16) % folds``, so a
  student's whole history is either in training or held out, and the split is reproducible
  by anyone.
* For each fold the model is fitted on the other folds' students only; every held-out response
  is then predicted before it is seen, from that student's earlier responses only
  (:meth:`LearnerModel.predict_log`).
* Predictions of all folds are pooled; AUC, RMSE and accuracy (threshold 0.5) are computed on
  the pool, with the fit and prediction times summed over folds.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sklearn.metrics import roc_auc_score

from trellis.engine.learner.base import LearnerModel
from trellis.engine.learner.log import ResponseLog


def student_fold(student_id: str, folds: int) -> int:
    return int(hashlib.md5(student_id.encode("utf-8"), usedforsecurity=False).hexdigest(),
               16) % folds


def fold_of_rows(log: ResponseLog, folds: int) -> npt.NDArray[np.int64]:
    students, codes = np.unique(log.student, return_inverse=True)
    fold_of_student = np.array([student_fold(str(s), folds) for s in students], dtype=np.int64)
    return fold_of_student[codes]


@dataclass(frozen=True)
class Scores:
    auc: float
    rmse: float
    accuracy: float

    @classmethod
    def of(cls, correct: npt.ArrayLike, p_correct: npt.ArrayLike) -> Scores:
        y = np.asarray(correct, dtype=np.float64)
        p = np.asarray(p_correct, dtype=np.float64)
        auc = float(roc_auc_score(y, p)) if len(np.unique(y)) == 2 else float("nan")
        return cls(auc=auc, rmse=float(np.sqrt(np.mean((y - p) ** 2))),
                   accuracy=float(np.mean((p >= 0.5) == (y == 1))))


@dataclass(frozen=True)
class CrossValidation:
    scores: Scores
    fit_seconds: float
    predict_seconds: float
    predictions: npt.NDArray[np.float64]
    n_responses: int


def cross_validate(make_model: Callable[[], LearnerModel], log: ResponseLog,
                   folds: int = 5) -> CrossValidation:
    """Run the whole protocol; ``make_model`` returns a fresh unfitted model per fold."""
    if folds < 2:
        raise ValueError("folds must be at least 2")
    fold = fold_of_rows(log, folds)
    predictions = np.full(len(log), np.nan)
    fit_seconds = predict_seconds = 0.0
    for k in range(folds):
        held_out = np.flatnonzero(fold == k)
        if len(held_out) == 0:
            continue
        train = log.take(np.flatnonzero(fold != k))
        test = log.take(held_out)
        start = time.perf_counter()
        model = make_model().fit(train)
        fit_seconds += time.perf_counter() - start
        start = time.perf_counter()
        predictions[held_out] = model.predict_log(test)
        predict_seconds += time.perf_counter() - start
    return CrossValidation(
        scores=Scores.of(log.correct, predictions), fit_seconds=fit_seconds,
        predict_seconds=predict_seconds, predictions=predictions, n_responses=len(log))
