"""Demo learner model: refit the demo district on the evidence the other demo seeds recorded.

:func:`seed_learning` runs **last** in the demo, after the plans seed
(:func:`trellis.plans.demo.seed_plans`) has recorded practice evidence through
:func:`~trellis.learning.actions.do_record_evidence` (which already moved every student's
mastery with the shipped prior). It runs one refit
(:func:`trellis.learning.actions.do_refit_district`, audited with ``{"via": "demo"}``), so the
district administrator's "Learner model" page shows an active version fitted on the
district's own responses, and every mastery value is recomputed with it. Running it again adds a
version with the same parameters (a refit is idempotent in effect).
"""

from __future__ import annotations

from collections.abc import Callable

from trellis.accounts.models import District
from trellis.learning.actions import do_refit_district

Progress = Callable[[str], object]


def seed_learning(district: District, progress: Progress | None = None) -> dict[str, int]:
    """Refit the demo district's learner model; returns counts."""
    say = progress or (lambda message: None)
    say("Fitting the learner model on the demo district's evidence…")
    summary = do_refit_district(district, actor=None, details={"via": "demo"})
    say(f"  learner model version {summary.version}: {summary.responses_used} responses, "
        f"{summary.students_recomputed} students recomputed ({summary.note})")
    return {"version": summary.version, "responses": summary.responses_used,
            "students": summary.students_recomputed}
