"""BKT: the EM recovers the parameters that generated the data; priors tame sparse skills."""

from __future__ import annotations

import numpy as np
import pytest

from trellis.engine.learner import BKT, ResponseLog

TRUE = {"prior": 0.3, "learn": 0.15, "guess": 0.2, "slip": 0.1}


def simulate_bkt(n_students: int, length: int, seed: int) -> ResponseLog:
    rng = np.random.default_rng(seed)
    records: list[tuple[str, int, str, str, int]] = []
    for student in range(n_students):
        for skill in ("a", "b"):
            known = rng.random() < TRUE["prior"]
            for t in range(length):
                p = 1 - TRUE["slip"] if known else TRUE["guess"]
                records.append((f"u{student}", len(records), f"{skill}{t % 3}", skill,
                                int(rng.random() < p)))
                known = known or rng.random() < TRUE["learn"]
    return ResponseLog.from_records(records)


def test_em_recovers_known_parameters() -> None:
    model = BKT(random_state=0).fit(simulate_bkt(n_students=500, length=15, seed=1))
    for skill in ("a", "b"):
        fitted = model.skill_params(skill)
        for name, value in TRUE.items():
            assert fitted[name] == pytest.approx(value, abs=0.05), (skill, name, fitted)


def test_priors_keep_a_sparse_skill_sane() -> None:
    log = ResponseLog.from_records(
        [(f"u{k}", 0, "q", "rare", 1) for k in range(3)]
        + [(f"v{k}", t, "p", "common", int((k + t) % 3 != 0))
           for k in range(30) for t in range(10)])
    params = BKT(random_state=0).fit(log).skill_params("rare")
    assert 0.05 < params["prior"] < 0.95
    assert 0.01 < params["learn"] < 0.5
    assert params["guess"] <= 0.45 and params["slip"] <= 0.45


def test_mastery_is_the_probability_of_the_known_state() -> None:
    model = BKT(random_state=0).fit(simulate_bkt(n_students=100, length=10, seed=2))
    state = model.initial_state("s")
    assert model.mastery(state, "a") == pytest.approx(model.skill_params("a")["prior"])
    for _ in range(4):
        model.update(state, "a0", ["a"], 1)
    assert model.mastery(state, "a") > 0.9
