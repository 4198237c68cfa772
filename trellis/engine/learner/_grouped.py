"""Vectorised running sums over a student's history, the batch twin of the online update.

The online models keep, per student (and per student × skill, per student × item), running
counts and exponentially decayed sums, updated one answer at a time. Replaying a log row by row
in Python would be slow, so the batch path computes the same quantities for every row at once:
for each element, the sum over the *earlier* elements of its group (exclusive sums, so an answer
never informs its own prediction).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.signal import lfilter


def factorize(values: npt.NDArray[np.generic]) -> tuple[npt.NDArray[np.int64], np.ndarray]:
    """Integer codes for ``values`` and the sorted distinct values they index."""
    uniques, codes = np.unique(values, return_inverse=True)
    return codes.astype(np.int64), uniques


def _group_layout(groups: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64],
                                                          npt.NDArray[np.int64]]:
    """A stable order that puts each group's elements together (keeping their time order),
    and, in that order, the position where each element's group starts."""
    order = np.argsort(groups, kind="stable")
    sorted_groups = groups[order]
    is_start = np.ones(len(groups), dtype=bool)
    is_start[1:] = sorted_groups[1:] != sorted_groups[:-1]
    start_positions = np.flatnonzero(is_start)
    group_start = start_positions[np.cumsum(is_start) - 1]
    return order, group_start


def exclusive_cumsum(groups: npt.NDArray[np.int64],
                     values: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """For each element, the sum of ``values`` over the earlier elements of its group.

    Elements must be given in time order; ``groups`` holds their group ids.
    """
    values = np.asarray(values, dtype=np.float64)
    order, group_start = _group_layout(groups)
    running = np.cumsum(values[order]) - values[order]
    out = np.empty(len(values), dtype=np.float64)
    out[order] = running - running[group_start]
    return out


def exclusive_decayed_sum(groups: npt.NDArray[np.int64], values: npt.ArrayLike,
                          decay: float) -> npt.NDArray[np.float64]:
    """For each element t, ``sum(decay ** (t - 1 - k) * values[k])`` over earlier k in its group.

    Online this is ``s = decay * s + value`` after each answer. Computed with one linear filter
    over all groups back to back, then the carry-over from the preceding groups is removed.
    """
    values = np.asarray(values, dtype=np.float64)
    order, group_start = _group_layout(groups)
    inclusive = lfilter([1.0], [1.0, -decay], values[order])
    positions = np.arange(len(values))
    carry_in = np.where(group_start > 0, inclusive[np.maximum(group_start - 1, 0)], 0.0)
    with np.errstate(under="ignore"):
        local = inclusive - decay ** (positions - group_start + 1.0) * carry_in
    exclusive = np.zeros(len(values), dtype=np.float64)
    later = positions > group_start
    exclusive[later] = local[positions[later] - 1]
    out = np.empty(len(values), dtype=np.float64)
    out[order] = exclusive
    return out


def exclusive_streak(groups: npt.NDArray[np.int64],
                     flags: npt.NDArray[np.bool_]) -> npt.NDArray[np.float64]:
    """For each element, how many of the immediately preceding elements of its group have
    ``flags`` set in a row (online: ``streak = streak + 1 if flag else 0``)."""
    order, group_start = _group_layout(groups)
    sorted_flags = np.asarray(flags, dtype=bool)[order]
    positions = np.arange(len(sorted_flags))
    # Where the current run began: just after the last unflagged element, or the group start.
    run_start = np.maximum.accumulate(np.where(sorted_flags, group_start, positions + 1))
    inclusive = positions + 1 - run_start
    exclusive = np.zeros(len(sorted_flags), dtype=np.float64)
    later = positions > group_start
    exclusive[later] = inclusive[positions[later] - 1]
    out = np.empty(len(sorted_flags), dtype=np.float64)
    out[order] = exclusive
    return out


def previous_in_group(groups: npt.NDArray[np.int64], values: npt.ArrayLike,
                      default: float) -> npt.NDArray[np.float64]:
    """For each element, ``values`` of the previous element of its group (or ``default``)."""
    values = np.asarray(values, dtype=np.float64)
    order, group_start = _group_layout(groups)
    sorted_values = values[order]
    positions = np.arange(len(values))
    previous = np.full(len(values), default, dtype=np.float64)
    later = positions > group_start
    previous[later] = sorted_values[positions[later] - 1]
    out = np.empty(len(values), dtype=np.float64)
    out[order] = previous
    return out
