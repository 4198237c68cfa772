"""``trellis plan show USERNAME [--json]``: the plan for operators and scripts."""

from __future__ import annotations

import json
import re

import pytest

from tests.plans.helpers import master
from tests.world import World
from trellis.cli import main
from trellis.plans.actions import do_set_goal

ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def test_json_has_the_goals_and_the_pathway_in_order(
        pw: World, capsys: pytest.CaptureFixture[str]) -> None:
    student = pw.users["s_a1"]
    master(student, "7.EE.A.1")
    from django.utils import timezone

    due = timezone.localdate().replace(day=1).replace(year=timezone.localdate().year + 1)
    do_set_goal(student, student, title="Equations", standard_codes=["7.EE.B.4"], due=due)
    assert main(["plan", "show", "s_a1", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [g["title"] for g in data["goals"]] == ["Equations"]
    pathway = data["pathway"]
    # toward the goal: 7.EE.B.3 is ready, then 7.EE.B.4 (7.EE.A.1 is mastered already)
    assert [s["code"] for s in pathway] == ["7.EE.B.3", "7.EE.B.4"]
    assert [s["position"] for s in pathway] == [1, 2]
    for step in pathway:
        assert ISO.match(step["target_date"])
        assert step["mode"] in {"independent_online", "small_group", "one_on_one",
                                "teacher_session"}
        assert step["reason"]
    assert pathway[0]["target_date"] <= pathway[1]["target_date"]
    assert "7.EE.A.1" in data["mastered"]


def test_words_without_json(pw: World, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "show", "s_a1"]) == 0
    out = capsys.readouterr().out
    assert "Plan of Student A1 (s_a1)" in out
    assert "Mastered means" in out
    assert "7.EE.A.1" in out


def test_unknown_user_and_not_a_student_are_errors(
        pw: World, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "show", "nobody"]) == 1
    assert "no user 'nobody'" in capsys.readouterr().err
    assert main(["plan", "show", "t_a1", "--json"]) == 1
    err = capsys.readouterr().err
    assert "'t_a1' is not a student" in err
    assert "Teacher" in err
