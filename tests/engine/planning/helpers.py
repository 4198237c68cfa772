"""Small builders for planning tests."""

from __future__ import annotations

from datetime import date

from trellis.engine.mastery import EvidenceSummary


def mastered(first: date | None = None, on: date | None = None) -> EvidenceSummary:
    """Evidence that meets the default rule, optionally dated (first evidence -> mastery)."""
    return EvidenceSummary(
        probability=0.98,
        evidence_days=2,
        evidence_count=4,
        first_evidence_on=first,
        last_evidence_on=on,
        mastered_on=on,
    )


def working(
    probability: float = 0.6, count: int = 2, days: int = 1, since: date | None = None
) -> EvidenceSummary:
    """Evidence that does not (yet) meet the default rule."""
    return EvidenceSummary(
        probability=probability,
        evidence_days=days,
        evidence_count=count,
        first_evidence_on=since,
        last_evidence_on=since,
    )
