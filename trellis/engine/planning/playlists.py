"""Playlists: which activities to suggest for a step, in which order.

The student chooses; the plan suggests. Every activity aligned to the step's standard is
offered, ordered so the first few (the *suggestions*) are

- **suited to the learner**: a modality they said they learn best with scores 3 for their first
  choice, 2 for the second and 1 for any later one; each activity tag matching one of their
  interests adds 1.5 (two at most);
- **varied**: suggestions are picked greedily, and each pick lowers the score of the remaining
  activities of the same modality by 2.5 — five videos in a row is not a choice. (This is
  maximal-marginal-relevance re-ranking with modality as the notion of "similar".)

Ties go to the shorter activity, then to the activity id, so the order never depends on the
input order. Activities a teacher **assigned** come first, marked as such.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from trellis.engine.planning.inputs import Activity, LearnerProfile

MODALITY_WORDS = {
    "lesson": "a lesson",
    "video": "a video",
    "reading": "a reading",
    "practice_set": "a practice set",
    "project": "a project",
    "teacher_session": "a session with your teacher",
    "online_session": "an online session",
}
_PLURAL_WORDS = {
    "lesson": "lessons",
    "video": "videos",
    "reading": "readings",
    "practice_set": "practice sets",
    "project": "projects",
    "teacher_session": "sessions with a teacher",
    "online_session": "online sessions",
}
PREFERENCE_POINTS = (3.0, 2.0, 1.0)
INTEREST_POINTS = 1.5
MAX_INTEREST_MATCHES = 2
REPEAT_PENALTY = 2.5


@dataclass(frozen=True)
class ActivityChoice:
    """One activity as offered on a step: its place, whether it is suggested, and why."""

    activity: Activity
    rank: int
    suggested: bool
    assigned: bool
    why: str

    def to_dict(self) -> dict[str, Any]:
        a = self.activity
        return {
            "id": a.id,
            "title": a.title,
            "modality": a.modality,
            "estimated_minutes": a.estimated_minutes,
            "tags": list(a.tags),
            "rank": self.rank,
            "suggested": self.suggested,
            "assigned": self.assigned,
            "why": self.why,
        }


def _preference_points(activity: Activity, profile: LearnerProfile) -> float:
    if activity.modality not in profile.learns_best:
        return 0.0
    index = profile.learns_best.index(activity.modality)
    return PREFERENCE_POINTS[min(index, len(PREFERENCE_POINTS) - 1)]


def _matched_interests(activity: Activity, profile: LearnerProfile) -> list[str]:
    return [tag for tag in activity.tags if tag in profile.interests][:MAX_INTEREST_MATCHES]


def fit_score(activity: Activity, profile: LearnerProfile) -> float:
    """How well an activity suits the learner, before variety is considered."""
    return _preference_points(activity, profile) + INTEREST_POINTS * len(
        _matched_interests(activity, profile)
    )


def _why(activity: Activity, profile: LearnerProfile, seen_modalities: set[str]) -> str:
    parts: list[str] = []
    if activity.modality in profile.learns_best:
        parts.append(f"you learn best with {_PLURAL_WORDS[activity.modality]}")
    interests = _matched_interests(activity, profile)
    if interests:
        parts.append("about " + " and ".join(interests) + ", which you're interested in")
    if not parts and seen_modalities and activity.modality not in seen_modalities:
        parts.append("a different way to learn it")
    what = MODALITY_WORDS[activity.modality].capitalize()
    return f"{what}, {activity.estimated_minutes} min" + (": " + "; ".join(parts) if parts else "")


def rank_activities(
    candidates: Sequence[Activity],
    profile: LearnerProfile,
    suggestions: int,
    assigned_ids: Sequence[str] = (),
) -> list[ActivityChoice]:
    """All ``candidates`` in offer order; the first ``suggestions`` (after any assigned ones)
    are marked suggested."""
    by_id = {a.id: a for a in candidates}
    assigned = [by_id[i] for i in dict.fromkeys(assigned_ids) if i in by_id]
    remaining = sorted(
        (a for a in candidates if a.id not in set(assigned_ids)),
        key=lambda a: a.id,
    )
    picked: list[Activity] = []
    modality_counts: dict[str, int] = {}
    for activity in assigned:
        modality_counts[activity.modality] = modality_counts.get(activity.modality, 0) + 1
    while remaining:
        best = min(
            remaining,
            key=lambda a: (
                -(fit_score(a, profile) - REPEAT_PENALTY * modality_counts.get(a.modality, 0)),
                -fit_score(a, profile),
                a.estimated_minutes,
                a.id,
            ),
        )
        remaining.remove(best)
        picked.append(best)
        modality_counts[best.modality] = modality_counts.get(best.modality, 0) + 1

    choices: list[ActivityChoice] = []
    seen: set[str] = set()
    for activity in assigned:
        choices.append(
            ActivityChoice(
                activity,
                rank=len(choices) + 1,
                suggested=True,
                assigned=True,
                why=f"{MODALITY_WORDS[activity.modality].capitalize()}, "
                f"{activity.estimated_minutes} min: assigned by your teacher",
            )
        )
        seen.add(activity.modality)
    for i, activity in enumerate(picked):
        choices.append(
            ActivityChoice(
                activity,
                rank=len(choices) + 1,
                suggested=i < suggestions,
                assigned=False,
                why=_why(activity, profile, seen),
            )
        )
        seen.add(activity.modality)
    return choices
