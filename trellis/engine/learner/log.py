"""Response logs: the evidence a learner model is fitted on and evaluated with.

A *response log* is a table with one row per answer a student gave::

    student_id, seq, item_id, skill_ids, correct, timestamp

``seq`` orders a student's answers (0, 1, 2, ...), ``skill_ids`` lists the skills the item
exercises separated by ``;`` (an item may exercise several), ``correct`` is 1 or 0 for the first
attempt and ``timestamp`` is in seconds (empty when the source has none).

:class:`ResponseLog` holds the table *columnar*, as NumPy arrays, because every model works on
whole columns at once. The several skills of a row are stored like a sparse matrix row (CSR):
the skills of row ``r`` are ``skill_flat[skill_offsets[r]:skill_offsets[r + 1]]``.

:func:`load_log` reads the canonical CSV (optionally gzip-compressed) and rejects bad input with
a :class:`LogFormatError` that names the file, line and column at fault.
"""

from __future__ import annotations

import csv
import gzip
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast

import numpy as np
import numpy.typing as npt

COLUMNS = ("student_id", "seq", "item_id", "skill_ids", "correct", "timestamp")
REQUIRED_COLUMNS = ("student_id", "seq", "item_id", "skill_ids", "correct")
SKILL_SEPARATOR = ";"


class LogFormatError(ValueError):
    """A response log that cannot be read; the message names the file, line and column."""


@dataclass(frozen=True, eq=False)
class ResponseLog:
    """A response log held column by column (see the module docstring).

    The arrays are made read-only on construction, so no model can modify a log it was given.
    """

    student: npt.NDArray[np.str_]
    seq: npt.NDArray[np.int64]
    item: npt.NDArray[np.str_]
    skill_offsets: npt.NDArray[np.int64]
    skill_flat: npt.NDArray[np.str_]
    correct: npt.NDArray[np.int8]
    timestamp: npt.NDArray[np.float64]

    def __post_init__(self) -> None:
        n = len(self.student)
        for name in ("seq", "item", "correct", "timestamp"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"column {name!r} has {len(getattr(self, name))} rows, not {n}")
        if len(self.skill_offsets) != n + 1 or self.skill_offsets[-1] != len(self.skill_flat):
            raise ValueError("skill_offsets does not describe skill_flat")
        if n and not np.isin(self.correct, (0, 1)).all():
            raise ValueError("correct must be 0 or 1")
        for name in ("student", "seq", "item", "skill_offsets", "skill_flat", "correct",
                     "timestamp"):
            # A read-only view: the caller's own arrays keep their flags.
            view = getattr(self, name).view()
            view.flags.writeable = False
            object.__setattr__(self, name, view)

    def __len__(self) -> int:
        return len(self.student)

    @property
    def n_skills_per_row(self) -> npt.NDArray[np.int64]:
        return np.diff(self.skill_offsets)

    def skills_of(self, row: int) -> list[str]:
        start, end = self.skill_offsets[row], self.skill_offsets[row + 1]
        return [str(s) for s in self.skill_flat[start:end]]

    def skill_rows(self) -> npt.NDArray[np.int64]:
        """The row index of every entry of ``skill_flat``."""
        return np.repeat(np.arange(len(self), dtype=np.int64), self.n_skills_per_row)

    def time_order(self) -> npt.NDArray[np.int64]:
        """Row indices sorted by student, then ``seq``: the order the answers were given."""
        return np.lexsort((self.seq, self.student)).astype(np.int64)

    def take(self, rows: npt.ArrayLike) -> ResponseLog:
        """A new log made of the given rows, in the given order."""
        rows = np.asarray(rows, dtype=np.int64)
        counts = self.n_skills_per_row[rows]
        offsets = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        starts = self.skill_offsets[rows]
        # Index of every skill entry of the chosen rows, row after row.
        flat_index = np.repeat(starts - offsets[:-1], counts) + np.arange(offsets[-1])
        return ResponseLog(
            student=self.student[rows].copy(),
            seq=self.seq[rows].copy(),
            item=self.item[rows].copy(),
            skill_offsets=offsets,
            skill_flat=self.skill_flat[flat_index].copy(),
            correct=self.correct[rows].copy(),
            timestamp=self.timestamp[rows].copy(),
        )

    @classmethod
    def from_records(cls, records: Iterable[Sequence[object]]) -> ResponseLog:
        """Build a log from ``(student, seq, item, skills, correct[, timestamp])`` tuples.

        ``skills`` is a sequence of skill ids or a ``;``-separated string.
        """
        students: list[str] = []
        seqs: list[int] = []
        items: list[str] = []
        offsets = [0]
        flat: list[str] = []
        corrects: list[int] = []
        stamps: list[float] = []
        for record in records:
            student, seq, item, skills, correct, *rest = record
            students.append(str(student))
            seqs.append(int(seq))  # type: ignore[call-overload]
            items.append(str(item))
            skill_list = (skills.split(SKILL_SEPARATOR) if isinstance(skills, str)
                          else [str(s) for s in skills])  # type: ignore[attr-defined]
            flat.extend(distinct_skills(skill_list))
            offsets.append(len(flat))
            corrects.append(int(correct))  # type: ignore[call-overload]
            stamp = rest[0] if rest else None
            stamps.append(math.nan if stamp is None else float(stamp))  # type: ignore[arg-type]
        return cls(
            student=np.array(students, dtype=np.str_),
            seq=np.array(seqs, dtype=np.int64),
            item=np.array(items, dtype=np.str_),
            skill_offsets=np.array(offsets, dtype=np.int64),
            skill_flat=np.array(flat, dtype=np.str_),
            correct=np.array(corrects, dtype=np.int8),
            timestamp=np.array(stamps, dtype=np.float64),
        )

    def to_csv(self, path: str | Path, extra: dict[str, npt.ArrayLike] | None = None) -> None:
        """Write the log in the canonical format (gzip if the name ends in ``.gz``)."""
        extra_columns = {name: np.asarray(values) for name, values in (extra or {}).items()}
        with _open_text(Path(path), "w") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow([*COLUMNS, *extra_columns])
            for r in range(len(self)):
                stamp = self.timestamp[r]
                writer.writerow([
                    self.student[r], int(self.seq[r]), self.item[r],
                    SKILL_SEPARATOR.join(self.skills_of(r)), int(self.correct[r]),
                    "" if math.isnan(stamp) else _format_number(float(stamp)),
                    *(_format_number(float(v)) if isinstance(v, np.floating) else v
                      for v in (column[r] for column in extra_columns.values())),
                ])


def distinct_skills(skills: Iterable[str]) -> list[str]:
    """The skills of one answer without blanks or repeats, in their first order."""
    return list(dict.fromkeys(str(s) for s in skills if str(s)))


def _format_number(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def _open_text(path: Path, mode: str) -> IO[str]:
    if path.suffix == ".gz":
        return cast(IO[str], gzip.open(path, mode + "t", encoding="utf-8", newline=""))
    return open(path, mode, encoding="utf-8", newline="")


def load_log(path: str | Path) -> ResponseLog:
    """Read a response log in the canonical CSV format (``.gz`` is decompressed).

    Raises :class:`LogFormatError` naming the file, line and column for a missing column, a
    ``correct`` that is not 0/1, a ``seq`` or ``timestamp`` that is not a number, an empty
    ``student_id``/``item_id``/``skill_ids``, or a file without any response.
    """
    path = Path(path)
    if not path.exists():
        raise LogFormatError(f"{path}: no such file")
    try:
        with _open_text(path, "r") as handle:
            return _parse(path, csv.reader(handle))
    except (OSError, EOFError, UnicodeDecodeError, csv.Error) as exc:
        raise LogFormatError(f"{path}: cannot be read as a CSV file: {exc}") from exc


def _parse(path: Path, reader: Iterable[list[str]]) -> ResponseLog:
    rows = iter(reader)
    header = next(rows, None)
    if header is None or not any(cell.strip() for cell in header):
        raise LogFormatError(f"{path}: the file is empty (expected a header row {COLUMNS})")
    header = [cell.strip() for cell in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise LogFormatError(
            f"{path}, line 1: missing column(s) {', '.join(missing)} (header is {header})")
    where = {name: header.index(name) for name in COLUMNS if name in header}
    i_student, i_seq, i_item, i_skills, i_correct = (where[c] for c in REQUIRED_COLUMNS)
    i_stamp = where.get("timestamp")
    width = max(where.values()) + 1

    students: list[str] = []
    seqs: list[int] = []
    items: list[str] = []
    offsets = [0]
    flat: list[str] = []
    corrects: list[int] = []
    stamps: list[float] = []
    for line_number, row in enumerate(rows, start=2):
        if not row:
            continue  # a blank line
        if len(row) < width:
            raise LogFormatError(
                f"{path}, line {line_number}: {len(row)} fields, expected at least {width}")
        correct = row[i_correct].strip()
        if correct not in ("0", "1"):
            raise LogFormatError(
                f"{path}, line {line_number}, column correct: {correct!r} is not 0 or 1")
        try:
            seq = int(row[i_seq])
        except ValueError:
            raise LogFormatError(
                f"{path}, line {line_number}, column seq: {row[i_seq]!r} is not an integer"
            ) from None
        stamp_text = row[i_stamp].strip() if i_stamp is not None else ""
        try:
            stamp = float(stamp_text) if stamp_text else math.nan
        except ValueError:
            raise LogFormatError(
                f"{path}, line {line_number}, column timestamp: {stamp_text!r} is not a number"
            ) from None
        student, item, skills = row[i_student], row[i_item], row[i_skills]
        for name, value in (("student_id", student), ("item_id", item), ("skill_ids", skills)):
            if not value.strip():
                raise LogFormatError(f"{path}, line {line_number}, column {name}: empty")
        students.append(student)
        seqs.append(seq)
        items.append(item)
        flat.extend(distinct_skills(skills.split(SKILL_SEPARATOR)))
        offsets.append(len(flat))
        corrects.append(correct == "1")
        stamps.append(stamp)
    if not students:
        raise LogFormatError(f"{path}: the file has a header but no responses")
    return ResponseLog(
        student=np.array(students, dtype=np.str_),
        seq=np.array(seqs, dtype=np.int64),
        item=np.array(items, dtype=np.str_),
        skill_offsets=np.array(offsets, dtype=np.int64),
        skill_flat=np.array(flat, dtype=np.str_),
        correct=np.array(corrects, dtype=np.int8),
        timestamp=np.array(stamps, dtype=np.float64),
    )
