"""Per-item slopes of the default model (IRT-style discrimination on ability features)."""

from __future__ import annotations

import numpy as np

from trellis.engine.learner import BestLRPlus, LearnerModel, ResponseLog
from trellis.engine.learner.logistic import ITEM_SLOPE_FEATURES, ITEM_SLOPE_MIN_ANSWERS

from .conftest import simulate_log


def test_only_items_with_enough_answers_get_a_slope() -> None:
    log = simulate_log(n_students=30, n_answers=24, seed=1)
    # Keep item i11 rare: drop all but its first few answers.
    rare = np.flatnonzero(log.item == "i11")
    assert len(rare) > 5
    keep = np.setdiff1d(np.arange(len(log)), rare[5:])
    model = BestLRPlus(random_state=0).fit(log.take(keep))
    slopes = model.get_params_json()["item_slope"]
    counts = {str(i): int(c) for i, c in zip(*np.unique(log.take(keep).item,
                                                          return_counts=True), strict=True)}
    assert set(slopes) == {i for i, c in counts.items() if c >= ITEM_SLOPE_MIN_ANSWERS}
    assert "i11" not in slopes
    assert all(len(v) == len(ITEM_SLOPE_FEATURES) for v in slopes.values())
    assert any(abs(w) > 1e-6 for v in slopes.values() for w in v)


def test_slopes_move_predictions_and_parameters_without_them_still_load(
        split_logs: tuple[ResponseLog, ResponseLog]) -> None:
    train, test = split_logs
    model = BestLRPlus(random_state=0).fit(train)
    params = model.get_params_json()
    assert params["item_slope"]
    with_slopes = model.predict_log(test)
    # Parameters from before slopes existed load and mean "slope 0" in batch and online use.
    old = BestLRPlus(random_state=0)
    old.set_params_json({k: v for k, v in params.items() if k != "item_slope"})
    without = old.predict_log(test)
    assert not np.allclose(with_slopes, without)
    np.testing.assert_allclose(without, LearnerModel.predict_log(old, test), atol=1e-9)
