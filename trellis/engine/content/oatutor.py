"""Import the OATutor content format into :class:`~trellis.engine.content.model.Item`\\ s.

An OATutor content pool is a ``problems.jsonl.gz`` (one problem per line: ``id``, ``title``,
``body``, ``lesson``/``lessonId``, ``oer``, ``license``, ``steps``) and a ``course_plan.json``
(ordered lessons with ``learningObjectives``). Each step has ``stepTitle``/``stepBody``, a
``problemType`` (``TextBox`` or ``MultipleChoice``), an ``answerType`` (``arithmetic``,
``string`` or ``mc``), ``stepAnswer`` (LaTeX such as ``$$4x+12$$``), ``choices``, ``skills``
and its tutoring pathway ``tutoring.DefaultPathway``: hints (``type: hint``) and scaffolds
(``type: scaffold`` with ``hintAnswer``), each with ``dependencies`` and possibly ``subHints``.

Mapping: ``arithmetic`` → ``math_expression``, ``string`` → ``text_entry``,
``MultipleChoice``/``mc`` → ``single_choice`` (choices numbered ``c1, c2, ...`` in the given
order, exact duplicates dropped). The ``oer`` and ``license`` of problems and hints are kept.
Text is kept as authored, except that the literal ``\\n`` the pool uses for a line break becomes
a newline (``\\neq`` is left alone).

**Missing figures.** The pool references GIF figures (``##figure1.gif##``) that were not
copied. The policy:

- a problem whose *question* (body, step title or body, or a choice) shows a figure cannot be
  answered without it and is **left out** by default; ``include_figure_dependent=True`` keeps it
  (figure markers removed, names listed in ``Item.missing_figures``) for tooling such as the
  answer-key check;
- a hint id repeated within a pathway (the pool has one) is kept, renamed ``id~position``;
- a hint or scaffold that shows a figure ("Refer to the image...") is **dropped** from the
  pathway; hints that depended on it inherit its dependencies, so the pathway stays whole.

:func:`load_oatutor` checks everything first and raises one
:class:`~trellis.engine.content.errors.ContentImportError` listing every problem (file, line,
problem id, field); it returns nothing unless the whole pool is valid.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trellis.engine.content.answers import infer_required_form
from trellis.engine.content.crosswalk import DEFAULT_CROSSWALK, load_crosswalk
from trellis.engine.content.errors import ContentImportError, ImportIssue
from trellis.engine.content.model import (
    Alignment,
    AnswerForm,
    Attribution,
    Choice,
    Hint,
    InteractionType,
    Item,
    Scaffold,
    Source,
    Step,
)

PROBLEMS_FILE = "problems.jsonl.gz"
COURSE_PLAN_FILE = "course_plan.json"

_FIGURE = re.compile(r"##\s*([\w.-]+\.(?:gif|png|jpe?g|svg))\s*(?:##)?", re.IGNORECASE)
# OATutor stores line breaks as a literal backslash-n; a LaTeX command (\neq, \nu) continues
# with a letter, a line break does not.
_LITERAL_NEWLINE = re.compile(r"\\n(?![A-Za-z])")


@dataclass
class OATutorReport:
    """What an import did: counts, and what the missing-figure policy left out or dropped."""

    problems_read: int = 0
    steps_read: int = 0
    problems_left_out: list[str] = field(default_factory=list)
    hints_dropped: list[str] = field(default_factory=list)
    hints_renamed: list[str] = field(default_factory=list)


_ONE_MATH = re.compile(r"^\s*\$\$([^$]+)\$\$\s*$")


def _single_math(text: str) -> str:
    """The LaTeX of a text that is exactly one ``$$...$$`` expression (not an equation)."""
    match = _ONE_MATH.match(text)
    if match is None or re.search(r"[=<>]|\\(le|ge|neq)", match.group(1)):
        return ""
    return match.group(1).strip()


def clean_text(text: str) -> tuple[str, tuple[str, ...]]:
    """The text with figure markers removed and line breaks restored; and the figure names."""
    figures = tuple(_FIGURE.findall(text))
    cleaned = _FIGURE.sub("", text)
    cleaned = _LITERAL_NEWLINE.sub("\n", cleaned)
    return cleaned.strip(), figures


def load_oatutor(
    path: str | Path,
    *,
    crosswalk: str | Path | Mapping[str, tuple[str, ...]] | None = DEFAULT_CROSSWALK,
    include_figure_dependent: bool = False,
    report: OATutorReport | None = None,
) -> list[Item]:
    """Every problem of an OATutor pool as an :class:`Item`, in file order.

    ``path`` is the pool's folder (holding ``problems.jsonl.gz`` and ``course_plan.json``) or
    the problems file itself. ``crosswalk`` aligns items by lesson (a CSV path, a ready
    ``{lesson_id: codes}`` mapping, or None for no alignment). Pass an :class:`OATutorReport` to
    learn what was left out. Raises :class:`ContentImportError` listing every problem found.
    """
    source = Path(path)
    problems_path = source / PROBLEMS_FILE if source.is_dir() else source
    plan_path = problems_path.parent / COURSE_PLAN_FILE
    report = report if report is not None else OATutorReport()
    issues: list[ImportIssue] = []
    file_name = problems_path.name

    lessons: dict[str, str] = {}
    if plan_path.exists():
        try:
            plan = json.loads(plan_path.read_text(encoding="utf-8"))
            lessons = {lesson["id"]: lesson.get("name", "") for lesson in plan["lessons"]}
        except (ValueError, KeyError, TypeError) as error:
            issues.append(ImportIssue(plan_path.name, "", "lessons", f"unreadable: {error}"))

    alignments: Mapping[str, tuple[str, ...]] = {}
    if isinstance(crosswalk, (str, Path)):
        alignments = load_crosswalk(crosswalk)
    elif crosswalk is not None:
        alignments = crosswalk

    items: list[Item] = []
    seen: set[str] = set()
    try:
        opener = gzip.open if problems_path.suffix == ".gz" else open
        with opener(problems_path, "rt", encoding="utf-8") as handle:  # type: ignore[operator]
            lines = list(handle)
    except OSError as error:
        raise ContentImportError([ImportIssue(file_name, "", "file", str(error))]) from error
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as error:
            issues.append(ImportIssue(file_name, "", "json", str(error), number))
            continue
        if not isinstance(record, dict):
            issues.append(ImportIssue(file_name, "", "json", "not an object", number))
            continue
        builder = _ProblemBuilder(record, file_name, number, report)
        item = builder.build(lessons, alignments, include_figure_dependent)
        issues.extend(builder.issues)
        if item is None:
            continue
        if item.identifier in seen:
            issues.append(ImportIssue(file_name, item.identifier, "id", "repeated", number))
        seen.add(item.identifier)
        items.append(item)
    if issues:
        raise ContentImportError(issues)
    return items


class _ProblemBuilder:
    """Turns one problem record into an Item, collecting issues instead of stopping."""

    def __init__(self, record: dict[str, Any], file_name: str, line: int,
                 report: OATutorReport) -> None:
        self.record = record
        self.file = file_name
        self.line = line
        self.report = report
        self.issues: list[ImportIssue] = []
        self.problem_id = str(record.get("id", "")) or f"line {line}"

    def issue(self, field_name: str, message: str) -> None:
        self.issues.append(ImportIssue(self.file, self.problem_id, field_name, message, self.line))

    def text(self, record: Mapping[str, Any], key: str, where: str,
             required: bool = False) -> tuple[str, tuple[str, ...]]:
        value = record.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.issue(f"{where}.{key}", "must be a string")
            return "", ()
        if required and not value.strip():
            self.issue(f"{where}.{key}", "missing")
        return clean_text(value)

    def build(self, lessons: Mapping[str, str], alignments: Mapping[str, tuple[str, ...]],
              include_figure_dependent: bool) -> Item | None:
        record = self.record
        if not record.get("id"):
            self.issue("id", "missing")
        title, title_figures = self.text(record, "title", "problem")
        body, body_figures = self.text(record, "body", "problem")
        figures = list(title_figures + body_figures)
        steps_data = record.get("steps")
        if not isinstance(steps_data, list) or not steps_data:
            self.issue("steps", "missing or empty")
            return None
        self.report.problems_read += 1
        lesson_id = str(record.get("lessonId", ""))
        if not lesson_id:
            self.issue("lessonId", "missing")
        elif lessons and lesson_id not in lessons:
            self.issue("lessonId", f"{lesson_id!r} is not a lesson of course_plan.json")
        context = f"{title} {body}"
        steps: list[Step] = []
        for index, step_data in enumerate(steps_data):
            where = f"steps[{index}]"
            if not isinstance(step_data, dict):
                self.issue(where, "not an object")
                continue
            self.report.steps_read += 1
            step = self.step(step_data, where, context, figures)
            if step is not None:
                steps.append(step)
        if self.issues:
            return None
        if figures and not include_figure_dependent:
            self.report.problems_left_out.append(self.problem_id)
            return None
        codes = alignments.get(lesson_id, ())
        try:
            return Item(
                identifier=self.problem_id,
                title=title,
                prompt=body,
                steps=tuple(steps),
                alignments=tuple(Alignment(code, source="oatutor_ccss_crosswalk")
                                 for code in codes),
                attribution=Attribution(str(record.get("oer", "")),
                                        str(record.get("license", ""))),
                source=Source(format="oatutor", path=self.file, lesson_id=lesson_id,
                              lesson=str(record.get("lesson", "")) or lessons.get(lesson_id, ""),
                              course=str(record.get("courseName", ""))),
                missing_figures=tuple(dict.fromkeys(figures)),
            )
        except ValueError as error:
            self.issue("problem", str(error))
            return None

    def question(self, data: Mapping[str, Any], where: str, identifier: str, title: str,
                 prompt: str, answers_key: str, form_context: str,
                 hints: tuple[Hint | Scaffold, ...]) -> Step | None:
        """The answerable part shared by steps and scaffolds."""
        problem_type = data.get("problemType")
        answer_type = data.get("answerType")
        answers = data.get(answers_key)
        if not isinstance(answers, list) or not answers or not all(
                isinstance(a, str) and a.strip() for a in answers):
            self.issue(f"{where}.{answers_key}", "missing or empty")
            return None
        choices: tuple[Choice, ...] = ()
        correct: tuple[str, ...]
        if problem_type == "MultipleChoice" or answer_type == "mc":
            interaction = InteractionType.SINGLE_CHOICE
            raw_choices = data.get("choices")
            if not isinstance(raw_choices, list) or not all(
                    isinstance(c, str) for c in raw_choices):
                self.issue(f"{where}.choices", "missing for a multiple-choice question")
                return None
            unique = list(dict.fromkeys(c for c in raw_choices if c.strip()))
            choices = tuple(Choice(f"c{n}", content) for n, content in enumerate(unique, 1))
            by_content = {choice.content.strip(): choice.identifier for choice in choices}
            keyed = [by_content.get(answer.strip()) for answer in answers]
            if None in keyed:
                self.issue(f"{where}.{answers_key}", f"{answers} is not one of the choices")
                return None
            correct = tuple(k for k in keyed if k is not None)
        elif problem_type == "TextBox" and answer_type == "arithmetic":
            interaction = InteractionType.MATH_EXPRESSION
            correct = tuple(answers)
        elif problem_type == "TextBox" and answer_type == "string":
            interaction = InteractionType.TEXT_ENTRY
            correct = tuple(answers)
        else:
            self.issue(f"{where}.answerType",
                       f"unsupported problemType/answerType {problem_type!r}/{answer_type!r}")
            return None
        required = (infer_required_form(form_context, title, prompt)
                    if interaction is not InteractionType.SINGLE_CHOICE else AnswerForm.ANY)
        given = ""
        if interaction is InteractionType.MATH_EXPRESSION:
            given = _single_math(title) or (_single_math(prompt) if not title.strip() else "")
        skills = data.get("skills") or ()
        try:
            return Step(
                identifier=identifier,
                interaction=interaction,
                correct_response=correct,
                title=title,
                prompt=prompt,
                choices=choices,
                required_form=required,
                hints=hints,
                skills=tuple(str(s) for s in skills),
                answer_latex=str(data.get("answerLatex", "")),
                given_expression=given,
            )
        except ValueError as error:
            self.issue(where, str(error))
            return None

    def step(self, data: dict[str, Any], where: str, context: str,
             figures: list[str]) -> Step | None:
        identifier = str(data.get("id", ""))
        if not identifier:
            self.issue(f"{where}.id", "missing")
            return None
        title, title_figures = self.text(data, "stepTitle", where)
        prompt, prompt_figures = self.text(data, "stepBody", where)
        figures.extend(title_figures + prompt_figures)
        for choice in data.get("choices") or ():
            if isinstance(choice, str):
                figures.extend(clean_text(choice)[1])
        tutoring = data.get("tutoring") or {}
        pathway = tutoring.get("DefaultPathway", []) if isinstance(tutoring, dict) else None
        if not isinstance(pathway, list):
            self.issue(f"{where}.tutoring.DefaultPathway", "must be a list")
            pathway = []
        hints = self.pathway(pathway, f"{where}.tutoring.DefaultPathway")
        return self.question(data, where, identifier, title, prompt, "stepAnswer", context,
                             hints)

    def pathway(self, entries: list[Any], where: str) -> tuple[Hint | Scaffold, ...]:
        built: list[Hint | Scaffold] = []
        kept: set[str] = set()
        # a dropped hint's dependants inherit its dependencies
        replaced: dict[str, tuple[str, ...]] = {}
        for index, entry in enumerate(entries):
            here = f"{where}[{index}]"
            if not isinstance(entry, dict):
                self.issue(here, "not an object")
                continue
            identifier = str(entry.get("id", ""))
            if not identifier:
                self.issue(f"{here}.id", "missing")
                continue
            if identifier in kept or identifier in replaced:
                # the pool repeats an id once (a171b3arationals15a-h3): keep both, renamed
                renamed = f"{identifier}~{index}"
                self.report.hints_renamed.append(f"{identifier} -> {renamed}")
                identifier = renamed
            raw_dependencies = entry.get("dependencies") or []
            dependencies: list[str] = []
            for dependency in raw_dependencies:
                for resolved in replaced.get(str(dependency), (str(dependency),)):
                    if resolved in kept and resolved not in dependencies:
                        dependencies.append(resolved)
            title, title_figures = self.text(entry, "title", here)
            text, text_figures = self.text(entry, "text", here)
            if title_figures or text_figures:
                self.report.hints_dropped.append(identifier)
                replaced[identifier] = tuple(dependencies)
                continue
            attribution = Attribution(str(entry.get("oer", "")), str(entry.get("license", "")))
            sub_entries = entry.get("subHints") or []
            sub_hints = self.pathway(sub_entries, f"{here}.subHints") if isinstance(
                sub_entries, list) else ()
            kind = entry.get("type")
            try:
                if kind == "scaffold":
                    step = self.question(entry, here, identifier, title, text, "hintAnswer",
                                         "", sub_hints)
                    if step is None:
                        continue
                    built.append(Scaffold(identifier, step, tuple(dependencies), attribution))
                elif kind == "hint":
                    built.append(Hint(identifier, title, text, tuple(dependencies), sub_hints,
                                      attribution))
                else:
                    self.issue(f"{here}.type", f"unknown tutoring type {kind!r}")
                    continue
            except ValueError as error:
                self.issue(here, str(error))
                continue
            kept.add(identifier)
        return tuple(built)
