"""Benchmark: the learner-model protocol (docs/benchmarks.md §1), Trellis beside pyBKT.

    .venv/bin/python bench/learner.py [--datasets assist2009,statics2011] [--json OUT.json]

For every dataset in ``../shared/data/kt``: 5-fold student cross-validation (md5 folds), each
held-out response predicted before it is seen; pooled AUC, RMSE, accuracy, fit and predict
time, for the Trellis default model and for pyBKT (standard BKT, first skill of each row,
5 EM restarts) run in its own virtual environment ``.bench-peers`` (created if absent, with the
recipe of the benchmark doc). Then the in-process latency of one Trellis update + prediction.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from trellis.engine.learner import DEFAULT_MODEL, MODELS, load_log  # noqa: E402
from trellis.engine.learner.protocol import Scores, cross_validate, fold_of_rows  # noqa: E402

DATA = REPO / ".." / "shared" / "data" / "kt"
DATASETS = ("assist2009", "statics2011", "assist2015", "fraction_subtraction")
PEERS = REPO / ".bench-peers"
PEER_PYTHON = PEERS / "bin" / "python"

PEER_SCRIPT = textwrap.dedent('''
    import hashlib, json, sys, time
    import numpy as np, pandas as pd
    from pyBKT.models import Model
    import pyBKT.fit.E_step  # only importable when the C++ extension was built

    path, folds, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    df = pd.read_csv(path, dtype={"student_id": str, "item_id": str, "skill_ids": str},
                     keep_default_na=False)
    df["row"] = np.arange(len(df))
    df = df.sort_values(["student_id", "seq"], kind="stable").reset_index(drop=True)
    df["order_id"] = np.arange(len(df))
    df["user_id"] = df["student_id"]
    df["skill_name"] = df["skill_ids"].str.split(";").str[0]
    fold_of = {s: int(hashlib.md5(s.encode("utf-8")).hexdigest(), 16) % folds
               for s in df["student_id"].unique()}
    fold = df["student_id"].map(fold_of).to_numpy()
    columns = ["order_id", "user_id", "skill_name", "correct"]
    p = np.full(len(df), np.nan)
    fit_s = predict_s = 0.0
    for k in range(folds):
        train, test = df[fold != k][columns], df[fold == k][columns]
        model = Model(seed=42, num_fits=5)
        start = time.perf_counter()
        model.fit(data=train)
        fit_s += time.perf_counter() - start
        start = time.perf_counter()
        pred = model.predict(data=test)
        predict_s += time.perf_counter() - start
        p[pred["order_id"].to_numpy()] = pred["correct_predictions"].to_numpy()
    original = np.empty(len(df))
    original[df["row"].to_numpy()] = p
    np.save(out + ".npy", original)
    json.dump({"fit_seconds": fit_s, "predict_seconds": predict_s}, open(out + ".json", "w"))
''')


def ensure_peer_env() -> None:
    """Build .bench-peers with pyBKT's C++ extension, as docs/benchmarks.md §1 says."""
    check = [str(PEER_PYTHON), "-c", "import pyBKT.fit.E_step"]
    if PEER_PYTHON.exists() and subprocess.run(check, capture_output=True).returncode == 0:
        return
    print("building .bench-peers (pyBKT with its C++ extension) ...", flush=True)
    pip = [str(PEERS / "bin" / "pip"), "install", "-q"]
    subprocess.run(["python3", "-m", "venv", str(PEERS)], check=True)
    subprocess.run([*pip, "numpy<2", "pandas<2.3", "scikit-learn<1.4", "scipy", "wheel",
                    "setuptools"], check=True)
    subprocess.run([*pip, "--no-build-isolation", "--no-binary", "pybkt", "pybkt==1.4.3"],
                   check=True)
    subprocess.run(check, check=True)


def run_pybkt(path: Path, folds: int) -> tuple[np.ndarray, float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "peer.py"
        script.write_text(PEER_SCRIPT)
        out = str(Path(tmp) / "result")
        subprocess.run([str(PEER_PYTHON), "-W", "ignore", str(script), str(path), str(folds),
                        out], check=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
        times = json.loads(Path(out + ".json").read_text())
        return np.load(out + ".npy"), times["fit_seconds"], times["predict_seconds"]


def latency(model_name: str, log_path: Path, folds: int, n: int = 20_000) -> dict[str, object]:
    """p50/p99 of one predict_proba + update, replaying held-out students of fold 0."""
    log = load_log(log_path)
    fold = fold_of_rows(log, folds)
    model = MODELS[model_name](random_state=0).fit(log.take(np.flatnonzero(fold != 0)))
    test = log.take(np.flatnonzero(fold == 0))
    order = test.time_order()[:n]
    states: dict[str, dict] = {}
    timings = []
    for row in order:
        student, item, skills = str(test.student[row]), str(test.item[row]), test.skills_of(row)
        correct = int(test.correct[row])
        start = time.perf_counter()
        state = states.get(student) or states.setdefault(student, model.initial_state(student))
        model.predict_proba(state, item, skills)
        model.update(state, item, skills, correct, None)
        timings.append(time.perf_counter() - start)
    ms = np.array(timings) * 1000
    return {"p50_ms": float(np.percentile(ms, 50)), "p99_ms": float(np.percentile(ms, 99)),
            "n": len(ms), "dataset": log_path.name}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--model", default=DEFAULT_MODEL, choices=sorted(MODELS))
    parser.add_argument("--data-dir", type=Path, default=DATA)
    parser.add_argument("--no-peer", action="store_true", help="skip pyBKT")
    args = parser.parse_args()
    if not args.no_peer:
        ensure_peer_env()

    results: dict[str, dict] = {}
    header = (f"{'dataset':<22}{'system':<22}{'AUC':>8}{'RMSE':>8}{'acc':>8}"
              f"{'fit s':>9}{'pred s':>9}")
    print(header)
    print("-" * len(header), flush=True)
    names = [d.strip() for d in args.datasets.split(",") if d.strip()]
    if not names:
        parser.error("--datasets names no dataset")
    for name in names:
        path = args.data_dir / f"{name}.csv.gz"
        log = load_log(path)
        cv = cross_validate(lambda: MODELS[args.model](random_state=0), log, folds=args.folds)
        rows = {f"trellis:{args.model}": (cv.scores, cv.fit_seconds, cv.predict_seconds)}
        if not args.no_peer:
            p, fit_s, predict_s = run_pybkt(path, args.folds)
            rows["pyBKT"] = (Scores.of(log.correct, p), fit_s, predict_s)
        results[name] = {}
        for system, (scores, fit_s, predict_s) in rows.items():
            print(f"{name:<22}{system:<22}{scores.auc:>8.4f}{scores.rmse:>8.4f}"
                  f"{scores.accuracy:>8.4f}{fit_s:>9.1f}{predict_s:>9.1f}", flush=True)
            results[name][system] = {"auc": scores.auc, "rmse": scores.rmse,
                                     "accuracy": scores.accuracy, "fit_seconds": fit_s,
                                     "predict_seconds": predict_s,
                                     "fit_plus_predict_seconds": fit_s + predict_s}
        if "pyBKT" in rows:
            ours = rows[f"trellis:{args.model}"]
            ratio = (ours[1] + ours[2]) / (rows["pyBKT"][1] + rows["pyBKT"][2])
            results[name]["fit_plus_predict_ratio_vs_pybkt"] = ratio
            print(f"{'':<22}{'time ratio trellis/pyBKT (fit+predict)':<44}{ratio:>8.2f}",
                  flush=True)
    lat = latency(args.model, args.data_dir / f"{names[0]}.csv.gz", args.folds)
    print(f"\nin-process update + prediction ({args.model}, {lat['n']} answers of "
          f"{lat['dataset']}): p50 {lat['p50_ms']:.3f} ms, p99 {lat['p99_ms']:.3f} ms")
    results["latency"] = lat
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
