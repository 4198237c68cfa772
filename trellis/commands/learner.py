"""``trellis learner``: fit and evaluate learner models on response logs (no Django needed).

    trellis learner evaluate --train TRAIN.csv --test TEST.csv --predictions OUT.csv [--model NAME]
    trellis learner evaluate --data LOG.csv.gz --folds 5 [--model NAME]
    trellis learner fit --data LOG.csv.gz --out params.json [--model NAME]

The first form writes the test rows in their original order with a ``p_correct`` column, each
predicted before that answer is seen (the protocol of ``docs/benchmarks.md`` §1); the second runs
the whole student-fold protocol and prints AUC, RMSE, accuracy and times.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from trellis.engine.learner import DEFAULT_MODEL, MODELS, LogFormatError, load_log
from trellis.engine.learner.protocol import Scores, cross_validate


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "learner", help="fit and evaluate learner models (knowledge tracing)",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = parser.add_subparsers(dest="learner_command", metavar="ACTION")
    actions.required = True
    model_help = f"model name: {', '.join(sorted(MODELS))} (default {DEFAULT_MODEL})"

    evaluate = actions.add_parser(
        "evaluate", help="predict a test log from a training log, or run the fold protocol")
    evaluate.add_argument("--train", type=Path, help="training log (CSV, .gz accepted)")
    evaluate.add_argument("--test", type=Path, help="test log to predict")
    evaluate.add_argument("--predictions", type=Path, help="where to write test rows + p_correct")
    evaluate.add_argument("--data", type=Path, help="a whole log, for --folds cross-validation")
    evaluate.add_argument("--folds", type=int, default=5, help="number of student folds")
    evaluate.add_argument("--model", default=DEFAULT_MODEL, choices=sorted(MODELS),
                          help=model_help)
    evaluate.add_argument("--seed", type=int, default=0, help="random_state of the model")
    evaluate.set_defaults(func=handle_evaluate)

    fit = actions.add_parser("fit", help="fit a model on a log and save its parameters as JSON")
    fit.add_argument("--data", type=Path, required=True, help="response log (CSV, .gz accepted)")
    fit.add_argument("--out", type=Path, required=True, help="parameters JSON to write")
    fit.add_argument("--model", default=DEFAULT_MODEL, choices=sorted(MODELS), help=model_help)
    fit.add_argument("--seed", type=int, default=0, help="random_state of the model")
    fit.set_defaults(func=handle_fit)


def _error(message: str) -> int:
    print(f"trellis learner: error: {message}", file=sys.stderr)
    return 2


def handle_evaluate(args: argparse.Namespace) -> int:
    model_class = MODELS[args.model]
    split = (args.train, args.test, args.predictions)
    try:
        if args.data is not None:
            if any(split):
                return _error("use either --data (with --folds) or --train/--test/--predictions")
            log = load_log(args.data)
            result = cross_validate(lambda: model_class(random_state=args.seed), log,
                                    folds=args.folds)
            scores = result.scores
            print(f"data: {args.data}  model: {args.model}  responses: {result.n_responses}  "
                  f"folds: {args.folds} (by student)")
            print(f"AUC       {scores.auc:.4f}")
            print(f"RMSE      {scores.rmse:.4f}")
            print(f"accuracy  {scores.accuracy:.4f}")
            print(f"fit s     {result.fit_seconds:.2f}")
            print(f"predict s {result.predict_seconds:.2f}")
            return 0
        if not all(split):
            return _error("evaluate needs --train, --test and --predictions (or --data)")
        train, test = load_log(args.train), load_log(args.test)
        start = time.perf_counter()
        model = model_class(random_state=args.seed).fit(train)
        fit_seconds = time.perf_counter() - start
        start = time.perf_counter()
        p_correct = model.predict_log(test)
        predict_seconds = time.perf_counter() - start
    except (LogFormatError, ValueError) as exc:
        return _error(str(exc))
    test.to_csv(args.predictions, extra={"p_correct": p_correct})
    scores = Scores.of(test.correct, p_correct)
    print(f"wrote {len(test)} predictions to {args.predictions}; AUC {scores.auc:.4f}  "
          f"RMSE {scores.rmse:.4f}  accuracy {scores.accuracy:.4f}  "
          f"fit {fit_seconds:.2f}s  predict {predict_seconds:.2f}s")
    return 0


def handle_fit(args: argparse.Namespace) -> int:
    try:
        log = load_log(args.data)
        model = MODELS[args.model](random_state=args.seed).fit(log)
    except (LogFormatError, ValueError) as exc:
        return _error(str(exc))
    args.out.write_text(model.to_json(), encoding="utf-8")
    print(f"fitted {args.model} on {len(log)} responses; parameters written to {args.out}")
    return 0
