"""Shared set-up for the item bank, practice and playlist tests (not a test module).

Standards are created directly with the ORM (only codes, grades and statements matter here),
spelled the official way (``7.EE.B.4a``, ``HSA-SSE.A.2``) as a CASE import stores them — the
OATutor crosswalk uses the Coherence Map spelling, so every import test also checks that the
two spellings are matched.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from trellis.accounts.models import District
from trellis.content.actions import do_import_items
from trellis.content.models import Item
from trellis.engine.content import (
    Alignment,
    Attribution,
    Choice,
    Hint,
    InteractionType,
    Scaffold,
    Source,
    Step,
)
from trellis.engine.content import Item as EngineItem
from trellis.frameworks.models import Framework, Standard

SHARED_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
OATUTOR = SHARED_DATA / "content" / "oatutor-elementary-algebra"
STANDARDS_CSV = SHARED_DATA / "standards" / "ccssm-coherence" / "standards.csv"

OATUTOR_ATTRIBUTION = Attribution(
    oer="https://openstax.org/details/books/elementary-algebra-2e <OpenStax: Elementary Algebra>",
    license="https://creativecommons.org/licenses/by/4.0/ <CC BY 4.0>",
)


def need_shared_data() -> None:
    if not (OATUTOR.exists() and STANDARDS_CSV.exists()):
        pytest.skip("shared data (../shared/data) is not available")


def make_framework(district: District, codes: list[tuple[str, str, list[str]]],
                   identifier: str = "ccssm") -> Framework:
    """A framework with standards ``(code, statement, education_levels)``."""
    framework = Framework.objects.create(district=district, identifier=identifier,
                                         title="Common Core Mathematics")
    Standard.objects.bulk_create([
        Standard(framework=framework, identifier=f"{identifier}-{position}", code=code,
                 statement=statement, education_levels=levels, grade=levels[0] if levels else "",
                 item_type="Standard", position=position)
        for position, (code, statement, levels) in enumerate(codes)
    ])
    return framework


def make_ccssm(district: District) -> Framework:
    """Every Common Core standard of the Coherence Map, official spelling."""
    need_shared_data()
    with STANDARDS_CSV.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    codes = []
    for row in rows:
        grade = row["grade"]
        levels = ["09", "10", "11", "12"] if grade.upper().startswith("HS") else [
            grade.zfill(2) if grade.isdigit() else grade]
        codes.append((row["ccss_code"], row["description"], levels))
    return make_framework(district, codes)


def equation_item(identifier: str = "demo-eq-1", code: str = "7.EE.B.4a",
                  answer: str = "x=4") -> EngineItem:
    """Solve x + 3 = 7: one math step with a hint and a scaffold."""
    step = Step(
        identifier=f"{identifier}a", interaction=InteractionType.MATH_EXPRESSION,
        correct_response=(f"$${answer}$$",), title="Solve $$x+3=7$$",
        hints=(
            Hint(identifier=f"{identifier}-h1", title="Undo the adding",
                 text="Subtract 3 from both sides of the equation."),
            Scaffold(identifier=f"{identifier}-h2", depends_on=(f"{identifier}-h1",),
                     step=Step(identifier=f"{identifier}-h2",
                               interaction=InteractionType.MATH_EXPRESSION,
                               correct_response=("$$4$$",), prompt="What is $$7-3$$?")),
        ),
        answer_latex=f"$${answer}$$",
    )
    return EngineItem(identifier=identifier, title="Solve One-Step Equations", steps=(step,),
                      alignments=(Alignment(code=code),), attribution=OATUTOR_ATTRIBUTION,
                      source=Source(format="oatutor", lesson="2.1 Solve Equations"))


def two_step_item(identifier: str = "demo-two-1", code: str = "7.EE.B.4a") -> EngineItem:
    """A multiple-choice step then a math step."""
    first = Step(identifier=f"{identifier}a", interaction=InteractionType.SINGLE_CHOICE,
                 correct_response=("c2",), title="Which operation undoes $$\\times 2$$?",
                 choices=(Choice("c1", "Adding 2"), Choice("c2", "Dividing by 2")))
    second = Step(identifier=f"{identifier}b", interaction=InteractionType.MATH_EXPRESSION,
                  correct_response=("$$x=5$$",), title="Solve $$2x=10$$")
    return EngineItem(identifier=identifier, title="Two steps", steps=(first, second),
                      alignments=(Alignment(code=code),), attribution=OATUTOR_ATTRIBUTION,
                      source=Source(format="oatutor"))


def seventh_grade(district: District) -> Framework:
    return make_framework(district, [
        ("7.EE.B.4", "Use variables to represent quantities and construct simple equations.",
         ["07"]),
        ("7.EE.B.4a", "Solve word problems leading to equations of the form px + q = r.",
         ["07"]),
        ("8.EE.C.7", "Solve linear equations in one variable.", ["08"]),
    ])


def store(district: District, *items: EngineItem) -> list[Item]:
    report = do_import_items(district, list(items), source="test")
    assert report.ok, report.issues
    return list(Item.objects.filter(district=district,
                                    identifier__in=[i.identifier for i in items]))
