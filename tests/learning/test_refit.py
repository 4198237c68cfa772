"""Refit: the district's own logs, priors when data are few, an atomic swap, a recompute."""

from __future__ import annotations

import json
import random

import pytest

from tests.learning.factories import CODES, Setting, answer, make_setting
from trellis.engine.learner import LearnerModel
from trellis.learning import actions, modeling, refit
from trellis.learning.models import LearnerModelParameters, LearnerModelState, MasteryState
from trellis.learning.prior import prior_parameters

pytestmark = pytest.mark.django_db


def _simulate(setting: Setting, answers_per_student: int, seed: int = 0) -> None:
    """Students who know some standards better than others, answering over a few days."""
    rng = random.Random(seed)
    for student in setting.students:
        skill = {code: rng.uniform(0.2, 0.9) for code in CODES}
        for n in range(answers_per_student):
            code = rng.choice(CODES)
            skill[code] = min(0.97, skill[code] + 0.02)
            answer(student, setting.standards[code], rng.random() < skill[code], n,
                   days=n // 10)


def test_five_responses_give_the_prior_as_a_new_version() -> None:
    setting = make_setting(students=1)
    _simulate(setting, 5)
    summary = actions.do_refit_district(setting.district, actor=None)
    assert summary.responses_used == 5
    assert summary.version == 1
    assert summary.prior_weight == 1.0
    assert "prior" in summary.note
    active = LearnerModelParameters.objects.get(district=setting.district, active=True)
    assert active.parameters["params"] == prior_parameters()["params"]
    assert active.responses_used == 5


def test_a_refit_with_data_leans_on_them_and_keeps_exactly_one_active_version() -> None:
    setting = make_setting(students=12)
    _simulate(setting, 25)
    seen: list[tuple[float, str]] = []
    first = actions.do_refit_district(setting.district, actor=None,
                                      progress=lambda f, m: seen.append((f, m)))
    second = actions.do_refit_district(setting.district, actor=None)
    assert (first.version, second.version) == (1, 2)
    assert first.responses_used == 300
    assert 0 < first.prior_weight < 1
    rows = LearnerModelParameters.objects.filter(district=setting.district)
    assert [r.version for r in rows.filter(active=True)] == [2]
    assert rows.count() == 2
    # idempotent in effect: the same evidence gives the same parameters
    assert rows.get(version=1).parameters == rows.get(version=2).parameters
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any("Recomputing mastery" in m for _, m in seen)
    model = LearnerModel.from_json(json.dumps(rows.get(version=2).parameters))
    assert model.name == "best-lr-plus"


def test_after_a_swap_mastery_is_recomputed_with_the_new_parameters() -> None:
    setting = make_setting(students=12)
    _simulate(setting, 25)
    student = setting.students[0]
    actions.do_refit_district(setting.district, actor=None)
    active = modeling.active_model(setting.district.id)
    assert active.version == 1
    state: dict[str, object] = {}
    list(modeling.replay(active.model, student.id, state=state))
    for row in MasteryState.objects.filter(student=student).select_related("standard"):
        assert row.probability == pytest.approx(active.model.mastery(state, row.standard.code))
    assert LearnerModelState.objects.get(student=student).parameters_version == 1
    # a new answer lands with the active version
    answer(student, setting.standards["6.EE.A.1"], True, 999, days=5)
    assert LearnerModelState.objects.get(student=student).parameters_version == 1


def test_answers_arriving_during_a_refit_are_not_lost(monkeypatch: pytest.MonkeyPatch) -> None:
    setting = make_setting(students=12)
    _simulate(setting, 25)
    student, standard = setting.students[0], setting.standards["6.EE.A.3"]
    real_fit = refit.fit_parameters

    def fit_while_an_answer_lands(*args: object, **kwargs: object) -> object:
        answer(student, standard, True, 500, days=9)  # lands with the old (prior) parameters
        return real_fit(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(refit, "fit_parameters", fit_while_an_answer_lands)
    actions.do_refit_district(setting.district, actor=None)
    row = MasteryState.objects.get(student=student, standard=standard)
    state = LearnerModelState.objects.get(student=student)
    assert state.parameters_version == 1
    assert row.last_evidence is not None and row.last_evidence.idempotency_key.endswith("-500")
    assert state.state["attempts"] == 26


def test_the_swap_is_atomic_when_storing_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    setting = make_setting(students=1)
    _simulate(setting, 5)
    actions.do_refit_district(setting.district, actor=None)

    def broken_create(**kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(LearnerModelParameters.objects, "create", broken_create)
    with pytest.raises(RuntimeError, match="disk full"):
        actions.do_refit_district(setting.district, actor=None)
    assert [r.version for r in LearnerModelParameters.objects.filter(
        district=setting.district, active=True)] == [1]


def test_the_blend_is_the_prior_at_weight_zero_and_the_fit_at_one() -> None:
    prior = prior_parameters()["params"]
    fitted = {**prior, "intercept": prior["intercept"] + 1.0,
              "item_weight": {"item:1": 0.5}, "skill_weight": {"A": [0.1, 0.2, 0.3]}}
    model = LearnerModel.from_json(json.dumps(prior_parameters()))
    state = model.initial_state()
    model.update(state, "item:1", ["A"], 1)

    def mastery(params: dict[str, object]) -> float:
        other = type(model)()
        other.set_params_json(params)
        return other.mastery(state, "A")

    assert mastery(refit.blend_with_prior(fitted, prior, 0.0)) == pytest.approx(mastery(prior))
    assert mastery(refit.blend_with_prior(fitted, prior, 1.0)) == pytest.approx(mastery(fitted))


def test_the_demo_seed_refits_the_district() -> None:
    from trellis.learning.demo import seed_learning

    setting = make_setting(students=2)
    _simulate(setting, 3)
    said: list[str] = []
    counts = seed_learning(setting.district, said.append)
    assert counts == {"version": 1, "responses": 6, "students": 2}
    assert "learner model version 1" in said[-1]


def test_a_log_with_a_single_item_gives_sane_parameters() -> None:
    """Item-less evidence is one pseudo-item: its history features barely vary, and their
    fitted weights must not explode (they keep the prior's)."""
    setting = make_setting(students=20)
    _simulate(setting, 50)
    summary = actions.do_refit_district(setting.district, actor=None)
    assert summary.prior_weight < 0.7
    active = modeling.active_model(setting.district.id)
    for row in MasteryState.objects.filter(district=setting.district).select_related("standard"):
        assert 0.05 < row.probability < 0.999
    state = active.model.initial_state()
    assert 0.2 < active.model.mastery(state, "6.EE.A.1") < 0.9
    active.model.update(state, "item:new", ["6.EE.A.1"], 1)
    assert 0.2 < active.model.mastery(state, "6.EE.A.1") < 0.99


def test_an_overflowing_log_odds_is_mastery_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    model = LearnerModel.from_json(json.dumps(prior_parameters()))

    def overflowing(state: dict[str, object], skill: str) -> float:
        raise OverflowError("math range error")  # what math.exp raises for log-odds < -709

    monkeypatch.setattr(model, "mastery", overflowing)
    assert modeling.mastery_of(model, model.initial_state(), "A") == 0.0


def test_a_refit_is_audited_at_the_swap_and_at_the_end() -> None:
    from trellis.accounts.actions import do_create_user
    from trellis.accounts.models import Role
    from trellis.audit.models import AuditEvent

    setting = make_setting(students=2)
    _simulate(setting, 5)
    admin = do_create_user(setting.district, "l_admin", Role.DISTRICT_ADMIN)
    summary = actions.do_refit_district(setting.district, actor=admin)
    swap = AuditEvent.objects.get(action="learner.refit")
    assert swap.actor == admin and swap.district == setting.district
    assert swap.object_type == "learning.LearnerModelParameters"
    assert swap.details["version"] == summary.version == 1
    assert swap.details["responses_used"] == 10
    done = AuditEvent.objects.get(action="learner.recompute")
    assert done.actor == admin and done.details["students"] == 2
    assert done.details["events"] == 10 and done.details["version"] == 1


def test_a_failed_swap_leaves_no_audit_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    from trellis.audit.models import AuditEvent

    setting = make_setting(students=1)
    _simulate(setting, 5)

    def broken_create(**kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(LearnerModelParameters.objects, "create", broken_create)
    with pytest.raises(RuntimeError, match="disk full"):
        actions.do_refit_district(setting.district, actor=None)
    assert not AuditEvent.objects.filter(action__startswith="learner.re").exists()
