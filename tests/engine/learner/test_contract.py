"""The contract every learner model honours (parametrised over all registered models)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from trellis.engine.learner import MODELS, LearnerModel, NotFittedError, ResponseLog

from .conftest import simulate_log

MODEL_NAMES = sorted(MODELS)


def snapshot(log: ResponseLog) -> list[np.ndarray]:
    return [np.array(getattr(log, name), copy=True) for name in
            ("student", "seq", "item", "skill_offsets", "skill_flat", "correct", "timestamp")]


@pytest.fixture(scope="module", params=MODEL_NAMES)
def fitted(request: pytest.FixtureRequest,
           split_logs: tuple[ResponseLog, ResponseLog]) -> LearnerModel:
    return MODELS[request.param](random_state=3).fit(split_logs[0])


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_fit_and_predict_do_not_mutate_their_inputs(
        name: str, split_logs: tuple[ResponseLog, ResponseLog]) -> None:
    train, test = split_logs
    before_train, before_test = snapshot(train), snapshot(test)
    model = MODELS[name](random_state=0).fit(train)
    model.predict_log(test)
    for before, log in ((before_train, train), (before_test, test)):
        for old, new in zip(before, snapshot(log), strict=True):
            np.testing.assert_array_equal(old, new)
    state = model.initial_state("u1")
    model.update(state, "i1", ["s0"], 1, 5.0)
    frozen = json.dumps(state, sort_keys=True)
    model.predict_proba(state, "i2", ["s0", "s1"])
    model.mastery(state, "s0")
    assert json.dumps(state, sort_keys=True) == frozen


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_same_seed_gives_the_same_model(name: str,
                                        split_logs: tuple[ResponseLog, ResponseLog]) -> None:
    train, test = split_logs
    first = MODELS[name](random_state=7).fit(train)
    second = MODELS[name](random_state=7).fit(train)
    assert first.to_json() == second.to_json()
    np.testing.assert_array_equal(first.predict_log(test), second.predict_log(test))


def test_probabilities_are_probabilities(fitted: LearnerModel,
                                         split_logs: tuple[ResponseLog, ResponseLog]) -> None:
    p = fitted.predict_log(split_logs[1])
    assert p.shape == (len(split_logs[1]),)
    assert np.isfinite(p).all()
    assert ((p >= 0) & (p <= 1)).all()
    assert p.std() > 0  # the history actually moves the predictions


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_refit_starts_from_scratch(name: str,
                                   split_logs: tuple[ResponseLog, ResponseLog]) -> None:
    train, test = split_logs
    other = simulate_log(n_students=40, seed=11)
    refitted = MODELS[name](random_state=1).fit(other).fit(train)
    fresh = MODELS[name](random_state=1).fit(train)
    assert refitted.to_json() == fresh.to_json()
    np.testing.assert_array_equal(refitted.predict_log(test), fresh.predict_log(test))


def test_save_and_load_round_trip(fitted: LearnerModel,
                                  split_logs: tuple[ResponseLog, ResponseLog]) -> None:
    test = split_logs[1]
    loaded = LearnerModel.from_json(fitted.to_json())
    assert type(loaded) is type(fitted)
    assert loaded.to_json() == fitted.to_json()
    np.testing.assert_allclose(loaded.predict_log(test), fitted.predict_log(test), atol=1e-12)
    # The student state survives a JSON round trip too.
    state = fitted.initial_state("u50")
    for item, skills, correct in (("i0", ["s0"], 1), ("i3", ["s0", "s1"], 0)):
        fitted.update(state, item, skills, correct, None)
    restored = json.loads(json.dumps(state))
    assert loaded.predict_proba(restored, "i5", ["s1"]) == pytest.approx(
        fitted.predict_proba(state, "i5", ["s1"]), abs=1e-12)


def test_batch_prediction_equals_online_replay(
        fitted: LearnerModel, split_logs: tuple[ResponseLog, ResponseLog]) -> None:
    test = split_logs[1]
    online = LearnerModel.predict_log(fitted, test)  # the row-by-row reference
    np.testing.assert_allclose(fitted.predict_log(test), online, atol=1e-9)


def test_unseen_items_and_skills_get_a_sensible_prediction(fitted: LearnerModel) -> None:
    state = fitted.initial_state("newcomer")
    # What the model expects of a newcomer on the items it knows: the yardstick.
    known = np.mean([fitted.predict_proba(state, f"i{k}", [f"s{k // 4}"]) for k in range(12)])
    for item, skills in (("never-seen-item", ["s1"]), ("never-seen-item", ["never-seen-skill"]),
                         ("i1", ["never-seen-skill"]), ("x", [])):
        p = fitted.predict_proba(state, item, skills)
        assert abs(p - known) < 0.15, (item, skills, p, known)
    fitted.update(state, "never-seen-item", ["never-seen-skill"], 1, None)
    assert 0 <= fitted.mastery(state, "never-seen-skill") <= 1
    log = ResponseLog.from_records([("z", 0, "new-item", "new-skill", 1),
                                    ("z", 1, "new-item", "new-skill", 0)])
    first, after_a_success = fitted.predict_log(log)
    assert abs(first - known) < 0.15
    assert first < after_a_success < 1


def test_mastery_follows_the_evidence(fitted: LearnerModel) -> None:
    strong, weak = fitted.initial_state("a"), fitted.initial_state("b")
    for seq in range(6):
        fitted.update(strong, f"i{seq % 4}", ["s0"], 1, None)
        fitted.update(weak, f"i{seq % 4}", ["s0"], 0, None)
    assert 0 <= fitted.mastery(weak, "s0") < fitted.mastery(strong, "s0") <= 1
    assert fitted.predict_proba(weak, "i1", ["s0"]) < fitted.predict_proba(strong, "i1", ["s0"])


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_unfitted_model_and_bad_answers_are_refused(name: str, fitted: LearnerModel) -> None:
    with pytest.raises(NotFittedError):
        MODELS[name]().predict_proba({}, "i", ["s"])
    with pytest.raises(ValueError, match="0 or 1"):
        fitted.update(fitted.initial_state(), "i0", ["s0"], 2, None)
