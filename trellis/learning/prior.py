"""The prior learner-model parameters a district starts with, before it has logs of its own.

A new district has no responses to fit on, yet mastery must move from the very first answer.
So Trellis ships *population* parameters of the default model
(:class:`~trellis.engine.learner.BestLRPlus`): the weights of its history features (how much
attempts, successes, recent performance and surprise on a skill say about the next answer),
fitted once on a public response log, with every item- and skill-specific entry removed —
those belong to another district's items and skills. Every item and skill of the new
district then gets the average item and skill weight, and success rates default to the
global rate of the public log.

The same parameters are the **prior** of a refit (:mod:`trellis.learning.refit`): a district
with few responses gets a blend that leans on them (see ``docs/mastery-in-the-platform.md``).

Regenerate ``prior_parameters.json`` (about 2.5 minutes)::

    .venv/bin/python -m trellis.learning.prior ../shared/data/kt/assist2009.csv.gz
"""

from __future__ import annotations

import argparse
import json
from functools import cache
from pathlib import Path
from typing import Any

PRIOR_FILE = Path(__file__).with_name("prior_parameters.json")
# Entries of the fitted parameters that name the training data's own items and skills.
DATA_SPECIFIC = ("item_weight", "skill_weight", "item_rate", "skill_rate", "item_slope")


@cache
def prior_document() -> str:
    """The prior as the engine's model JSON (``LearnerModel.from_json`` reads it).

    The file names the history feature of each weight (``dense_features``); the weights are
    laid out in the *current* engine's feature order, and a feature the file does not know (the
    engine gained one since the prior was fitted) gets weight 0 — the prior says nothing about
    it — so the shipped prior keeps working while the engine evolves.
    """
    from trellis.engine.learner.logistic import DENSE_FEATURES

    data = json.loads(PRIOR_FILE.read_text(encoding="utf-8"))
    names = data.pop("dense_features", None)
    params = data["params"]
    if names is not None and tuple(names) != tuple(DENSE_FEATURES):
        known = {
            name: (weight, mean, scale)
            for name, weight, mean, scale in zip(
                names, params["dense_weight"], params["dense_mean"], params["dense_scale"],
                strict=True)
        }
        columns = [known.get(name, (0.0, 0.0, 1.0)) for name in DENSE_FEATURES]
        params["dense_weight"] = [c[0] for c in columns]
        params["dense_mean"] = [c[1] for c in columns]
        params["dense_scale"] = [c[2] for c in columns]
    return json.dumps(data)


def prior_parameters() -> dict[str, Any]:
    """A fresh copy of the prior model JSON as a dict (``model``, ``settings``, ``params``)."""
    data: dict[str, Any] = json.loads(prior_document())
    return data


def strip_to_prior(params: dict[str, Any]) -> dict[str, Any]:
    """Fitted BestLRPlus parameters without the entries that name the data's items/skills."""
    prior: dict[str, Any] = {**params, **{name: {} for name in DATA_SPECIFIC}}
    for key, value in prior.items():
        if isinstance(value, list):
            prior[key] = [round(float(v), 6) for v in value]
        elif isinstance(value, float):
            prior[key] = round(value, 6)
    return prior


def main(argv: list[str] | None = None) -> int:
    from trellis.engine.learner import BestLRPlus, load_log
    from trellis.engine.learner.logistic import DENSE_FEATURES

    parser = argparse.ArgumentParser(description="Fit the shipped prior learner parameters.")
    parser.add_argument("log", type=Path, help="a public response log (canonical CSV, .gz)")
    parser.add_argument("--out", type=Path, default=PRIOR_FILE)
    args = parser.parse_args(argv)
    log = load_log(args.log)
    model = BestLRPlus(random_state=0).fit(log)
    document = {
        "model": model.name,
        "settings": model.get_settings(),
        "source": f"BestLRPlus fitted on {args.log.name} ({len(log)} responses), item- and "
                  "skill-specific entries removed: python -m trellis.learning.prior",
        "dense_features": list(DENSE_FEATURES),
        "params": strip_to_prior(model.get_params_json()),
    }
    args.out.write_text(json.dumps(document, indent=1), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
