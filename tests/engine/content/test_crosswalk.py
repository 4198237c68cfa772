"""The OATutor → Common Core crosswalk: complete, and only real codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trellis.engine.content.crosswalk import (
    DEFAULT_CROSSWALK,
    load_crosswalk,
    load_standard_codes,
)
from trellis.engine.content.errors import ContentImportError
from trellis.engine.content.model import Item
from trellis.engine.content.oatutor import OATutorReport


def test_every_lesson_is_aligned_to_existing_codes(oatutor_dir: Path,
                                                    standards_csv: Path) -> None:
    codes = load_standard_codes(standards_csv)
    crosswalk = load_crosswalk(DEFAULT_CROSSWALK, known_codes=codes)
    lessons = json.loads((oatutor_dir / "course_plan.json").read_text())["lessons"]
    assert len(lessons) == 71
    assert {lesson["id"] for lesson in lessons} == set(crosswalk)
    assert all(crosswalk.values())


def test_every_item_is_aligned_and_every_code_is_in_the_map(
        all_oatutor: tuple[list[Item], OATutorReport], standards_csv: Path) -> None:
    codes = load_standard_codes(standards_csv)
    items = all_oatutor[0]
    assert len(items) == 2032
    unaligned = [item.identifier for item in items if not item.alignments]
    assert unaligned == []
    unknown = {code for item in items for code in item.standard_codes if code not in codes}
    assert unknown == set()


def test_unknown_code_is_refused_naming_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "crosswalk.csv"
    bad.write_text("# comment\nlesson_id,lesson,topic,ccss_codes,rationale\n"
                   "L1,Lesson 1,Topic,6.EE.B.7,ok\n"
                   "L2,Lesson 2,Topic,6.EE.B.7;9.XX.Z.1,typo\n", encoding="utf-8")
    with pytest.raises(ContentImportError) as raised:
        load_crosswalk(bad, known_codes={"6.EE.B.7"})
    (issue,) = raised.value.issues
    assert (issue.line, issue.item, issue.field) == (4, "L2", "ccss_codes")
    assert "9.XX.Z.1" in issue.message
    assert "crosswalk.csv:4" in str(raised.value)
