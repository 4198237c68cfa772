"""Shared set-up for the plan tests (not a test module): a small grade 6–7 map imported
through the real CASE importer, the district's plan settings, activities, and evidence.

The map (``precedes`` = prerequisite of)::

    6.EE.A.3 ─┬─> 7.EE.A.1 ──> 7.EE.A.2
    6.EE.A.4 ─┘        └──────┐
    6.EE.A.3 ──> 7.EE.B.3 ──> 7.EE.B.4        7.NS.A.1 (no prerequisites)

A grade-7 student with no evidence is assumed to know grade 6, so 7.EE.A.1, 7.EE.B.3 and
7.NS.A.1 are ready.
"""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser
from typing import Any

from django.utils import timezone

from tests.engine.frameworks.builders import PackageBuilder
from trellis.accounts.models import District, User
from trellis.content.models import Activity
from trellis.frameworks.models import Framework, Standard
from trellis.learning.actions import do_record_evidence
from trellis.plans.actions import do_update_plan_settings

EDGES = [
    ("6.EE.A.3", "7.EE.A.1"), ("6.EE.A.4", "7.EE.A.1"), ("7.EE.A.1", "7.EE.A.2"),
    ("6.EE.A.3", "7.EE.B.3"), ("7.EE.B.3", "7.EE.B.4"), ("7.EE.A.1", "7.EE.B.4"),
]


def plan_package() -> dict[str, Any]:
    b = PackageBuilder("Plan test map")
    for grade in ("6", "7"):
        level = [grade.zfill(2)]
        b.item(grade, "Grade Level", levels=level)
        b.item(f"{grade}.EE", "Domain", parent=grade, levels=level)
        b.item(f"{grade}.EE.A", "Cluster", parent=f"{grade}.EE", levels=level)
    b.item("7.EE.B", "Cluster", parent="7.EE", levels=["07"])
    b.item("7.NS", "Domain", parent="7", levels=["07"])
    b.item("7.NS.A", "Cluster", parent="7.NS", levels=["07"])
    for code in ("6.EE.A.3", "6.EE.A.4"):
        b.item(code, "Standard", parent="6.EE.A", levels=["06"])
    for code in ("7.EE.A.1", "7.EE.A.2"):
        b.item(code, "Standard", parent="7.EE.A", levels=["07"])
    for code in ("7.EE.B.3", "7.EE.B.4"):
        b.item(code, "Standard", parent="7.EE.B", levels=["07"])
    b.item("7.NS.A.1", "Standard", parent="7.NS.A", levels=["07"])
    for before, after in EDGES:
        b.precedes(before, after)
    return b.build()


def term_around_today() -> dict[str, str]:
    today = timezone.localdate()
    return {"start": (today - dt.timedelta(days=60)).isoformat(),
            "end": (today + dt.timedelta(days=420)).isoformat()}


def setup_district(district: District) -> Framework:
    """Import the map, make it the planning map, with a term around today."""
    from trellis.frameworks.actions import do_import_framework

    report = do_import_framework(district, plan_package())
    assert report.framework_id is not None, report.lines()
    framework = Framework.objects.get(id=report.framework_id)
    do_update_plan_settings(None, district, term_calendar=term_around_today(),
                            framework=framework)
    return framework


def standard(district: District, code: str) -> Standard:
    return Standard.objects.get(framework__district=district, code=code,
                                framework__title="Plan test map")


def activity(district: District, title: str, kind: str, code: str, **kw: Any) -> Activity:
    row = Activity.objects.create(district=district, title=title, kind=kind, **kw)
    row.standards.add(standard(district, code))
    return row


def master(student: User, code: str, *, days: int = 3, limit: int = 60) -> int:
    """Record correct practice on ``days`` separate days until the district's rule says
    mastered (the learner model decides how many answers that takes); returns the count."""
    from trellis.learning.models import MasteryState
    from trellis.learning.rules import mastery_rule_for

    district = student.district
    assert district is not None
    target = standard(district, code)
    rule = mastery_rule_for(district.id)
    now = timezone.now()
    for n in range(limit):
        day = min(n, days - 1)  # one answer on each earlier day, the rest today
        do_record_evidence(
            student, kind="practice", standards=[target], correct=True,
            idempotency_key=f"master-{code}-{n}",
            occurred_at=now - dt.timedelta(days=days - 1 - day, minutes=limit - n),
        )
        state = MasteryState.objects.get(student=student, standard=target)
        if rule.status(state.probability, state.evidence_days, state.evidence_count) == (
                "mastered"):
            return n + 1
    raise AssertionError(f"{code} not mastered after {limit} correct answers")


# The class page's heatmap shows each status as a letter in a cell whose class is the status's
# short class; the cell is named by its row header (the student) and its column header (the
# standard's code), with no per-cell tooltip.
HEATMAP_LETTERS = {"m": "M", "p": "P", "r": "R", "n": "N", "k": "K"}
HEATMAP_WORDS = {"M": "Mastered", "P": "In progress", "R": "Ready to learn", "N": "Not yet",
                 "K": "Taken as known"}


class _HeatmapParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # inside <table class="heatmap">
        self.columns: list[str] = []
        self.rows: list[tuple[str, list[tuple[str, str]]]] = []
        self._part = ""
        self._cell: tuple[str, str] | None = None  # (tag, class) being read
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        cls = dict(attrs).get("class") or ""
        if tag == "table" and "heatmap" in cls.split():
            self.depth = 1
        elif self.depth and tag in ("thead", "tbody"):
            self._part = tag
        elif self.depth and tag == "tr" and self._part == "tbody":
            self.rows.append(("", []))
        elif self.depth and tag in ("th", "td"):
            self._cell, self._text = (tag, cls), ""

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.depth = 0
            return
        if not self.depth or tag not in ("th", "td") or self._cell is None:
            return
        kind, cls = self._cell
        text = " ".join(self._text.split())
        self._cell = None
        if self._part == "thead" and "code-col" in cls.split():
            self.columns.append(text)
        elif self._part == "tbody" and kind == "th":
            self.rows[-1] = (text, self.rows[-1][1])
        elif self._part == "tbody" and kind == "td" and "num" not in cls.split():
            self.rows[-1][1].append((cls, text))


def heatmap(html: str) -> tuple[list[str], list[tuple[str, list[tuple[str, str]]]]]:
    """The class page's heatmap: its column codes, and per row the student's name and each
    cell's (class, letter)."""
    parser = _HeatmapParser()
    parser.feed(html)
    return parser.columns, parser.rows


def heatmap_status(html: str, student: str, code: str) -> str:
    """The status word of one student's cell on one standard ("Ready to learn", ...), read
    from its letter, as the legend explains it; the cell's colour class must agree."""
    columns, rows = heatmap(html)
    cells = dict(rows)[student]
    cls, letter = cells[columns.index(code)]
    assert HEATMAP_LETTERS[cls] == letter
    return HEATMAP_WORDS[letter]
