"""Benchmark the adaptive diagnostic (docs/benchmarks.md §2).

1. **Replay** on the Tatsuoka fraction-subtraction test (536 students x 20 items, complete).
   Folds by md5 of the student id; for each fold the item prerequisite order and the BLIM
   parameters are learned from the other four folds only. Each held-out student takes the
   diagnostic three ways -- adaptive, a random order (seeded per student), the fixed test
   order -- answering with their real answers; after k items the model predicts the items not
   asked. Reported: pooled accuracy and AUC at each k, and the smallest k at which the adaptive
   AUC is within 0.01 of knowing the other 19 answers.
2. **Placement** on the Common Core Coherence Map, grades 6-8 and the high-school algebra
   standards. Simulated students: ability θ ~ N(0, 1); a standard whose prerequisites are all
   known is known with probability sigmoid(slope·θ - difficulty), so every state respects
   the prerequisites. Three items per standard, slips and guesses drawn from the rates fitted on
   fraction subtraction. Reported: the share of standards classified correctly (known or not)
   after n items, adaptive vs a random item order, and the ceiling of knowing θ exactly.

    .venv/bin/python bench/diagnostic.py [--json OUT] [--plot PNG] [--placement-students N]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from trellis.engine.assessment import (  # noqa: E402
    AbilityPrior,
    DiagnosticConfig,
    DiagnosticEngine,
    DiagnosticItem,
    DiagnosticSession,
    fit_knowledge_structure,
    learn_prerequisites,
)
from trellis.engine.assessment.model import GraphArrays  # noqa: E402
from trellis.engine.competencies import CompetencyGraph, Standard  # noqa: E402

DATA = REPO / ".." / "shared" / "data"
GRADE_OFFSET = {"6": -1.5, "7": -1.0, "8": -0.5, "HS": 0.0}


# -- replay -----------------------------------------------------------------------------------


def load_matrix(path: Path) -> tuple[list[str], list[str], np.ndarray]:
    with gzip.open(path, "rt", newline="") as handle:
        rows = list(csv.DictReader(handle))
    students = sorted({r["student_id"] for r in rows}, key=lambda s: (len(s), s))
    items = sorted({r["item_id"] for r in rows}, key=lambda s: (len(s), s))
    s_index = {s: i for i, s in enumerate(students)}
    i_index = {s: i for i, s in enumerate(items)}
    matrix = np.full((len(students), len(items)), np.nan)
    for r in rows:
        matrix[s_index[r["student_id"]], i_index[r["item_id"]]] = float(r["correct"])
    return students, items, matrix


def fold_of(student_id: str) -> int:
    return int(hashlib.md5(student_id.encode("utf-8")).hexdigest(), 16) % 5  # noqa: S324


def calibrate(item_ids: list[str], train: np.ndarray, tolerance: float) -> DiagnosticEngine:
    graph = learn_prerequisites(item_ids, train, tolerance=tolerance)
    start = [DiagnosticItem(i, (i,)) for i in item_ids]
    fitted = fit_knowledge_structure(graph, start, train)
    config = DiagnosticConfig(max_items=len(item_ids), exposure_top_k=1, confidence=0.999)
    return DiagnosticEngine(graph, fitted.items, config=config, state_log_prior=fitted.log_prior)


def replay(args: argparse.Namespace) -> dict[str, Any]:
    students, item_ids, matrix = load_matrix(DATA / "kt" / "fraction_subtraction.csv.gz")
    folds = np.array([fold_of(s) for s in students])
    n_items = len(item_ids)
    ks = list(range(1, n_items))  # after all 20 nothing is left to predict
    policies = ("adaptive", "random", "fixed")
    truth: dict[str, dict[int, list[float]]] = {p: {k: [] for k in ks} for p in policies}
    score: dict[str, dict[int, list[float]]] = {p: {k: [] for k in ks} for p in policies}
    all_other_truth: list[float] = []
    same_items: dict[int, list[float]] = {k: [] for k in ks}  # other-19 scores, adaptive's pairs
    all_other_score: list[float] = []
    fitted_rates: list[tuple[float, float]] = []
    started = time.perf_counter()
    for fold in range(5):
        engine = calibrate(item_ids, matrix[folds != fold], args.tolerance)
        fitted_rates.extend((it.slip, it.guess) for it in engine.items)
        for row, student in zip(
            matrix[folds == fold], np.array(students)[folds == fold], strict=True
        ):
            answers = {item_ids[j]: bool(row[j]) for j in range(n_items)}
            seed = int(hashlib.md5(student.encode()).hexdigest()[:8], 16)  # noqa: S324
            # the ceiling: each item predicted from the other 19 answers
            from_others: dict[str, float] = {}
            for j, target in enumerate(item_ids):
                session = engine.start(f"all:{student}:{j}", seed=seed, now=0.0)
                for item_id in item_ids:
                    if item_id != target:
                        session.submit(item_id, item_id, answers[item_id], now=0.0)
                from_others[target] = session.predict_correct()[target]
                all_other_truth.append(row[j])
                all_other_score.append(from_others[target])
            for policy in policies:
                session = engine.start(f"{policy}:{student}", seed=seed, now=0.0)
                order = (
                    [item_ids[j] for j in np.random.default_rng(seed).permutation(n_items)]
                    if policy == "random"
                    else list(item_ids)
                )
                for k in ks:
                    item = session.next_item(now=0.0) if policy == "adaptive" else order[k - 1]
                    if item is None:  # confident already: keep asking the most informative
                        gain = session.information_gain()
                        asked = {a.item_id for a in session.answers}
                        item = max(
                            (i for i in item_ids if i not in asked),
                            key=lambda i: gain[engine.item_index[i]],
                        )
                    session.submit(str(k), item, answers[item], now=0.0)
                    predicted = session.predict_correct()
                    asked = {a.item_id for a in session.answers}
                    for j, item_id in enumerate(item_ids):
                        if item_id not in asked:
                            truth[policy][k].append(row[j])
                            score[policy][k].append(predicted[item_id])
                            if policy == "adaptive":
                                same_items[k].append(from_others[item_id])
        print(f"  replay fold {fold} done ({time.perf_counter() - started:.0f} s)", flush=True)
    auc = {p: [float(roc_auc_score(truth[p][k], score[p][k])) for k in ks] for p in policies}
    acc = {
        p: [
            float(np.mean((np.array(score[p][k]) >= 0.5) == (np.array(truth[p][k]) > 0.5)))
            for k in ks
        ]
        for p in policies
    }
    ceiling = float(roc_auc_score(all_other_truth, all_other_score))
    within = next(
        (k for k, a in zip(ks, auc["adaptive"], strict=True) if a >= ceiling - 0.01), None
    )
    # The unasked items change with k, so also compare on the very same (student, item) pairs.
    ceiling_same = [float(roc_auc_score(truth["adaptive"][k], same_items[k])) for k in ks]
    within_same = next(
        (k for k, a, c in zip(ks, auc["adaptive"], ceiling_same, strict=True) if a >= c - 0.01),
        None,
    )
    print("\nReplay: fraction subtraction, 536 students x 20 items, 5 md5 folds")
    print(
        f"{'k':>3} | {'adaptive acc':>12} {'AUC':>6} | {'random acc':>10} {'AUC':>6} | "
        f"{'fixed acc':>9} {'AUC':>6}"
    )
    for i, k in enumerate(ks):
        print(
            f"{k:>3} | {acc['adaptive'][i]:>12.3f} {auc['adaptive'][i]:>6.3f} | "
            f"{acc['random'][i]:>10.3f} {auc['random'][i]:>6.3f} | "
            f"{acc['fixed'][i]:>9.3f} {auc['fixed'][i]:>6.3f}"
        )
    print(
        f"knowing the other 19 answers: AUC {ceiling:.3f} (all 10,720 pairs); "
        f"adaptive within 0.01 of it at k = {within}"
    )
    print(
        "on the same unasked pairs as adaptive, knowing the other 19 gives AUC "
        + " ".join(f"{k}:{c:.3f}" for k, c in zip(ks, ceiling_same, strict=True) if k % 3 == 0)
        + f"; adaptive within 0.01 of it at k = {within_same}"
    )
    target_met = auc["adaptive"][5] >= auc["random"][9]
    print(
        f"target adaptive AUC@6 {auc['adaptive'][5]:.3f} >= random AUC@10 {auc['random'][9]:.3f}:"
        f" {'MET' if target_met else 'NOT MET'}"
    )
    return {
        "k": ks,
        "auc": auc,
        "acc": acc,
        "ceiling": ceiling,
        "within": within,
        "ceiling_same": ceiling_same,
        "within_same": within_same,
        "rates": fitted_rates,
    }


def fit_slope(item_ids: list[str], matrix: np.ndarray, tolerance: float) -> float:
    """How strongly ability drives mastery in real data: the ability prior's slope fitted by
    marginal likelihood on fraction subtraction's item-level structure (all 536 students)."""
    from scipy.optimize import minimize

    from trellis.engine.assessment.model import ItemTable

    graph = learn_prerequisites(item_ids, matrix, tolerance=tolerance)
    fitted = fit_knowledge_structure(graph, [DiagnosticItem(i, (i,)) for i in item_ids], matrix)
    arrays = GraphArrays(graph)
    table = ItemTable.build(arrays, fitted.items)
    states = arrays.closed_states(50_000)
    capable = table.capable(states).astype(float)
    p = capable * (1.0 - table.slip) + (1.0 - capable) * table.guess
    right = np.nan_to_num(matrix)
    wrong = (~np.isnan(matrix)) & (right < 0.5)
    loglik = right @ np.log(p).T + wrong @ np.log(1.0 - p).T  # students x states

    def negative_log_likelihood(x: np.ndarray) -> float:
        prior = AbilityPrior(difficulty=dict(zip(arrays.codes, x[1:], strict=True)), slope=x[0])
        log_prior = prior.log_prob(arrays, states)
        return float(-np.logaddexp.reduce(loglik + log_prior[None, :], axis=1).sum())

    start = np.r_[1.0, np.zeros(len(arrays))]
    bounds = [(0.01, 10.0)] + [(-15.0, 15.0)] * len(arrays)
    result = minimize(negative_log_likelihood, start, method="L-BFGS-B", bounds=bounds)
    return float(result.x[0])


# -- placement --------------------------------------------------------------------------------


def load_common_core() -> CompetencyGraph:
    base = DATA / "standards" / "ccssm-coherence"
    with (base / "standards.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    with (base / "prerequisite_edges.csv").open(newline="") as handle:
        edges = [(r["prerequisite_code"], r["dependent_code"]) for r in csv.DictReader(handle)]
    standards = [
        Standard(code=r["code"], label=r["description"], grade=r["grade"], domain=r["domain_code"])
        for r in rows
    ]
    return CompetencyGraph(standards, edges)


def placement_scope(graph: CompetencyGraph) -> list[str]:
    return [
        code
        for code in graph
        if graph.standard(code).grade in {"6", "7", "8"}
        or (graph.standard(code).grade == "HS" and graph.standard(code).domain.startswith("A-"))
    ]


def simulate_states(
    arrays: GraphArrays,
    difficulty: dict[str, float],
    slope: float,
    theta: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Prerequisite-respecting states: known if eligible and a sigmoid(slope·θ - b) draw."""
    states = np.zeros((len(theta), len(arrays)), dtype=bool)
    for s, code in enumerate(arrays.codes):
        draw = rng.random(len(theta)) < 1.0 / (1.0 + np.exp(-(slope * theta - difficulty[code])))
        for parent in arrays.parents[s]:
            draw &= states[:, parent]
        states[:, s] = draw
    return states


def placement(args: argparse.Namespace, rates: list[tuple[float, float]]) -> dict[str, Any]:
    graph = load_common_core()
    scope = graph.subgraph(placement_scope(graph))
    arrays = GraphArrays(scope)
    rng = np.random.default_rng(args.seed)
    noise = args.calibration_noise
    difficulty = {
        code: args.slope * (GRADE_OFFSET[scope.standard(code).grade] + rng.normal(0.0, 0.5))
        for code in arrays.codes
    }
    picks = rng.integers(len(rates), size=3 * len(arrays))
    items = [
        DiagnosticItem(
            f"{code}#{j}",
            (code,),
            slip=rates[int(picks[3 * s + j])][0],
            guess=rates[int(picks[3 * s + j])][1],
        )
        for s, code in enumerate(arrays.codes)
        for j in range(3)
    ]
    by_id = {item.item_id: item for item in items}
    # The engine knows the model only up to calibration error: difficulties and the logits of
    # slips and guesses are perturbed by N(0, noise).
    believed_difficulty = {c: b + rng.normal(0.0, noise) for c, b in difficulty.items()}
    believed_items = [
        DiagnosticItem(
            item.item_id,
            item.standards,
            slip=_jitter(item.slip, noise, rng),
            guess=min(_jitter(item.guess, noise, rng), 0.9 - item.slip),
        )
        for item in items
    ]
    prior = AbilityPrior(difficulty=believed_difficulty, slope=args.slope)
    config = DiagnosticConfig(
        max_items=args.max_items, particles=args.particles, confidence=args.confidence
    )
    engine = DiagnosticEngine(scope, believed_items, prior=prior, config=config)
    theta = rng.normal(size=args.placement_students)
    truth = simulate_states(arrays, difficulty, args.slope, theta, rng)
    steps = list(range(args.max_items + 1))
    accuracy = {p: np.zeros((len(truth), len(steps))) for p in ("adaptive", "random")}
    started = time.perf_counter()
    for n, state in enumerate(truth):
        for policy in accuracy:
            session = engine.start(f"{policy}:{n}", seed=n, now=0.0)
            answer_rng = np.random.default_rng([args.seed, n])
            order = np.random.default_rng([args.seed, n, 1]).permutation(len(items))
            threshold = config.likely_known_threshold
            accuracy[policy][n, 0] = _classified(session, state, threshold)
            for step in steps[1:]:
                if policy == "adaptive":
                    item_id = session.next_item(now=0.0)
                    if item_id is None:  # stopped early: later counts keep the result
                        accuracy[policy][n, step:] = accuracy[policy][n, step - 1]
                        break
                else:
                    item_id = items[int(order[step - 1])].item_id
                item = by_id[item_id]
                capable = all(state[arrays.index[c]] for c in item.standards)
                p = (1.0 - item.slip) if capable else item.guess
                session.submit(str(step), item_id, bool(answer_rng.random() < p), now=0.0)
                accuracy[policy][n, step] = _classified(session, state, threshold)
        if (n + 1) % 10 == 0:
            print(
                f"  placement {n + 1} students ({time.perf_counter() - started:.0f} s)", flush=True
            )
    # ceiling: knowing θ exactly, no items (marginals by Monte Carlo at that θ)
    ceiling = []
    for t, state in zip(theta, truth, strict=True):
        sample = simulate_states(arrays, difficulty, args.slope, np.full(2000, t), rng)
        ceiling.append(np.mean((sample.mean(axis=0) >= 0.5) == state))
    mean = {p: accuracy[p].mean(axis=0) for p in accuracy}
    print(
        f"\nPlacement: Common Core grades 6-8 + HS algebra, {len(arrays)} standards, "
        f"{len(items)} items, {len(truth)} simulated students (slope {args.slope:.2f}, "
        f"calibration noise {noise}, confidence {args.confidence})"
    )
    print(f"{'items':>5} | {'adaptive':>8} | {'random':>6}")
    for step in steps:
        print(f"{step:>5} | {mean['adaptive'][step]:>8.3f} | {mean['random'][step]:>6.3f}")
    print(f"knowing θ exactly (no items): {np.mean(ceiling):.3f}")
    final = float(mean["adaptive"][-1])
    print(
        f"target >= 0.90 classified within {args.max_items} items: {final:.3f} "
        f"{'MET' if final >= 0.9 else 'NOT MET'}"
    )
    return {
        "items": steps,
        "accuracy": [float(v) for v in mean["adaptive"]],
        "random": [float(v) for v in mean["random"]],
        "ceiling": float(np.mean(ceiling)),
        "standards": len(arrays),
    }


def _jitter(rate: float, noise: float, rng: np.random.Generator) -> float:
    logit = np.log(rate / (1.0 - rate)) + rng.normal(0.0, noise)
    return float(np.clip(1.0 / (1.0 + np.exp(-logit)), 0.01, 0.45))


def _classified(session: DiagnosticSession, state: np.ndarray, threshold: float) -> float:
    return float(np.mean((session.belief.marginals() >= threshold) == state))


# -- output -----------------------------------------------------------------------------------


def plot(path: Path, rep: dict[str, Any], place: dict[str, Any]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8), dpi=120)
    ks = rep["k"]
    auc = rep["auc"]
    styles = {"adaptive": ("C0", "o"), "random": ("C1", "s"), "fixed": ("C2", "^")}
    for policy, (colour, marker) in styles.items():
        left.plot(ks, auc[policy], color=colour, marker=marker, markersize=4, label=policy)
    left.axhline(
        float(rep["ceiling"]),
        color="grey",
        linestyle="--",
        label="knowing the other 19",
    )
    left.plot(
        ks, rep["ceiling_same"], color="grey", linestyle=":", label="other 19, adaptive's pairs"
    )
    left.axhline(auc["random"][9], color="red", linestyle=":", linewidth=1)
    left.annotate(
        "target: adaptive@6 ≥ random@10",
        xy=(6, auc["adaptive"][5]),
        xytext=(7.5, auc["random"][9] - 0.03),
        arrowprops={"arrowstyle": "->", "color": "red"},
        color="red",
    )
    left.set_title("Replay: fraction subtraction (536 students)")
    left.set_xlabel("items asked (k)")
    left.set_ylabel("AUC on the items not asked")
    left.set_xticks(range(1, 20, 2))
    left.grid(alpha=0.3)
    left.legend(loc="lower right")
    steps = place["items"]
    right.plot(steps, place["accuracy"], color="C0", marker="o", markersize=4, label="adaptive")
    right.plot(steps, place["random"], color="C1", marker="s", markersize=4, label="random order")
    right.axhline(
        float(place["ceiling"]),
        color="grey",
        linestyle="--",
        label="knowing ability θ, no items",
    )
    right.axhline(0.9, color="red", linestyle=":", label="target 0.90")
    right.set_title(f"Placement: Common Core 6-8 + algebra ({place['standards']} standards)")
    right.set_xlabel("items asked")
    right.set_ylabel("standards classified correctly")
    right.set_ylim(0.6, 1.0)
    right.grid(alpha=0.3)
    right.legend(loc="lower right")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="write the curves as JSON")
    parser.add_argument("--plot", type=Path, default=REPO / "bench" / "out" / "diagnostic.png")
    parser.add_argument(
        "--tolerance",
        type=float,
        default=0.15,
        help="item tree analysis: counterexample rate allowed for an edge",
    )
    parser.add_argument("--placement-students", type=int, default=60)
    parser.add_argument(
        "--slope",
        type=float,
        default=None,
        help="how strongly ability drives mastery in the simulation (default: fitted)",
    )
    parser.add_argument("--calibration-noise", type=float, default=0.3)
    parser.add_argument("--confidence", type=float, default=0.95)
    parser.add_argument("--particles", type=int, default=500)
    parser.add_argument("--max-items", type=int, default=25)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    if not (DATA / "kt" / "fraction_subtraction.csv.gz").exists():
        print(f"data not found under {DATA}", file=sys.stderr)
        return 2
    rep = replay(args)
    rates = rep["rates"]
    if args.slope is None:
        _, item_ids, matrix = load_matrix(DATA / "kt" / "fraction_subtraction.csv.gz")
        args.slope = fit_slope(item_ids, matrix, args.tolerance)
        print(f"\nability slope fitted on fraction subtraction: {args.slope:.2f}")
    place = placement(args, rates)
    plot(args.plot, rep, place)
    print(f"plot: {args.plot}")
    if args.json:
        auc = rep["auc"]
        document = {
            "replay": {
                "k": rep["k"],
                "adaptive_auc": auc["adaptive"],
                "random_auc": auc["random"],
                "fixed_auc": auc["fixed"],
            },
            "placement": {
                "items": place["items"],
                "accuracy": place["accuracy"],
                "standards": place["standards"],
            },
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(document, indent=2) + "\n")
        print(f"json: {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
