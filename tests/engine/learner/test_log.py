"""Reading response logs: the canonical CSV, gzip, and clear errors for bad input."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from trellis.engine.learner import LogFormatError, ResponseLog, load_log

HEADER = "student_id,seq,item_id,skill_ids,correct,timestamp\n"


def write(tmp_path: Path, text: str, name: str = "log.csv") -> Path:
    path = tmp_path / name
    if name.endswith(".gz"):
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            handle.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_reads_plain_and_gzip_csv_with_several_skills(tmp_path: Path) -> None:
    text = HEADER + "a,0,q1,s1;s2,1,10\na,1,q2,s2,0,\nb,0,q1,s1;s2,0,7.5\n"
    for name in ("log.csv", "log.csv.gz"):
        log = load_log(write(tmp_path, text, name))
        assert len(log) == 3
        assert log.skills_of(0) == ["s1", "s2"] and log.skills_of(1) == ["s2"]
        np.testing.assert_array_equal(log.correct, [1, 0, 0])
        assert log.timestamp[0] == 10 and np.isnan(log.timestamp[1])
        assert list(log.student) == ["a", "a", "b"]


def test_columns_may_come_in_any_order_and_timestamp_may_be_absent(tmp_path: Path) -> None:
    log = load_log(write(tmp_path, "correct,item_id,student_id,skill_ids,seq\n1,q,s,k,0\n"))
    assert log.item[0] == "q" and log.student[0] == "s" and np.isnan(log.timestamp[0])


@pytest.mark.parametrize(("text", "message"), [
    ("student_id,seq,item_id,correct\na,0,q,1\n", r"line 1: missing column\(s\) skill_ids"),
    (HEADER + "a,0,q,s,1,\na,1,q,s,yes,\n", r"line 3, column correct: 'yes' is not 0 or 1"),
    (HEADER + "a,0,q,s,2,\n", r"line 2, column correct: '2' is not 0 or 1"),
    (HEADER + "a,x,q,s,1,\n", r"line 2, column seq: 'x' is not an integer"),
    (HEADER + "a,0,q,,1,\n", r"line 2, column skill_ids: empty"),
    (HEADER + "a,0,q,s,1,noon\n", r"line 2, column timestamp"),
    ("", r"the file is empty"),
    (HEADER, r"header but no responses"),
])
def test_bad_input_is_rejected_naming_file_line_and_column(tmp_path: Path, text: str,
                                                           message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(LogFormatError, match=message) as raised:
        load_log(path)
    assert str(path) in str(raised.value)


def test_missing_file_and_corrupt_gzip(tmp_path: Path) -> None:
    with pytest.raises(LogFormatError, match="no such file"):
        load_log(tmp_path / "absent.csv")
    broken = tmp_path / "broken.csv.gz"
    broken.write_bytes(b"not gzip at all")
    with pytest.raises(LogFormatError, match="cannot be read"):
        load_log(broken)


def test_take_keeps_multi_skill_rows_aligned_and_logs_are_read_only() -> None:
    log = ResponseLog.from_records([("a", 0, "q1", "s1;s2", 1), ("a", 1, "q2", "s3", 0),
                                    ("b", 0, "q3", ["s4", "s5", "s6"], 1)])
    picked = log.take([2, 0])
    assert [picked.skills_of(0), picked.skills_of(1)] == [["s4", "s5", "s6"], ["s1", "s2"]]
    assert list(picked.item) == ["q3", "q1"]
    with pytest.raises(ValueError):
        log.correct[0] = 0


def test_round_trip_through_csv(tmp_path: Path) -> None:
    log = ResponseLog.from_records([("a", 0, "q1", "s1;s2", 1, 3.0), ("a", 1, "q2", "s3", 0)])
    log.to_csv(tmp_path / "out.csv.gz", extra={"p_correct": np.array([0.25, 0.5])})
    again = load_log(tmp_path / "out.csv.gz")
    assert again.skills_of(0) == ["s1", "s2"] and again.timestamp[0] == 3.0
    with gzip.open(tmp_path / "out.csv.gz", "rt") as handle:
        assert handle.readline().strip().endswith(",p_correct")
        assert handle.readline().strip() == "a,0,q1,s1;s2,1,3,0.25"


def test_repeated_skills_count_once_and_callers_arrays_stay_writable(tmp_path: Path) -> None:
    log = load_log(write(tmp_path, HEADER + "a,0,q,s1;s1;s2;,1,\n"))
    assert log.skills_of(0) == ["s1", "s2"]
    correct = np.array([1], dtype=np.int8)
    ResponseLog(student=np.array(["a"]), seq=np.array([0]), item=np.array(["q"]),
                skill_offsets=np.array([0, 1]), skill_flat=np.array(["s"]), correct=correct,
                timestamp=np.array([np.nan]))
    correct[0] = 0  # still the caller's to change
