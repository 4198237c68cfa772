"""Small groups and one-on-one flags: who works together today, and who needs the teacher alone.

A teacher running a personalized classroom cannot sit with 30 students one at a time, so each
day the class splits into **small groups** of students who are *ready for the same standard*
(their plan's next step) and whose *ability is close* (their mastery estimates sit in a narrow
band), so one short teacher-led session serves all of them. Everyone else works independently
on their own playlist — and the grouping says *why* each of those students was not grouped.

How groups are formed (deterministic: the same input always gives the same groups):

1. Students are bucketed by their next standard. A student with no next standard works
   independently ("nothing planned next").
2. Within a bucket, students are sorted by ability and cut into contiguous runs by dynamic
   programming. A run becomes a group when its size is within ``[min_size, max_size]`` and its
   ability spread (highest minus lowest) is at most ``max_ability_spread``. The cut minimises,
   in this order: students left ungrouped, number of groups (each costs teacher time), size
   imbalance, total ability spread. Sorting first makes contiguous runs optimal for a
   one-dimensional band.
3. Each group gets a suggested activity chosen from its ability band (re-teach / guided
   practice / extension) and a plain-language rationale.

**One-on-one flags** are independent of grouping (a flagged student may still be in a group):

- *stuck* — repeated recent failures and no mastery gain over the same window;
- *behind pace* — the plan's target date for the current step has slipped by several days;
- *diagnostic gaps* — the placement diagnostic found missing prerequisites.

**Teacher overrides** come in as data (the web layer persists them) and always win:

- :class:`PinGroup` keeps a teacher-made group exactly as given (the students present today);
- :class:`MoveStudent` puts a student into a named group (pinned or automatic);
- :class:`DissolveGroup` breaks an automatic group up; its members work independently today.

An override that cannot be applied (say, the target group no longer exists) is not silently
dropped: it is reported in :attr:`GroupingResult.notes`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "DissolveGroup",
    "EvidenceSummary",
    "FlagKind",
    "Group",
    "GroupingPolicy",
    "GroupingResult",
    "IndependentWork",
    "MoveStudent",
    "OneOnOneFlag",
    "Override",
    "PinGroup",
    "StudentSnapshot",
    "flag_one_on_one",
    "suggest_groups",
]


@dataclass(frozen=True)
class EvidenceSummary:
    """What the recent evidence says about a student's current step.

    ``recent_failures`` counts failed attempts in the window (``window_days``);
    ``mastery_change`` is the change of the mastery estimate over the same window;
    ``days_behind_pace`` is how far the plan's target date for the step has slipped (0 if on
    pace); ``diagnostic_gaps`` are prerequisite standards the diagnostic found missing.
    """

    recent_attempts: int = 0
    recent_failures: int = 0
    mastery_change: float = 0.0
    window_days: int = 7
    days_behind_pace: float = 0.0
    diagnostic_gaps: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.recent_attempts < 0 or self.recent_failures < 0:
            raise ValueError("attempt and failure counts cannot be negative")
        if self.recent_failures > self.recent_attempts:
            raise ValueError(
                f"recent_failures ({self.recent_failures}) exceeds recent_attempts "
                f"({self.recent_attempts})"
            )
        if self.window_days <= 0:
            raise ValueError("window_days must be positive")
        if not math.isfinite(self.mastery_change) or not math.isfinite(self.days_behind_pace):
            raise ValueError("mastery_change and days_behind_pace must be finite numbers")


@dataclass(frozen=True)
class StudentSnapshot:
    """One student of the class as the grouping sees them today."""

    student_id: str
    name: str
    next_standard: str | None
    ability: float
    evidence: EvidenceSummary = field(default_factory=EvidenceSummary)

    def __post_init__(self) -> None:
        if not self.student_id:
            raise ValueError("student_id must not be empty")
        if not math.isfinite(self.ability):
            raise ValueError(f"ability of {self.student_id} must be a finite number")


@dataclass(frozen=True)
class GroupingPolicy:
    """Knobs of the grouping; the defaults suit a class of about 30."""

    min_size: int = 3
    max_size: int = 6
    max_ability_spread: float = 0.2
    stuck_min_failures: int = 3
    stuck_max_mastery_gain: float = 0.02
    behind_pace_days: float = 5.0
    low_ability: float = 0.4
    high_ability: float = 0.7

    def __post_init__(self) -> None:
        if not 2 <= self.min_size <= self.max_size:
            raise ValueError(
                f"group sizes must satisfy 2 <= min_size <= max_size "
                f"(got {self.min_size}..{self.max_size})"
            )
        if self.max_ability_spread < 0:
            raise ValueError("max_ability_spread cannot be negative")
        if self.stuck_min_failures < 1:
            raise ValueError("stuck_min_failures must be at least 1")


# --- overrides -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PinGroup:
    """A teacher-made group: these students stay together under ``group_id``."""

    group_id: str
    student_ids: tuple[str, ...]
    standard: str | None = None


@dataclass(frozen=True)
class MoveStudent:
    """Put ``student_id`` into the group ``to_group_id`` (a pinned or an automatic group)."""

    student_id: str
    to_group_id: str


@dataclass(frozen=True)
class DissolveGroup:
    """Break up the automatic group ``group_id``: its members work independently today."""

    group_id: str


Override = PinGroup | MoveStudent | DissolveGroup


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    """A small group with what it should work on and why it was formed."""

    group_id: str
    standard: str
    student_ids: tuple[str, ...]
    activity: str
    rationale: str
    ability_low: float
    ability_high: float
    pinned: bool = False


@dataclass(frozen=True)
class IndependentWork:
    """A student left to independent work today, with the reason in plain words."""

    student_id: str
    standard: str | None
    reason: str


class FlagKind(StrEnum):
    STUCK = "stuck"
    BEHIND_PACE = "behind_pace"
    DIAGNOSTIC_GAPS = "diagnostic_gaps"


@dataclass(frozen=True)
class OneOnOneFlag:
    """A student who needs one-on-one time, with every reason that applies."""

    student_id: str
    kinds: tuple[FlagKind, ...]
    reasons: tuple[str, ...]
    priority: float

    @property
    def reason(self) -> str:
        return " ".join(self.reasons)


@dataclass(frozen=True)
class GroupingResult:
    groups: tuple[Group, ...]
    independent: tuple[IndependentWork, ...]
    one_on_one: tuple[OneOnOneFlag, ...]
    notes: tuple[str, ...] = ()

    def group_of(self, student_id: str) -> Group | None:
        for group in self.groups:
            if student_id in group.student_ids:
                return group
        return None

    def placed_student_ids(self) -> set[str]:
        placed = {sid for group in self.groups for sid in group.student_ids}
        return placed | {item.student_id for item in self.independent}


# --- one-on-one flags ------------------------------------------------------------------------


def flag_one_on_one(
    students: Iterable[StudentSnapshot], policy: GroupingPolicy | None = None
) -> list[OneOnOneFlag]:
    """Flag students for one-on-one time; highest priority first, ties by student id."""
    policy = policy or GroupingPolicy()
    flags: list[OneOnOneFlag] = []
    for student in students:
        evidence = student.evidence
        step = student.next_standard or "the current step"
        kinds: list[FlagKind] = []
        reasons: list[str] = []
        priority = 0.0
        if (
            evidence.recent_failures >= policy.stuck_min_failures
            and evidence.mastery_change <= policy.stuck_max_mastery_gain
        ):
            kinds.append(FlagKind.STUCK)
            reasons.append(
                f"Stuck on {step}: {evidence.recent_failures} of {evidence.recent_attempts} "
                f"attempts failed in the last {evidence.window_days} days and mastery has not "
                f"improved ({evidence.mastery_change:+.2f})."
            )
            priority += 2.0 + evidence.recent_failures / 10
        if evidence.diagnostic_gaps:
            kinds.append(FlagKind.DIAGNOSTIC_GAPS)
            gaps = ", ".join(evidence.diagnostic_gaps)
            reasons.append(f"The diagnostic found gaps in prerequisites: {gaps}.")
            priority += 1.5 + 0.1 * len(evidence.diagnostic_gaps)
        if evidence.days_behind_pace >= policy.behind_pace_days:
            kinds.append(FlagKind.BEHIND_PACE)
            reasons.append(
                f"Behind pace: {evidence.days_behind_pace:g} days past the target date for {step}."
            )
            priority += 1.0 + evidence.days_behind_pace / 30
        if kinds:
            flags.append(
                OneOnOneFlag(student.student_id, tuple(kinds), tuple(reasons), round(priority, 3))
            )
    flags.sort(key=lambda flag: (-flag.priority, flag.student_id))
    return flags


# --- automatic grouping ----------------------------------------------------------------------


def _partition_band(
    ordered: Sequence[StudentSnapshot], policy: GroupingPolicy
) -> list[tuple[int, int]]:
    """Cut ability-sorted students into groups; returns ``(start, end)`` index runs.

    ``best[i]`` is the best cost for the first ``i`` students, as the tuple
    ``(left out, groups, sum of squared sizes, total spread)``: the squared sizes prefer
    balanced groups (4+4+5 over 3+4+6). Student ``i - 1`` is either left out or ends a run.
    """
    count = len(ordered)
    best: list[tuple[int, int, int, float]] = [(0, 0, 0, 0.0)] + [(count + 1, 0, 0, 0.0)] * count
    choice: list[int] = [-1] * (count + 1)  # -1: student i-1 left out; else run start
    for end in range(1, count + 1):
        left_out, groups, squares, spread = best[end - 1]
        best[end] = (left_out + 1, groups, squares, spread)
        choice[end] = -1
        for size in range(policy.min_size, min(policy.max_size, end) + 1):
            start = end - size
            run_spread = ordered[end - 1].ability - ordered[start].ability
            if run_spread > policy.max_ability_spread + 1e-12:
                break  # a longer run only widens the band
            prev_left, prev_groups, prev_squares, prev_spread = best[start]
            candidate = (
                prev_left,
                prev_groups + 1,
                prev_squares + size * size,
                round(prev_spread + run_spread, 9),
            )
            if candidate < best[end]:
                best[end] = candidate
                choice[end] = start
    runs: list[tuple[int, int]] = []
    end = count
    while end > 0:
        start = choice[end]
        if start == -1:
            end -= 1
        else:
            runs.append((start, end))
            end = start
    runs.reverse()
    return runs


def _activity(standard: str, mean_ability: float, label: str, policy: GroupingPolicy) -> str:
    name = f"{standard} ({label})" if label else standard
    if mean_ability < policy.low_ability:
        return f"Re-teach {name} with a worked example, then guided practice together."
    if mean_ability >= policy.high_ability:
        return f"Extension task and a short mastery check on {name}."
    return f"Guided practice on {name}: work problems together, then one each independently."


def _describe_group(
    group_id: str,
    standard: str,
    members: Sequence[StudentSnapshot],
    policy: GroupingPolicy,
    labels: Mapping[str, str],
    *,
    pinned: bool = False,
    note: str = "",
) -> Group:
    abilities = [member.ability for member in members]
    low, high = min(abilities), max(abilities)
    mean = sum(abilities) / len(abilities)
    if pinned:
        rationale = f"Group kept together by the teacher ({len(members)} students)."
    else:
        rationale = (
            f"{len(members)} students are all ready for {standard} and have close ability "
            f"({low:.2f}–{high:.2f})."
        )
    if note:
        rationale = f"{rationale} {note}"
    return Group(
        group_id=group_id,
        standard=standard,
        student_ids=tuple(member.student_id for member in members),
        activity=_activity(standard, mean, labels.get(standard, ""), policy),
        rationale=rationale,
        ability_low=round(low, 4),
        ability_high=round(high, 4),
        pinned=pinned,
    )


def _left_out_reason(
    student: StudentSnapshot,
    bucket: Sequence[StudentSnapshot],
    groups_here: Sequence[Sequence[StudentSnapshot]],
    policy: GroupingPolicy,
) -> str:
    standard = student.next_standard
    if len(bucket) < policy.min_size:
        others = len(bucket) - 1
        return (
            f"Only {others} other student{'s' if others != 1 else ''} ready for {standard}; a "
            f"group needs at least {policy.min_size}. Independent work on the playlist."
        )
    if groups_here:
        nearest = min(
            groups_here,
            key=lambda members: min(abs(m.ability - student.ability) for m in members),
        )
        band = f"{nearest[0].ability:.2f}–{nearest[-1].ability:.2f}"
        if len(nearest) >= policy.max_size:
            return (
                f"The closest group on {standard} (ability {band}) is full "
                f"({policy.max_size} students). Independent work on the playlist."
            )
        return (
            f"Ability {student.ability:.2f} is too far from the closest group on {standard} "
            f"(ability {band}). Independent work on the playlist."
        )
    return (
        f"No {policy.min_size} students ready for {standard} are within "
        f"{policy.max_ability_spread:.2f} of each other in ability. Independent work on the "
        f"playlist."
    )


def suggest_groups(
    students: Iterable[StudentSnapshot],
    policy: GroupingPolicy | None = None,
    overrides: Iterable[Override] = (),
    standard_labels: Mapping[str, str] | None = None,
) -> GroupingResult:
    """Group a class for today; every student ends up in a group or in independent work."""
    policy = policy or GroupingPolicy()
    labels = standard_labels or {}
    roster = list(students)
    by_id: dict[str, StudentSnapshot] = {}
    for student in roster:
        if student.student_id in by_id:
            raise ValueError(f"student {student.student_id!r} appears twice in the class")
        by_id[student.student_id] = student
    override_list = list(overrides)
    notes: list[str] = []

    # 1. Teacher-pinned groups take their students out of the automatic pool.
    pinned: dict[str, list[StudentSnapshot]] = {}
    pinned_standard: dict[str, str | None] = {}
    taken: set[str] = set()
    for override in override_list:
        if not isinstance(override, PinGroup):
            continue
        present = [by_id[sid] for sid in override.student_ids if sid in by_id and sid not in taken]
        missing = [sid for sid in override.student_ids if sid not in by_id]
        if missing:
            notes.append(
                f"Pinned group {override.group_id}: {', '.join(missing)} not in the class today."
            )
        if present:
            pinned.setdefault(override.group_id, []).extend(present)
            pinned_standard[override.group_id] = override.standard
            taken.update(student.student_id for student in present)

    # 2. Automatic groups from the rest, bucketed by next standard.
    independent: dict[str, IndependentWork] = {}
    buckets: dict[str, list[StudentSnapshot]] = defaultdict(list)
    for student in roster:
        if student.student_id in taken:
            continue
        if student.next_standard is None:
            independent[student.student_id] = IndependentWork(
                student.student_id,
                None,
                "No next standard in the plan yet; independent work (or a new diagnostic).",
            )
        else:
            buckets[student.next_standard].append(student)

    auto: dict[str, list[StudentSnapshot]] = {}
    auto_standard: dict[str, str] = {}
    for standard in sorted(buckets):
        bucket = sorted(buckets[standard], key=lambda s: (s.ability, s.student_id))
        runs = _partition_band(bucket, policy)
        groups_here = [bucket[start:end] for start, end in runs]
        grouped_ids = {m.student_id for members in groups_here for m in members}
        for number, members in enumerate(groups_here, start=1):
            group_id = f"{standard}#{number}"
            auto[group_id] = list(members)
            auto_standard[group_id] = standard
        for student in bucket:
            if student.student_id not in grouped_ids:
                independent[student.student_id] = IndependentWork(
                    student.student_id,
                    standard,
                    _left_out_reason(student, bucket, groups_here, policy),
                )

    # 3. Dissolved automatic groups: members work independently today.
    for override in override_list:
        if not isinstance(override, DissolveGroup):
            continue
        if override.group_id not in auto:
            notes.append(f"Dissolve {override.group_id}: no such automatic group today.")
            continue
        for member in auto.pop(override.group_id):
            independent[member.student_id] = IndependentWork(
                member.student_id,
                member.next_standard,
                f"The teacher dissolved group {override.group_id}; independent work today.",
            )

    # 4. Teacher moves: out of wherever the student is, into the named group.
    moved_into: dict[str, list[str]] = defaultdict(list)
    for override in override_list:
        if not isinstance(override, MoveStudent):
            continue
        mover = by_id.get(override.student_id)
        target_pool = pinned if override.to_group_id in pinned else auto
        if mover is None:
            notes.append(f"Move {override.student_id}: not in the class today.")
            continue
        if override.to_group_id not in target_pool:
            notes.append(
                f"Move {override.student_id} to {override.to_group_id}: no such group today; "
                f"left where the grouping placed them."
            )
            continue
        for pool in (pinned, auto):
            for members in pool.values():
                if mover in members:
                    members.remove(mover)
        independent.pop(mover.student_id, None)
        target_pool[override.to_group_id].append(mover)
        moved_into[override.to_group_id].append(mover.student_id)

    # 5. Build the result; a group left with fewer than two students cannot meet.
    groups: list[Group] = []
    for pool, is_pinned in ((pinned, True), (auto, False)):
        for group_id, members in pool.items():
            if len(members) < 2:
                for member in members:
                    independent[member.student_id] = IndependentWork(
                        member.student_id,
                        member.next_standard,
                        f"Group {group_id} has only one student left after teacher changes; "
                        f"independent work today.",
                    )
                continue
            if is_pinned:
                standard = pinned_standard.get(group_id) or _most_common_standard(members)
            else:
                standard = auto_standard[group_id]
            note = ""
            if moved_into.get(group_id):
                note = f"Moved here by the teacher: {', '.join(moved_into[group_id])}."
            if len(members) > policy.max_size:
                note = f"{note} Larger than {policy.max_size} by teacher choice.".strip()
            groups.append(
                _describe_group(
                    group_id, standard, members, policy, labels, pinned=is_pinned, note=note
                )
            )

    flags = flag_one_on_one(roster, policy)
    flagged = {flag.student_id for flag in flags}
    ordered_independent = []
    for student in roster:
        item = independent.get(student.student_id)
        if item is None:
            continue
        if student.student_id in flagged:
            item = IndependentWork(
                item.student_id, item.standard, f"{item.reason} Also flagged for one-on-one."
            )
        ordered_independent.append(item)
    return GroupingResult(tuple(groups), tuple(ordered_independent), tuple(flags), tuple(notes))


def _most_common_standard(members: Sequence[StudentSnapshot]) -> str:
    counts: dict[str, int] = defaultdict(int)
    for member in members:
        if member.next_standard is not None:
            counts[member.next_standard] += 1
    if not counts:
        return "teacher's choice"
    return min(counts, key=lambda code: (-counts[code], code))
