"""Fixtures for planning tests: small hand-made maps, a term calendar, the real Common Core map."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from trellis.engine.competencies import CompetencyGraph, Standard
from trellis.engine.planning import TermCalendar

SHARED_DATA = Path(__file__).resolve().parents[3] / ".." / "shared" / "data"
CCSSM = SHARED_DATA / "standards" / "ccssm-coherence"


@pytest.fixture
def term() -> TermCalendar:
    """Autumn term 2026 with Thanksgiving (Wed–Fri 25–27 Nov) off."""
    return TermCalendar.from_dict(
        {
            "start": "2026-08-24",
            "end": "2026-12-18",
            "holidays": ["2026-09-07", ["2026-11-25", "2026-11-27"]],
        }
    )


@pytest.fixture
def chain() -> CompetencyGraph:
    """a -> b -> c -> d, and x -> c (c needs b and x)."""
    return CompetencyGraph(
        [
            Standard("a", grade="6", domain="EE"),
            Standard("b", grade="6", domain="EE"),
            Standard("x", grade="6", domain="NS"),
            Standard("c", grade="7", domain="EE"),
            Standard("d", grade="7", domain="EE"),
        ],
        [("a", "b"), ("b", "c"), ("x", "c"), ("c", "d")],
    )


@pytest.fixture(scope="session")
def ccssm() -> CompetencyGraph:
    standards_csv = CCSSM / "standards.csv"
    edges_csv = CCSSM / "prerequisite_edges.csv"
    if not standards_csv.exists() or not edges_csv.exists():
        pytest.skip("the Common Core coherence map is not in ../shared/data")
    with standards_csv.open(newline="", encoding="utf-8") as f:
        standards = [
            Standard(
                code=row["code"],
                label=row["description"],
                grade=row["grade"],
                domain=row["domain_code"],
                attributes={"parent_code": row["parent_code"]},
            )
            for row in csv.DictReader(f)
        ]
    with edges_csv.open(newline="", encoding="utf-8") as f:
        edges = [(r["prerequisite_code"], r["dependent_code"]) for r in csv.DictReader(f)]
    return CompetencyGraph(standards, edges)


MONDAY = date(2026, 11, 23)
