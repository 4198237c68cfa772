"""Fitting items' slip and guess from the district's evidence (``trellis diagnostic calibrate``).

This module computes; :func:`trellis.diagnostics.actions.do_calibrate` stores the result.

A diagnostic item is read with the BLIM: P(correct) is ``1 − slip`` for a student who knows
what it requires and ``guess`` otherwise. Whether each student knew it is not observed; the
learner model's estimate *p* **just before that answer** (the mean over the item's standards)
serves as a soft label, so each first-attempt answer counts as *p* of a "knew it" answer and
*1 − p* of a "did not" one:

    slip  = (Σ p·wrong + m·0.1) / (Σ p + m)        guess = (Σ (1−p)·right + m·0.2) / (Σ (1−p) + m)

with *m* = 10 pseudo-answers at the defaults (0.1, 0.2), so a little evidence moves an item a
little. Both are kept in [0.01, 0.45] with guess < 1 − slip − 0.05. Items with fewer than
``min_responses`` answers keep the defaults. New sessions use the fitted values; sessions under
way keep the bank they started with.

**The label is the estimate before the answer** (:func:`labelled_answers`): each student's
evidence is replayed, in the order it happened, through the district's active learner model
(:func:`trellis.learning.modeling.replay`, the refit's own recompute), and an answer is
labelled with what the model believed before folding it in. Today's mastery would be
circular — it already contains the answer and everything learnt since — and would call a
student who learnt a standard later a "slip" on every early wrong answer.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from trellis.accounts.models import District
from trellis.engine.mastery import DEFAULT_GUESS, DEFAULT_SLIP
from trellis.learning import modeling
from trellis.learning.models import EvidenceEvent

PSEUDO = 10.0
SCORED_KINDS = ("practice", "quiz", "diagnostic")


@dataclass
class CalibrationReport:
    district: str
    dry_run: bool
    fitted: dict[int, tuple[float, float, int]] = field(default_factory=dict)
    skipped: int = 0

    def lines(self) -> list[str]:
        verb = "would fit" if self.dry_run else "fitted"
        out = [f"{self.district}: {verb} {len(self.fitted)} items; {self.skipped} with too few "
               "answers keep the defaults (slip 0.10, guess 0.20)"]
        for pk, (slip, guess, n) in sorted(self.fitted.items()):
            out.append(f"  item {pk}: slip {slip:.3f} guess {guess:.3f} ({n} answers)")
        return out


def _clamp(slip: float, guess: float) -> tuple[float, float]:
    slip = min(0.45, max(0.01, slip))
    guess = min(0.45, max(0.01, guess), 1.0 - slip - 0.05)
    return round(slip, 4), round(guess, 4)


def fit_item(answers: list[tuple[float, bool]]) -> tuple[float, float]:
    """Slip and guess from ``(p_known_before, correct)`` pairs (see the module docstring)."""
    known = sum(p for p, _ in answers)
    slips = sum(p for p, right in answers if not right)
    unknown = sum(1.0 - p for p, _ in answers)
    guesses = sum(1.0 - p for p, right in answers if right)
    return _clamp((slips + PSEUDO * DEFAULT_SLIP) / (known + PSEUDO),
                  (guesses + PSEUDO * DEFAULT_GUESS) / (unknown + PSEUDO))


def _scores(event: EvidenceEvent) -> bool:
    """A first-attempt, marked answer to an item: what calibration learns from."""
    return (event.kind in SCORED_KINDS and event.item_id is not None and event.first_attempt
            and event.correct is not None)


def labelled_answers(district: District) -> dict[int, list[tuple[float, bool]]]:
    """Per item id, each first-attempt answer as ``(p, correct)``: *p* the learner model's
    mastery of the item's standards (their mean) just before that answer."""
    active = modeling.active_model(district.id)
    student_ids = (
        EvidenceEvent.objects.filter(district=district, kind__in=SCORED_KINDS,
                                     item__isnull=False, first_attempt=True,
                                     correct__isnull=False)
        .order_by("student_id").values_list("student_id", flat=True).distinct()
    )
    by_item: dict[int, list[tuple[float, bool]]] = defaultdict(list)
    for student_id in student_ids:
        for replayed in modeling.replay(active.model, student_id):
            event = replayed.event
            if not _scores(event) or not replayed.moved or event.item_id is None:
                continue
            before = [replayed.moved[code][0] for code in replayed.codes]
            by_item[event.item_id].append((sum(before) / len(before), bool(event.correct)))
    return by_item


def calibrate(district: District, *, dry_run: bool = False,
              min_responses: int = 5) -> CalibrationReport:
    """Fit every item with at least ``min_responses`` labelled answers (stores nothing)."""
    report = CalibrationReport(district=district.name, dry_run=dry_run)
    for item_id, answers in labelled_answers(district).items():
        if len(answers) < min_responses:
            report.skipped += 1
            continue
        slip, guess = fit_item(answers)
        report.fitted[item_id] = (slip, guess, len(answers))
    return report
