"""Refitting the learner model on a district's own response logs (the computation; the writes —
the swap and the recompute — are :func:`trellis.learning.actions.do_refit_district`).

Every district starts with the shipped prior parameters (:mod:`trellis.learning.prior`). A refit
(``trellis learner refit``, or the "Refit now" button for district administrators, which runs the
same :func:`~trellis.learning.actions.do_refit_district` as a background job) does four things:

1. **Log.** The district's evidence becomes the engine's response log
   (:func:`district_log`): one row per first attempt, in the order it happened, with the same
   evidence → response mapping as the online update (:func:`trellis.learning.modeling.response_of`).
2. **Fit with a prior.** The default model is fitted on that log and *blended* with the prior:
   both models are logistic, so their log-odds are mixed linearly, component by component,
   with weight ``n / (n + PRIOR_STRENGTH)`` on the district's fit (n = responses). With a few
   hundred responses the result stays close to the prior; with tens of thousands it is
   essentially the district's own fit (history features that barely vary in the log keep the
   prior's weight). Below ``MIN_RESPONSES_TO_FIT`` responses (or when every
   answer is right, or every answer wrong) nothing can be fitted and the new version is the
   prior itself.
3. **Swap atomically.** The parameters are stored as a new
   :class:`~trellis.learning.models.LearnerModelParameters` version and made the *only* active
   one in one transaction (a database constraint allows one active row per district), audited
   (``learner.refit``). Answers arriving while the model was being fitted were applied with the
   old version; answers after the swap use the new one.
4. **Recompute.** Every student's learner state and mastery rows are rebuilt from their
   evidence with the new parameters, student by student, in batches, with progress; its end is
   audited too (``learner.recompute``).

Refitting twice on the same evidence gives the same parameters (the fit is seeded), so a refit
is idempotent in effect; it only adds a version row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from trellis.engine.learner import DEFAULT_MODEL, MODELS, LearnerModel, ResponseLog
from trellis.learning import modeling
from trellis.learning.models import EvidenceEvent
from trellis.learning.prior import prior_parameters

MIN_RESPONSES_TO_FIT = 50
"""Fewer responses than this cannot say anything the prior does not: the prior is used."""
PRIOR_STRENGTH = 2000.0
"""How many responses the prior is worth: the district's fit gets weight n / (n + this)."""
MIN_FEATURE_SPREAD = 0.01
"""History features whose standard deviation in the district's log is below this take the prior's
weight (see :func:`blend_with_prior`)."""
BATCH_SIZE = 100
"""Students recomputed per transaction."""

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class RefitSummary:
    """What a refit did, for the CLI, the job page and the audit log."""

    district_id: int
    version: int
    responses_used: int
    students: int
    students_recomputed: int
    prior_weight: float  # 1.0: the prior alone; close to 0: the district's own fit
    fit_seconds: float
    recompute_seconds: float
    note: str
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "district_id": self.district_id, "version": self.version,
            "responses_used": self.responses_used, "students": self.students,
            "students_recomputed": self.students_recomputed,
            "prior_weight": round(self.prior_weight, 4),
            "fit_seconds": round(self.fit_seconds, 3),
            "recompute_seconds": round(self.recompute_seconds, 3), "note": self.note,
        }

    def lines(self) -> list[str]:
        return [
            f"version {self.version} is active",
            f"responses used  {self.responses_used}",
            f"students        {self.students} ({self.students_recomputed} recomputed)",
            f"prior weight    {self.prior_weight:.3f}",
            f"fit time        {self.fit_seconds:.2f} s",
            f"recompute time  {self.recompute_seconds:.2f} s",
            f"note            {self.note}",
        ]


def district_log(district_id: int) -> ResponseLog:
    """The district's first-attempt evidence as the engine's response log."""
    records: list[tuple[object, ...]] = []
    seq: dict[int, int] = {}
    events = (
        EvidenceEvent.objects.filter(district_id=district_id, first_attempt=True)
        .prefetch_related("standards")
        .order_by("student_id", "occurred_at", "id")
    )
    for event in events.iterator(chunk_size=2000):
        if not modeling.moves_mastery(event):
            continue
        codes = sorted({modeling.skill_of(s) for s in event.standards.all()})
        if not codes:
            continue
        response = modeling.response_of(event, codes)
        n = seq.get(event.student_id, 0)
        seq[event.student_id] = n + 1
        records.append((event.student_id, n, response.item_id, list(response.skills),
                        response.correct, response.timestamp))
    return ResponseLog.from_records(records)


def _raw_dense(params: dict[str, Any]) -> tuple[np.ndarray, float]:
    """Dense weights on the raw (unstandardised) features, and the matching intercept."""
    weight = np.asarray(params["dense_weight"], dtype=np.float64) / np.asarray(
        params["dense_scale"], dtype=np.float64)
    intercept = float(params["intercept"]) - float(np.dot(weight, params["dense_mean"]))
    return weight, intercept


def blend_with_prior(fitted: dict[str, Any], prior: dict[str, Any],
                     data_weight: float) -> dict[str, Any]:
    """Mix two BestLRPlus parameter sets in log-odds: ``w * fitted + (1 - w) * prior``.

    Every part of the model's score is linear in its parameters, so mixing each component
    mixes the scores. An item or skill the prior does not know takes the prior's default
    weight. Success rates (the model's notion of how hard an item is) come from the fit: they
    are already smoothed by pseudo-counts toward the district's global rate.
    """
    w = float(data_weight)
    fitted_dense, fitted_intercept = _raw_dense(fitted)
    prior_dense, prior_intercept = _raw_dense(prior)
    # A history feature that barely varies in the district's log (one item for everything, say)
    # has an unidentified weight that, divided by its tiny spread, explodes as soon as the
    # feature takes another value. Keep the prior's weight there; move the fitted weight's
    # (constant) contribution into the intercept so the fit's predictions on its log stay put.
    flat = np.asarray(fitted["dense_scale"], dtype=np.float64) < MIN_FEATURE_SPREAD
    if flat.any():
        mean = np.asarray(fitted["dense_mean"], dtype=np.float64)
        fitted_intercept += float(np.dot((fitted_dense - prior_dense)[flat], mean[flat]))
        fitted_dense = np.where(flat, prior_dense, fitted_dense)
    default_item = prior["default_item_weight"]
    default_skill = prior["default_skill_weight"]

    def mix(a: float, b: float) -> float:
        return w * float(a) + (1 - w) * float(b)

    return {
        **fitted,
        "intercept": mix(fitted_intercept, prior_intercept),
        "dense_weight": [mix(a, b) for a, b in zip(fitted_dense, prior_dense, strict=True)],
        "dense_mean": [0.0] * len(fitted_dense),
        "dense_scale": [1.0] * len(fitted_dense),
        "item_weight": {item: mix(value, prior["item_weight"].get(item, default_item))
                        for item, value in fitted["item_weight"].items()},
        "skill_weight": {
            skill: [mix(a, b) for a, b in
                    zip(values, prior["skill_weight"].get(skill, default_skill), strict=True)]
            for skill, values in fitted["skill_weight"].items()},
        "default_item_weight": mix(fitted["default_item_weight"], default_item),
        "default_skill_weight": [mix(a, b) for a, b in
                                 zip(fitted["default_skill_weight"], default_skill, strict=True)],
    }


def fit_parameters(log: ResponseLog, random_state: int = 0
                   ) -> tuple[dict[str, Any], float, str]:
    """The model JSON to store for ``log``, the weight the prior got, and a note."""
    prior = prior_parameters()
    n = len(log)
    classes = set(np.unique(log.correct).tolist()) if n else set()
    if n < MIN_RESPONSES_TO_FIT or len(classes) < 2:
        reason = (f"only {n} responses (at least {MIN_RESPONSES_TO_FIT} are needed to fit)"
                  if n < MIN_RESPONSES_TO_FIT else "every answer in the log has the same result")
        document = {key: prior[key] for key in ("model", "settings", "params")}
        return document, 1.0, f"built-in starting (prior) parameters: {reason}"
    model_class = MODELS[DEFAULT_MODEL]
    model = model_class(random_state=random_state).fit(log)
    data_weight = n / (n + PRIOR_STRENGTH)
    params = blend_with_prior(model.get_params_json(), prior["params"], data_weight)
    document = {"model": model.name, "settings": model.get_settings(), "params": params}
    LearnerModel.from_json(_dumps(document))  # refuse to store what cannot be loaded back
    return document, 1 - data_weight, (
        f"fitted on {n} responses; the built-in starting parameters still count for "
        f"{round((1 - data_weight) * 100)}%")


def _dumps(document: dict[str, Any]) -> str:
    import json

    return json.dumps(document)
