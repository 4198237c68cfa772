"""Shared fixtures: the real OATutor pool and Coherence Map (skipped when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from trellis.engine.content.model import Item
from trellis.engine.content.oatutor import OATutorReport, load_oatutor

DATA = Path(__file__).resolve().parents[3] / ".." / "shared" / "data"
OATUTOR = DATA / "content" / "oatutor-elementary-algebra"
STANDARDS = DATA / "standards" / "ccssm-coherence" / "standards.csv"


@pytest.fixture(scope="session")
def oatutor_dir() -> Path:
    if not (OATUTOR / "problems.jsonl.gz").exists():
        pytest.skip("OATutor data not available")
    return OATUTOR


@pytest.fixture(scope="session")
def standards_csv() -> Path:
    if not STANDARDS.exists():
        pytest.skip("Coherence Map data not available")
    return STANDARDS


@pytest.fixture(scope="session")
def all_oatutor(oatutor_dir: Path) -> tuple[list[Item], OATutorReport]:
    """Every problem, figure-dependent ones included (for answer-key checks)."""
    report = OATutorReport()
    items = load_oatutor(oatutor_dir, include_figure_dependent=True, report=report)
    return items, report


@pytest.fixture(scope="session")
def presentable_oatutor(oatutor_dir: Path) -> tuple[list[Item], OATutorReport]:
    """What the item bank imports by default: problems needing a missing figure left out."""
    report = OATutorReport()
    items = load_oatutor(oatutor_dir, report=report)
    return items, report
