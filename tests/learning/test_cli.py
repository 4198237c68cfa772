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
