"""Per-item slopes of the default model (IRT-style discrimination on ability features)."""

from __future__ import annotations

import numpy as np
import pytest

from trellis.engine.learner import BestLRPlus, LearnerModel, ResponseLog
from trellis.engine.learner.logistic import (
    ITEM_SLOPE_FEATURES,
    ITEM_SLOPE_MIN_ANSWERS,
    LEGACY_ITEM_SLOPE_FEATURES,
)

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


def test_parameters_name_their_slope_features_and_older_ones_still_load(
        split_logs: tuple[ResponseLog, ResponseLog]) -> None:
    train, test = split_logs
    params = BestLRPlus(random_state=0).fit(train).get_params_json()
    assert params["item_slope_features"] == list(ITEM_SLOPE_FEATURES)
    # Parameters saved before the names were recorded had slopes on the four overall features:
    # they load as such, and batch and online predictions agree.
    legacy = {k: v for k, v in params.items() if k != "item_slope_features"}
    legacy["item_slope"] = {item: slope[:len(LEGACY_ITEM_SLOPE_FEATURES)]
                            for item, slope in params["item_slope"].items()}
    old = BestLRPlus(random_state=0)
    old.set_params_json(legacy)
    np.testing.assert_allclose(old.predict_log(test), LearnerModel.predict_log(old, test),
                               atol=1e-9)
    # Slopes that do not match their features are refused (a refit is needed), not misread.
    broken = dict(legacy, item_slope_features=list(ITEM_SLOPE_FEATURES))
    with pytest.raises(ValueError, match="refit"):
        BestLRPlus(random_state=0).set_params_json(broken)
    with pytest.raises(ValueError, match="unknown features"):
        BestLRPlus(random_state=0).set_params_json(dict(params, item_slope_features=["nope"]))
