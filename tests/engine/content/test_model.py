"""The domain objects refuse to be built wrong."""

from __future__ import annotations

import dataclasses

import pytest

from trellis.engine.content import (
    Attribution,
    Choice,
    Hint,
    InteractionType,
    Item,
    Scaffold,
    Scoring,
    ScoringMethod,
    Step,
)


def _choices() -> tuple[Choice, ...]:
    return (Choice("A", "1"), Choice("B", "2"))


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"identifier": ""}, "step identifier"),
    ({"correct_response": ("Z",)}, "not a choice"),
    ({"correct_response": ("A", "B")}, "exactly one correct"),
    ({"choices": (Choice("A", "1"),)}, "at least two choices"),
    ({"choices": (Choice("A", "1"), Choice("A", "2"))}, "unique"),
    ({"correct_response": ()}, "exactly one correct"),
])
def test_step_validates_choices(kwargs: dict[str, object], message: str) -> None:
    base: dict[str, object] = {"identifier": "s", "interaction": InteractionType.SINGLE_CHOICE,
                               "correct_response": ("A",), "choices": _choices()}
    base.update(kwargs)
    with pytest.raises(ValueError, match=message):
        Step(**base)  # type: ignore[arg-type]


def test_text_steps_need_an_answer_and_no_choices() -> None:
    with pytest.raises(ValueError, match="no correct response"):
        Step("s", InteractionType.MATH_EXPRESSION, ())
    with pytest.raises(ValueError, match="choices given"):
        Step("s", InteractionType.TEXT_ENTRY, ("a",), choices=_choices())


def test_hint_dependencies_must_point_backwards() -> None:
    later = Hint("h2", "Then", "text", depends_on=("h1",))
    with pytest.raises(ValueError, match="depends on"):
        Step("s", InteractionType.MATH_EXPRESSION, ("1",), hints=(later,))
    first = Hint("h1", "First", "text")
    scaffold = Scaffold("h3", Step("h3", InteractionType.MATH_EXPRESSION, ("4x",)), ("h2",))
    step = Step("s", InteractionType.MATH_EXPRESSION, ("1",), hints=(first, later, scaffold))
    assert [s.identifier for s in step.scaffold_steps()] == ["h3"]


def test_map_response_needs_a_mapping() -> None:
    with pytest.raises(ValueError, match="mapping"):
        Scoring(ScoringMethod.MAP_RESPONSE)


def test_item_is_immutable_and_needs_steps() -> None:
    with pytest.raises(ValueError, match="no steps"):
        Item("i", "t", ())
    item = Item("i", "t", (Step("s", InteractionType.NUMERIC, ("1",)),))
    with pytest.raises(dataclasses.FrozenInstanceError):
        item.title = "changed"  # type: ignore[misc]


def test_attribution_splits_oatutor_fields() -> None:
    attribution = Attribution("https://OATutor.io <OATutor>",
                              "https://creativecommons.org/licenses/by/4.0/ <CC BY 4.0>")
    assert attribution.source_name == "OATutor"
    assert attribution.license_url == "https://creativecommons.org/licenses/by/4.0/"
