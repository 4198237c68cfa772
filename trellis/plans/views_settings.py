"""The district's plan settings page: when a standard counts as mastered, the term calendar
that paces every plan, and the competency map plans walk.

District administrators only (:func:`trellis.plans.queries.access_plan_settings`). The form is
read field by field into the JSON the engine validates (:class:`MasteryRule`,
:class:`TermCalendar`); every problem is reported next to its field in words, and a form with
any problem changes nothing. A saved change applies at once everywhere: mastery statuses are
computed from the rule when a page is read, never stored (docs/plans.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone

from trellis.accounts.models import District, User
from trellis.engine.mastery import MasteryRule, MasteryRuleError
from trellis.engine.planning import CalendarError, TermCalendar
from trellis.frameworks.queries import district_frameworks
from trellis.learning.rules import mastery_rule_for
from trellis.plans import actions
from trellis.plans.adapters import plan_framework, term_calendar
from trellis.plans.models import PlanSettings
from trellis.plans.queries import access_plan_settings

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
AUTOMATIC = "auto"
# Which form field a mastery-rule field of the engine is entered in.
RULE_FIELDS = {"threshold": "threshold", "min_distinct_days": "min_days",
               "min_evidence_count": "min_evidence"}


@dataclass
class SettingsForm:
    """The submitted (or stored) values as the form shows them, and what is wrong with them."""

    values: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)
    rule: dict[str, Any] | None = None
    calendar: dict[str, Any] | None = None
    framework: Any = None  # the chosen framework, if one is chosen


def _whole_number(form: SettingsForm, name: str, label: str, low: int, high: int) -> int | None:
    text = str(form.values.get(name, "")).strip()
    try:
        value = int(text)
    except ValueError:
        form.errors[name] = f"{label}: enter a whole number from {low} to {high}."
        return None
    if not low <= value <= high:
        form.errors[name] = f"{label}: enter a whole number from {low} to {high}, not {value}."
        return None
    return value


def _date(form: SettingsForm, name: str, label: str) -> dt.date | None:
    text = str(form.values.get(name, "")).strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        form.errors[name] = (f"{label}: enter a date as YYYY-MM-DD." if text
                             else f"{label} is required.")
        return None


def _holidays(form: SettingsForm) -> list[Any]:
    """One day (``2026-11-26``) or range (``2026-12-21 to 2027-01-01``) per line."""
    entries: list[Any] = []
    for number, line in enumerate(str(form.values.get("holidays", "")).splitlines(), start=1):
        text = line.strip()
        if not text:
            continue
        parts = [part.strip() for part in text.replace("–", " to ").split(" to ")]
        try:
            days = [dt.date.fromisoformat(part) for part in parts]
        except ValueError:
            form.errors["holidays"] = (
                f"Days off, line {number} ({text!r}): write one date as YYYY-MM-DD, or a range "
                "as YYYY-MM-DD to YYYY-MM-DD.")
            return []
        if len(days) == 1:
            entries.append(days[0].isoformat())
        elif len(days) == 2 and days[1] >= days[0]:
            entries.append([days[0].isoformat(), days[1].isoformat()])
        else:
            form.errors["holidays"] = (
                f"Days off, line {number} ({text!r}): a range runs from its first day to its "
                "last, first day first.")
            return []
    return entries


def read_form(district: District, data: QueryDict) -> SettingsForm:
    """The submitted form, checked; ``rule``/``calendar``/``framework`` are set when valid."""
    values: dict[str, Any] = {key: data.get(key, "") for key in (
        "threshold", "min_days", "min_evidence", "start", "end", "holidays", "framework")}
    values["weekdays"] = [int(day) for day in data.getlist("weekdays") if day in "0123456"
                          and len(day) == 1]
    form = SettingsForm(values)
    # 99 at most: mastery never exceeds 0.99 (trellis.engine.learner.logistic.MASTERY_CEILING).
    threshold = _whole_number(form, "threshold", "Mastery threshold", 50, 99)
    min_days = _whole_number(form, "min_days", "Separate days with evidence", 1, 100)
    min_evidence = _whole_number(form, "min_evidence", "Pieces of evidence", 1, 100)
    if threshold is not None and min_days is not None and min_evidence is not None:
        rule = {"threshold": threshold / 100, "min_distinct_days": min_days,
                "min_evidence_count": min_evidence}
        try:
            MasteryRule.from_dict(rule)
            form.rule = rule
        except MasteryRuleError as exc:
            form.errors[RULE_FIELDS.get(exc.field, "threshold")] = (
                f"Evidence on {min_days} separate days needs at least {min_days} pieces of "
                "evidence." if exc.field == "min_evidence_count" else str(exc))
    start = _date(form, "start", "First day of the term")
    end = _date(form, "end", "Last day of the term")
    holidays = _holidays(form)
    if not values["weekdays"]:
        form.errors["weekdays"] = "School days: tick at least one day of the week."
    if start is not None and end is not None and not form.errors.keys() & {
            "holidays", "weekdays"}:
        calendar = {"start": start.isoformat(), "end": end.isoformat(), "holidays": holidays,
                    "school_weekdays": sorted(values["weekdays"])}
        try:
            TermCalendar.from_dict(calendar)
            form.calendar = calendar
        except CalendarError as exc:
            form.errors["end"] = ("The term ends before it starts: the last day must come on "
                                  "or after the first." if end < start else str(exc))
    choice = str(values["framework"])
    if choice and choice != AUTOMATIC:
        chosen = district_frameworks(district.id).filter(
            id=int(choice) if choice.isdigit() else 0).first()
        if chosen is None:
            form.errors["framework"] = "Choose one of this district's frameworks."
        form.framework = chosen
    return form


def stored_form(rule: MasteryRule, calendar: TermCalendar,
                stored: PlanSettings | None) -> SettingsForm:
    """The district's settings as they apply now (its defaults where it chose none)."""
    return SettingsForm({
        "threshold": round(rule.threshold * 100), "min_days": rule.min_distinct_days,
        "min_evidence": rule.min_evidence_count, "start": calendar.start.isoformat(),
        "end": calendar.end.isoformat(), "holidays": "\n".join(_holiday_lines(calendar)),
        "weekdays": sorted(calendar.school_weekdays),
        "framework": str(stored.framework_id) if stored and stored.framework_id else AUTOMATIC,
    })


def _holiday_lines(calendar: TermCalendar) -> list[str]:
    """Days off as lines, consecutive days folded into ranges."""
    lines: list[str] = []
    days = sorted(calendar.holidays)
    index = 0
    while index < len(days):
        last = index
        while last + 1 < len(days) and days[last + 1] - days[last] == dt.timedelta(days=1):
            last += 1
        lines.append(days[index].isoformat() if last == index
                     else f"{days[index].isoformat()} to {days[last].isoformat()}")
        index = last + 1
    return lines


def _page(request: HttpRequest, district: District, form: SettingsForm | None = None,
          status: int = 200) -> HttpResponse:
    """The page with the settings in force; ``form`` (submitted values and their problems)
    replaces the stored values in the fields."""
    stored = PlanSettings.objects.filter(district=district).first()
    rule = mastery_rule_for(district.id)
    calendar = term_calendar(district.id, timezone.localdate())
    form = form or stored_form(rule, calendar, stored)
    school_days = calendar.school_days_between(calendar.start - dt.timedelta(days=1),
                                               calendar.end)
    return render(request, "plans/settings.html", {
        "form": form, "values": form.values, "errors": form.errors,
        "rule_text": rule.describe("a student"),
        "calendar": calendar, "school_days": school_days,
        "calendar_is_default": not (stored and stored.term_calendar),
        "rule_is_default": not (stored and stored.mastery_rule),
        "weekdays": list(enumerate(WEEKDAYS)),
        "frameworks": list(district_frameworks(district.id).order_by("title", "id")),
        "framework_in_use": plan_framework(district.id), "automatic": AUTOMATIC,
        "updated_at": stored.updated_at if stored else None,
    }, status=status)


@login_required
def plan_settings(request: HttpRequest) -> HttpResponse:
    viewer: User = request.user  # type: ignore[assignment]
    district = access_plan_settings(viewer)
    if request.method != "POST":
        return _page(request, district)
    form = read_form(district, request.POST)
    if form.errors:
        return _page(request, district, form, status=400)
    try:
        actions.do_update_plan_settings(
            viewer, district, mastery_rule=form.rule, term_calendar=form.calendar,
            framework=form.framework, automatic_framework=form.framework is None)
    except actions.PlanError as exc:  # the engine's last word; the form checks come first
        form.errors["form"] = str(exc)
        return _page(request, district, form, status=400)
    messages.success(request, "Plan settings saved. Every plan and mastery status uses them "
                              "from now on.")
    return redirect("plan-settings")
