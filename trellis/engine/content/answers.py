"""Answer checking a teacher would trust.

``check_answer(step, response)`` grades one response to one step (or scaffold) and returns an
:class:`AnswerResult`: **correct**, **incorrect**, or **unreadable** — the last one means "I
couldn't read that": the student typed something that is not an answer at all (``4x+``, an
unknown choice), it costs no attempt and no penalty.

The rules, per interaction:

- **Choices** are exact: the response is a choice identifier (or the exact text of a choice).
  A single choice is correct when it is the keyed one; a multiple response when the set chosen
  is exactly the keyed set, or scored by its ``qti-mapping`` (``map_response``).
- **Text entry** (OATutor ``string``) is compared after normalising: case, spacing, ``$$``
  math delimiters, a ``$`` currency sign, unicode minus signs, ``**`` for ``^`` and a trailing
  full stop do not matter; anything else does (``8,13`` is not ``13,8``: order can carry
  meaning, "length, width"). When the key (or the step's ``answer_latex``) is itself a single
  math expression (``(x-4)/(x+3)``), an equal expression is accepted too, by the math rules.
- **Numeric** responses must be numbers and are compared by value (to 1e-12 relative).
  ``96,000`` is ninety-six thousand; a single comma followed by one, two or four and more
  digits (``0,75``) is a decimal comma when the key is one answer, not a list.
- **Math expressions** (OATutor ``arithmetic``) are compared as mathematics with sympy: ``4x+12``,
  ``12+4x`` and ``4(x+3)`` are the same expression. Equality is decided by expanding the
  difference and, when that is not conclusive, by evaluating it at seeded random points. An
  equation key is matched by an equation with the same solution set — ``x=-4`` accepts ``-4``
  and ``x=-4``; a key solved for a variable (``y=2x+3``) needs the response solved for it too.

**When form matters.** Being equal to the key is not always enough: "Factor 36q²-100" is not
answered by ``36q^2-100``. The step's ``required_form`` (inferred at import from the words of
the problem, see :func:`infer_required_form`) adds a check on how the answer is *written*:

- ``factored`` ("factor"): a product (or power) with at least as many non-constant factors as
  the key, none of them a sum with a common whole-number factor left — ``4(3q-5)(3q+5)``;
  not ``4(9q^2-25)`` (fewer factors) nor ``(6q-10)(6q+10)`` (2 is left in each);
- ``expanded`` ("multiply", "expand", "find the product"): no product or power of a sum left,
  and like terms collected (no more numbers and letters written than in the key);
- ``simplified`` ("simplify"): no more numbers and letters written than in the key, and every
  fraction of whole numbers in lowest terms (``3x+5x`` is not simplified, ``8x`` is);
- ``scientific`` ("scientific notation"): ``a × 10^n`` with 1 ≤ |a| < 10.

A form rule is only applied when the key itself satisfies it (a key that is not a product is
not a "factored" key), so a rule can never reject the key. Independently of wording, an answer
whose key is a *number* must be written as a number: no operation the key does not use, except
a fraction bar and a minus sign (``7``, not ``2+5``; ``9/100`` for ``0.09`` is fine), fractions
in lowest terms when the key's are. A response that is equal but not in the required form is
*incorrect*, with a message saying what form is asked for.

**Typing the question back is not an answer.** When a step shows one expression to work on
(OATutor's step title ``$$-5b-17b$$``, recorded as ``Step.given_expression``), a response that
*is* that expression — up to the order of terms and factors — is incorrect ("That is the
expression you were given"), unless the key itself is written that way.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

import sympy

from trellis.engine.content.mathparse import (
    MathSyntaxError,
    Node,
    parse_latex_fallback,
    parse_math,
    strip_math_delimiters,
    to_sympy,
)
from trellis.engine.content.model import (
    AnswerForm,
    InteractionType,
    ScoringMethod,
    Step,
)


class Verdict(StrEnum):
    CORRECT = "correct"
    INCORRECT = "incorrect"
    UNREADABLE = "unreadable"


@dataclass(frozen=True, slots=True)
class AnswerResult:
    """The outcome of checking one response. ``score`` is in ``[0, step.scoring.max_score]``."""

    verdict: Verdict
    message: str = ""
    score: float = 0.0

    @property
    def correct(self) -> bool:
        return self.verdict is Verdict.CORRECT

    @property
    def readable(self) -> bool:
        return self.verdict is not Verdict.UNREADABLE


UNREADABLE_MESSAGE = "I couldn't read that. Check what you typed and try again."
_CORRECT = "Correct!"
_INCORRECT = "Not quite. Try again."
_FORM_MESSAGES = {
    AnswerForm.FACTORED: "That is equal to the answer, but the question asks you to factor it "
                         "completely.",
    AnswerForm.EXPANDED: "That is equal to the answer, but the question asks you to multiply it "
                         "out (no brackets left).",
    AnswerForm.SIMPLIFIED: "That is equal to the answer, but it can be simplified further.",
    AnswerForm.SCIENTIFIC: "That is equal to the answer, but the question asks for scientific "
                           "notation (a × 10^n with 1 ≤ a < 10).",
}
_NUMBER_FORM_MESSAGE = "That is equal to the answer, but write it as a single number."


# --- entry point ----------------------------------------------------------------------------


def check_answer(step: Step, response: str | Sequence[str]) -> AnswerResult:
    """Grade ``response`` to ``step`` (a step or a scaffold's step)."""
    interaction = step.interaction
    if interaction is InteractionType.MULTIPLE_RESPONSE:
        chosen = [response] if isinstance(response, str) else list(response)
        return _check_multiple_response(step, chosen)
    if not isinstance(response, str):
        if len(response) != 1:
            return AnswerResult(Verdict.UNREADABLE, "Give one answer.")
        response = response[0]
    if not response.strip():
        return AnswerResult(Verdict.UNREADABLE, "Type an answer first.")
    if interaction is InteractionType.SINGLE_CHOICE:
        return _check_single_choice(step, response)
    if interaction is InteractionType.TEXT_ENTRY:
        return _check_text(step, response)
    if interaction is InteractionType.NUMERIC:
        return _check_numeric(step, response)
    return _check_math_step(step, response)


def _result(correct: bool, step: Step, message: str = "") -> AnswerResult:
    if correct:
        return AnswerResult(Verdict.CORRECT, message or step.feedback.correct or _CORRECT,
                            step.scoring.max_score)
    return AnswerResult(Verdict.INCORRECT, message or step.feedback.incorrect or _INCORRECT, 0.0)


# --- choices --------------------------------------------------------------------------------


def _choice_identifier(step: Step, response: str) -> str | None:
    if step.choice(response) is not None:
        return response
    stripped = response.strip()
    for choice in step.choices:
        if choice.identifier == stripped or choice.content.strip() == stripped:
            return choice.identifier
    return None


def _check_single_choice(step: Step, response: str) -> AnswerResult:
    identifier = _choice_identifier(step, response)
    if identifier is None:
        return AnswerResult(Verdict.UNREADABLE, "Pick one of the choices.")
    if step.scoring.method is ScoringMethod.MAP_RESPONSE:
        score = _mapped_score(step, [identifier])
        correct = identifier in step.correct_response if step.correct_response else score > 0
        result = _result(correct, step, step.feedback.for_choice(identifier))
        return AnswerResult(result.verdict, result.message, score)
    return _result(identifier in step.correct_response, step, step.feedback.for_choice(identifier))


def _check_multiple_response(step: Step, chosen: list[str]) -> AnswerResult:
    identifiers = [_choice_identifier(step, value) for value in chosen]
    if any(identifier is None for identifier in identifiers):
        return AnswerResult(Verdict.UNREADABLE, "Pick from the choices shown.")
    picked = {identifier for identifier in identifiers if identifier is not None}
    if not picked:
        return AnswerResult(Verdict.UNREADABLE, "Pick at least one choice.")
    exact = picked == set(step.correct_response)
    if step.scoring.method is ScoringMethod.MAP_RESPONSE:
        score = _mapped_score(step, sorted(picked))
        correct = exact if step.correct_response else score >= step.scoring.max_score
        verdict = Verdict.CORRECT if correct else Verdict.INCORRECT
        message = (step.feedback.correct or _CORRECT) if correct else (
            step.feedback.incorrect or _INCORRECT)
        return AnswerResult(verdict, message, score)
    return _result(exact, step)


def _mapped_score(step: Step, values: Sequence[str]) -> float:
    """QTI ``mapResponse``: each distinct value's mapped points, default for unmapped ones."""
    scoring = step.scoring
    total = 0.0
    for value in dict.fromkeys(values):
        entry = next((e for e in scoring.mapping if (e.key == value if e.case_sensitive
                                                     else e.key.lower() == value.lower())), None)
        total += entry.value if entry is not None else scoring.default_value
    if scoring.lower_bound is not None:
        total = max(total, scoring.lower_bound)
    if scoring.upper_bound is not None:
        total = min(total, scoring.upper_bound)
    return max(0.0, min(total, scoring.max_score))


# --- strings --------------------------------------------------------------------------------

_DASHES = str.maketrans({"−": "-", "–": "-", "—": "-", "\u00a0": " "})
_SPACES_AROUND = re.compile(r"\s*([,=()\[\]+])\s*")


def normalize_text(text: str) -> str:
    """The string-answer normal form: see the module docstring."""
    # math delimiters, and a currency sign: "$1.79" and "1.79" are the same answer
    value = text.replace("$$", "").replace("\\$", "").replace("$", "").replace(
        "\\left", "").replace("\\right", "")
    value = value.translate(_DASHES)
    value = value.replace("**", "^").replace("\\%", "%")
    value = re.sub(r"\s+", " ", value).strip().lower()
    value = _SPACES_AROUND.sub(r"\1", value)
    return value.rstrip(".").strip()


def _check_text(step: Step, response: str) -> AnswerResult:
    scoring = step.scoring
    if scoring.method is ScoringMethod.MAP_RESPONSE:
        entry = next((e for e in scoring.mapping if (
            e.key.strip() == response.strip() if e.case_sensitive
            else normalize_text(e.key) == normalize_text(response))), None)
        score = entry.value if entry is not None else scoring.default_value
        score = max(0.0, min(score, scoring.max_score))
        if entry is not None or not step.correct_response:
            correct = score >= scoring.max_score
            verdict = Verdict.CORRECT if correct else Verdict.INCORRECT
            return AnswerResult(verdict, _CORRECT if correct else _INCORRECT, score)
    wanted = normalize_text(response)
    if any(normalize_text(key) == wanted for key in step.correct_response):
        return _result(True, step)
    # A key that is one math expression also accepts an equal expression, by the math rules;
    # OATutor's answerLatex often states the intended expression better than the plain key
    # ("p(p−4)/2(p−9)" is \frac{p(p-4)}{2(p-9)}).
    math_keys = step.correct_response + ((step.answer_latex,) if step.answer_latex else ())
    form_message = ""
    for key in math_keys:
        if not _looks_like_single_expression(key):
            continue
        try:
            key_node = parse_math(key)
        except MathSyntaxError:
            continue
        outcome = _compare_math(key_node, response, step.required_form)
        if outcome is not None and outcome.verdict is Verdict.CORRECT:
            return _result(True, step)
        if outcome is not None and outcome.message and outcome.verdict is Verdict.INCORRECT:
            form_message = outcome.message  # equal, but not in the form asked
    return _result(False, step, form_message)


def _looks_like_single_expression(key: str) -> bool:
    plain = re.sub(r"\\[A-Za-z]+", " ", strip_math_delimiters(key))  # LaTeX commands
    if "," in plain or re.search(r"[A-Za-z]{2,}", plain.replace("sqrt", "")):
        return False
    return bool(re.search(r"[A-Za-z0-9]", plain))


# --- numbers and expressions ----------------------------------------------------------------


def _check_numeric(step: Step, response: str) -> AnswerResult:
    if _DECIMAL_COMMA.match(response):
        response = response.replace(",", ".")
    try:
        value = to_sympy(parse_math(response))
    except (MathSyntaxError, ZeroDivisionError, TypeError, ValueError):
        return AnswerResult(Verdict.UNREADABLE, UNREADABLE_MESSAGE)
    if not isinstance(value, sympy.Expr) or value.free_symbols or not value.is_finite:
        return AnswerResult(Verdict.UNREADABLE, "Type a number.")
    for key in step.correct_response:
        try:
            key_value = to_sympy(parse_math(key))
        except MathSyntaxError:
            continue
        if isinstance(key_value, sympy.Expr) and _numbers_equal(key_value, value):
            return _result(True, step)
    return _result(False, step)


# Plain (not LaTeX) keys such as "42a105c" ("42 adults, 105 children") are labels; as math
# they would read as the product 4410ac, and "105c42a" would be accepted.
_LABELLED_COUNTS = re.compile(r"^\s*(\d+\s*[A-Za-z]\s*){2,}$")


_ECHO_MESSAGE = ("That is the expression you were given. Work it out and enter the result.")


def _check_math_step(step: Step, response: str) -> AnswerResult:
    result = _check_math_against_keys(step, response)
    if result.correct and step.given_expression and _repeats_given(step, response):
        return _result(False, step, _ECHO_MESSAGE)
    return result


def _canonical(node: Node) -> tuple[object, ...]:
    """A tree's shape up to the order of terms and factors (``a+b`` ~ ``b+a``)."""
    children = [_canonical(child) for child in node.children]
    if node.kind in {"add", "mul"}:
        children.sort(key=repr)
    return (node.kind, node.value, tuple(children))


def _repeats_given(step: Step, response: str) -> bool:
    """Whether the response is the step's own expression, typed back (and the key is not)."""
    try:
        given = _canonical(parse_math(step.given_expression))
        answer = read_response(response)
    except MathSyntaxError:
        return False
    if not isinstance(answer, Node) or _canonical(answer) != given:
        return False
    for key in step.correct_response:
        try:
            if _canonical(parse_math(key)) == given:
                return False
        except MathSyntaxError:
            continue
    return True


# One comma followed by other than three digits cannot be a thousands separator; when the key
# is a single answer, it is a decimal comma.
_DECIMAL_COMMA = re.compile(r"^\s*-?\d+,(\d{1,2}|\d{4,})\s*$")


def _check_math_against_keys(step: Step, response: str) -> AnswerResult:
    unreadable: AnswerResult | None = None
    for key in step.correct_response:
        plain_key = strip_math_delimiters(key)
        if "$" not in key and _LABELLED_COUNTS.match(plain_key):
            if re.sub(r"\s+", "", plain_key).lower() == re.sub(r"\s+", "", response).lower():
                return _result(True, step)
            continue
        try:
            key_node = parse_math(key)
        except MathSyntaxError:
            # A key outside this parser's reach is compared by value through parse_latex,
            # and as a string when even that cannot read it.
            outcome = _compare_by_latex_fallback(key, response) if "\\" in key else None
            if outcome is None:
                if normalize_text(key) == normalize_text(response):
                    return _result(True, step)
                continue
        else:
            if key_node.kind != "list" and _DECIMAL_COMMA.match(response):
                response = response.replace(",", ".")  # "0,75": a decimal comma, as in Spanish
            outcome = _compare_math(key_node, response, step.required_form)
        if outcome is None:
            continue
        if outcome.verdict is Verdict.CORRECT:
            return _result(True, step)
        if outcome.verdict is Verdict.UNREADABLE:
            unreadable = outcome
        elif outcome.message:
            return _result(False, step, outcome.message)
    if unreadable is not None:
        return unreadable
    return _result(False, step)


def read_response(response: str) -> Node | sympy.Basic:
    """A student's math response as a tree, or (LaTeX only we cannot read) a sympy value."""
    try:
        return parse_math(response)
    except MathSyntaxError:
        if "\\" not in response:
            raise
        return parse_latex_fallback(response)


def _compare_by_latex_fallback(key: str, response: str) -> AnswerResult | None:
    try:
        key_value = parse_latex_fallback(key)
    except MathSyntaxError:
        return None
    try:
        answer = read_response(response)
    except MathSyntaxError:
        return AnswerResult(Verdict.UNREADABLE, UNREADABLE_MESSAGE)
    value = to_sympy(answer) if isinstance(answer, Node) else answer
    if isinstance(key_value, sympy.Expr) and isinstance(value, sympy.Expr):
        equal = _equivalent(key_value, value)
        return AnswerResult(Verdict.CORRECT if equal else Verdict.INCORRECT)
    return AnswerResult(Verdict.INCORRECT)


def _compare_math(key: Node, response: str, form: AnswerForm) -> AnswerResult | None:
    """Correct / incorrect (with a form message) / unreadable; None when the key is unusable."""
    try:
        answer = read_response(response)
    except MathSyntaxError:
        return AnswerResult(Verdict.UNREADABLE, UNREADABLE_MESSAGE)
    if not isinstance(answer, Node):  # read only by parse_latex: compare the value alone
        try:
            equal = _equivalent_values(to_sympy(key), answer)
        except (TypeError, ValueError, ZeroDivisionError):
            return None
        return AnswerResult(Verdict.CORRECT if equal else Verdict.INCORRECT)
    try:
        if key.kind == "matrix" or answer.kind == "matrix":
            return _compare_matrices(key, answer)
        key_solutions = _solutions(key)
        answer_solutions = _solutions(answer)
        if len(key_solutions) > 1 or len(answer_solutions) > 1:
            return _compare_solution_sets(key_solutions, answer_solutions, form)
        return _compare_single(key, answer, form)
    except MathSyntaxError:  # read, but not workable (10^10^10)
        return AnswerResult(Verdict.UNREADABLE, UNREADABLE_MESSAGE)
    except (TypeError, ValueError, ZeroDivisionError, AttributeError):
        return None


def _expand_pm(node: Node) -> list[Node]:
    """``a ± b`` stands for two answers, ``a + b`` and ``a - b``."""
    if node.kind == "pm":
        inner = _expand_pm(node.children[0])
        return inner + [Node("neg", (alternative,)) for alternative in inner]
    if not node.children:
        return [node]
    variants: list[tuple[Node, ...]] = [()]
    for child in node.children:
        variants = [(*done, option) for done in variants for option in _expand_pm(child)]
    return [Node(node.kind, children, node.value) for children in variants]


def _solutions(node: Node) -> list[Node]:
    """The answers a response stands for: list items, both signs of ``±``; in ``r = 30 or 1``
    the bare ``1`` means ``r = 1``."""
    items = list(node.children) if node.kind == "list" else [node]
    found: list[Node] = []
    variable: Node | None = None
    for item in items:
        if item.kind == "rel" and item.value == "=" and item.children[0].kind == "sym":
            variable = item.children[0]
        elif item.kind != "rel" and variable is not None:
            item = Node("rel", (variable, item), "=")
        found.extend(_expand_pm(item))
    return found


def _compare_solution_sets(keys: list[Node], answers: list[Node],
                           form: AnswerForm) -> AnswerResult:
    """Several answers (``x = 2, x = -1``): the same set, in any order."""
    if len(keys) != len(answers):
        return AnswerResult(Verdict.INCORRECT)
    unmatched = list(answers)
    for key in keys:
        match = next((answer for answer in unmatched
                      if _compare_single(key, answer, form).verdict is Verdict.CORRECT), None)
        if match is None:
            return AnswerResult(Verdict.INCORRECT)
        unmatched.remove(match)
    return AnswerResult(Verdict.CORRECT)


def _compare_matrices(key: Node, answer: Node) -> AnswerResult:
    if key.kind != "matrix" or answer.kind != "matrix":
        return AnswerResult(Verdict.INCORRECT)
    shape = [len(row.children) for row in key.children]
    if shape != [len(row.children) for row in answer.children]:
        return AnswerResult(Verdict.INCORRECT)
    for key_row, answer_row in zip(key.children, answer.children, strict=True):
        for key_cell, answer_cell in zip(key_row.children, answer_row.children, strict=True):
            if not _equivalent_values(to_sympy(key_cell), to_sympy(answer_cell)):
                return AnswerResult(Verdict.INCORRECT)
    return AnswerResult(Verdict.CORRECT)


def _compare_single(key: Node, answer: Node, form: AnswerForm) -> AnswerResult:
    if key.kind == "rel":
        return _compare_relation(key, answer, form)
    if answer.kind == "rel":
        # "x = 3" for the key "3": accept a variable set equal to the value
        left, right = answer.children
        if answer.value != "=" or left.kind != "sym" or to_sympy(key).free_symbols:
            return AnswerResult(Verdict.INCORRECT)
        answer = right
    return _compare_expressions(key, answer, form)


def _compare_relation(key: Node, answer: Node, form: AnswerForm) -> AnswerResult:
    key_left, key_right = key.children
    if key.value == "=" and key_left.kind == "sym" and not to_sympy(key_right).free_symbols:
        # a solution "x = -4": accept "-4", "x = -4" and "-4 = x"
        if answer.kind != "rel":
            return _compare_expressions(key_right, answer, form)
        if answer.value != "=":
            return AnswerResult(Verdict.INCORRECT)
        left, right = answer.children
        if right.kind == "sym" and left.kind != "sym":
            left, right = right, left
        if left != key_left:
            return AnswerResult(Verdict.INCORRECT)
        return _compare_expressions(key_right, right, form)
    if answer.kind != "rel":
        return AnswerResult(Verdict.INCORRECT)
    operators = {("=", "="), ("<", "<"), (">", ">"), ("<=", "<="), (">=", ">=")}
    flipped = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "=": "="}
    left, right = answer.children
    if (key.value, answer.value) not in operators:
        if flipped.get(answer.value) != key.value:
            return AnswerResult(Verdict.INCORRECT)
        left, right = right, left
    if key.value == "=" and key_left.kind == "sym":
        # solved for a variable (y = 2x + 3): the response must be solved for it as well
        if left != key_left:
            return AnswerResult(Verdict.INCORRECT)
        return _compare_expressions(key_right, right, form)
    key_difference = sympy.expand(to_sympy(key_left) - to_sympy(key_right))
    difference = sympy.expand(to_sympy(left) - to_sympy(right))
    if key_difference == 0 or difference == 0:
        same = key_difference == difference
    else:
        ratio = sympy.simplify(difference / key_difference)
        same = bool(ratio.is_number and ratio != 0 and (key.value == "=" or ratio.is_positive))
    return AnswerResult(Verdict.CORRECT if same else Verdict.INCORRECT)


def _compare_expressions(key: Node, answer: Node, form: AnswerForm) -> AnswerResult:
    key_value = to_sympy(key)
    value = to_sympy(answer)
    if not _equivalent_values(key_value, value):
        return AnswerResult(Verdict.INCORRECT)
    if form is not AnswerForm.ANY and satisfies_form(key, form) and not satisfies_form(
            answer, form, key):
        return AnswerResult(Verdict.INCORRECT, _FORM_MESSAGES[form])
    if not key_value.free_symbols and not _written_as_number(answer, key):
        return AnswerResult(Verdict.INCORRECT, _NUMBER_FORM_MESSAGE)
    return AnswerResult(Verdict.CORRECT)


# --- equality -------------------------------------------------------------------------------

_TOLERANCE = 1e-12  # relative; values are evaluated to 30 digits


def _numbers_equal(a: sympy.Expr, b: sympy.Expr) -> bool:
    try:
        x = complex(a.evalf(30))
        y = complex(b.evalf(30))
    except (TypeError, ValueError):
        return False
    return _close(x, y, _TOLERANCE)


def _close(x: complex, y: complex, tolerance: float) -> bool:
    """Relative closeness: 1/12^15 and -1/12^15 differ although both are tiny."""
    scale = max(abs(x), abs(y))
    return scale == 0 or abs(x - y) <= tolerance * scale


def _equivalent_values(a: sympy.Basic, b: sympy.Basic) -> bool:
    if not isinstance(a, sympy.Expr) or not isinstance(b, sympy.Expr):
        return False
    return _equivalent(a, b)


@lru_cache(maxsize=65536)
def _equivalent(a: sympy.Expr, b: sympy.Expr) -> bool:
    """Equal as mathematics.

    Small expressions are expanded: a zero difference is equal, a non-zero *polynomial*
    difference is not. Otherwise both sides are evaluated at six seeded random points with
    positive coordinates (school algebra takes variables under radicals as non-negative, so
    ``|x|`` and ``x`` are not told apart) and must agree at every point where both are finite,
    and at three at least.
    """
    if a == b:
        return True
    symbols = sorted(a.free_symbols | b.free_symbols, key=str)
    if not symbols:
        return _numbers_equal(a, b)
    if set(map(str, a.free_symbols)) != set(map(str, b.free_symbols)):
        return False
    if _cheap_to_expand(a) and _cheap_to_expand(b):
        try:
            difference = sympy.expand(a - b)
        except (TypeError, ValueError):
            return False
        if difference == 0:
            return True
        if difference.is_polynomial(*symbols):
            return False
    # fixed seed: the same answer always gets the same verdict (not security-relevant)
    generator = random.Random(20261122)  # noqa: S311
    agreed = 0
    for _ in range(6):
        point = {s: sympy.Rational(generator.randint(1, 97), generator.randint(7, 23))
                 for s in symbols}
        try:
            exact_a, exact_b = a.subs(point), b.subs(point)
            if exact_a.is_Rational and exact_b.is_Rational:
                # rational functions at rational points are exact: no tolerance needed
                if exact_a != exact_b:
                    return False
                agreed += 1
                continue
            x = complex(exact_a.evalf(30))
            y = complex(exact_b.evalf(30))
        except (TypeError, ValueError, ZeroDivisionError):
            continue
        if not (math.isfinite(abs(x)) and math.isfinite(abs(y))):
            continue
        if not _close(x, y, 1e-9):
            return False
        agreed += 1
    return agreed >= 3


_EXPANSION_LIMIT = 12  # (a+b+c)^12 has 91 terms; (x+y+z+1)^200 would have 1.4 million


def _cheap_to_expand(expression: sympy.Expr) -> bool:
    powers = [power.exp for power in expression.atoms(sympy.Pow)
              if power.base.is_Add and power.exp.is_Integer]
    return all(abs(int(exponent)) <= _EXPANSION_LIMIT for exponent in powers)


# --- form -----------------------------------------------------------------------------------

_FORM_WORDS: tuple[tuple[AnswerForm, re.Pattern[str]], ...] = (
    (AnswerForm.SCIENTIFIC, re.compile(r"scientific notation", re.I)),
    (AnswerForm.FACTORED, re.compile(r"\bfactor(\b|ed|ing|ise|ize)|\bfactorise|\bfactorize", re.I)),
    (AnswerForm.EXPANDED, re.compile(r"\b(multiply|expand|find the product|product of)\b", re.I)),
    (AnswerForm.SIMPLIFIED, re.compile(r"\bsimplif(y|ied|ying)\b", re.I)),
)


def infer_required_form(*texts: str) -> AnswerForm:
    """The form a problem's wording asks for: the first of scientific, factored, expanded,
    simplified whose words (see ``_FORM_WORDS``) appear in the texts; otherwise ``ANY``.

    "greatest common factor" alone asks for a number, not a factored form; as the form check
    only applies when the key has that form, such steps are unaffected either way.
    """
    text = " ".join(texts)
    for form, pattern in _FORM_WORDS:
        if pattern.search(text):
            return form
    return AnswerForm.ANY


def _strip_sign(node: Node) -> Node:
    while node.kind == "neg":
        node = node.children[0]
    return node


def _has_symbol(node: Node) -> bool:
    if node.kind == "sym":
        return node.value not in {"pi", "infinity"}
    return any(_has_symbol(child) for child in node.children)


def _factor_count(node: Node) -> int:
    """How many non-constant factors a product is written with (powers count their exponent)."""
    node = _strip_sign(node)
    if node.kind == "mul":
        return sum(_factor_count(child) for child in node.children)
    if node.kind == "div":
        return _factor_count(node.children[0]) + _factor_count(node.children[1])
    if node.kind == "pow" and _has_symbol(node.children[0]):
        exponent = node.children[1]
        if exponent.kind == "num" and exponent.value.isdigit():
            return _factor_count(node.children[0]) * int(exponent.value)
        return 1
    return 1 if _has_symbol(node) else 0


def _sums_are_primitive(node: Node) -> bool:
    """No factor written as a sum still has a common whole-number factor: ``(6q-10)`` has 2."""
    if node.kind == "add":
        value = to_sympy(node)
        if isinstance(value, sympy.Expr) and value.free_symbols:
            content, _ = value.as_content_primitive()
            if abs(content) != 1 and content.is_Integer:
                return False
        return True  # the terms inside a sum are not factors
    return all(_sums_are_primitive(child) for child in node.children)


def _is_product(node: Node) -> bool:
    node = _strip_sign(node)
    return node.kind in {"mul", "pow"} or (
        (node.kind == "div" and _is_product(node.children[0])) or (node.kind == "div"
        and _is_product(node.children[1])))


def _has_unexpanded_product(node: Node) -> bool:
    if node.kind == "mul":
        sums = [child for child in node.children if _strip_sign(child).kind == "add"]
        if sums and any(_has_symbol(child) for child in sums):
            return True
    if node.kind == "pow":
        base = _strip_sign(node.children[0])
        if base.kind == "add" and _has_symbol(base):
            return True
    return any(_has_unexpanded_product(child) for child in node.children)


def _leaf_count(node: Node) -> int:
    """How many numbers and letters are written; ``x^(1/3)`` counts as ``\\sqrt[3]{x}``."""
    if not node.children:
        return 1
    if _is_unit_fraction_power(node):
        return _leaf_count(node.children[0]) + _leaf_count(node.children[1].children[1])
    return sum(_leaf_count(child) for child in node.children)


def _fractions_reduced(node: Node) -> bool:
    if node.kind == "div":
        top, bottom = (_strip_sign(child) for child in node.children)
        if (top.kind == "num" and bottom.kind == "num" and top.value.isdigit()
                and bottom.value.isdigit()):
            numerator, denominator = int(top.value), int(bottom.value)
            if denominator == 1 or math.gcd(numerator, denominator) != 1:
                return False
    return all(_fractions_reduced(child) for child in node.children)


def _is_scientific(node: Node) -> bool:
    node = _strip_sign(node)
    if node.kind == "pow":
        base, exponent = node.children
        return base == Node("num", (), "10") and not _has_symbol(exponent)
    if node.kind != "mul" or len(node.children) != 2:
        return False
    coefficient, power = node.children
    if coefficient.kind != "num" or not _is_scientific(power) or power.kind != "pow":
        return False
    return 1 <= float(coefficient.value) < 10


def satisfies_form(node: Node, form: AnswerForm, key: Node | None = None) -> bool:
    """Whether ``node`` is written in ``form`` (judged against the key where one is given)."""
    if form is AnswerForm.FACTORED:
        if not _is_product(node) or not _sums_are_primitive(node):
            return False
        return key is None or _factor_count(node) >= _factor_count(key)
    if form is AnswerForm.EXPANDED:
        # multiplied out *and* like terms collected: 2x+2x+12 is not done
        if _has_unexpanded_product(node):
            return False
        return key is None or _leaf_count(node) <= _leaf_count(key)
    if form is AnswerForm.SIMPLIFIED:
        if not _fractions_reduced(node):
            return False
        return key is None or _leaf_count(node) <= _leaf_count(key)
    if form is AnswerForm.SCIENTIFIC:
        return _is_scientific(node)
    return True


def _is_unit_fraction_power(node: Node) -> bool:
    return node.kind == "pow" and node.children[1].kind == "div" and node.children[1].children[
        0] == Node("num", (), "1")


def _kinds(node: Node) -> set[str]:
    """The operations a tree is written with (``x^(1/n)`` is a root)."""
    if _is_unit_fraction_power(node):
        return {"root"} | _kinds(node.children[0]) | _kinds(node.children[1].children[1])
    found = {node.kind}
    for child in node.children:
        found |= _kinds(child)
    return found


def _written_as_number(answer: Node, key: Node) -> bool:
    """A numeric key wants a number: no operation beyond the key's, a fraction bar and a sign."""
    allowed = _kinds(key) | {"num", "neg", "div"}
    if not _kinds(answer) <= allowed:
        return False
    return _fractions_reduced(answer) or not _fractions_reduced(key)
