"""What a plan is built from, besides the map and the mastery state.

Each input is a frozen dataclass that checks itself when made, so a bad activity, goal or
teacher edit fails where it is created — with a message naming the field — instead of
producing a strange plan later.

- :class:`Activity`: something a learner can do for one or more standards (a lesson, a video,
  a reading, a practice set, a project, a session with the teacher, an online session).
- :class:`LearnerProfile`: what the learner told us about themselves — interests, and how they
  learn best (preferred modalities, most preferred first).
- :class:`Goal`: set by the student, by the teacher, or by the standards (a grade's or a
  course's standards), with a date.
- :class:`PlanEdit`: a teacher's change to the computed plan (move, add or remove a step,
  choose the mode, assign activities). Edits are kept by standard code, so they survive the
  plan being recomputed after new evidence.
- :class:`PlanPolicy`: the thresholds behind pace and mode decisions, in one place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Literal, get_args

Modality = Literal[
    "lesson",
    "video",
    "reading",
    "practice_set",
    "project",
    "teacher_session",
    "online_session",
]
MODALITIES: tuple[str, ...] = get_args(Modality)

Mode = Literal["independent_online", "small_group", "one_on_one", "teacher_session"]
MODES: tuple[str, ...] = get_args(Mode)

GoalKind = Literal["student", "teacher", "standards"]
GOAL_KINDS: tuple[str, ...] = get_args(GoalKind)

EditAction = Literal["move", "add", "remove", "set_mode", "assign"]
EDIT_ACTIONS: tuple[str, ...] = get_args(EditAction)


class PlanInputError(ValueError):
    """An activity, goal, profile or edit that cannot be used."""


def _strings(value: Iterable[str] | str, what: str) -> tuple[str, ...]:
    if isinstance(value, str):
        raise PlanInputError(f"{what} must be a list of strings, not one string {value!r}")
    items = tuple(value)
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise PlanInputError(f"{what} must contain non-empty strings, got {item!r}")
    return items


def _set(obj: object, name: str, value: object) -> None:
    object.__setattr__(obj, name, value)


@dataclass(frozen=True)
class Activity:
    """One activity, aligned to one or more standards (``standard_codes``)."""

    id: str
    title: str
    standard_codes: tuple[str, ...]
    modality: Modality
    estimated_minutes: int
    tags: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise PlanInputError(f"activity id must be a non-empty string, got {self.id!r}")
        codes = _strings(self.standard_codes, f"activity {self.id}: standard_codes")
        if not codes:
            raise PlanInputError(f"activity {self.id}: needs at least one standard code")
        _set(self, "standard_codes", codes)
        tags = _strings(self.tags, f"activity {self.id}: tags")
        _set(self, "tags", tuple(tag.lower() for tag in tags))
        if self.modality not in MODALITIES:
            raise PlanInputError(
                f"activity {self.id}: modality {self.modality!r} is not one of "
                + ", ".join(MODALITIES)
            )
        minutes = self.estimated_minutes
        if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes <= 0:
            raise PlanInputError(
                f"activity {self.id}: estimated_minutes must be a positive whole number, "
                f"got {minutes!r}"
            )


@dataclass(frozen=True)
class LearnerProfile:
    """The learner's own words about themselves (the parts planning uses).

    ``learns_best`` lists modalities, most preferred first. Interests are matched against
    activity tags, case-insensitively.
    """

    interests: tuple[str, ...] = ()
    learns_best: tuple[Modality, ...] = ()
    strengths: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _set(self, "interests", tuple(i.lower() for i in _strings(self.interests, "interests")))
        learns_best = _strings(self.learns_best, "learns_best")
        for modality in learns_best:
            if modality not in MODALITIES:
                raise PlanInputError(
                    f"learns_best: {modality!r} is not one of " + ", ".join(MODALITIES)
                )
        _set(self, "learns_best", learns_best)
        _set(self, "strengths", _strings(self.strengths, "strengths"))
        _set(self, "languages", _strings(self.languages, "languages"))


@dataclass(frozen=True)
class Goal:
    """A goal: master ``standard_codes`` by ``due``.

    ``kind`` says who set it: ``"student"``, ``"teacher"`` or ``"standards"`` (e.g. the grade's
    standards for the year).
    """

    id: str
    kind: GoalKind
    title: str
    standard_codes: tuple[str, ...]
    due: date
    set_by: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise PlanInputError(f"goal id must be a non-empty string, got {self.id!r}")
        if self.kind not in GOAL_KINDS:
            raise PlanInputError(
                f"goal {self.id}: kind {self.kind!r} is not one of " + ", ".join(GOAL_KINDS)
            )
        codes = _strings(self.standard_codes, f"goal {self.id}: standard_codes")
        if not codes:
            raise PlanInputError(f"goal {self.id}: needs at least one standard")
        _set(self, "standard_codes", tuple(dict.fromkeys(codes)))
        if not isinstance(self.due, date):
            raise PlanInputError(f"goal {self.id}: due must be a date, got {self.due!r}")


@dataclass(frozen=True)
class PlanEdit:
    """A teacher's change to a plan, applied in order after the plan is computed.

    - ``move``: put ``code`` at ``position`` (1-based) in the pathway;
    - ``add``: add ``code`` at ``position`` (or at the end when ``position`` is None);
    - ``remove``: take ``code`` out of the pathway;
    - ``set_mode``: use ``mode`` for the step ``code``;
    - ``assign``: put ``activity_ids`` first in the step's playlist, marked as assigned.

    An edit that puts a step before something it needs is allowed — the teacher may know
    better — but the step is flagged.
    """

    action: EditAction
    code: str
    position: int | None = None
    mode: Mode | None = None
    activity_ids: tuple[str, ...] = ()
    by: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        if self.action not in EDIT_ACTIONS:
            raise PlanInputError(
                f"edit action {self.action!r} is not one of " + ", ".join(EDIT_ACTIONS)
            )
        if not isinstance(self.code, str) or not self.code:
            raise PlanInputError("edit needs the standard code it changes")
        if self.position is not None and (
            isinstance(self.position, bool) or not isinstance(self.position, int)
            or self.position < 1
        ):
            raise PlanInputError(f"edit {self.action} {self.code}: position must be 1 or more")
        if self.action == "move" and self.position is None:
            raise PlanInputError(f"edit move {self.code}: needs a position")
        if self.action == "set_mode" and self.mode not in MODES:
            raise PlanInputError(
                f"edit set_mode {self.code}: mode {self.mode!r} is not one of "
                + ", ".join(MODES)
            )
        ids = _strings(self.activity_ids, f"edit {self.action} {self.code}: activity_ids")
        if self.action == "assign" and not ids:
            raise PlanInputError(f"edit assign {self.code}: needs activity_ids")
        _set(self, "activity_ids", ids)


@dataclass(frozen=True)
class PlanPolicy:
    """Thresholds behind pace and mode decisions (a district may tune them).

    Pace: the learner's own median school days per mastered standard once they have
    ``min_history`` mastered standards with dates; with fewer, a blend with the grade-level
    prior; with none, the prior — ``school_days_per_year`` spread over the standards of the
    learner's grade (or ``default_days_per_standard`` when the grade is unknown).

    Mode: stuck (``stuck_evidence_count`` pieces of evidence with the probability still below
    ``stuck_probability``, or more than ``stuck_pace_factor`` times the learner's usual days on
    one step) or far behind (a goal projected ``far_behind_school_days`` or more after its date)
    → one-on-one; ``small_group_size`` or more learners (this one included) ready for the same
    step → small group; a step with no independent activities → session with a teacher;
    otherwise independent online.
    """

    school_days_per_year: int = 180
    default_days_per_standard: float = 5.0
    min_history: int = 3
    ahead_fraction: float = 0.2
    far_behind_school_days: int = 10
    stuck_evidence_count: int = 8
    stuck_probability: float = 0.5
    stuck_pace_factor: float = 2.0
    small_group_size: int = 3
    suggestions_per_step: int = 4

    def __post_init__(self) -> None:
        positive_ints = (
            "school_days_per_year",
            "min_history",
            "far_behind_school_days",
            "stuck_evidence_count",
            "small_group_size",
            "suggestions_per_step",
        )
        for name in positive_ints:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise PlanInputError(f"policy {name} must be a whole number ≥ 1, got {value!r}")
        if not self.default_days_per_standard > 0:
            raise PlanInputError("policy default_days_per_standard must be positive")
        if not 0 < self.ahead_fraction < 1:
            raise PlanInputError("policy ahead_fraction must be between 0 and 1")
        if not 0 < self.stuck_probability < 1:
            raise PlanInputError("policy stuck_probability must be between 0 and 1")
        if not self.stuck_pace_factor > 1:
            raise PlanInputError("policy stuck_pace_factor must be more than 1")
        if self.small_group_size < 2:
            raise PlanInputError("policy small_group_size must be at least 2")
