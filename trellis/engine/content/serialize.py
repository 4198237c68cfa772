"""Items to and from plain JSON-ready dicts, for storage (a JSON column) and for the API.

``item_to_dict`` writes every field; enums become their string values and each tutoring entry
gets a ``kind`` (``hint`` or ``scaffold``). ``item_from_dict`` rebuilds the frozen objects —
which validate themselves again, so a stored item edited by hand into something invalid is
refused with a ``ValueError`` rather than graded wrongly. ``item_from_dict(item_to_dict(x)) == x``.
"""

from __future__ import annotations

from typing import Any

from trellis.engine.content.model import (
    Alignment,
    AnswerForm,
    Attribution,
    Choice,
    Feedback,
    Hint,
    InteractionType,
    Item,
    MapEntry,
    Scaffold,
    Scoring,
    ScoringMethod,
    Source,
    Step,
)


def _attribution(value: Attribution) -> dict[str, str]:
    return {"oer": value.oer, "license": value.license}


def _hint_to_dict(entry: Hint | Scaffold) -> dict[str, Any]:
    if isinstance(entry, Scaffold):
        return {"kind": "scaffold", "identifier": entry.identifier,
                "depends_on": list(entry.depends_on), "step": step_to_dict(entry.step),
                "attribution": _attribution(entry.attribution)}
    return {"kind": "hint", "identifier": entry.identifier, "title": entry.title,
            "text": entry.text, "depends_on": list(entry.depends_on),
            "sub_hints": [_hint_to_dict(sub) for sub in entry.sub_hints],
            "attribution": _attribution(entry.attribution)}


def step_to_dict(step: Step) -> dict[str, Any]:
    scoring = step.scoring
    return {
        "identifier": step.identifier,
        "interaction": step.interaction.value,
        "correct_response": list(step.correct_response),
        "title": step.title,
        "prompt": step.prompt,
        "choices": [{"identifier": c.identifier, "content": c.content} for c in step.choices],
        "scoring": {
            "method": scoring.method.value, "max_score": scoring.max_score,
            "mapping": [{"key": e.key, "value": e.value, "case_sensitive": e.case_sensitive}
                        for e in scoring.mapping],
            "default_value": scoring.default_value, "lower_bound": scoring.lower_bound,
            "upper_bound": scoring.upper_bound,
        },
        "required_form": step.required_form.value,
        "hints": [_hint_to_dict(entry) for entry in step.hints],
        "feedback": {"correct": step.feedback.correct, "incorrect": step.feedback.incorrect,
                     "per_choice": [list(pair) for pair in step.feedback.per_choice]},
        "skills": list(step.skills),
        "answer_latex": step.answer_latex,
        "given_expression": step.given_expression,
    }


def item_to_dict(item: Item) -> dict[str, Any]:
    return {
        "identifier": item.identifier,
        "title": item.title,
        "prompt": item.prompt,
        "steps": [step_to_dict(step) for step in item.steps],
        "alignments": [{"code": a.code, "framework": a.framework, "source": a.source}
                       for a in item.alignments],
        "attribution": _attribution(item.attribution),
        "source": {"format": item.source.format, "path": item.source.path,
                   "lesson_id": item.source.lesson_id, "lesson": item.source.lesson,
                   "course": item.source.course},
        "missing_figures": list(item.missing_figures),
    }


def _hint_from_dict(data: dict[str, Any]) -> Hint | Scaffold:
    attribution = Attribution(**data.get("attribution", {}))
    if data["kind"] == "scaffold":
        return Scaffold(data["identifier"], step_from_dict(data["step"]),
                        tuple(data["depends_on"]), attribution)
    if data["kind"] != "hint":
        raise ValueError(f"unknown tutoring kind {data['kind']!r}")
    return Hint(data["identifier"], data["title"], data["text"], tuple(data["depends_on"]),
                tuple(_hint_from_dict(sub) for sub in data["sub_hints"]), attribution)


def step_from_dict(data: dict[str, Any]) -> Step:
    scoring = data["scoring"]
    feedback = data["feedback"]
    return Step(
        identifier=data["identifier"],
        interaction=InteractionType(data["interaction"]),
        correct_response=tuple(data["correct_response"]),
        title=data["title"],
        prompt=data["prompt"],
        choices=tuple(Choice(c["identifier"], c["content"]) for c in data["choices"]),
        scoring=Scoring(
            method=ScoringMethod(scoring["method"]), max_score=scoring["max_score"],
            mapping=tuple(MapEntry(e["key"], e["value"], e["case_sensitive"])
                          for e in scoring["mapping"]),
            default_value=scoring["default_value"], lower_bound=scoring["lower_bound"],
            upper_bound=scoring["upper_bound"]),
        required_form=AnswerForm(data["required_form"]),
        hints=tuple(_hint_from_dict(entry) for entry in data["hints"]),
        feedback=Feedback(feedback["correct"], feedback["incorrect"],
                          tuple((pair[0], pair[1]) for pair in feedback["per_choice"])),
        skills=tuple(data["skills"]),
        answer_latex=data["answer_latex"],
        given_expression=data.get("given_expression", ""),
    )


def item_from_dict(data: dict[str, Any]) -> Item:
    return Item(
        identifier=data["identifier"],
        title=data["title"],
        prompt=data["prompt"],
        steps=tuple(step_from_dict(step) for step in data["steps"]),
        alignments=tuple(Alignment(a["code"], a["framework"], a["source"])
                         for a in data["alignments"]),
        attribution=Attribution(**data["attribution"]),
        source=Source(**data["source"]),
        missing_figures=tuple(data["missing_figures"]),
    )
