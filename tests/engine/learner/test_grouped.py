"""The vectorised running sums agree with the obvious loop."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from trellis.engine.learner._grouped import (
    exclusive_cumsum,
    exclusive_decayed_sum,
    exclusive_streak,
    previous_in_group,
)


def test_grouped_running_sums_match_a_loop() -> None:
    rng = np.random.default_rng(5)
    groups = rng.integers(0, 7, 300)
    values = rng.integers(0, 2, 300).astype(float)
    total: dict[int, float] = defaultdict(float)
    decayed: dict[int, float] = defaultdict(float)
    streak: dict[int, int] = defaultdict(int)
    last: dict[int, float] = {}
    expected = []
    for g, v in zip(groups, values, strict=True):
        expected.append((total[g], decayed[g], streak[g], last.get(g, -1.0)))
        total[g] += v
        decayed[g] = 0.7 * decayed[g] + v
        streak[g] = streak[g] + 1 if v else 0
        last[g] = v
    got = np.column_stack([
        exclusive_cumsum(groups, values), exclusive_decayed_sum(groups, values, 0.7),
        exclusive_streak(groups, values > 0), previous_in_group(groups, values, -1.0)])
    np.testing.assert_allclose(got, np.array(expected), atol=1e-12)
