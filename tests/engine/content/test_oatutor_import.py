"""The OATutor importer on the real pool, and on broken input."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from trellis.engine.content.errors import ContentImportError
from trellis.engine.content.model import Hint, InteractionType, Item, Scaffold
from trellis.engine.content.oatutor import OATutorReport, clean_text, load_oatutor


def _pathway_size(entries: tuple[Hint | Scaffold, ...]) -> int:
    return len(entries)


def test_all_problems_steps_and_hints_are_read(
        all_oatutor: tuple[list[Item], OATutorReport]) -> None:
    items, report = all_oatutor
    assert len(items) == report.problems_read == 2032
    steps = [step for item in items for step in item.steps]
    assert len(steps) == report.steps_read == 2520
    kinds = {interaction: sum(1 for s in steps if s.interaction is interaction)
             for interaction in InteractionType}
    assert kinds[InteractionType.MATH_EXPRESSION] == 1731
    assert kinds[InteractionType.SINGLE_CHOICE] == 716
    assert kinds[InteractionType.TEXT_ENTRY] == 73
    top_level = sum(len(step.hints) for step in steps)
    dropped_top_level = sum(1 for h in report.hints_dropped if "-s" not in h.rsplit("-h", 1)[-1])
    # 10,604 hints and scaffolds in the pool; those showing a missing figure are dropped
    assert top_level + dropped_top_level == 10604
    assert len(report.hints_dropped) == 114


def test_missing_figures_policy(presentable_oatutor: tuple[list[Item], OATutorReport],
                                all_oatutor: tuple[list[Item], OATutorReport]) -> None:
    items, report = presentable_oatutor
    assert len(report.problems_left_out) == 134
    assert len(items) == 2032 - 134
    assert all(not item.missing_figures for item in items)
    kept = {item.identifier: item for item in all_oatutor[0]}
    left_out = kept[report.problems_left_out[0]]
    assert left_out.missing_figures
    text = " ".join([left_out.prompt] + [s.title + s.prompt for s in left_out.steps])
    assert ".gif" not in text


def test_no_figure_marker_survives(presentable_oatutor: tuple[list[Item], OATutorReport]) -> None:
    for item in presentable_oatutor[0]:
        blob = json.dumps([item.prompt, item.title] + [
            [s.title, s.prompt, [h.text if isinstance(h, Hint) else h.step.prompt
                                 for h in s.hints]] for s in item.steps])
        assert ".gif" not in blob, item.identifier


def test_attribution_and_source_are_kept(all_oatutor: tuple[list[Item], OATutorReport]) -> None:
    item = next(i for i in all_oatutor[0] if i.identifier == "a012999exa1")
    assert item.attribution.license_name == "CC BY 4.0"
    assert item.attribution.source_url == "https://openstax.org/details/books/elementary-algebra-2e"
    assert item.source.lesson == "6.3 Multiply Polynomials"
    step = item.steps[0]
    assert step.required_form.value == "expanded"
    scaffold = next(h for h in step.hints if isinstance(h, Scaffold))
    assert scaffold.step.correct_response == ("$$4x$$",)
    assert scaffold.attribution.source_name == "OATutor"
    assert scaffold.depends_on == ("a012999exa1a-h1",)


def test_literal_newlines_and_figures_are_cleaned() -> None:
    text, figures = clean_text("Find the line\\n##figure1.gif## and $$a \\neq 0$$")
    assert figures == ("figure1.gif",)
    assert "\n" in text and "\\neq" in text and "##" not in text


def _write_pool(folder: Path, problems: list[object]) -> Path:
    with gzip.open(folder / "problems.jsonl.gz", "wt", encoding="utf-8") as handle:
        for problem in problems:
            handle.write(json.dumps(problem) + "\n")
    (folder / "course_plan.json").write_text(json.dumps(
        {"lessons": [{"id": "L1", "name": "Lesson 1"}]}), encoding="utf-8")
    return folder


def _problem(identifier: str, **changes: object) -> dict[str, object]:
    step = {"id": identifier + "a", "stepAnswer": ["$$2$$"], "problemType": "TextBox",
            "answerType": "arithmetic", "stepTitle": "$$1+1$$", "stepBody": "", "skills": [],
            "tutoring": {"DefaultPathway": []}}
    problem: dict[str, object] = {"id": identifier, "title": "Add", "body": "", "lessonId": "L1",
                                  "oer": "x <y>", "license": "z <w>", "steps": [step]}
    problem.update(changes)
    return problem


def test_bad_pool_names_file_line_item_and_field_and_imports_nothing(tmp_path: Path) -> None:
    good = _problem("p1")
    bad_answer = _problem("p2")
    bad_answer["steps"][0]["stepAnswer"] = []  # type: ignore[index]
    bad_type = _problem("p3")
    bad_type["steps"][0]["answerType"] = "essay"  # type: ignore[index]
    unknown_lesson = _problem("p4", lessonId="nope")
    folder = _write_pool(tmp_path, [good, bad_answer, bad_type, unknown_lesson])
    with pytest.raises(ContentImportError) as raised:
        load_oatutor(folder, crosswalk=None)
    issues = raised.value.issues
    assert [(i.file, i.line, i.item) for i in issues] == [
        ("problems.jsonl.gz", 2, "p2"), ("problems.jsonl.gz", 3, "p3"),
        ("problems.jsonl.gz", 4, "p4")]
    assert issues[0].field == "steps[0].stepAnswer"
    assert issues[1].field == "steps[0].answerType"
    assert issues[2].field == "lessonId"
    assert "problems.jsonl.gz:2: item p2: steps[0].stepAnswer" in str(raised.value)


def test_valid_small_pool_loads(tmp_path: Path) -> None:
    folder = _write_pool(tmp_path, [_problem("p1")])
    (item,) = load_oatutor(folder, crosswalk={"L1": ("6.EE.B.7",)})
    assert item.standard_codes == ("6.EE.B.7",)
    assert item.steps[0].interaction is InteractionType.MATH_EXPRESSION


def test_mc_answer_type_with_duplicate_choices(tmp_path: Path) -> None:
    problem = _problem("p1")
    problem["steps"][0].update({  # type: ignore[index]
        "problemType": "MultipleChoice", "answerType": "mc", "stepAnswer": ["$$y=x$$"],
        "choices": ["$$y=x$$", "$$y=2x$$", "$$y=x$$"]})
    (item,) = load_oatutor(_write_pool(tmp_path, [problem]), crosswalk=None)
    step = item.steps[0]
    assert step.interaction is InteractionType.SINGLE_CHOICE
    assert [c.content for c in step.choices] == ["$$y=x$$", "$$y=2x$$"]
    assert step.correct_response == ("c1",)


def test_hint_showing_a_figure_is_dropped_and_dependants_rewired(tmp_path: Path) -> None:
    problem = _problem("p1")
    problem["steps"][0]["tutoring"] = {"DefaultPathway": [  # type: ignore[index]
        {"id": "h1", "type": "hint", "title": "Start", "text": "Think", "dependencies": []},
        {"id": "h2", "type": "hint", "title": "Look", "text": "See\\n##figure1.gif##",
         "dependencies": ["h1"]},
        {"id": "h3", "type": "scaffold", "title": "Then", "text": "What is 1+1?",
         "problemType": "TextBox", "answerType": "arithmetic", "hintAnswer": ["$$2$$"],
         "dependencies": ["h2"]},
    ]}
    report = OATutorReport()
    (item,) = load_oatutor(_write_pool(tmp_path, [problem]), crosswalk=None, report=report)
    hints = item.steps[0].hints
    assert [h.identifier for h in hints] == ["h1", "h3"]
    assert hints[1].depends_on == ("h1",)
    assert report.hints_dropped == ["h2"]
    assert not item.missing_figures
