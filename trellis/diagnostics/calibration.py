"""Fitting items' slip and guess from the district's evidence (``trellis diagnostic calibrate``).

A diagnostic item is read with the BLIM: P(correct) is ``1 − slip`` for a student who has
mastered what it requires and ``guess`` otherwise. Whether each student had mastered it is not
observed; the learner model's current estimate *p* (the mean over the item's standards) serves
as a soft label, so each first-attempt answer counts as *p* of a "mastered" answer and *1 − p*
of a "not mastered" one:

    slip  = (Σ p·wrong + m·0.1) / (Σ p + m)        guess = (Σ (1−p)·right + m·0.2) / (Σ (1−p) + m)

with *m* = 10 pseudo-answers at the defaults (0.1, 0.2), so a little evidence moves an item a
little. Both are kept in [0.01, 0.45] with guess < 1 − slip − 0.05. Items with fewer than
``min_responses`` answers keep the defaults. New sessions use the fitted values; sessions under
way keep the bank they started with.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction

from trellis.accounts.models import District, User
from trellis.audit.actions import record
from trellis.diagnostics.bank import DEFAULT_GUESS, DEFAULT_SLIP
from trellis.diagnostics.models import ItemCalibration
from trellis.learning.models import EvidenceEvent, MasteryState

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
    """Slip and guess from ``(p_mastered, correct)`` pairs (see the module docstring)."""
    mastered = sum(p for p, _ in answers)
    slips = sum(p for p, right in answers if not right)
    unmastered = sum(1.0 - p for p, _ in answers)
    guesses = sum(1.0 - p for p, right in answers if right)
    return _clamp((slips + PSEUDO * DEFAULT_SLIP) / (mastered + PSEUDO),
                  (guesses + PSEUDO * DEFAULT_GUESS) / (unmastered + PSEUDO))


def do_calibrate(district: District, *, user: User | None = None, dry_run: bool = False,
                 min_responses: int = 5) -> CalibrationReport:
    report = CalibrationReport(district=district.name, dry_run=dry_run)
    events = (EvidenceEvent.objects.filter(
        district=district, kind__in=SCORED_KINDS, item__isnull=False, first_attempt=True,
        correct__isnull=False).values_list("item_id", "student_id", "correct", "standards"))
    mastery = {(s, st): p for s, st, p in MasteryState.objects.filter(
        district=district).values_list("student_id", "standard_id", "probability")}
    # one row per (event, standard): average p over the item's standards per answer
    grouped: dict[tuple[int, int, bool], list[float]] = defaultdict(list)
    for item_id, student_id, correct, standard_id in events:
        grouped[(item_id, student_id, bool(correct))].append(
            mastery.get((student_id, standard_id), 0.5))
    by_item: dict[int, list[tuple[float, bool]]] = defaultdict(list)
    for (item_id, _, correct), ps in grouped.items():
        by_item[item_id].append((sum(ps) / len(ps), correct))
    for item_id, answers in by_item.items():
        if len(answers) < min_responses:
            report.skipped += 1
            continue
        slip, guess = fit_item(answers)
        report.fitted[item_id] = (slip, guess, len(answers))
    if dry_run:
        return report
    with transaction.atomic():
        for item_id, (slip, guess, n) in report.fitted.items():
            ItemCalibration.objects.update_or_create(
                item_id=item_id, defaults={"district": district, "slip": slip,
                                           "guess": guess, "responses": n})
        record(user, "diagnostic.calibrate", None, district=district,
               details={"items": len(report.fitted), "skipped": report.skipped})
    return report
