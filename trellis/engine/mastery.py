"""The one definition of *mastered* that every page, report and export uses.

Mastery-based progression means a learner moves on when they have **shown** a standard, not
when the calendar says so. "Shown" needs a single, visible rule: if the student page, the
teacher heatmap, the guardian report and the CSV export each had their own idea of mastery,
the same child would be "done" in one place and "still working" in another. So there is one
:class:`MasteryRule`, configured per district, and everything asks it.

The rule has three parts, all district-configurable:

- a **probability threshold**: the learner model must be at least this sure (default 0.95);
- a **minimum number of distinct days** with evidence (default 2): one good afternoon is not
  mastery — the knowledge has to still be there on another day;
- a **minimum number of pieces of evidence** (default 2): practice answers, quiz answers,
  project scores and teacher observations all count.

A standard is then in exactly one of three states (:data:`MasteryStatus`):

- ``"not_started"``: no evidence yet;
- ``"in_progress"``: some evidence, rule not (yet) met;
- ``"mastered"``: every part of the rule is met.

Given a :class:`~trellis.engine.competencies.CompetencyGraph`, the rule also sorts standards
into **mastered**, **ready to learn** (the frontier: not mastered, every prerequisite mastered)
and **not yet** (something before it is still to be learned) — see :meth:`MasteryRule.classify`.

Districts store the rule as JSON (:meth:`MasteryRule.to_json` / :meth:`MasteryRule.from_json`);
a bad value is refused with a :class:`MasteryRuleError` that names the field.
"""

from __future__ import annotations

import json
import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from trellis.engine.competencies import CompetencyGraph

MasteryStatus = Literal["mastered", "in_progress", "not_started"]
MapCategory = Literal["mastered", "ready", "not_yet"]

MASTERED: MasteryStatus = "mastered"
IN_PROGRESS: MasteryStatus = "in_progress"
NOT_STARTED: MasteryStatus = "not_started"

# How one answer reads as evidence of mastery (the BKT / BLIM response model): a student who has
# mastered what an item asks still *slips* (answers wrong) this often, and one who has not still
# *guesses* right this often. Defined once here: the BKT priors, the BestLR+ reading of mastery,
# the diagnostic's uncalibrated items and the diagnostic's calibration all start from them.
DEFAULT_SLIP = 0.1
DEFAULT_GUESS = 0.2


class MasteryRuleError(ValueError):
    """A mastery rule (or its JSON) that cannot be used; ``field`` names the culprit."""

    def __init__(self, field_name: str, message: str) -> None:
        self.field = field_name
        super().__init__(f"mastery rule field {field_name!r}: {message}")


def _check_probability(probability: float) -> float:
    if isinstance(probability, bool) or not isinstance(probability, int | float):
        raise ValueError(f"probability must be a number, got {probability!r}")
    value = float(probability)
    if math.isnan(value) or not 0.0 <= value <= 1.0:
        raise ValueError(f"probability must be between 0 and 1, got {probability!r}")
    return value


def _count_days(evidence_days: int | Iterable[date]) -> int:
    """Distinct days: an int is taken as the count, dates are de-duplicated."""
    if isinstance(evidence_days, bool):
        raise ValueError("evidence_days must be a count or a collection of dates")
    if isinstance(evidence_days, int):
        if evidence_days < 0:
            raise ValueError(f"evidence_days cannot be negative, got {evidence_days}")
        return evidence_days
    return len(set(evidence_days))


@dataclass(frozen=True)
class EvidenceSummary:
    """What the learner model knows about one learner and one standard.

    ``probability`` is the model's current estimate that the learner knows the standard.
    ``evidence_days`` counts the distinct calendar days with evidence, ``evidence_count`` the
    pieces of evidence. The dates are optional; planning uses them for the learner's own pace
    (``first_evidence_on`` → ``mastered_on``) and to notice a learner who is stuck.
    """

    probability: float = 0.0
    evidence_days: int = 0
    evidence_count: int = 0
    first_evidence_on: date | None = None
    last_evidence_on: date | None = None
    mastered_on: date | None = None

    def __post_init__(self) -> None:
        _check_probability(self.probability)
        for name in ("evidence_days", "evidence_count"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
        if self.evidence_days > self.evidence_count:
            raise ValueError(
                f"evidence on {self.evidence_days} days needs at least as many pieces of "
                f"evidence, got {self.evidence_count}"
            )
        if (
            self.first_evidence_on is not None
            and self.mastered_on is not None
            and self.mastered_on < self.first_evidence_on
        ):
            raise ValueError("mastered_on cannot be before first_evidence_on")


@dataclass(frozen=True)
class MasteryClassification:
    """Every standard of a graph sorted by one learner's mastery state.

    ``mastered``, ``ready`` (the frontier) and ``not_yet`` partition the graph, each in the
    graph's topological order; ``status`` gives every standard its :data:`MasteryStatus`.
    """

    mastered: tuple[str, ...]
    ready: tuple[str, ...]
    not_yet: tuple[str, ...]
    status: Mapping[str, MasteryStatus] = field(default_factory=dict)

    def category(self, code: str) -> MapCategory:
        if code in self._mastered_set:
            return "mastered"
        if code in self._ready_set:
            return "ready"
        if code in self.status:
            return "not_yet"
        raise KeyError(code)

    @property
    def _mastered_set(self) -> frozenset[str]:
        return frozenset(self.mastered)

    @property
    def _ready_set(self) -> frozenset[str]:
        return frozenset(self.ready)

    @property
    def in_progress(self) -> tuple[str, ...]:
        """Standards with some evidence but not mastered (ready or not), in graph order."""
        return tuple(c for c, s in self.status.items() if s == IN_PROGRESS)


_FIELDS = ("threshold", "min_distinct_days", "min_evidence_count")


@dataclass(frozen=True)
class MasteryRule:
    """When a standard counts as mastered. Validates itself; see the module docstring.

    >>> rule = MasteryRule()
    >>> rule.status(0.97, evidence_days=1, evidence_count=5)
    'in_progress'
    >>> rule.status(0.97, evidence_days=2, evidence_count=5)
    'mastered'
    """

    threshold: float = 0.95
    min_distinct_days: int = 2
    min_evidence_count: int = 2

    def __post_init__(self) -> None:
        threshold = self.threshold
        if isinstance(threshold, bool) or not isinstance(threshold, int | float):
            raise MasteryRuleError("threshold", f"must be a number, got {threshold!r}")
        if math.isnan(threshold) or not 0.5 <= threshold <= 1.0:
            # Below 0.5 the model thinks the learner more likely does *not* know it.
            raise MasteryRuleError("threshold", f"must be between 0.5 and 1, got {threshold!r}")
        object.__setattr__(self, "threshold", float(threshold))
        for name in ("min_distinct_days", "min_evidence_count"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise MasteryRuleError(name, f"must be a whole number, got {value!r}")
            if not 1 <= value <= 100:
                raise MasteryRuleError(name, f"must be between 1 and 100, got {value}")
        if self.min_evidence_count < self.min_distinct_days:
            raise MasteryRuleError(
                "min_evidence_count",
                f"evidence on {self.min_distinct_days} separate days needs at least "
                f"{self.min_distinct_days} pieces of evidence, got {self.min_evidence_count}",
            )

    # -- the rule ----------------------------------------------------------------------------

    def status(
        self,
        probability: float,
        evidence_days: int | Iterable[date],
        evidence_count: int,
    ) -> MasteryStatus:
        """``"mastered"``, ``"in_progress"`` or ``"not_started"`` for one standard.

        ``evidence_days`` is the number of distinct days with evidence, or the dates
        themselves (duplicates are counted once).
        """
        probability = _check_probability(probability)
        days = _count_days(evidence_days)
        if isinstance(evidence_count, bool) or not isinstance(evidence_count, int):
            raise ValueError(f"evidence_count must be a whole number, got {evidence_count!r}")
        if evidence_count < 0:
            raise ValueError(f"evidence_count cannot be negative, got {evidence_count}")
        if days > evidence_count:
            raise ValueError(
                f"evidence on {days} days needs at least {days} pieces, got {evidence_count}"
            )
        if evidence_count == 0 and days == 0:
            return NOT_STARTED
        if (
            probability >= self.threshold
            and days >= self.min_distinct_days
            and evidence_count >= self.min_evidence_count
        ):
            return MASTERED
        return IN_PROGRESS

    def status_of(self, evidence: EvidenceSummary | None) -> MasteryStatus:
        """:meth:`status` for an :class:`EvidenceSummary` (``None`` means no evidence)."""
        if evidence is None:
            return NOT_STARTED
        return self.status(evidence.probability, evidence.evidence_days, evidence.evidence_count)

    def is_mastered(self, evidence: EvidenceSummary | None) -> bool:
        return self.status_of(evidence) == MASTERED

    # -- words for people --------------------------------------------------------------------

    def describe(self, learner: str | None = None) -> str:
        """The rule in plain language, the same sentence on every page and report.

        Spoken to the student by default; ``learner`` names them for anyone else who reads it
        (a guardian, a teacher): ``describe("Henry")`` says "that Henry knows the standard".
        """
        days = self.min_distinct_days
        count = self.min_evidence_count
        day_words = "one day" if days == 1 else f"at least {days} separate days"
        piece_words = "1 piece" if count == 1 else f"{count} pieces"
        who, their = ("you know", "your") if learner is None else (f"{learner} knows", "their")
        return (
            f"Mastered means the evidence shows at least a {_percent(self.threshold)} chance "
            f"that {who} the standard, from {day_words} and at least {piece_words} of "
            f"evidence (practice, quizzes, projects scored by {their} teacher, or teacher "
            "observations)."
        )

    def explain(self, evidence: EvidenceSummary | None) -> str:
        """Why a standard is, or is not yet, mastered — what is still missing."""
        status = self.status_of(evidence)
        if evidence is None or status == NOT_STARTED:
            return "Not started: no evidence yet."
        if status == MASTERED:
            return (
                f"Mastered: {_percent(evidence.probability)} sure, with evidence from "
                f"{evidence.evidence_days} days."
            )
        missing: list[str] = []
        if evidence.probability < self.threshold:
            missing.append(
                f"the evidence shows {_percent(evidence.probability)}, "
                f"{_percent(self.threshold)} is needed"
            )
        if evidence.evidence_days < self.min_distinct_days:
            more = self.min_distinct_days - evidence.evidence_days
            missing.append(f"evidence on {more} more {'day' if more == 1 else 'days'}")
        if evidence.evidence_count < self.min_evidence_count:
            more = self.min_evidence_count - evidence.evidence_count
            missing.append(f"{more} more {'piece' if more == 1 else 'pieces'} of evidence")
        return "In progress: " + "; ".join(missing) + "."

    # -- the map -----------------------------------------------------------------------------

    def mastered_codes(self, state: Mapping[str, EvidenceSummary]) -> set[str]:
        """The standards of ``state`` that meet the rule."""
        return {code for code, evidence in state.items() if self.is_mastered(evidence)}

    def classify(
        self,
        graph: CompetencyGraph,
        state: Mapping[str, EvidenceSummary],
        assumed_mastered: Collection[str] = (),
    ) -> MasteryClassification:
        """Sort the graph into mastered / ready to learn / not yet for this learner.

        ``state`` may mention standards outside the graph (another framework); they are
        ignored. ``assumed_mastered`` (from a diagnostic placement or the grade level) counts
        as mastered for the map unless the learner has evidence on that standard that does not
        meet the rule: evidence beats assumptions.
        """
        status = {code: self.status_of(state.get(code)) for code in graph.topological_order()}
        known = {code for code, s in status.items() if s == MASTERED}
        # Evidence beats assumptions: only standards without evidence can be assumed known.
        known |= {c for c in assumed_mastered if c in graph and status[c] == NOT_STARTED}
        ready = graph.frontier(known)
        ready_set = set(ready)
        order = graph.topological_order()
        return MasteryClassification(
            mastered=tuple(c for c in order if c in known),
            ready=tuple(ready),
            not_yet=tuple(c for c in order if c not in known and c not in ready_set),
            status=status,
        )

    # -- storage -----------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _FIELDS}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MasteryRule:
        """Build from stored settings; missing fields take the defaults, unknown ones are
        refused (a typo must not silently fall back to a default)."""
        if not isinstance(data, Mapping):
            raise MasteryRuleError("(rule)", f"must be a JSON object, got {type(data).__name__}")
        unknown = sorted(set(data) - set(_FIELDS))
        if unknown:
            raise MasteryRuleError(
                unknown[0], f"unknown field; expected one of {', '.join(_FIELDS)}"
            )
        return cls(**{name: data[name] for name in _FIELDS if name in data})

    @classmethod
    def from_json(cls, text: str) -> MasteryRule:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise MasteryRuleError("(rule)", f"not valid JSON: {exc}") from exc
        return cls.from_dict(data)


def _percent(value: float) -> str:
    percent = round(value * 100, 1)
    return f"{percent:g}%"


DEFAULT_RULE = MasteryRule()
"""The out-of-the-box rule: probability ≥ 0.95, evidence from 2 separate days, 2 pieces."""
