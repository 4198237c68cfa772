"""``trellis learner refit``: progress and a summary; bad districts are named."""

from __future__ import annotations

import pytest

from tests.learning.factories import answer, make_setting
from trellis.cli import main
from trellis.learning.models import LearnerModelParameters

pytestmark = pytest.mark.django_db


def test_refit_prints_progress_and_a_summary(capsys: pytest.CaptureFixture[str]) -> None:
    setting = make_setting(students=1)
    for n in range(5):
        answer(setting.students[0], setting.standards["6.EE.A.1"], n % 2 == 0, n)
    assert main(["learner", "refit", "--district", str(setting.district.id)]) == 0
    out = capsys.readouterr().out
    assert "Recomputing mastery: 1 of 1 students" in out
    assert "version 1 is active" in out
    assert "responses used  5" in out
    assert "(prior) parameters: only 5 responses" in out
    assert LearnerModelParameters.objects.get(district=setting.district).active


def test_an_unknown_district_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    make_setting(students=1)
    assert main(["learner", "refit", "--district", "nowhere"]) == 2
    assert "no district 'nowhere'" in capsys.readouterr().err


def test_a_refit_from_the_command_line_is_audited_as_the_system_by_default(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from trellis.audit.models import AuditEvent

    monkeypatch.setattr("getpass.getuser", lambda: "ops-kim")
    setting = make_setting(students=1)
    answer(setting.students[0], setting.standards["6.EE.A.1"], True, 0)
    assert main(["learner", "refit", "--district", str(setting.district.id)]) == 0
    for action in ("learner.refit", "learner.recompute"):
        entry = AuditEvent.objects.get(action=action)
        assert entry.actor is None and entry.actor_label == "system"
        assert entry.district == setting.district
        assert entry.details["via"] == "cli" and entry.details["os_user"] == "ops-kim"


def test_refit_as_names_the_operator_who_must_administer_the_district(
        capsys: pytest.CaptureFixture[str]) -> None:
    from trellis.accounts.actions import do_create_user
    from trellis.accounts.models import Role
    from trellis.audit.models import AuditEvent

    setting = make_setting(students=1)
    other = make_setting("m", students=1)
    admin = do_create_user(setting.district, "l_admin", Role.DISTRICT_ADMIN)
    do_create_user(setting.district, "l_teacher", Role.TEACHER)
    district = str(setting.district.id)
    assert main(["learner", "refit", "--district", district, "--as", "nobody"]) == 2
    assert "no active Trellis account" in capsys.readouterr().err
    assert main(["learner", "refit", "--district", district, "--as", "l_teacher"]) == 2
    assert main(["learner", "refit", "--district", str(other.district.id),
                 "--as", "l_admin"]) == 2
    assert "not a district administrator" in capsys.readouterr().err
    assert not LearnerModelParameters.objects.exists()
    assert main(["learner", "refit", "--district", district, "--as", "l_admin"]) == 0
    entry = AuditEvent.objects.get(action="learner.refit")
    assert entry.actor == admin and entry.details["via"] == "cli"
    assert "os_user" in entry.details
