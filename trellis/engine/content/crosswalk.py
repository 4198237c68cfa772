"""The alignment crosswalk: which Common Core standards each OATutor lesson practices.

OATutor content names its own skills (``multiply_a_polynomial_by_a_monomial``) but no standard
codes, so Trellis ships a hand-made crosswalk, ``data/oatutor_ccss_crosswalk.csv``: one row per
lesson of the course plan, ``lesson_id,lesson,topic,ccss_codes,rationale``, codes
``;``-separated and taken from the Coherence Map's ``standards.csv`` ``code`` column. Lines
starting with ``#`` are the file's header comment (how it was made). Every problem names its
lesson, so every problem is aligned through it.

:func:`load_crosswalk` reads the file; given the codes of the competency map it refuses an
unknown code with a :class:`~trellis.engine.content.errors.ContentImportError` naming the line.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection
from pathlib import Path

from trellis.engine.content.errors import ContentImportError, ImportIssue

DEFAULT_CROSSWALK = Path(__file__).resolve().parent / "data" / "oatutor_ccss_crosswalk.csv"
_COLUMNS = ("lesson_id", "lesson", "topic", "ccss_codes", "rationale")


def load_crosswalk(
    path: str | Path = DEFAULT_CROSSWALK, known_codes: Collection[str] | None = None
) -> dict[str, tuple[str, ...]]:
    """``{lesson_id: (code, ...)}``; checks every code against ``known_codes`` when given."""
    source = Path(path)
    lines = source.read_text(encoding="utf-8").splitlines()
    issues: list[ImportIssue] = []
    result: dict[str, tuple[str, ...]] = {}
    body = [(number, line) for number, line in enumerate(lines, start=1)
            if line.strip() and not line.lstrip().startswith("#")]
    if not body:
        raise ContentImportError([ImportIssue(str(source), "", "header", "the file is empty")])
    header_number, header_line = body[0]
    header = next(csv.reader([header_line]))
    if tuple(header) != _COLUMNS:
        raise ContentImportError([ImportIssue(
            str(source), "", "header", f"expected columns {','.join(_COLUMNS)}", header_number)])
    for number, line in body[1:]:
        row = next(csv.reader(io.StringIO(line)))
        if len(row) != len(_COLUMNS):
            issues.append(ImportIssue(str(source), row[0] if row else "", "row",
                                      f"expected {len(_COLUMNS)} columns, found {len(row)}",
                                      number))
            continue
        lesson_id, _lesson, _topic, codes_text, _why = row
        codes = tuple(code.strip() for code in codes_text.split(";") if code.strip())
        if not lesson_id.strip():
            issues.append(ImportIssue(str(source), "", "lesson_id", "empty", number))
        if not codes:
            issues.append(ImportIssue(str(source), lesson_id, "ccss_codes", "no code", number))
        if lesson_id in result:
            issues.append(ImportIssue(str(source), lesson_id, "lesson_id", "repeated", number))
        if known_codes is not None:
            for code in codes:
                if code not in known_codes:
                    issues.append(ImportIssue(str(source), lesson_id, "ccss_codes",
                                              f"unknown standard code {code!r}", number))
        result[lesson_id] = codes
    if issues:
        raise ContentImportError(issues)
    return result


def load_standard_codes(standards_csv: str | Path) -> frozenset[str]:
    """The ``code`` column of the Coherence Map's ``standards.csv``."""
    with Path(standards_csv).open(encoding="utf-8", newline="") as handle:
        return frozenset(row["code"] for row in csv.DictReader(handle))
