"""The item bank's domain model: items, their steps, hints, scaffolds and alignments.

An **item** is one practice problem. It has a shared prompt (a story, a figure caption, an
instruction) and one or more **steps**; each step is a question with its own interaction and
correct response — OATutor's "Solve for x" then "Check your answer" is one item with two steps,
a QTI ``assessmentItem`` is one item with one step per response declaration.

Each step carries its **tutoring pathway**: plain **hints** (text) and **scaffolds** (a smaller
question with its own answer, e.g. "What is 4 times x?"), in the order a student unlocks them;
``depends_on`` names the hints that must be shown first. A scaffold's question is itself a
:class:`Step`, so the same answer checker grades steps and scaffolds.

Interactions (QTI 3.0 names in brackets):

- ``single_choice`` / ``multiple_response`` — choices, answered by choice identifier
  (``qti-choice-interaction``, ``max-choices`` 1 or more);
- ``text_entry`` — a short string, compared after normalising (``qti-text-entry-interaction``
  with ``base-type="string"``);
- ``numeric`` — a number (``base-type`` float or integer);
- ``math_expression`` — an expression or equation compared as mathematics (OATutor
  ``arithmetic``).

Every object validates itself when built and is immutable, so a malformed item can never reach
a page: the importers turn these ``ValueError``s into errors that name the file, item and field.
Text is kept as authored (HTML with ``$$...$$`` LaTeX); rendering it is the page's job.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum


class InteractionType(StrEnum):
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_RESPONSE = "multiple_response"
    TEXT_ENTRY = "text_entry"
    NUMERIC = "numeric"
    MATH_EXPRESSION = "math_expression"


CHOICE_INTERACTIONS = frozenset({InteractionType.SINGLE_CHOICE, InteractionType.MULTIPLE_RESPONSE})


class AnswerForm(StrEnum):
    """The form a math answer must be written in, beyond being equal to the key.

    See ``answers.py`` for how each is checked and ``infer_required_form`` for when it applies.
    """

    ANY = "any"
    FACTORED = "factored"
    EXPANDED = "expanded"
    SIMPLIFIED = "simplified"
    SCIENTIFIC = "scientific"


class ScoringMethod(StrEnum):
    """QTI's standard response-processing templates."""

    MATCH_CORRECT = "match_correct"
    MAP_RESPONSE = "map_response"


def _require_text(value: str, what: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} must be a non-empty string")


@dataclass(frozen=True, slots=True)
class Choice:
    identifier: str
    content: str

    def __post_init__(self) -> None:
        _require_text(self.identifier, "choice identifier")
        if not isinstance(self.content, str):
            raise ValueError(f"choice {self.identifier}: content must be a string")


@dataclass(frozen=True, slots=True)
class MapEntry:
    """One ``qti-map-entry``: a response value and the points it earns."""

    key: str
    value: float
    case_sensitive: bool = True


@dataclass(frozen=True, slots=True)
class Scoring:
    """How a response turns into points: all-or-nothing, or a mapping of values to points."""

    method: ScoringMethod = ScoringMethod.MATCH_CORRECT
    max_score: float = 1.0
    mapping: tuple[MapEntry, ...] = ()
    default_value: float = 0.0
    lower_bound: float | None = None
    upper_bound: float | None = None

    def __post_init__(self) -> None:
        if self.method is ScoringMethod.MAP_RESPONSE and not self.mapping:
            raise ValueError("map_response scoring needs a mapping (qti-mapping)")
        if self.max_score <= 0:
            raise ValueError("max_score must be positive")
        if (self.lower_bound is not None and self.upper_bound is not None
                and self.lower_bound > self.upper_bound):
            raise ValueError("mapping lower-bound is above upper-bound")


@dataclass(frozen=True, slots=True)
class Feedback:
    """Feedback shown after an answer: overall, and per choice identifier."""

    correct: str = ""
    incorrect: str = ""
    per_choice: tuple[tuple[str, str], ...] = ()

    def for_choice(self, identifier: str) -> str:
        return dict(self.per_choice).get(identifier, "")


@dataclass(frozen=True, slots=True)
class Attribution:
    """Where a piece of content comes from and under which licence.

    OATutor writes both as ``"URL <Name>"``; they are kept verbatim (``oer``, ``license``)
    and split for display by :attr:`source_name`, :attr:`license_name` and the ``*_url``s.
    """

    oer: str = ""
    license: str = ""

    @staticmethod
    def _split(value: str) -> tuple[str, str]:
        match = re.match(r"^\s*(\S+)\s*<(.+)>\s*$", value)
        if match:
            return match.group(1), match.group(2).strip()
        return ("", value.strip())

    @property
    def source_url(self) -> str:
        return self._split(self.oer)[0]

    @property
    def source_name(self) -> str:
        return self._split(self.oer)[1]

    @property
    def license_url(self) -> str:
        return self._split(self.license)[0]

    @property
    def license_name(self) -> str:
        return self._split(self.license)[1]


@dataclass(frozen=True, slots=True)
class Hint:
    """A hint: text only. ``sub_hints`` are finer hints under it (OATutor ``subHints``)."""

    identifier: str
    title: str
    text: str
    depends_on: tuple[str, ...] = ()
    sub_hints: tuple[Hint | Scaffold, ...] = ()
    attribution: Attribution = field(default_factory=Attribution)

    def __post_init__(self) -> None:
        _require_text(self.identifier, "hint identifier")
        if not (self.title.strip() or self.text.strip()):
            raise ValueError(f"hint {self.identifier}: needs a title or a text")


@dataclass(frozen=True, slots=True)
class Scaffold:
    """A sub-question that walks a student through part of a step; it has its own answer."""

    identifier: str
    step: Step
    depends_on: tuple[str, ...] = ()
    attribution: Attribution = field(default_factory=Attribution)

    def __post_init__(self) -> None:
        _require_text(self.identifier, "scaffold identifier")


@dataclass(frozen=True, slots=True)
class Step:
    """One question of an item: a prompt, an interaction and its correct response.

    ``correct_response`` holds choice identifiers for choice interactions and the accepted
    values otherwise (any one of them is correct). ``required_form`` says whether a math
    answer must also be factored, expanded, ... (the importer infers it from the wording).
    ``given_expression`` is the expression the step shows to work on ("Simplify: $$7x^2+5x^2$$"),
    if any: typing it back is not an answer, however equal it is to the key.
    """

    identifier: str
    interaction: InteractionType
    correct_response: tuple[str, ...]
    title: str = ""
    prompt: str = ""
    choices: tuple[Choice, ...] = ()
    scoring: Scoring = field(default_factory=Scoring)
    required_form: AnswerForm = AnswerForm.ANY
    hints: tuple[Hint | Scaffold, ...] = ()
    feedback: Feedback = field(default_factory=Feedback)
    skills: tuple[str, ...] = ()
    answer_latex: str = ""
    given_expression: str = ""

    def __post_init__(self) -> None:
        _require_text(self.identifier, "step identifier")
        where = f"step {self.identifier}"
        if not isinstance(self.interaction, InteractionType):
            raise ValueError(f"{where}: unknown interaction {self.interaction!r}")
        if self.interaction in CHOICE_INTERACTIONS:
            ids = [choice.identifier for choice in self.choices]
            if len(ids) < 2:
                raise ValueError(f"{where}: a choice interaction needs at least two choices")
            if len(set(ids)) != len(ids):
                raise ValueError(f"{where}: choice identifiers must be unique")
            unknown = [value for value in self.correct_response if value not in ids]
            if unknown:
                raise ValueError(f"{where}: correct response {unknown} is not a choice")
            if self.interaction is InteractionType.SINGLE_CHOICE and len(
                    self.correct_response) != 1:
                raise ValueError(f"{where}: a single choice needs exactly one correct choice")
        elif self.choices:
            raise ValueError(f"{where}: choices given for a {self.interaction} interaction")
        if not self.correct_response and self.scoring.method is ScoringMethod.MATCH_CORRECT:
            raise ValueError(f"{where}: no correct response")
        if any(not isinstance(v, str) or not v.strip() for v in self.correct_response):
            raise ValueError(f"{where}: a correct response value is empty")
        seen: set[str] = set()
        for hint in self.hints:
            if hint.identifier in seen:
                raise ValueError(f"{where}: hint identifier {hint.identifier} repeated")
            missing = [d for d in hint.depends_on if d not in seen]
            if missing:
                raise ValueError(
                    f"{where}: hint {hint.identifier} depends on {missing}, not an earlier hint")
            seen.add(hint.identifier)

    def choice(self, identifier: str) -> Choice | None:
        return next((c for c in self.choices if c.identifier == identifier), None)

    def scaffold_steps(self) -> Iterator[Step]:
        """Every scaffold question under this step, depth first (sub-hints included)."""
        pending = list(reversed(self.hints))
        while pending:
            entry = pending.pop()
            if isinstance(entry, Scaffold):
                yield entry.step
                pending.extend(reversed(entry.step.hints))
            else:
                pending.extend(reversed(entry.sub_hints))

    @property
    def keyed_response(self) -> str:
        """The first correct response as a student would give it (choice text for choices)."""
        value = self.correct_response[0] if self.correct_response else ""
        choice = self.choice(value)
        return choice.content if choice is not None else value


@dataclass(frozen=True, slots=True)
class Alignment:
    """The item practices this standard (a code of the competency map, e.g. ``7.EE.B.4.a``)."""

    code: str
    framework: str = "ccssm"
    source: str = ""

    def __post_init__(self) -> None:
        _require_text(self.code, "alignment code")


@dataclass(frozen=True, slots=True)
class Source:
    """Where an item was imported from: the format, the file, and the source's own grouping."""

    format: str
    path: str = ""
    lesson_id: str = ""
    lesson: str = ""
    course: str = ""


@dataclass(frozen=True, slots=True)
class Item:
    identifier: str
    title: str
    steps: tuple[Step, ...]
    prompt: str = ""
    alignments: tuple[Alignment, ...] = ()
    attribution: Attribution = field(default_factory=Attribution)
    source: Source = field(default_factory=lambda: Source(format="manual"))
    missing_figures: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _require_text(self.identifier, "item identifier")
        if not self.steps:
            raise ValueError(f"item {self.identifier}: has no steps")
        ids = [step.identifier for step in self.steps]
        if len(set(ids)) != len(ids):
            raise ValueError(f"item {self.identifier}: step identifiers must be unique")

    @property
    def standard_codes(self) -> tuple[str, ...]:
        return tuple(alignment.code for alignment in self.alignments)
