"""The evaluation protocol: md5 student folds and predictions that cannot peek ahead."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from trellis.engine.learner import MODELS, ResponseLog
from trellis.engine.learner.protocol import Scores, cross_validate, fold_of_rows, student_fold

MODEL_NAMES = sorted(MODELS)


def test_folds_follow_the_md5_rule(small_log: ResponseLog) -> None:
    assert student_fold("preprocessed_data_train-0", 5) == int(
        hashlib.md5(b"preprocessed_data_train-0").hexdigest(), 16) % 5  # noqa: S324
    folds = fold_of_rows(small_log, 5)
    for row in range(0, len(small_log), 97):
        assert folds[row] == student_fold(str(small_log.student[row]), 5)


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_no_leakage_from_later_answers_or_other_students(
        name: str, split_logs: tuple[ResponseLog, ResponseLog]) -> None:
    train, test = split_logs
    model = MODELS[name](random_state=0).fit(train)
    reference = model.predict_log(test)
    # Flip every answer after seq 10: predictions up to seq 10 must not move.
    later = test.seq > 10
    flipped = ResponseLog(student=test.student, seq=test.seq, item=test.item,
                          skill_offsets=test.skill_offsets, skill_flat=test.skill_flat,
                          correct=np.where(later, 1 - test.correct, test.correct).astype(np.int8),
                          timestamp=test.timestamp)
    again = model.predict_log(flipped)
    # (Equal up to float rounding: the vectorised sums run over all students back to back.)
    np.testing.assert_allclose(again[test.seq <= 10], reference[test.seq <= 10], atol=1e-12)
    assert not np.array_equal(again[test.seq > 11], reference[test.seq > 11])
    # One student alone, shuffled rows: the same predictions as among everyone.
    rows = np.flatnonzero(test.student == test.student[0])[::-1]
    alone = model.predict_log(test.take(rows))
    np.testing.assert_allclose(alone, reference[rows], atol=1e-12)


def test_cross_validation_pools_every_response(small_log: ResponseLog) -> None:
    result = cross_validate(lambda: MODELS["bkt"](random_state=0), small_log, folds=3)
    assert result.n_responses == len(small_log)
    assert np.isfinite(result.predictions).all()
    assert 0.5 < result.scores.auc <= 1
    assert result.scores == Scores.of(small_log.correct, result.predictions)


def test_scores() -> None:
    scores = Scores.of([0, 1, 1, 0], [0.1, 0.8, 0.4, 0.3])
    assert scores.auc == 1.0
    assert scores.accuracy == 0.75
    assert scores.rmse == pytest.approx(np.sqrt((0.01 + 0.04 + 0.36 + 0.09) / 4))
