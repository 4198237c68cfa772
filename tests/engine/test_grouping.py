"""Small groups and one-on-one flags (trellis.engine.grouping)."""

from __future__ import annotations

import random

import pytest

from trellis.engine.grouping import (
    DissolveGroup,
    EvidenceSummary,
    FlagKind,
    GroupingPolicy,
    MoveStudent,
    PinGroup,
    StudentSnapshot,
    flag_one_on_one,
    suggest_groups,
)


def student(sid: str, standard: str | None, ability: float, **evidence: object) -> StudentSnapshot:
    return StudentSnapshot(sid, sid.title(), standard, ability, EvidenceSummary(**evidence))  # type: ignore[arg-type]


def random_class(seed: int, size: int = 30) -> list[StudentSnapshot]:
    rng = random.Random(seed)
    standards = ["6.RP.A.1", "6.RP.A.2", "6.NS.A.1", "6.EE.A.1"]
    roster = []
    for number in range(size):
        attempts = rng.randint(0, 10)
        roster.append(
            StudentSnapshot(
                f"s{number:02d}",
                f"Student {number}",
                rng.choice([*standards, None]) if rng.random() < 0.95 else None,
                round(rng.random(), 3),
                EvidenceSummary(
                    recent_attempts=attempts,
                    recent_failures=rng.randint(0, attempts),
                    mastery_change=round(rng.uniform(-0.05, 0.2), 3),
                    days_behind_pace=rng.choice([0, 0, 0, 2, 7]),
                    diagnostic_gaps=("5.NF.B.3",) if rng.random() < 0.1 else (),
                ),
            )
        )
    return roster


def test_groups_share_a_standard_and_close_ability() -> None:
    policy = GroupingPolicy()
    for seed in range(20):
        roster = random_class(seed)
        by_id = {s.student_id: s for s in roster}
        result = suggest_groups(roster, policy)
        for group in result.groups:
            members = [by_id[sid] for sid in group.student_ids]
            assert policy.min_size <= len(members) <= policy.max_size
            assert {m.next_standard for m in members} == {group.standard}
            spread = max(m.ability for m in members) - min(m.ability for m in members)
            assert spread <= policy.max_ability_spread + 1e-9
            assert group.activity and group.standard in group.rationale


def test_every_student_is_placed_exactly_once_or_explained() -> None:
    for seed in range(20):
        roster = random_class(seed)
        result = suggest_groups(roster)
        grouped = [sid for group in result.groups for sid in group.student_ids]
        alone = [item.student_id for item in result.independent]
        assert sorted(grouped + alone) == sorted(s.student_id for s in roster)
        assert all(item.reason for item in result.independent)


def test_grouping_is_deterministic_and_order_independent() -> None:
    roster = random_class(7)
    first = suggest_groups(roster)
    shuffled = list(roster)
    random.Random(1).shuffle(shuffled)
    second = suggest_groups(shuffled)
    assert [(g.group_id, sorted(g.student_ids)) for g in first.groups] == [
        (g.group_id, sorted(g.student_ids)) for g in second.groups
    ]


def test_a_tight_band_forms_one_group_and_an_outlier_is_explained() -> None:
    roster = [student(f"a{i}", "7.G.A.1", 0.5 + 0.01 * i) for i in range(4)]
    roster.append(student("far", "7.G.A.1", 0.95))
    result = suggest_groups(roster)
    assert len(result.groups) == 1
    assert set(result.groups[0].student_ids) == {"a0", "a1", "a2", "a3"}
    (left,) = result.independent
    assert left.student_id == "far"
    assert "too far" in left.reason and "0.95" in left.reason


def test_too_few_students_for_a_standard_is_explained() -> None:
    roster = [student("x", "8.F.A.1", 0.5), student("y", "8.F.A.1", 0.52)]
    roster.append(student("z", None, 0.5))
    result = suggest_groups(roster)
    assert result.groups == ()
    reasons = {item.student_id: item.reason for item in result.independent}
    assert "at least 3" in reasons["x"]
    assert "No next standard" in reasons["z"]


def test_large_band_is_split_within_max_size() -> None:
    roster = [student(f"s{i:02d}", "6.EE.A.1", 0.5 + 0.001 * i) for i in range(13)]
    result = suggest_groups(roster)
    assert sorted(len(g.student_ids) for g in result.groups) == [4, 4, 5]
    assert result.independent == ()


def test_one_on_one_flags_carry_plain_reasons() -> None:
    roster = [
        student("stuck", "6.RP.A.1", 0.3, recent_attempts=6, recent_failures=5, mastery_change=0.0),
        student(
            "learning", "6.RP.A.1", 0.3, recent_attempts=6, recent_failures=5, mastery_change=0.15
        ),
        student("late", "6.RP.A.1", 0.6, days_behind_pace=9),
        student("gaps", "6.RP.A.1", 0.6, diagnostic_gaps=("5.NBT.B.7", "5.NF.A.1")),
        student("fine", "6.RP.A.1", 0.6),
    ]
    flags = {flag.student_id: flag for flag in flag_one_on_one(roster)}
    assert set(flags) == {"stuck", "late", "gaps"}
    assert flags["stuck"].kinds == (FlagKind.STUCK,)
    assert "5 of 6 attempts failed" in flags["stuck"].reason
    assert "9 days" in flags["late"].reason
    assert "5.NBT.B.7" in flags["gaps"].reason
    # stuck students come first: they need the teacher most
    assert flag_one_on_one(roster)[0].student_id == "stuck"


def test_pinned_group_is_kept_and_removed_from_the_pool() -> None:
    roster = [student(f"a{i}", "7.G.A.1", 0.5 + 0.01 * i) for i in range(6)]
    roster.append(student("b", "7.NS.A.1", 0.1))
    result = suggest_groups(roster, overrides=[PinGroup("mine", ("a0", "b"))])
    pinned = [g for g in result.groups if g.group_id == "mine"]
    assert pinned and set(pinned[0].student_ids) == {"a0", "b"} and pinned[0].pinned
    auto = [g for g in result.groups if not g.pinned]
    assert all("a0" not in g.student_ids for g in auto)


def test_move_student_into_a_group_is_respected() -> None:
    roster = [student(f"a{i}", "7.G.A.1", 0.5 + 0.01 * i) for i in range(4)]
    roster += [student(f"b{i}", "7.NS.A.1", 0.2 + 0.01 * i) for i in range(4)]
    before = suggest_groups(roster)
    target = next(g.group_id for g in before.groups if "b0" in g.student_ids)
    after = suggest_groups(roster, overrides=[MoveStudent("a0", target)])
    assert after.group_of("a0") is not None
    assert after.group_of("a0").group_id == target  # type: ignore[union-attr]
    assert "a0" in after.group_of("a0").rationale  # type: ignore[union-attr]
    assert sorted(after.placed_student_ids()) == sorted(s.student_id for s in roster)


def test_dissolve_sends_members_to_independent_work_with_reason() -> None:
    roster = [student(f"a{i}", "7.G.A.1", 0.5 + 0.01 * i) for i in range(4)]
    group_id = suggest_groups(roster).groups[0].group_id
    result = suggest_groups(roster, overrides=[DissolveGroup(group_id)])
    assert result.groups == ()
    assert all("dissolved" in item.reason for item in result.independent)
    assert len(result.independent) == 4


def test_unapplicable_overrides_are_reported_not_dropped() -> None:
    roster = [student(f"a{i}", "7.G.A.1", 0.5) for i in range(3)]
    result = suggest_groups(
        roster, overrides=[MoveStudent("a0", "nope#1"), DissolveGroup("gone#2")]
    )
    assert len(result.notes) == 2
    assert any("nope#1" in note for note in result.notes)
    assert any("gone#2" in note for note in result.notes)


def test_invalid_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="min_size"):
        GroupingPolicy(min_size=5, max_size=4)
    with pytest.raises(ValueError, match="exceeds"):
        EvidenceSummary(recent_attempts=1, recent_failures=2)
    with pytest.raises(ValueError, match="twice"):
        suggest_groups([student("a", "x", 0.1), student("a", "x", 0.2)])
