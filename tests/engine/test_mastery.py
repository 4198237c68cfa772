"""The one mastery rule: statuses, thresholds, separate days, words, JSON, the map."""

from __future__ import annotations

import json
from datetime import date

import pytest

from trellis.engine.competencies import CompetencyGraph
from trellis.engine.mastery import (
    DEFAULT_RULE,
    EvidenceSummary,
    MasteryRule,
    MasteryRuleError,
)


def test_default_rule_is_095_two_days_two_pieces() -> None:
    assert DEFAULT_RULE.to_dict() == {
        "threshold": 0.95,
        "min_distinct_days": 2,
        "min_evidence_count": 2,
    }


def test_no_evidence_is_not_started_even_with_a_high_prior() -> None:
    assert DEFAULT_RULE.status(0.99, 0, 0) == "not_started"


def test_high_probability_on_one_day_is_only_in_progress() -> None:
    assert DEFAULT_RULE.status(0.99, 1, 12) == "in_progress"
    assert DEFAULT_RULE.status(0.99, 2, 12) == "mastered"


def test_separate_days_are_counted_from_dates_without_duplicates() -> None:
    same_day = [date(2026, 11, 2), date(2026, 11, 2), date(2026, 11, 2)]
    assert DEFAULT_RULE.status(0.97, same_day, 3) == "in_progress"
    two_days = [*same_day, date(2026, 11, 4)]
    assert DEFAULT_RULE.status(0.97, two_days, 4) == "mastered"


@pytest.mark.parametrize(
    ("probability", "expected"),
    [(0.9499, "in_progress"), (0.95, "mastered"), (1.0, "mastered"), (0.2, "in_progress")],
)
def test_threshold_is_inclusive(probability: float, expected: str) -> None:
    assert DEFAULT_RULE.status(probability, 3, 3) == expected


def test_configurable_thresholds() -> None:
    strict = MasteryRule(threshold=0.98, min_distinct_days=3, min_evidence_count=5)
    assert strict.status(0.97, 3, 5) == "in_progress"
    assert strict.status(0.99, 2, 5) == "in_progress"
    assert strict.status(0.99, 3, 4) == "in_progress"
    assert strict.status(0.99, 3, 5) == "mastered"
    lenient = MasteryRule(threshold=0.8, min_distinct_days=1, min_evidence_count=1)
    assert lenient.status(0.81, 1, 1) == "mastered"


def test_evidence_summary_status_and_explanation() -> None:
    almost = EvidenceSummary(probability=0.97, evidence_days=1, evidence_count=4)
    assert DEFAULT_RULE.status_of(almost) == "in_progress"
    assert DEFAULT_RULE.explain(almost) == "In progress: evidence on 1 more day."
    low = EvidenceSummary(probability=0.6, evidence_days=1, evidence_count=1)
    assert DEFAULT_RULE.explain(low) == (
        "In progress: the evidence shows 60%, 95% is needed; evidence on 1 more day; "
        "1 more piece of evidence."
    )
    assert DEFAULT_RULE.explain(None) == "Not started: no evidence yet."
    assert DEFAULT_RULE.status_of(None) == "not_started"


def test_describe_is_plain_language_and_follows_the_settings() -> None:
    assert DEFAULT_RULE.describe().startswith(
        "Mastered means the evidence shows at least a 95% chance that you know the standard, "
        "from at least 2 separate days"
    )
    text = MasteryRule(threshold=0.9, min_distinct_days=1, min_evidence_count=3).describe()
    assert "90% chance" in text
    # read by someone else (a guardian, a teacher), the sentence names the student
    named = DEFAULT_RULE.describe("Henry")
    assert "95% chance that Henry knows the standard" in named
    assert "projects scored by their teacher" in named and " you" not in named
    assert "from one day and at least 3 pieces of evidence" in text


def test_json_round_trip() -> None:
    rule = MasteryRule(threshold=0.9, min_distinct_days=3, min_evidence_count=6)
    text = rule.to_json()
    assert json.loads(text) == {"min_distinct_days": 3, "min_evidence_count": 6, "threshold": 0.9}
    assert MasteryRule.from_json(text) == rule


def test_missing_fields_take_defaults() -> None:
    assert MasteryRule.from_dict({"threshold": 0.9}) == MasteryRule(threshold=0.9)


@pytest.mark.parametrize(
    ("data", "field", "fragment"),
    [
        ({"threshold": 1.2}, "threshold", "between 0.5 and 1"),
        ({"threshold": 0.3}, "threshold", "between 0.5 and 1"),
        ({"threshold": "0.95"}, "threshold", "must be a number"),
        ({"threshold": True}, "threshold", "must be a number"),
        ({"min_distinct_days": 0}, "min_distinct_days", "between 1 and 100"),
        ({"min_distinct_days": 2.5}, "min_distinct_days", "whole number"),
        ({"min_evidence_count": -1}, "min_evidence_count", "between 1 and 100"),
        (
            {"min_distinct_days": 3, "min_evidence_count": 2},
            "min_evidence_count",
            "3 separate days needs at least 3 pieces",
        ),
        ({"treshold": 0.9}, "treshold", "unknown field"),
    ],
)
def test_validation_errors_name_the_field(data: dict, field: str, fragment: str) -> None:
    with pytest.raises(MasteryRuleError) as caught:
        MasteryRule.from_dict(data)
    assert caught.value.field == field
    assert fragment in str(caught.value)


def test_bad_json_is_a_mastery_rule_error() -> None:
    with pytest.raises(MasteryRuleError, match="not valid JSON"):
        MasteryRule.from_json("{threshold: 0.9")
    with pytest.raises(MasteryRuleError, match="must be a JSON object"):
        MasteryRule.from_json("[0.9]")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ((1.5, 2, 2), "between 0 and 1"),
        ((float("nan"), 2, 2), "between 0 and 1"),
        ((0.9, -1, 2), "cannot be negative"),
        ((0.9, 3, 2), "at least 3 pieces"),
    ],
)
def test_status_refuses_impossible_inputs(args: tuple, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        DEFAULT_RULE.status(*args)


def test_evidence_summary_validates_itself() -> None:
    with pytest.raises(ValueError, match="at least as many pieces"):
        EvidenceSummary(probability=0.5, evidence_days=3, evidence_count=1)
    with pytest.raises(ValueError, match="before first_evidence_on"):
        EvidenceSummary(
            0.99, 2, 2, first_evidence_on=date(2026, 11, 5), mastered_on=date(2026, 11, 1)
        )


def test_classify_splits_the_map_into_mastered_ready_and_not_yet() -> None:
    graph = CompetencyGraph(["a", "b", "c", "d"], [("a", "b"), ("b", "c"), ("a", "d")])
    mastered = EvidenceSummary(0.99, 2, 4)
    one_day = EvidenceSummary(0.99, 1, 4)
    state = {"a": mastered, "b": one_day, "elsewhere": mastered}
    result = DEFAULT_RULE.classify(graph, state)
    assert result.mastered == ("a",)
    assert result.ready == ("b", "d")
    assert result.not_yet == ("c",)
    assert result.in_progress == ("b",)
    assert result.category("b") == "ready"
    assert result.category("c") == "not_yet"
    assert dict(result.status) == {
        "a": "mastered",
        "b": "in_progress",
        "c": "not_started",
        "d": "not_started",
    }


def test_classify_assumptions_never_override_evidence() -> None:
    graph = CompetencyGraph(["a", "b", "c"], [("a", "b"), ("b", "c")])
    struggling = EvidenceSummary(0.3, 2, 6)
    result = DEFAULT_RULE.classify(graph, {"b": struggling}, assumed_mastered={"a", "b"})
    assert result.mastered == ("a",)
    assert result.ready == ("b",)
