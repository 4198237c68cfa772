"""Template context every page needs: the navigation for the signed-in person's role."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from trellis.accounts.models import Role

# (label, url name) per role, in the order people see them.
NAVIGATION: dict[str, list[tuple[str, str]]] = {
    Role.STUDENT: [
        ("Home", "home"), ("My plan", "plan-mine"), ("Skill map", "framework-list"),
        ("Practice", "practice-home"), ("Check-up", "diagnostic-home"),
        ("Schedule", "schedule-home"),
    ],
    Role.GUARDIAN: [
        ("My children", "home"), ("Skill map", "framework-list"), ("Schedule", "schedule-home"),
    ],
    Role.TEACHER: [
        ("My classes", "home"), ("Today", "today-home"), ("Skill map", "framework-list"),
        ("Playlists", "playlist-list"), ("Schedule", "schedule-home"),
    ],
    Role.COACH: [
        ("My teachers", "home"), ("Skill map", "framework-list"), ("Schedule", "schedule-home"),
    ],
    Role.SCHOOL_ADMIN: [
        ("My school", "home"), ("Skill map", "framework-list"), ("Playlists", "playlist-list"),
        ("Schedules", "schedule-home"), ("School setup", "school-setup-home"),
    ],
    Role.DISTRICT_ADMIN: [
        # district admins import and export frameworks from the page that leads to the map
        ("District", "home"), ("Frameworks", "framework-list"), ("Playlists", "playlist-list"),
        ("Schedules", "schedule-home"), ("School setup", "school-setup-home"),
        ("Roster import", "roster-import"), ("Plan settings", "plan-settings"),
        ("Learner model", "learner-model"),
        ("Audit log", "audit-log"),
    ],
}


def trellis(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    nav: list[dict[str, Any]] = []
    if user is not None and user.is_authenticated:
        for label, name in NAVIGATION.get(getattr(user, "role", ""), []):
            url = reverse(name)
            nav.append({"label": label, "url": url, "active": request.path == url})
    return {"nav_items": nav, "demo_mode": settings.DEMO_MODE}
