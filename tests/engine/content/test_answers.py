"""Answer checking rules: equivalence, form, strings, choices, unreadable input."""

from __future__ import annotations

import pytest

from trellis.engine.content.answers import (
    Verdict,
    check_answer,
    infer_required_form,
    normalize_text,
)
from trellis.engine.content.model import (
    AnswerForm,
    Choice,
    Feedback,
    InteractionType,
    MapEntry,
    Scoring,
    ScoringMethod,
    Step,
)

MATRIX = "$$\\begin{bmatrix} 1 & 2 \\\\ 3 & 4 \\end{bmatrix}$$"
C, WRONG, U = Verdict.CORRECT, Verdict.INCORRECT, Verdict.UNREADABLE


def math_step(key: str, form: AnswerForm = AnswerForm.ANY) -> Step:
    return Step("s1", InteractionType.MATH_EXPRESSION, (key,), required_form=form)


@pytest.mark.parametrize(("key", "form", "response", "verdict"), [
    # equivalence, whatever the notation
    ("$$4x+12$$", AnswerForm.ANY, "12 + 4x", C),
    ("$$4x+12$$", AnswerForm.ANY, "4(x+3)", C),
    ("$$4x+12$$", AnswerForm.ANY, "4\\left(x+3\\right)", C),
    ("$$4x+12$$", AnswerForm.ANY, "4x + 13", WRONG),
    ("$$x^2$$", AnswerForm.ANY, "x**2", C),
    ("$$x^2$$", AnswerForm.ANY, "x*x", C),
    ("$$\\frac{3}{4}$$", AnswerForm.ANY, "3/4", C),
    ("$$\\frac{3}{4}$$", AnswerForm.ANY, "0.75", C),
    ("$$0.09$$", AnswerForm.ANY, "9/100", C),
    ("$$-5$$", AnswerForm.ANY, "−5", C),  # unicode minus
    ("$$\\sqrt{2}$$", AnswerForm.ANY, "√2", C),
    ("$$\\frac{1}{{12}^{15}}$$", AnswerForm.ANY, "-1/12^15", WRONG),  # tiny, yet different
    ("$$96000$$", AnswerForm.ANY, "96,000", C),
    ("$$0.75$$", AnswerForm.ANY, "0,75", C),  # a decimal comma
    ("$$x=2$$, $$x=5$$", AnswerForm.ANY, "2,5", C),  # a list, not 2.5
    # equations and solutions
    ("$$x=-4$$", AnswerForm.ANY, "-4", C),
    ("$$x=-4$$", AnswerForm.ANY, "x = -4", C),
    ("$$x=-4$$", AnswerForm.ANY, "y = -4", WRONG),
    ("$$y=2x+3$$", AnswerForm.ANY, "y = 3 + 2x", C),
    ("$$y=2x+3$$", AnswerForm.ANY, "y = 2x - 3", WRONG),
    ("$$x=\\pm \\sqrt{3}$$", AnswerForm.ANY, "x = -sqrt(3), x = sqrt(3)", C),
    ("$$x=\\pm \\sqrt{3}$$", AnswerForm.ANY, "x = sqrt(3)", WRONG),
    ("$$r=30$$ or $$1$$", AnswerForm.ANY, "r = 1 or r = 30", C),
    (MATRIX, AnswerForm.ANY, "[[1,2],[3,4]]", C),
    (MATRIX, AnswerForm.ANY, "[[1,2],[4,3]]", WRONG),
    # form: a numeric key wants a number
    ("$$7$$", AnswerForm.ANY, "2+5", WRONG),
    ("$$\\frac{3}{4}$$", AnswerForm.ANY, "6/8", WRONG),
    # form: factored / expanded / simplified / scientific
    ("$$(x+16)(x+3)$$", AnswerForm.FACTORED, "(x+3)(x+16)", C),
    ("$$(x+16)(x+3)$$", AnswerForm.FACTORED, "x^2+19x+48", WRONG),
    ("$$4(3q-5)(3q+5)$$", AnswerForm.FACTORED, "4(9q^2-25)", WRONG),
    ("$$4(3q-5)(3q+5)$$", AnswerForm.FACTORED, "(6q-10)(6q+10)", WRONG),
    ("$$4(3q-5)(3q+5)$$", AnswerForm.FACTORED, "-4(5-3q)(3q+5)", C),
    ("$$4x+12$$", AnswerForm.EXPANDED, "4(x+3)", WRONG),
    ("$$4x+12$$", AnswerForm.EXPANDED, "12+4x", C),
    ("$$4x+12$$", AnswerForm.EXPANDED, "2x+2x+12", WRONG),
    ("$$8x$$", AnswerForm.SIMPLIFIED, "3x+5x", WRONG),
    ("$$8x$$", AnswerForm.SIMPLIFIED, "8x", C),
    ("$$9.6\\times{10}^4$$", AnswerForm.SCIENTIFIC, "96000", WRONG),
    ("$$9.6\\times{10}^4$$", AnswerForm.SCIENTIFIC, "9.6 × 10^4", C),
    # labelled counts are not products: "42 adults, 105 children"
    ("42a105c", AnswerForm.ANY, "42a105c", C),
    ("42a105c", AnswerForm.ANY, "105c42a", WRONG),
    # unreadable input costs nothing
    ("$$4x+12$$", AnswerForm.ANY, "4x+", U),
    ("$$4x+12$$", AnswerForm.ANY, "(4x+12", U),
    ("$$4x+12$$", AnswerForm.ANY, "2 3", U),
    ("$$4x+12$$", AnswerForm.ANY, "   ", U),
])
def test_math_answers(key: str, form: AnswerForm, response: str, verdict: Verdict) -> None:
    assert check_answer(math_step(key, form), response).verdict is verdict


def test_form_message_explains_what_is_asked() -> None:
    result = check_answer(math_step("$$(x+1)(x+2)$$", AnswerForm.FACTORED), "x^2+3x+2")
    assert result.verdict is WRONG
    assert "factor" in result.message


def test_unreadable_has_a_friendly_message_and_no_score() -> None:
    result = check_answer(math_step("$$1$$"), "1+*2")
    assert result.verdict is U and not result.readable
    assert result.message.startswith("I couldn't read that")
    assert result.score == 0


def test_a_form_rule_never_rejects_the_key_itself() -> None:
    # "factor" in the wording, but the key is a number: the form rule does not apply
    step = math_step("$$6$$", AnswerForm.FACTORED)
    assert check_answer(step, "6").correct


@pytest.mark.parametrize(("text", "form"), [
    ("Factor the following trinomial: $$x^2+19x+48$$", AnswerForm.FACTORED),
    ("Multiply: $$4(x+3)$$", AnswerForm.EXPANDED),
    ("Simplify $$3x+5x$$", AnswerForm.SIMPLIFIED),
    ("Write in scientific notation: 96,000", AnswerForm.SCIENTIFIC),
    ("Solve $$x+3=5$$", AnswerForm.ANY),
])
def test_required_form_from_wording(text: str, form: AnswerForm) -> None:
    assert infer_required_form(text) is form


def test_strings_are_normalised_but_order_kept() -> None:
    step = Step("s", InteractionType.TEXT_ENTRY, ("8,13",))
    assert check_answer(step, " 8, 13 ").correct
    assert not check_answer(step, "13,8").correct
    words = Step("w", InteractionType.TEXT_ENTRY, ("Not a real number",))
    assert check_answer(words, "not a real number.").correct
    assert normalize_text("$$x=-2$$, $$(-2,5)$$") == normalize_text("x=-2, (-2,5)")
    money = Step("m", InteractionType.TEXT_ENTRY, ("$1.79",))
    assert check_answer(money, "1.79").correct
    assert not check_answer(money, "1.97").correct


def test_string_key_that_is_math_accepts_an_equal_expression() -> None:
    step = Step("s", InteractionType.TEXT_ENTRY, ("(x-4)/(x+3)",))
    assert check_answer(step, "\\frac{x-4}{x+3}").correct
    assert not check_answer(step, "(x+3)/(x-4)").correct


def _choice_step(multiple: bool = False, scoring: Scoring | None = None) -> Step:
    return Step(
        "c", InteractionType.MULTIPLE_RESPONSE if multiple else InteractionType.SINGLE_CHOICE,
        ("A", "C") if multiple else ("B",),
        choices=(Choice("A", "3/8"), Choice("B", "3/4"), Choice("C", "6/8")),
        scoring=scoring or Scoring(),
        feedback=Feedback(per_choice=(("A", "You added the denominators."),)),
    )


def test_single_choice_is_exact() -> None:
    step = _choice_step()
    assert check_answer(step, "B").correct
    assert check_answer(step, "3/4").correct  # the choice's exact text
    wrong = check_answer(step, "A")
    assert wrong.verdict is WRONG and wrong.message == "You added the denominators."
    assert check_answer(step, "b").verdict is U  # identifiers are exact
    assert check_answer(step, "0.75").verdict is U


def test_multiple_response_match_correct_needs_the_exact_set() -> None:
    step = _choice_step(multiple=True)
    assert check_answer(step, ["C", "A"]).correct
    assert not check_answer(step, ["A"]).correct
    assert not check_answer(step, ["A", "B", "C"]).correct
    assert check_answer(step, ["A", "Z"]).verdict is U


def test_multiple_response_map_response_gives_partial_credit() -> None:
    scoring = Scoring(ScoringMethod.MAP_RESPONSE, max_score=2.0, mapping=(
        MapEntry("A", 1.0), MapEntry("C", 1.0), MapEntry("B", -1.0)), lower_bound=0.0)
    step = _choice_step(multiple=True, scoring=scoring)
    full = check_answer(step, ["A", "C"])
    assert full.correct and full.score == 2.0
    partial = check_answer(step, ["A"])
    assert partial.verdict is WRONG and partial.score == 1.0
    assert check_answer(step, ["B"]).score == 0.0  # clamped at the lower bound


def test_numeric_interaction() -> None:
    step = Step("n", InteractionType.NUMERIC, ("0.75",))
    assert check_answer(step, "3/4").correct
    assert check_answer(step, "0,75").correct
    assert not check_answer(step, "0.7").correct
    assert check_answer(step, "x").verdict is U


def test_text_entry_uses_answer_latex_when_the_plain_key_is_ambiguous() -> None:
    # OATutor's plain key reads p(p-4)/2 * (p-9); its answerLatex says what is meant
    step = Step("s", InteractionType.TEXT_ENTRY, ("p(p−4)/2(p−9)",),
                answer_latex="$$\\frac{p\\left(p-4\\right)}{2\\left(p-9\\right)}$$")
    assert check_answer(step, "p(p-4)/(2(p-9))").correct
    assert check_answer(step, "p(p−4)/2(p−9)").correct  # the key as written
    assert not check_answer(step, "p(p-4)/(2(p-8))").correct
