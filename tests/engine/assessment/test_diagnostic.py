"""Adaptive diagnostic: selection, propagation, stopping, exposure, persistence, calibration."""

from __future__ import annotations

import json

import numpy as np
import pytest

from trellis.engine.assessment import (
    CONFIDENT,
    EXHAUSTED,
    MAX_ITEMS,
    TIME_LIMIT,
    AbilityPrior,
    DiagnosticConfig,
    DiagnosticEngine,
    DiagnosticItem,
    SessionMismatchError,
    TooManyStatesError,
    fit_knowledge_structure,
    learn_prerequisites,
    run_policy,
)
from trellis.engine.assessment.model import GraphArrays
from trellis.engine.competencies import CompetencyGraph

# a -> b -> c, and a -> d: a chain plus a side branch
CHAIN = CompetencyGraph(["a", "b", "c", "d"], [("a", "b"), ("b", "c"), ("a", "d")])


def bank(codes: list[str], per_standard: int = 2, slip: float = 0.1, guess: float = 0.2):
    return [
        DiagnosticItem(f"{code}{j}", (code,), slip=slip, guess=guess)
        for code in codes
        for j in range(per_standard)
    ]


def engine(config: DiagnosticConfig | None = None, **kwargs) -> DiagnosticEngine:
    return DiagnosticEngine(CHAIN, bank(["a", "b", "c", "d"]), config=config, **kwargs)


def test_items_validate_themselves() -> None:
    with pytest.raises(ValueError, match="guess"):
        DiagnosticItem("x", ("a",), slip=0.5, guess=0.6)
    with pytest.raises(ValueError, match="no standard"):
        DiagnosticItem("x", ())
    with pytest.raises(ValueError, match="not in scope"):
        DiagnosticEngine(CHAIN, [DiagnosticItem("x", ("zz",))])


def test_states_are_closed_under_prerequisites() -> None:
    states = GraphArrays(CHAIN).closed_states(cap=100)
    # down-sets of a->b->c, a->d: {}, {a}, {a,b}, {a,d}, {a,b,c}, {a,b,d}, {a,b,c,d}
    assert len(states) == 7
    with pytest.raises(TooManyStatesError):
        GraphArrays(CHAIN).closed_states(cap=5)


def test_selection_prefers_informative_items() -> None:
    graph = CompetencyGraph(["a", "b"], [])
    items = [
        DiagnosticItem("noisy", ("a",), slip=0.4, guess=0.45),
        DiagnosticItem("sharp", ("b",), slip=0.02, guess=0.02),
    ]
    for objective in ("state", "standards"):
        config = DiagnosticConfig(exposure_top_k=1, objective=objective)
        session = DiagnosticEngine(graph, items, config=config).start("s", seed=0, now=0)
        gain = session.information_gain()
        assert gain[1] > gain[0] > 0
        assert session.next_item(now=0) == "sharp"


def test_mastering_a_standard_raises_its_prerequisites() -> None:
    session = engine().start("s", seed=1, now=0)
    before = session.probabilities()
    session.submit("1", "c0", True, now=0)
    session.submit("2", "c1", True, now=0)
    after = session.probabilities()
    for code in ("a", "b", "c"):
        assert after[code] > before[code] + 0.1
    assert after["a"] >= after["b"] >= after["c"]  # closure: a prerequisite is at least as likely


def test_failing_a_prerequisite_lowers_its_dependents() -> None:
    session = engine().start("s", seed=1, now=0)
    before = session.probabilities()
    session.submit("1", "a0", False, now=0)
    session.submit("2", "a1", False, now=0)
    after = session.probabilities()
    for code in ("b", "c", "d"):
        assert after[code] < before[code] - 0.05
        assert after[code] <= after["a"]


def test_particle_belief_propagates_like_the_exact_one() -> None:
    exact = engine().start("s", seed=3, now=0)
    particles = engine(DiagnosticConfig(exact_state_cap=2, particles=4000)).start(
        "s", seed=3, now=0
    )
    assert exact.engine.exact and not particles.engine.exact
    for session in (exact, particles):
        for n, (item, correct) in enumerate(
            [("c0", True), ("c1", True), ("d0", False), ("d1", False), ("b0", True)]
        ):
            session.submit(str(n), item, correct, now=0)
    want, got = exact.probabilities(), particles.probabilities()
    for code in want:
        assert got[code] == pytest.approx(want[code], abs=0.06)


def test_stopping_rule_max_items_time_limit_and_confidence() -> None:
    session = engine(DiagnosticConfig(max_items=2)).start("s", seed=0, now=0)
    run_policy(session, lambda item: True)
    assert len(session.answers) == 2
    assert session.stop_reason() == MAX_ITEMS
    assert session.next_item() is None

    timed = engine(DiagnosticConfig(time_limit_s=60)).start("t", seed=0, now=1000.0)
    assert timed.next_item(now=1030.0) is not None
    assert timed.stop_reason(now=1061.0) == TIME_LIMIT
    assert timed.next_item(now=1061.0) is None

    sharp = [DiagnosticItem(f"{c}{j}", (c,), 0.02, 0.02) for c in "abcd" for j in range(3)]
    confident = DiagnosticEngine(CHAIN, sharp, config=DiagnosticConfig(confidence=0.95))
    session = confident.start("c", seed=0, now=0)
    result = run_policy(session, lambda item: True)
    assert result.stop_reason == CONFIDENT
    assert result.items_answered < len(sharp)
    assert result.uncertain == []
    assert result.likely_known == ["a", "b", "c", "d"]

    tiny = DiagnosticEngine(CHAIN, bank(["a"], 1), config=DiagnosticConfig(confidence=0.999))
    assert run_policy(tiny.start("e", seed=0, now=0), lambda item: True).stop_reason == EXHAUSTED


def test_exposure_control_varies_the_first_item_across_seeds() -> None:
    randomesque = engine(DiagnosticConfig(exposure_top_k=3))
    firsts = {randomesque.start("s", seed=seed, now=0).next_item(now=0) for seed in range(30)}
    assert len(firsts) >= 2
    greedy = engine(DiagnosticConfig(exposure_top_k=1))
    assert len({greedy.start("s", seed=seed, now=0).next_item(now=0) for seed in range(30)}) == 1


@pytest.mark.parametrize("exact_state_cap", [20_000, 2])
def test_resume_from_json_offers_the_same_next_item(exact_state_cap: int) -> None:
    config = DiagnosticConfig(exposure_top_k=3, exact_state_cap=exact_state_cap, particles=300)
    eng = engine(config)
    session = eng.start("s", seed=42, now=0)
    for n in range(3):
        item = session.next_item(now=0)
        assert item is not None
        session.submit(f"attempt-{n}", item, n % 2 == 0, now=float(n))
    saved = session.to_json()
    json.loads(saved)  # plain JSON
    resumed = eng.resume(saved)
    assert resumed.next_item(now=0) == session.next_item(now=0)
    assert resumed.probabilities() == pytest.approx(session.probabilities())
    assert [a.attempt_id for a in resumed.answers] == ["attempt-0", "attempt-1", "attempt-2"]


def test_resume_refuses_a_session_from_another_bank() -> None:
    saved = engine().start("s", seed=1, now=0).to_json()
    other = DiagnosticEngine(CHAIN, bank(["a", "b"]))
    with pytest.raises(SessionMismatchError):
        other.resume(saved)


def test_double_submit_counts_once() -> None:
    session = engine().start("s", seed=0, now=0)
    assert session.submit("attempt-1", "a0", True, now=0)
    once = session.probabilities()
    assert not session.submit("attempt-1", "a0", True, now=0)  # retried request
    assert not session.submit("attempt-2", "a0", False, now=0)  # same item again
    assert len(session.answers) == 1
    assert session.probabilities() == once
    with pytest.raises(KeyError):
        session.submit("attempt-3", "nope", True, now=0)


def test_standards_without_items_are_not_assessable() -> None:
    eng = DiagnosticEngine(CHAIN, bank(["a", "b", "c"]))  # d has no item
    session = eng.start("s", seed=0, now=0)
    run_policy(session, lambda item: True, limit=4)
    result = session.result(now=0)
    assert result.not_assessable == ["d"]
    assert "d" not in result.probabilities
    assert "d" not in result.likely_known and "d" not in result.frontier
    assert "d" in result.inferred_probabilities
    assert result.to_dict()["not_assessable"] == ["d"]


def test_result_frontier_is_ready_to_learn() -> None:
    sharp = [DiagnosticItem(f"{c}{j}", (c,), 0.02, 0.02) for c in "abcd" for j in range(2)]
    eng = DiagnosticEngine(CHAIN, sharp, config=DiagnosticConfig(exposure_top_k=1))
    session = eng.start("s", seed=0, now=0)
    answers = {"a": True, "b": False, "c": False, "d": True}
    result = run_policy(session, lambda item: answers[item[0]])
    assert result.likely_known == ["a", "d"]
    assert result.frontier == ["b"]


def test_ability_prior_samples_closed_states() -> None:
    arrays = GraphArrays(CHAIN)
    prior = AbilityPrior(difficulty={"c": 1.0})
    states, ability = prior.sample(arrays, 500, np.random.default_rng(0))
    assert CHAIN.is_consistent({c for c, m in zip(arrays.codes, states[0], strict=True) if m})
    for row in states:
        assert CHAIN.is_consistent({c for c, m in zip(arrays.codes, row, strict=True) if m})
    assert ability.min() >= 0 and ability.max() < prior.grid_size
    exact = np.exp(prior.log_prob(arrays, arrays.closed_states(100)))
    assert exact.sum() == pytest.approx(1.0)


def test_calibration_recovers_order_slips_and_guesses() -> None:
    rng = np.random.default_rng(7)
    codes = ["easy", "mid", "hard"]
    graph = CompetencyGraph(codes, [("easy", "mid"), ("mid", "hard")])
    level = rng.integers(0, 4, size=3000)  # how many of the chain each student knows
    mastered = np.stack([level > 0, level > 1, level > 2], axis=1)
    clean = (rng.random(mastered.shape) < np.where(mastered, 0.95, 0.05)).astype(float)
    learned = learn_prerequisites(codes, clean, tolerance=0.2)
    assert ("easy", "mid") in learned.edges and ("mid", "hard") in learned.edges
    assert ("hard", "easy") not in learned.edges
    # two items per standard make slip, guess and the state prior identifiable
    items = [DiagnosticItem(f"{c}{j}", (c,)) for c in codes for j in range(2)]
    slip = np.array([0.05, 0.1, 0.1, 0.15, 0.15, 0.05])
    guess = np.array([0.1, 0.2, 0.05, 0.1, 0.2, 0.15])
    p = np.where(np.repeat(mastered, 2, axis=1), 1 - slip, guess)
    responses = (rng.random(p.shape) < p).astype(float)
    responses[rng.random(p.shape) < 0.1] = np.nan  # some items not given
    fitted = fit_knowledge_structure(graph, items, responses)
    assert [i.slip for i in fitted.items] == pytest.approx(list(slip), abs=0.04)
    assert [i.guess for i in fitted.items] == pytest.approx(list(guess), abs=0.04)
    # four closed states, about equally likely
    assert list(np.exp(fitted.log_prior)) == pytest.approx([0.25] * 4, abs=0.04)


def test_next_item_is_stable_until_an_answer_and_stop_closes() -> None:
    session = engine(DiagnosticConfig(exposure_top_k=3)).start("s", seed=9, now=0)
    first = session.next_item(now=0)
    assert all(session.next_item(now=0) == first for _ in range(5))
    session.stop()
    assert session.next_item(now=0) is None
    assert session.result(now=0).stop_reason == "stopped_by_user"
    assert session.engine.resume(session.to_json()).next_item(now=0) is None


# w -> c with w left out of the scope; x (no items) -> b -> e. Items on b, c and e.
UNASSESSED = CompetencyGraph(["w", "x", "b", "c", "e"], [("w", "c"), ("x", "b"), ("b", "e")])


def test_a_prerequisite_without_items_is_not_known_for_a_student_who_knows_nothing() -> None:
    eng = DiagnosticEngine(UNASSESSED, bank(["b", "c", "e"]), scope=["x", "b", "c", "e"])
    assert eng.not_assessable == ["x"]
    session = eng.start("s", seed=0, now=0)
    result = run_policy(session, lambda item: False)  # "I don't know yet" to everything
    assert result.likely_known == []
    assert result.inferred_probabilities["x"] < 0.5
    # b is not ready: its prerequisite x could not be asked and nothing suggests it is known.
    # c is: its prerequisite w lies outside the scope, below the student's level.
    assert result.frontier == ["c"]


def test_a_prerequisite_without_items_counts_as_known_when_the_answers_imply_it() -> None:
    # x (no items) -> b: answering b right implies x (states are closed under prerequisites)
    eng = DiagnosticEngine(UNASSESSED, bank(["b", "c", "e"]), scope=["x", "b", "c", "e"])
    session = eng.start("s", seed=0, now=0)
    knows = {"b", "c"}
    result = run_policy(session, lambda item: item[0] in knows)
    assert sorted(result.likely_known) == ["b", "c"]
    assert result.inferred_probabilities["x"] >= 0.5
    assert result.frontier == ["e"]


def test_a_student_who_answers_everything_right_is_ready_at_the_top_of_the_scope() -> None:
    # a -> b -> x (no items) -> top; top is hard and the check stops before asking it
    graph = CompetencyGraph(["a", "b", "x", "top"], [("a", "b"), ("b", "x"), ("x", "top")])
    items = [*bank(["a", "b"]), DiagnosticItem("top0", ("top",))]
    config = DiagnosticConfig(exposure_top_k=1, max_items=4)
    eng = DiagnosticEngine(graph, items, config=config, prior=AbilityPrior(difficulty={"top": 3.0}))
    session = eng.start("s", seed=0, now=0)
    result = run_policy(session, lambda item: True)
    assert "top0" not in {a.item_id for a in session.answers}
    assert result.likely_known == ["a", "b"]
    # x was never asked, but a student who knows everything below it likely knows it
    assert result.inferred_probabilities["x"] >= 0.5
    assert result.frontier == ["top"]


def test_the_frontier_reads_every_prerequisite_in_scope_with_one_threshold() -> None:
    eng = DiagnosticEngine(UNASSESSED, bank(["b", "c", "e"]), scope=["x", "b", "c", "e"])
    unknown_x = {"x": 0.4, "b": 0.1, "c": 0.1, "e": 0.1}
    assert eng.frontier(unknown_x) == ["c"]
    assert eng.frontier({**unknown_x, "x": 0.5}) == ["b", "c"]
    assert eng.frontier({"x": 0.9, "b": 0.6, "c": 0.7, "e": 0.2}) == ["e"]


def test_entry_standards_are_ready_only_at_the_working_level_of_the_curriculum() -> None:
    # g6 -> g7 -> g8 is a chain; e6, e7, e8 are entry standards (no prerequisite in the map)
    # of grades 6, 7 and 8. Without an order, every entry standard of an empty state is ready.
    graph = CompetencyGraph(["g6", "g7", "g8", "e6", "e7", "e8"],
                            [("g6", "g7"), ("g7", "g8")])
    items = bank(["g6", "g7", "g8", "e6", "e7", "e8"])
    grades = {"g6": 6, "e6": 6, "g7": 7, "e7": 7, "g8": 8, "e8": 8}
    nothing = dict.fromkeys(grades, 0.1)
    assert DiagnosticEngine(graph, items).frontier(nothing) == ["g6", "e6", "e7", "e8"]
    eng = DiagnosticEngine(graph, items, sequence=grades)
    # knows nothing: grade 6 is where work starts, so grade 7 and 8 entries wait
    assert eng.frontier(nothing) == ["g6", "e6"]
    # knows grade 6: the map makes g7 ready, the order e7; e8 still waits
    grade6 = {**nothing, "g6": 0.9, "e6": 0.9}
    assert eng.frontier(grade6) == ["g7", "e7"]
    # one open standard of grade 6 keeps the working level at 6, the map still decides g7
    assert eng.frontier({**grade6, "e6": 0.2}) == ["g7", "e6"]
    # a standard with no level (not in the order) is left to the map alone
    partial = DiagnosticEngine(graph, items, sequence={k: v for k, v in grades.items()
                                                       if k != "e8"})
    assert partial.frontier(nothing) == ["g6", "e6", "e8"]
