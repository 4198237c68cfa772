"""The project rubric and the observation scale: levels people choose → evidence scores.

A student can show mastery in more than one way. A project is scored on a simple
**four-level rubric** with a few criteria; a teacher's observation is one level on the same
scale. Both become evidence (``do_record_evidence(kind="project" | "observation",
score=...)``) with a score between 0 and 1: level 1 → 0, 2 → 1/3, 3 → 2/3, 4 → 1. The learner
model counts a score of at least 0.5 as a success, so *Proficient* (3) or better moves mastery
up and *Beginning* or *Developing* moves it down — the same line a teacher would draw.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Level:
    value: int
    name: str
    meaning: str


LEVELS: tuple[Level, ...] = (
    Level(1, "Beginning", "not yet: big pieces are missing or wrong"),
    Level(2, "Developing", "partly there: some of it, with mistakes"),
    Level(3, "Proficient", "shows the standard: correct, with small slips at most"),
    Level(4, "Advanced", "shows it and goes further: explains, connects, extends"),
)
LEVEL_NAMES = {level.value: level.name for level in LEVELS}


@dataclass(frozen=True)
class Criterion:
    key: str
    name: str
    question: str


CRITERIA: tuple[Criterion, ...] = (
    Criterion("understanding", "Understanding", "Does the work show the idea of the standard?"),
    Criterion("accuracy", "Accuracy", "Are the mathematics and the results correct?"),
    Criterion("reasoning", "Reasoning and explanation",
              "Does the student explain how and why, in words, pictures or symbols?"),
    Criterion("application", "Application", "Is the idea used in a real situation or new task?"),
)


class RubricError(ValueError):
    """A rubric scoring or observation level that cannot be used."""


def level_score(level: int) -> float:
    """A level 1–4 as an evidence score 0–1."""
    if isinstance(level, bool) or not isinstance(level, int) or level not in LEVEL_NAMES:
        raise RubricError(f"a level must be 1, 2, 3 or 4, got {level!r}")
    return (level - 1) / (len(LEVELS) - 1)


def rubric_score(levels: Mapping[str, int]) -> float:
    """The mean of every criterion's level, as an evidence score; every criterion needed."""
    missing = [c.name for c in CRITERIA if c.key not in levels]
    if missing:
        raise RubricError("choose a level for " + ", ".join(missing))
    unknown = sorted(set(levels) - {c.key for c in CRITERIA})
    if unknown:
        raise RubricError(f"unknown rubric criterion {unknown[0]!r}")
    scores = [level_score(levels[c.key]) for c in CRITERIA]
    return round(sum(scores) / len(scores), 4)
