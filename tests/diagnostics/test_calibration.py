"""Calibration labels each past answer with the mastery the student had just before it."""

from __future__ import annotations

import pytest

from tests.learning.factories import answer, make_setting
from trellis.audit.models import AuditEvent
from trellis.content.models import Item
from trellis.diagnostics.actions import do_calibrate
from trellis.diagnostics.calibration import calibrate, fit_item, labelled_answers
from trellis.diagnostics.models import ItemCalibration
from trellis.learning.actions import do_record_evidence
from trellis.learning.models import MasteryState

pytestmark = pytest.mark.django_db


def test_an_answer_is_labelled_with_the_mastery_before_it_not_todays() -> None:
    setting = make_setting(students=1)
    student, standard = setting.students[0], setting.standards["6.EE.A.1"]
    item = Item.objects.create(district=setting.district, identifier="calib-1",
                               source="oatutor", title="One", content={})
    item.alignments.add(standard)
    for n in range(3):  # a shaky start
        answer(student, standard, n == 1, n)
    then = MasteryState.objects.get(student=student, standard=standard).probability
    answer(student, standard, False, 10, item=item)  # the item, answered wrong
    for n in range(20, 45):  # then the student learns the standard, over days
        answer(student, standard, True, n, days=n - 19)
    now = MasteryState.objects.get(student=student, standard=standard).probability
    assert now - then > 0.3  # today's mastery is not the mastery at answer time

    labels = labelled_answers(setting.district)
    assert list(labels) == [item.id]
    [(p, correct)] = labels[item.id]
    assert correct is False
    assert p == pytest.approx(then)
    # the wrong answer of a student who did not know it yet is no slip of the item
    slip, guess = calibrate(setting.district, dry_run=True, min_responses=1).fitted[item.id][:2]
    assert (slip, guess) == fit_item([(then, False)])
    assert slip < fit_item([(now, False)])[0]


def test_only_first_marked_answers_to_items_are_labelled() -> None:
    setting = make_setting(students=2)
    standard = setting.standards["6.EE.A.2"]
    item = Item.objects.create(district=setting.district, identifier="calib-2",
                               source="oatutor", title="Two", content={})
    first, second = setting.students
    answer(first, standard, True, 0, item=item)
    answer(first, standard, True, 1, item=item, first_attempt=False)  # a retry
    answer(first, standard, True, 2)  # no item
    do_record_evidence(second, kind="project", standards=[standard], idempotency_key="p-1",
                       item=item, score=0.2)  # scored on a rubric, not marked right or wrong
    answer(second, standard, False, 1, item=item, kind="quiz")
    labels = labelled_answers(setting.district)
    assert sorted(correct for _, correct in labels[item.id]) == [False, True]


def test_calibrating_stores_and_audits_a_dry_run_stores_nothing() -> None:
    setting = make_setting(students=3)
    standard = setting.standards["6.EE.A.3"]
    item = Item.objects.create(district=setting.district, identifier="calib-3",
                               source="oatutor", title="Three", content={})
    for n, student in enumerate(setting.students):
        answer(student, standard, n % 2 == 0, n, item=item)
    report = do_calibrate(setting.district, dry_run=True, min_responses=3)
    assert item.id in report.fitted
    assert not ItemCalibration.objects.exists()
    assert not AuditEvent.objects.filter(action="diagnostic.calibrate").exists()
    do_calibrate(setting.district, min_responses=3, details={"via": "test"})
    stored = ItemCalibration.objects.get(item=item)
    assert (stored.slip, stored.guess, stored.responses) == report.fitted[item.id]
    entry = AuditEvent.objects.get(action="diagnostic.calibrate")
    assert entry.district == setting.district
    assert entry.details == {"items": 1, "skipped": 0, "via": "test"}
