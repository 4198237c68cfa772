"""The class roster page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from trellis.accounts.models import User
from trellis.roster.queries import access_class, class_students, class_teachers


@login_required
def class_roster(request: HttpRequest, class_id: int) -> HttpResponse:
    viewer: User = request.user  # type: ignore[assignment]
    klass = access_class(viewer, class_id)
    students = class_students(klass).annotate(guardian_count=Count("guardian_links"))
    return render(
        request,
        "roster/class_roster.html",
        {
            "klass": klass,
            "students": students,
            "teachers": class_teachers(klass),
            "groups": klass.groups.prefetch_related("members"),
        },
    )
