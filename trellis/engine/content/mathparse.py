"""Reading what students type (and what answer keys say) as mathematics.

A math answer arrives in one of two notations: the LaTeX of an answer key or a math keyboard
(``\\frac{3}{4}``, ``4\\left(x+3\\right)``, ``\\sqrt[3]{a}``) or the plain text a student types
(``3/4``, ``4(x+3)``, ``x^2``, ``2x**3``, ``−5``). Both are read by one small recursive-descent
parser into a :class:`Node` tree that keeps the expression *exactly as written* — ``3x+5x`` stays
two terms, ``6/8`` stays a fraction of 6 and 8 — because whether an answer is in the requested
form (factored, expanded, simplified) is a question about how it was written, not about its
value. :func:`to_sympy` then turns the tree into an evaluated sympy expression for the
question "is it the same number/expression?".

Conventions a teacher would expect:

- every letter is its own variable and letters next to each other multiply (``2xy`` = 2·x·y);
  the names ``sqrt``, ``pi`` and ``infinity`` are recognised;
- juxtaposition multiplies (``2(x+1)``, ``(x+1)(x-1)``, ``3\\sqrt{2}``) and binds like ``*``;
- ``-x^2`` is ``-(x^2)``; ``^`` and ``**`` are powers, right-associative;
- ``|x|`` is absolute value, ``50%`` is 0.5, a thousands separator ``96,000`` is 96000;
- ``=``, ``<``, ``>``, ``\\le``, ``\\ge`` (and ``≤ ≥``) make a relation between two sides.

Anything else (an unbalanced bracket, an unknown LaTeX command, two numbers side by side)
raises :class:`MathSyntaxError`; the answer checker turns that into "I couldn't read that".
Why not only sympy's own parsers: ``parse_latex`` is the fallback for LaTeX this parser does not
know, but it takes ~10 ms per expression (this parser ~0.1 ms) and evaluates some structure
away, and ``parse_expr`` reads ``xy`` as one variable and ``2 3`` as 6.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import sympy


class MathSyntaxError(ValueError):
    """The text is not a mathematical expression this parser can read."""


@dataclass(frozen=True, slots=True)
class Node:
    """One node of an expression tree, as written.

    ``kind`` is one of ``num`` (``value`` is the numeral as written), ``sym`` (``value`` is the
    name), ``add`` (children are terms; a subtracted term is a ``neg``), ``neg``, ``mul``,
    ``div`` (numerator, denominator), ``pow`` (base, exponent), ``root`` (radicand, index),
    ``abs``, ``pct``, ``rel`` (``value`` is the operator, children are the two sides),
    ``pm`` (a term written after ``±``), ``list`` (several answers) and ``matrix``/``row``.
    """

    kind: str
    children: tuple[Node, ...] = ()
    value: str = ""


# --- tokens ---------------------------------------------------------------------------------

_RELATIONS = {"=": "=", "<": "<", ">": ">", "≤": "<=", "≥": ">=", "<=": "<=", ">=": ">="}
_LATEX_RELATIONS = {"le": "<=", "leq": "<=", "ge": ">=", "geq": ">=", "lt": "<", "gt": ">"}
_LATEX_TIMES = {"cdot", "times", "ast"}
# commands that only affect spacing or typography and are dropped
_LATEX_IGNORED = {"left", "right", "displaystyle", "mathrm", "mathit", "mathbf", "bigl",
                  "bigr", "Bigl", "Bigr", "big", "Big", "limits"}
_LATEX_SPACES = {",", ";", ":", "!", " ", "quad", "qquad"}
_UNICODE = str.maketrans({"−": "-", "–": "-", "—": "-", "×": "*", "·": "*", "⋅": "*", "÷": "/",
                          "π": "π", "√": "√", "\u00a0": " "})

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<num>\d+(?:\.\d*)?|\.\d+)
    | (?P<cmd>\\(?:[A-Za-z]+|.))
    | (?P<word>sqrt|pi|infinity|inf|or|and)(?![A-Za-z])
    | (?P<sym>[A-Za-zπθα-ω])
    | (?P<op>\*\*|<=|>=|\+/-|[-+*/^()\[\]{}=<>≤≥|%!√_,;±&])
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str
    text: str


_THOUSANDS = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$")


def _skip_braced(source: str, position: int) -> int:
    """The position after the ``{...}`` group starting at ``position`` (spaces allowed)."""
    while position < len(source) and source[position] == " ":
        position += 1
    if position >= len(source) or source[position] != "{":
        raise MathSyntaxError("\\text needs a {...} argument")
    depth = 0
    for index in range(position, len(source)):
        depth += {"{": 1, "}": -1}.get(source[index], 0)
        if depth == 0:
            return index + 1
    raise MathSyntaxError("unbalanced braces")


def _tokenize(text: str) -> list[_Tok]:
    source = text.translate(_UNICODE).strip()
    if _THOUSANDS.match(source):
        source = source.replace(",", "")
    tokens: list[_Tok] = []
    position = 0
    while position < len(source):
        match = _TOKEN.match(source, position)
        if match is None or match.end() == position:
            if source[position:].strip() == "":
                break
            raise MathSyntaxError(f"unexpected {source[position]!r} at position {position}")
        position = match.end()
        kind = match.lastgroup or ""
        lexeme = match.group(kind)
        if kind == "cmd":
            name = lexeme[1:]
            if name in {"text", "mbox"}:
                # words such as units ("5\\text{ cm}") are not part of the value: skip them
                position = _skip_braced(source, position)
                if source[position:position + 1] == "^":  # \\text{cm}^2: the unit's power
                    position += 1
                    if source[position:position + 1] == "{":
                        position = _skip_braced(source, position)
                    else:
                        position += 1
                continue
            if name in _LATEX_IGNORED or name in _LATEX_SPACES:
                continue  # \\mathrm{x} and the like: the braces that follow are read as a group
            if name in _LATEX_TIMES:
                tokens.append(_Tok("op", "*"))
            elif name == "div":
                tokens.append(_Tok("op", "/"))
            elif name in _LATEX_RELATIONS:
                tokens.append(_Tok("op", _LATEX_RELATIONS[name]))
            elif name in {"pm", "mp"}:
                tokens.append(_Tok("op", "±"))
            elif name in {"pi", "infty"}:
                tokens.append(_Tok("word", "pi" if name == "pi" else "infinity"))
            elif name in {"frac", "dfrac", "tfrac", "sqrt"}:
                tokens.append(_Tok("cmd", "frac" if name.endswith("frac") else name))
            elif name in {"{", "}"}:
                tokens.append(_Tok("op", "(" if name == "{" else ")"))  # \{ \} are brackets
            elif name == "%":
                tokens.append(_Tok("op", "%"))
            elif name == "$":
                continue  # a currency sign carries no value
            elif name == "lvert" or name == "rvert" or name == "vert" or name == "|":
                tokens.append(_Tok("op", "|"))
            else:
                raise MathSyntaxError(f"unknown LaTeX command {lexeme}")
        elif kind == "word" and lexeme in {"or", "and"}:
            tokens.append(_Tok("op", ","))
        elif kind == "word":
            tokens.append(_Tok("word", "infinity" if lexeme == "inf" else lexeme))
        elif kind == "op" and lexeme == "+/-":
            tokens.append(_Tok("op", "±"))
        elif kind == "sym" and lexeme == "π":
            tokens.append(_Tok("word", "pi"))
        elif kind == "op" and lexeme == "√":
            tokens.append(_Tok("cmd", "sqrt"))
        else:
            tokens.append(_Tok(kind, lexeme))
    if not tokens:
        raise MathSyntaxError("empty answer")
    return tokens


# --- parser ---------------------------------------------------------------------------------

_OPENERS = {"(": ")", "[": "]", "{": "}"}


class _Parser:
    def __init__(self, tokens: list[_Tok]) -> None:
        self.tokens = tokens
        self.index = 0
        self.abs_depth = 0

    def peek(self) -> _Tok | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> _Tok:
        token = self.peek()
        if token is None:
            raise MathSyntaxError("the expression ends too early")
        self.index += 1
        return token

    def expect(self, text: str) -> None:
        token = self.take()
        if token.text != text:
            raise MathSyntaxError(f"expected {text!r}, found {token.text!r}")

    def at(self, *texts: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == "op" and token.text in texts

    def parse(self) -> Node:
        node = self.relation()
        if self.at(","):
            items = [node]
            while self.at(","):
                self.take()
                items.append(self.relation())
            node = Node("list", tuple(items))
        if self.peek() is not None:
            raise MathSyntaxError(f"unexpected {self.peek().text!r}")  # type: ignore[union-attr]
        return node

    def relation(self) -> Node:
        left = self.sum()
        token = self.peek()
        if token is not None and token.kind == "op" and token.text in _RELATIONS:
            self.take()
            right = self.sum()
            return Node("rel", (left, right), _RELATIONS[token.text])
        return left

    def sum(self) -> Node:
        if self.at("±"):
            self.take()
            terms = [Node("pm", (self.product(),))]
        else:
            terms = [self.signed()]
        while self.at("+", "-", "±"):
            operator = self.take().text
            term = self.signed()
            if operator == "±":
                terms.append(Node("pm", (term,)))
            else:
                terms.append(term if operator == "+" else Node("neg", (term,)))
        return terms[0] if len(terms) == 1 else Node("add", tuple(terms))

    def signed(self) -> Node:
        if self.at("-"):
            self.take()
            return Node("neg", (self.product(),))
        if self.at("+"):
            self.take()
        return self.product()

    def starts_factor(self) -> bool:
        token = self.peek()
        if token is None:
            return False
        if token.kind in {"num", "sym", "word", "cmd"}:
            return True
        if token.kind == "op" and token.text in _OPENERS:
            return True
        # an opening | starts a factor only when no absolute value is open
        return token.kind == "op" and token.text == "|" and self.abs_depth == 0

    def product(self) -> Node:
        node = self.power()
        while True:
            if self.at("*", "/"):
                operator = self.take().text
                right = self.power_or_signed()
                node = _times(node, right) if operator == "*" else Node("div", (node, right))
            elif self.starts_factor():
                token = self.peek()
                if token is not None and token.kind == "num" and _ends_in_number(node):
                    raise MathSyntaxError("two numbers side by side")
                node = _times(node, self.power())
            else:
                return node

    def power_or_signed(self) -> Node:
        if self.at("-"):
            self.take()
            return Node("neg", (self.power(),))
        return self.power()

    def power(self) -> Node:
        base = self.postfix()
        if self.at("^", "**"):
            self.take()
            if self.at("-", "+"):
                sign = self.take().text
                exponent = self.power()
                if sign == "-":
                    exponent = Node("neg", (exponent,))
            else:
                exponent = self.power_exponent()
            return Node("pow", (base, exponent))
        return base

    def power_exponent(self) -> Node:
        # x^23 in LaTeX means x^2 * 3 only for a single-character exponent; students mean x^23.
        return self.power()

    def postfix(self) -> Node:
        node = self.primary()
        while self.at("%"):
            self.take()
            node = Node("pct", (node,))
        if self.at("_"):
            raise MathSyntaxError("subscripts are not supported")
        return node

    def group(self) -> Node:
        """A LaTeX argument: ``{...}`` or a single token."""
        if self.at("{"):
            self.take()
            inner = self.relation()
            self.expect("}")
            return inner
        token = self.take()
        if token.kind == "num":
            # \frac12 means 1/2: a bare numeric argument is one digit
            return Node("num", (), token.text[0]) if len(token.text) > 1 and (
                self._push_back_digits(token.text[1:])) else Node("num", (), token.text)
        if token.kind == "sym":
            return Node("sym", (), token.text)
        raise MathSyntaxError(f"expected an argument, found {token.text!r}")

    def _push_back_digits(self, rest: str) -> bool:
        self.tokens.insert(self.index, _Tok("num", rest))
        return True

    def primary(self) -> Node:
        token = self.take()
        if token.kind == "num":
            if token.text.endswith(".") and token.text.count(".") == 1:
                return Node("num", (), token.text[:-1])
            return Node("num", (), token.text)
        if token.kind == "sym":
            return Node("sym", (), token.text)
        if token.kind == "word":
            if token.text == "sqrt":
                return Node("root", (self.primary(), Node("num", (), "2")))
            return Node("sym", (), token.text)
        if token.kind == "cmd":
            if token.text == "frac":
                numerator = self.group()
                denominator = self.group()
                return Node("div", (numerator, denominator))
            index = Node("num", (), "2")
            if self.at("["):
                self.take()
                index = self.sum()
                self.expect("]")
            radicand = self.group() if self.at("{") else self.power()
            return Node("root", (radicand, index))
        if token.text in _OPENERS:
            inner = self.relation()
            self.expect(_OPENERS[token.text])
            return inner if token.text != "(" else Node("paren", (inner,))
        if token.text == "|":
            self.abs_depth += 1
            inner = self.sum()
            self.expect("|")
            self.abs_depth -= 1
            return Node("abs", (inner,))
        raise MathSyntaxError(f"unexpected {token.text!r}")


def _times(left: Node, right: Node) -> Node:
    if left.kind == "mul":
        return Node("mul", (*left.children, right))
    return Node("mul", (left, right))


def _ends_in_number(node: Node) -> bool:
    if node.kind == "num":
        return True
    if node.kind == "mul":
        return _ends_in_number(node.children[-1])
    return False


def _strip_parens(node: Node) -> Node:
    """Parentheses matter only while parsing; drop them from the tree."""
    if node.kind == "paren":
        return _strip_parens(node.children[0])
    if not node.children:
        return node
    return Node(node.kind, tuple(_strip_parens(child) for child in node.children), node.value)


_DELIMITERS = re.compile(r"^\s*(\$\$|\\\(|\\\[|\$)(.*?)(\$\$|\\\)|\\\]|\$)\s*$", re.DOTALL)


def strip_math_delimiters(text: str) -> str:
    """``$$4x+12$$`` -> ``4x+12``; text without delimiters is returned unchanged."""
    stripped = text.strip()
    while True:
        match = _DELIMITERS.match(stripped)
        if match is None or "$$" in match.group(2):
            return stripped
        stripped = match.group(2).strip()


MAX_INPUT_LENGTH = 1000  # an answer, not an essay; also bounds nesting depth
# 2^65536 is fine to compute; 10^10^10 is not: refuse exponents beyond this
MAX_EXPONENT = 100_000
MAX_SYMBOLIC_EXPONENT = 200  # (x+1)^200 still expands in milliseconds

_MATRIX = re.compile(r"^\\begin\{([bpv]?matrix)\}(.*)\\end\{\1\}$", re.DOTALL)
_PLAIN_MATRIX = re.compile(r"^\[\s*\[(.*)\]\s*\]$", re.DOTALL)


def _parse_matrix(rows: list[list[str]]) -> Node:
    if not rows or any(len(row) != len(rows[0]) for row in rows) or not rows[0]:
        raise MathSyntaxError("a matrix needs rows of equal length")
    return Node("matrix", tuple(
        Node("row", tuple(_parse_expression(cell) for cell in row)) for row in rows))


def _parse_expression(text: str) -> Node:
    return _strip_parens(_Parser(_tokenize(text)).parse())


@lru_cache(maxsize=65536)
def parse_math(text: str) -> Node:
    """Parse LaTeX or plain-text math into a tree kept as written; raises MathSyntaxError.

    Besides expressions and relations this reads a list of answers (``x=2, x=-1``, ``30 or
    1``; a ``list`` node), ``±`` (a ``pm`` node: the answer stands for both signs) and
    matrices, LaTeX ``\\begin{bmatrix}1 & 2 \\\\ 3 & 4\\end{bmatrix}`` or plain
    ``[[1, 2], [3, 4]]`` (a ``matrix`` node of ``row`` nodes).
    """
    if len(text) > MAX_INPUT_LENGTH:
        raise MathSyntaxError(f"longer than {MAX_INPUT_LENGTH} characters")
    try:
        return _parse_math(text)
    except RecursionError as error:
        raise MathSyntaxError("nested too deeply") from error


def _parse_math(text: str) -> Node:
    plain = strip_math_delimiters(text)
    if "$$" in plain:  # several math pieces joined by text: "$$n^2$$ + $$2n$$ $$=$$ $$0$$"
        plain = plain.replace("$$", " ")
    plain = plain.strip()
    matrix = _MATRIX.match(plain)
    if matrix:
        rows = [row for row in re.split(r"\\\\", matrix.group(2)) if row.strip()]
        return _parse_matrix([row.split("&") for row in rows])
    plain_matrix = _PLAIN_MATRIX.match(plain)
    if plain_matrix:
        rows = re.split(r"\]\s*,\s*\[", plain_matrix.group(1))
        return _parse_matrix([row.split(",") for row in rows])
    return _parse_expression(plain)


# --- evaluation -----------------------------------------------------------------------------


def _number(numeral: str) -> sympy.Expr:
    if "." in numeral:
        # keep decimals exact: 0.1 is 1/10, so 0.1 + 0.2 == 3/10 holds
        return sympy.Rational(Fraction(numeral))
    return sympy.Integer(int(numeral))


@lru_cache(maxsize=65536)
def to_sympy(node: Node) -> sympy.Basic:
    """The evaluated sympy value of a tree (a relation becomes ``Eq``/``Rel``)."""
    kind = node.kind
    if kind == "num":
        return _number(node.value)
    if kind == "sym":
        if node.value == "pi":
            return sympy.pi
        if node.value == "infinity":
            return sympy.oo
        return sympy.Symbol(node.value)
    if kind in {"pm", "list", "row"}:
        raise MathSyntaxError(f"a {kind!r} node has no single value; expand it first")
    children = [to_sympy(child) for child in node.children]
    if kind == "add":
        return sympy.Add(*children)
    if kind == "neg":
        return -children[0]
    if kind == "mul":
        return sympy.Mul(*children)
    if kind == "div":
        return children[0] / children[1]
    if kind == "pow":
        base, exponent = children
        if exponent.is_number:
            limit = MAX_EXPONENT if base.is_number else MAX_SYMBOLIC_EXPONENT
            if abs(complex(exponent)) > limit:
                raise MathSyntaxError("a power too large to work with")
        return sympy.Pow(base, exponent)
    if kind == "root":
        radicand, index = children
        if index == 2:
            return sympy.sqrt(radicand)
        # the real root, so that \sqrt[3]{-8} is -2 as in school mathematics
        return sympy.real_root(radicand, index) if radicand.is_number else radicand ** (1 / index)
    if kind == "abs":
        return sympy.Abs(children[0])
    if kind == "pct":
        return children[0] / 100
    if kind == "matrix":
        return sympy.ImmutableMatrix([[to_sympy(cell) for cell in row.children]
                                      for row in node.children])
    if kind == "rel":
        left, right = children
        if node.value == "=":
            return sympy.Eq(left, right, evaluate=False)
        return sympy.Rel(left, right, node.value, evaluate=False)
    raise MathSyntaxError(f"cannot evaluate a {kind!r} node")


def parse_latex_fallback(text: str) -> sympy.Basic:
    """sympy's ANTLR LaTeX parser, for LaTeX this module's parser does not know."""
    return _parse_latex_cached(strip_math_delimiters(text))


@lru_cache(maxsize=4096)
def _parse_latex_cached(latex: str) -> sympy.Basic:
    from sympy.parsing.latex import LaTeXParsingError, parse_latex

    try:
        return parse_latex(latex)
    except (LaTeXParsingError, TypeError, ValueError) as error:
        raise MathSyntaxError(str(error)) from error
