"""Property tests: the checker never crashes on what a student types, and agrees with sympy."""

from __future__ import annotations

import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from trellis.engine.content.answers import Verdict, check_answer
from trellis.engine.content.model import AnswerForm, InteractionType, Step

KEYBOARD = "0123456789xyab+-*/^()[]{}|=<>.,% \\√πsqrtfrac−×÷"
x = sympy.Symbol("x")


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.text(alphabet=KEYBOARD, max_size=40))
def test_any_typed_text_gets_a_verdict(response: str) -> None:
    for interaction, key in ((InteractionType.MATH_EXPRESSION, "$$4x+12$$"),
                             (InteractionType.TEXT_ENTRY, "(x-4)/(x+3)"),
                             (InteractionType.NUMERIC, "0.75")):
        result = check_answer(Step("s", interaction, (key,)), response)
        assert result.verdict in set(Verdict)
        assert isinstance(result.message, str)


coefficient = st.integers(min_value=-9, max_value=9).filter(bool)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(coefficient, coefficient, coefficient, coefficient)
def test_products_of_binomials(a: int, b: int, c: int, d: int) -> None:
    factored = f"({a}*x + {b})*({c}*x + {d})".replace("+ -", "- ")
    expanded = sympy.expand((a * x + b) * (c * x + d))
    typed = str(expanded).replace("**", "^")
    expand_step = Step("e", InteractionType.MATH_EXPRESSION, (typed,),
                       required_form=AnswerForm.EXPANDED)
    assert check_answer(expand_step, typed).correct
    assert check_answer(Step("a", InteractionType.MATH_EXPRESSION, (typed,)), factored).correct
    wrong = str(expanded + 1).replace("**", "^")
    assert check_answer(expand_step, wrong).verdict is Verdict.INCORRECT
