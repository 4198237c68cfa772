"""The math reader agrees with sympy's own LaTeX parser on real answer keys."""

from __future__ import annotations

import random

import pytest
import sympy
from sympy.core.function import AppliedUndef

from trellis.engine.content.mathparse import (
    MathSyntaxError,
    parse_latex_fallback,
    parse_math,
    to_sympy,
)
from trellis.engine.content.model import InteractionType, Item
from trellis.engine.content.oatutor import OATutorReport

x, y = sympy.symbols("x y")


@pytest.mark.parametrize(("text", "value"), [
    ("2xy", 2 * x * y),
    ("-x^2", -(x**2)),
    ("2^3^2", sympy.Integer(2) ** 9),
    ("\\frac12", sympy.Rational(1, 2)),
    ("\\frac{x}{y}", x / y),
    ("\\sqrt[3]{-8}", sympy.Integer(-2)),
    ("|-4|", sympy.Integer(4)),
    ("50%", sympy.Rational(1, 2)),
    ("0.1+0.2", sympy.Rational(3, 10)),
    ("3 \\cdot 4 \\div 6", sympy.Integer(2)),
    ("(x+1)(x-1)", (x + 1) * (x - 1)),
    ("5\\,\\text{cm}^2", sympy.Integer(5)),  # units are words, not factors
])
def test_reads_as_a_teacher_would(text: str, value: sympy.Expr) -> None:
    assert sympy.simplify(to_sympy(parse_math(text)) - value) == 0


@pytest.mark.parametrize("text", ["", "4x+", "(x", "2 3", "\\unknown{x}", "x_1", "))"])
def test_refuses_what_it_cannot_read(text: str) -> None:
    with pytest.raises(MathSyntaxError):
        parse_math(text)


def test_agrees_with_parse_latex_on_a_sample_of_keys(
        all_oatutor: tuple[list[Item], OATutorReport]) -> None:
    keys = sorted({step.correct_response[0] for item in all_oatutor[0] for step in item.steps
                   if step.interaction is InteractionType.MATH_EXPRESSION
                   and step.correct_response[0].startswith("$$")
                   and step.correct_response[0].count("$$") == 2})
    sample = random.Random(7).sample(keys, 80)
    compared = 0
    for key in sample:
        try:
            theirs = parse_latex_fallback(key)
        except MathSyntaxError:
            continue
        ours = to_sympy(parse_math(key))
        if theirs.atoms(AppliedUndef):
            # parse_latex reads x\left(y^2\right) as a function x applied to y^2; we multiply
            assert not ours.atoms(AppliedUndef)
            continue
        if isinstance(theirs, sympy.Expr) and isinstance(ours, sympy.Expr):
            compared += 1
            assert sympy.simplify(ours - theirs) == 0, key
    assert compared >= 60
