"""Small, seeded response logs for the learner-model tests (fast: a few thousand rows)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from trellis.engine.learner import ResponseLog

DATA = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "kt"


def simulate_log(n_students: int = 60, n_answers: int = 24, seed: int = 0) -> ResponseLog:
    """Students with an ability, items with a difficulty, skills that are learned by practice.

    Three skills with four items each; a few items exercise two skills; answers carry
    increasing timestamps. Students answer a random item at each step.
    """
    rng = np.random.default_rng(seed)
    items = [(f"i{k}", [f"s{k // 4}"] + ([f"s{(k // 4 + 1) % 3}"] if k % 4 == 3 else []))
             for k in range(12)]
    difficulty = rng.normal(0, 1, len(items))
    records: list[tuple[str, int, str, list[str], int, float]] = []
    for student in range(n_students):
        ability = rng.normal(0, 1)
        practice = dict.fromkeys(("s0", "s1", "s2"), 0)
        for seq in range(n_answers):
            k = int(rng.integers(len(items)))
            item, skills = items[k]
            learning = 0.3 * np.mean([practice[s] for s in skills])
            p = 1 / (1 + np.exp(-(ability - difficulty[k] + learning - 0.5)))
            records.append((f"u{student}", seq, item, skills, int(rng.random() < p),
                            1000.0 * student + 30.0 * seq))
            for s in skills:
                practice[s] += 1
    return ResponseLog.from_records(records)


@pytest.fixture(scope="session")
def small_log() -> ResponseLog:
    return simulate_log()


@pytest.fixture(scope="session")
def split_logs(small_log: ResponseLog) -> tuple[ResponseLog, ResponseLog]:
    """Train on the first 45 students, test on the other 15."""
    student_number = np.array([int(s[1:]) for s in small_log.student])
    return (small_log.take(np.flatnonzero(student_number < 45)),
            small_log.take(np.flatnonzero(student_number >= 45)))
