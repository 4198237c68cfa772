"""What the shipped model's mastery asks of a student: a handful of right answers, not thirty.

Mastery is P(knows), read from P(correct) on a typical new item as BKT reads an answer
(``trellis.engine.learner.logistic.knowledge_from_success``); the district's default rule is 95%.
"""

from __future__ import annotations

import pytest

from trellis.engine.learner.logistic import MASTERY_CEILING, knowledge_from_success
from trellis.engine.mastery import MasteryRule
from trellis.learning.modeling import prior_model


def _mastery_after(answers: list[int]) -> list[float]:
    model = prior_model()
    state = model.initial_state("student")
    values = [model.mastery(state, "7.EE.A.1")]
    for n, correct in enumerate(answers):
        model.update(state, f"item-{n % 5}", ["7.EE.A.1"], correct)
        values.append(model.mastery(state, "7.EE.A.1"))
    return values


def test_a_few_right_answers_in_a_row_meet_the_default_rule() -> None:
    threshold = MasteryRule().threshold
    values = _mastery_after([1] * 8)
    assert values[0] < 0.5  # a new student is not assumed to know it
    assert values == sorted(values)  # every right answer raises it
    first_mastered = next(n for n, v in enumerate(values) if v >= threshold)
    assert 3 <= first_mastered <= 6, values
    assert max(values) <= MASTERY_CEILING


def test_wrong_answers_take_it_down_and_a_slip_does_not_undo_mastery() -> None:
    assert _mastery_after([0, 0, 0])[-1] < 0.1
    after_slip = _mastery_after([1] * 8 + [0])
    assert after_slip[-1] < after_slip[-2]
    assert after_slip[-1] > 0.85  # one slip after eight right answers is still "nearly there"


@pytest.mark.parametrize("p, known", [(0.0, 0.0), (0.2, 0.0), (0.55, 0.5), (0.9, 0.99),
                                      (1.0, 0.99)])
def test_the_bkt_reading_of_a_success_probability(p: float, known: float) -> None:
    assert knowledge_from_success(p) == pytest.approx(known)
