"""Every piece of evidence moves mastery with the learner model, in the same transaction."""

from __future__ import annotations

import json

import pytest

from tests.learning.factories import answer, make_setting
from trellis.accounts.models import User
from trellis.frameworks.models import Standard
from trellis.learning import modeling
from trellis.learning.actions import do_record_evidence
from trellis.learning.models import EvidenceEvent, LearnerModelState, MasteryState

pytestmark = pytest.mark.django_db


def _mastery(student: User, standard: Standard) -> MasteryState:
    return MasteryState.objects.get(student=student, standard=standard)


def test_right_answers_raise_mastery_and_wrong_answers_lower_it() -> None:
    setting = make_setting()
    student, standard = setting.students[0], setting.standards["6.EE.A.1"]
    start = modeling.prior_model().mastery(modeling.prior_model().initial_state(), standard.code)
    values = []
    for n in range(4):
        answer(student, standard, True, n)
        values.append(_mastery(student, standard).probability)
    assert start < values[0] < values[1] < values[2] < values[3]
    event = answer(student, standard, False, 10)
    after_wrong = _mastery(student, standard)
    assert after_wrong.probability < values[-1]
    assert after_wrong.last_change == pytest.approx(after_wrong.probability - values[-1])
    assert after_wrong.last_evidence_id == event.id
    assert after_wrong.evidence_count == 5


def test_the_learner_state_is_persisted_per_student() -> None:
    setting = make_setting()
    first, second = setting.students
    answer(first, setting.standards["6.EE.A.1"], True, 0)
    answer(first, setting.standards["6.EE.A.2"], False, 1)
    state = LearnerModelState.objects.get(student=first).state
    assert state["attempts"] == 2
    assert set(state["skills"]) == {"6.EE.A.1", "6.EE.A.2"}
    assert state["skills"]["6.EE.A.1"][:2] == [1, 1]
    assert not LearnerModelState.objects.filter(student=second).exists()
    # the persisted state continues where it stopped: the same result as a full replay
    answer(first, setting.standards["6.EE.A.1"], True, 2)
    stored = _mastery(first, setting.standards["6.EE.A.1"]).probability
    replayed_state: dict[str, object] = {}
    list(modeling.replay(modeling.prior_model(), first.id, state=replayed_state))
    assert modeling.prior_model().mastery(replayed_state, "6.EE.A.1") == pytest.approx(stored)


def test_a_repeated_submit_is_counted_once() -> None:
    setting = make_setting()
    student, standard = setting.students[0], setting.standards["6.EE.A.1"]
    answer(student, standard, True, 0, key="same")
    once = _mastery(student, standard).probability
    again = answer(student, standard, True, 0, key="same")
    assert EvidenceEvent.objects.filter(student=student).count() == 1
    row = _mastery(student, standard)
    assert (row.probability, row.evidence_count, row.last_evidence_id) == (once, 1, again.id)
    assert LearnerModelState.objects.get(student=student).state["attempts"] == 1


def test_a_failing_update_rolls_the_evidence_back(monkeypatch: pytest.MonkeyPatch) -> None:
    setting = make_setting()
    student, standard = setting.students[0], setting.standards["6.EE.A.1"]

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("model exploded")

    monkeypatch.setattr(modeling, "step", broken)
    with pytest.raises(RuntimeError, match="model exploded"):
        answer(student, standard, True, 0)
    assert not EvidenceEvent.objects.filter(student=student).exists()
    assert not MasteryState.objects.filter(student=student).exists()
    assert not LearnerModelState.objects.filter(student=student).exists()


def test_evidence_days_count_distinct_days() -> None:
    setting = make_setting()
    student, standard = setting.students[0], setting.standards["6.EE.A.1"]
    answer(student, standard, True, 0, days=0)
    answer(student, standard, True, 1, days=0)
    answer(student, standard, True, 2, days=3)
    row = _mastery(student, standard)
    assert row.evidence_days == ["2026-09-01", "2026-09-04"]
    assert row.evidence_count == 3


def test_retries_are_kept_but_do_not_move_mastery() -> None:
    setting = make_setting()
    student, standard = setting.students[0], setting.standards["6.EE.A.1"]
    answer(student, standard, False, 0)
    before = _mastery(student, standard)
    answer(student, standard, True, 1, first_attempt=False)
    after = _mastery(student, standard)
    assert (after.probability, after.evidence_count) == (before.probability, 1)
    assert EvidenceEvent.objects.filter(student=student).count() == 2


def test_rubric_scores_and_observations_move_mastery_at_half_marks() -> None:
    setting = make_setting()
    student, standard = setting.students[0], setting.standards["6.EE.A.2"]
    do_record_evidence(student, kind="project", standards=[standard], idempotency_key="p1",
                       score=0.75)
    high = _mastery(student, standard)
    assert high.last_change > 0
    do_record_evidence(student, kind="observation", standards=[standard],
                       idempotency_key="o1", score=0.25)
    low = _mastery(student, standard)
    assert low.last_change < 0
    assert low.evidence_count == 2
    state = LearnerModelState.objects.get(student=student).state
    assert set(state["items"]) == {"project", "observation"}


def test_a_correct_answer_after_a_hint_counts_as_not_yet() -> None:
    setting = make_setting()
    student, standard = setting.students[0], setting.standards["6.EE.A.1"]
    answer(student, standard, True, 0, hints_used=1)
    assert _mastery(student, standard).last_change < 0


def test_the_shipped_prior_fits_the_current_engine_feature_by_feature() -> None:
    from trellis.engine.learner.logistic import DENSE_FEATURES
    from trellis.learning.prior import PRIOR_FILE, prior_parameters

    params = prior_parameters()["params"]
    assert len(params["dense_weight"]) == len(DENSE_FEATURES)
    shipped = json.loads(PRIOR_FILE.read_text(encoding="utf-8"))
    weight_of = dict(zip(shipped["dense_features"], shipped["params"]["dense_weight"],
                         strict=True))
    for name, weight in zip(DENSE_FEATURES, params["dense_weight"], strict=True):
        assert weight == weight_of.get(name, 0.0)
    model = modeling.prior_model()
    assert 0.0 < model.predict_proba(model.initial_state(), "item:1", ["X"]) < 1.0


def test_a_state_the_engine_cannot_read_is_rebuilt_from_the_evidence() -> None:
    setting = make_setting()
    student, standard = setting.students[0], setting.standards["6.EE.A.1"]
    for n in range(3):
        answer(student, standard, True, n)
    LearnerModelState.objects.filter(student=student).update(state={"attempts": "garbage"})
    answer(student, standard, False, 3)
    state = LearnerModelState.objects.get(student=student).state
    assert state["attempts"] == 4
    replayed: dict[str, object] = {}
    list(modeling.replay(modeling.prior_model(), student.id, state=replayed))
    assert state == replayed


def test_standards_without_a_code_are_distinct_skills() -> None:
    setting = make_setting()
    framework = setting.standards["6.EE.A.1"].framework
    first, second = (Standard.objects.create(framework=framework, identifier=f"nc{i}", code="",
                                             statement="A node without a code")
                     for i in range(2))
    student = setting.students[0]
    answer(student, first, True, 0)
    answer(student, second, False, 1)
    assert _mastery(student, first).probability > _mastery(student, second).probability
    assert set(LearnerModelState.objects.get(student=student).state["skills"]) == {
        f"standard:{first.id}", f"standard:{second.id}"}
