"""``trellis learner``: evaluate (split or folds) and fit, without Django."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from trellis.cli import main
from trellis.engine.learner import LearnerModel, ResponseLog, load_log

from .conftest import simulate_log


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    log = simulate_log(n_students=40, seed=4)
    number = np.array([int(s[1:]) for s in log.student])
    train, test = tmp_path / "train.csv.gz", tmp_path / "test.csv"
    log.take(np.flatnonzero(number < 30)).to_csv(train)
    # Test rows shuffled: the output must keep this order.
    rows = np.flatnonzero(number >= 30)
    log.take(np.random.default_rng(0).permutation(rows)).to_csv(test)
    return train, test


@pytest.mark.parametrize("model", ["best-lr-plus", "bkt"])
def test_evaluate_split_writes_predictions_in_test_order(
        files: tuple[Path, Path], tmp_path: Path, model: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    train, test = files
    out = tmp_path / "pred.csv"
    assert main(["learner", "evaluate", "--train", str(train), "--test", str(test),
                 "--predictions", str(out), "--model", model]) == 0
    with open(out, newline="") as handle:
        rows = list(csv.DictReader(handle))
    with open(test, newline="") as handle:
        original = list(csv.DictReader(handle))
    assert [(r["student_id"], r["seq"]) for r in rows] == [
        (r["student_id"], r["seq"]) for r in original]
    p = np.array([float(r["p_correct"]) for r in rows])
    assert ((p >= 0) & (p <= 1)).all()
    assert "AUC" in capsys.readouterr().out


def test_evaluate_folds_prints_the_table(files: tuple[Path, Path],
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["learner", "evaluate", "--data", str(files[0]), "--folds", "3",
                 "--model", "bkt"]) == 0
    out = capsys.readouterr().out
    for label in ("AUC", "RMSE", "accuracy", "fit s", "predict s"):
        assert label in out


def test_fit_writes_loadable_parameters(files: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "params.json"
    assert main(["learner", "fit", "--data", str(files[0]), "--out", str(out)]) == 0
    model = LearnerModel.from_json(out.read_text())
    assert json.loads(out.read_text())["model"] == "best-lr-plus"
    log: ResponseLog = load_log(files[1])
    assert np.isfinite(model.predict_log(log)).all()


def test_bad_input_gets_a_clear_error(tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("student_id,seq,item_id,skill_ids,correct\na,0,q,s,7\n")
    assert main(["learner", "fit", "--data", str(bad), "--out", str(tmp_path / "p.json")]) == 2
    assert "line 2, column correct" in capsys.readouterr().err
    assert main(["learner", "evaluate", "--train", str(bad)]) == 2


def test_the_learner_cli_does_not_import_django() -> None:
    code = ("import sys, trellis.commands.learner; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,  # noqa: S603
                          check=True, cwd=Path(__file__).resolve().parents[3])
    assert done.stdout.strip() == "[]"
