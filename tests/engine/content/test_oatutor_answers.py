"""Every OATutor answer key is accepted by the checker, and plausible wrong answers are not.

This runs the checker over all 2,520 steps (and their 3,127 scaffolds) of the real pool once;
parsing is cached, so the whole module takes a few seconds.
"""

from __future__ import annotations

import re

import pytest

from trellis.engine.content.answers import Verdict, check_answer
from trellis.engine.content.keycheck import (
    change_constant,
    flip_sign,
    is_zero_key,
    main,
    math_part,
)
from trellis.engine.content.mathparse import strip_math_delimiters
from trellis.engine.content.model import InteractionType, Item, Step
from trellis.engine.content.oatutor import OATutorReport


def _steps(items: list[Item]) -> list[Step]:
    return [step for item in items for step in item.steps]


def test_every_step_accepts_its_own_answer(all_oatutor: tuple[list[Item], OATutorReport]) -> None:
    steps = _steps(all_oatutor[0])
    assert len(steps) == 2520
    rejected = [(s.identifier, s.keyed_response, check_answer(s, s.keyed_response).verdict)
                for s in steps if not check_answer(s, s.keyed_response).correct]
    assert rejected == []


def test_every_scaffold_accepts_its_own_answer(
        all_oatutor: tuple[list[Item], OATutorReport]) -> None:
    scaffolds = [scaffold for step in _steps(all_oatutor[0])
                 for scaffold in step.scaffold_steps()]
    assert len(scaffolds) == 3127
    rejected = [s.identifier for s in scaffolds if not check_answer(s, s.keyed_response).correct]
    assert rejected == []


def test_changed_sign_is_rejected(all_oatutor: tuple[list[Item], OATutorReport]) -> None:
    tried = 0
    accepted: list[tuple[str, str]] = []
    for step in _steps(all_oatutor[0]):
        if step.interaction is InteractionType.SINGLE_CHOICE:
            continue
        key = step.correct_response[0]
        wrong = flip_sign(key)
        if wrong is None or is_zero_key(key):  # -0 is 0: not a wrong answer
            continue
        tried += 1
        if check_answer(step, wrong).verdict is not Verdict.INCORRECT:
            accepted.append((step.identifier, wrong))
    assert tried >= 1700
    assert accepted == []


def test_changed_constant_is_rejected(all_oatutor: tuple[list[Item], OATutorReport]) -> None:
    tried = 0
    accepted: list[tuple[str, str]] = []
    for step in _steps(all_oatutor[0]):
        if step.interaction is InteractionType.SINGLE_CHOICE:
            continue
        wrong = change_constant(step.correct_response[0])
        if wrong is None:
            continue
        tried += 1
        if check_answer(step, wrong).verdict is not Verdict.INCORRECT:
            accepted.append((step.identifier, wrong))
    assert tried >= 1700
    assert accepted == []


def test_every_other_choice_is_rejected(all_oatutor: tuple[list[Item], OATutorReport]) -> None:
    tried = 0
    for step in _steps(all_oatutor[0]):
        if step.interaction is not InteractionType.SINGLE_CHOICE:
            continue
        for choice in step.choices:
            if choice.identifier in step.correct_response:
                continue
            tried += 1
            assert check_answer(step, choice.identifier).verdict is Verdict.INCORRECT
    assert tried >= 1400


def test_typing_the_question_back_is_not_an_answer(
        all_oatutor: tuple[list[Item], OATutorReport]) -> None:
    steps = [s for s in _steps(all_oatutor[0]) if s.given_expression]
    assert len(steps) >= 500
    echoed = [s for s in steps if check_answer(s, s.given_expression).correct]
    # only where the key itself is the given expression ("cannot be simplified further")
    assert all(check_answer(s, s.keyed_response).correct for s in steps)
    assert {s.identifier for s in echoed} <= {
        s.identifier for s in steps
        if strip_math_delimiters(s.correct_response[0]) == s.given_expression}
    step = next(s for s in steps if s.identifier == "a5991b4add12a")  # -5b-17b
    result = check_answer(step, "-5b-17b")
    assert result.verdict is Verdict.INCORRECT and "given" in result.message
    assert check_answer(step, "-22b").correct



def _braced(text: str, start: int) -> tuple[str, int]:
    """The content of the ``{...}`` group opening at ``start`` and the index after it."""
    depth = 0
    for index in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[index], 0)
        if depth == 0:
            return text[start + 1:index], index + 1
    raise ValueError(text)


def as_typed(latex: str) -> str:
    """LaTeX as a student types it on a keyboard: (a)/(b), sqrt(x), (x)^(1/n), x^(2)."""
    out: list[str] = []
    index = 0
    while index < len(latex):
        rest = latex[index:]
        if rest.startswith("\\frac"):
            top, index = _braced(latex, index + 5)
            bottom, index = _braced(latex, index)
            out.append(f"({as_typed(top)})/({as_typed(bottom)})")
        elif rest.startswith("\\sqrt["):
            close = latex.index("]", index)
            root_index = latex[index + 6:close]
            radicand, index = _braced(latex, close + 1)
            out.append(f"({as_typed(radicand)})^(1/{root_index})")
        elif rest.startswith("\\sqrt"):
            radicand, index = _braced(latex, index + 5)
            out.append(f"sqrt({as_typed(radicand)})")
        elif rest.startswith("^{"):
            exponent, index = _braced(latex, index + 1)
            out.append(f"^({as_typed(exponent)})")
        elif rest.startswith(("\\left", "\\right")):
            index += 5 if rest.startswith("\\left") else 6
        elif rest.startswith(("\\cdot", "\\times")):
            out.append("*")
            index += 5 if rest.startswith("\\cdot") else 6
        else:
            out.append({"{": "(", "}": ")"}.get(latex[index], latex[index]))
            index += 1
    return "".join(out)


def test_keys_typed_as_plain_text_are_accepted(
        all_oatutor: tuple[list[Item], OATutorReport]) -> None:
    tried = 0
    rejected: list[tuple[str, str]] = []
    for step in _steps(all_oatutor[0]):
        key = math_part(step.correct_response[0])
        if step.interaction is not InteractionType.MATH_EXPRESSION or re.search(
                r"\$|matrix|\\pm", key):
            continue
        typed = as_typed(key)
        if "\\" in typed:
            continue
        tried += 1
        if not check_answer(step, typed).correct:
            rejected.append((step.identifier, typed))
    assert tried >= 1600
    # the only ones refused: "write as a radical" steps answered with the exponent form given
    assert {identifier for identifier, _ in rejected} <= {
        s.identifier for s in _steps(all_oatutor[0]) if s.given_expression}
    assert len(rejected) <= 5


def test_keycheck_report_prints_the_figures(oatutor_dir: object,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(oatutor_dir)]) == 0
    printed = capsys.readouterr().out
    assert "steps 2,520 / 2,520" in printed
    assert "scaffolds 3,127 / 3,127" in printed
