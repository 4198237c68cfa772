"""The plan settings page: a district administrator changes the mastery rule, the term
calendar and the map plans walk; bad input is reported field by field and changes nothing; a
saved rule changes mastery statuses at once; every save is audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.urls import reverse

from tests.plans.helpers import master
from tests.world import World
from trellis.audit.models import AuditEvent
from trellis.frameworks.models import Framework
from trellis.learning.queries import access_student_mastery
from trellis.learning.rules import mastery_rule_for
from trellis.plans.adapters import plan_framework, term_calendar
from trellis.plans.models import PlanSettings

URL = "/plan/settings/"


def _admin(world: World) -> Client:
    client = Client()
    client.force_login(world.users["da_a"])
    return client


def _form(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "threshold": "90", "min_days": "3", "min_evidence": "4",
        "start": "2026-08-24", "end": "2027-06-04",
        "holidays": "2026-11-26\n2026-12-21 to 2027-01-01\n", "weekdays": ["0", "1", "2", "3", "4"],
        "framework": "auto",
    }
    data.update(changes)
    return data


def test_the_page_shows_the_rules_in_force_with_their_defaults(pw: World) -> None:
    PlanSettings.objects.filter(district=pw.districts["a"]).update(mastery_rule={})
    response = _admin(pw).get(reverse("plan-settings"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Mastered means the evidence shows at least a 95% chance" in html
    assert "(Trellis&#x27;s default rule)" in html or "(Trellis's default rule)" in html
    assert 'name="threshold" type="number" min="50" max="99" step="1" value="95"' in html
    assert "school days" in html
    # the district administrator's menu leads here
    assert f'href="{URL}"' in html and ">Plan settings<" in html


def test_saving_changes_the_rule_calendar_and_map_everywhere_and_is_audited(
        pw: World) -> None:
    district = pw.districts["a"]
    other = Framework.objects.create(district=district, identifier="other-map",
                                     title="Another map")
    response = _admin(pw).post(URL, _form(framework=str(other.id)))
    assert response.status_code == 302 and response["Location"] == URL
    rule = mastery_rule_for(district.id)
    assert (rule.threshold, rule.min_distinct_days, rule.min_evidence_count) == (0.9, 3, 4)
    calendar = term_calendar(district.id, dt.date(2026, 11, 22))
    assert calendar.start == dt.date(2026, 8, 24) and calendar.end == dt.date(2027, 6, 4)
    assert dt.date(2026, 11, 26) in calendar.holidays
    assert dt.date(2026, 12, 25) in calendar.holidays and len(calendar.holidays) == 13
    assert plan_framework(district.id) == other
    event = AuditEvent.objects.filter(action="plan.settings.updated").latest("id")
    assert event.actor_id == pw.users["da_a"].id
    assert event.details["mastery_rule"]["min_distinct_days"] == 3
    # and back to the automatic choice
    _admin(pw).post(URL, _form())
    assert plan_framework(district.id) == pw.extra["framework_a"]
    # the page shows what was saved, days off folded back into a range
    html = _admin(pw).get(URL).content.decode()
    assert "2026-12-21 to 2027-01-01" in html and 'value="90"' in html


def test_bad_input_names_every_field_and_changes_nothing(pw: World) -> None:
    district = pw.districts["a"]
    before = PlanSettings.objects.get(district=district)
    audited = AuditEvent.objects.count()
    response = _admin(pw).post(URL, _form(
        threshold="40", min_days="two", start="2026-13-01", holidays="next tuesday",
        weekdays=[], framework="999999"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was saved: 6 things to fix" in html
    assert "Mastery threshold: enter a whole number from 50 to 99, not 40." in html
    assert "Separate days with evidence: enter a whole number from 1 to 100." in html
    assert "First day of the term: enter a date as YYYY-MM-DD." in html
    assert "Days off, line 1 (&#x27;next tuesday&#x27;)" in html
    assert "School days: tick at least one day of the week." in html
    assert "Choose one of this district&#x27;s frameworks." in html
    assert 'value="40"' in html  # what was typed stays in the form
    after = PlanSettings.objects.get(district=district)
    assert (after.mastery_rule, after.term_calendar, after.framework_id) == (
        before.mastery_rule, before.term_calendar, before.framework_id)
    assert AuditEvent.objects.count() == audited


def test_rules_that_contradict_themselves_are_refused_in_words(pw: World) -> None:
    client = _admin(pw)
    html = client.post(URL, _form(min_days="3", min_evidence="2")).content.decode()
    assert "Evidence on 3 separate days needs at least 3 pieces of evidence." in html
    response = client.post(URL, _form(start="2027-06-04", end="2026-08-24"))
    assert response.status_code == 400
    assert "The term ends before it starts" in response.content.decode()
    html = client.post(URL, _form(holidays="2026-12-31 to 2026-12-20")).content.decode()
    assert "first day first" in html
    # a framework of another district is not offered and not accepted
    foreign = Framework.objects.create(district=pw.districts["b"], identifier="b-map",
                                       title="B map")
    response = client.post(URL, _form(framework=str(foreign.id)))
    assert response.status_code == 400
    assert plan_framework(pw.districts["a"].id) != foreign


def test_a_stricter_rule_applies_at_once_to_mastery_statuses(pw: World) -> None:
    student = pw.users["s_a1"]
    master(student, "7.EE.A.1")

    def status() -> str:
        rows = access_student_mastery(student, student.id).rows
        return next(str(row.status) for row in rows if row.standard.code == "7.EE.A.1")

    assert status() == "mastered"
    _admin(pw).post(URL, _form(min_days="30", min_evidence="30"))
    assert status() != "mastered"


def test_only_the_district_administrator_opens_it(pw: World) -> None:
    for username in ("s_a1", "t_a1"):
        client = Client()
        client.force_login(pw.users[username])
        assert client.get(URL).status_code == 404
        assert client.post(URL, _form()).status_code == 404
    assert Client().get(URL).status_code == 302  # to the sign-in page
