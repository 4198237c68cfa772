"""People off the roster: those a roster import deactivated, and the history the district kept.

A OneRoster file that stops listing a person deactivates them
(``trellis/roster/actions_import_delete.py``): they can no longer sign in and leave every class
and list, but their evidence, mastery and check-ups stay, and a later file that lists the same
sourcedId brings them back. These pages are
where a district administrator still finds them: to check whom a file dropped, and to answer a
records request for a student who moved away. Reading goes through
:func:`~trellis.roster.queries.access_former_person`; nothing here writes.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from trellis.accounts.models import Role, User
from trellis.accounts.permissions import NotFound, former_people_visible_to, is_district_admin
from trellis.diagnostics.queries import checkup_rows, sessions_of
from trellis.engine.mastery import MASTERED
from trellis.learning.queries import evidence_counts, evidence_span, mastery_rows_of
from trellis.roster.queries import access_former_person

PAGE_SIZE = 25
ROLE_FILTERS = {"student": (Role.STUDENT,), "staff": (Role.TEACHER, Role.COACH,
                                                      Role.SCHOOL_ADMIN, Role.DISTRICT_ADMIN),
                "guardian": (Role.GUARDIAN,)}


@login_required
@require_GET
def former_people(request: HttpRequest) -> HttpResponse:
    """Everyone a roster import deactivated in the district, newest first, searchable."""
    user: User = request.user  # type: ignore[assignment]
    if not is_district_admin(user):
        raise NotFound
    query = request.GET.get("q", "").strip()
    role = request.GET.get("role", "")
    people = former_people_visible_to(user)
    total = people.count()
    if role in ROLE_FILTERS:
        people = people.filter(role__in=ROLE_FILTERS[role])
    else:
        role = ""
    if query:
        people = people.filter(
            Q(first_name__icontains=query) | Q(last_name__icontains=query)
            | Q(preferred_name__icontains=query) | Q(username__icontains=query)
            | Q(sourced_id__icontains=query))
    page = Paginator(people.order_by("-deactivated_at", "last_name", "first_name", "id"),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    counts = evidence_counts(person.id for person in page)
    return render(request, "portal/former_people.html", {
        "page": page, "rows": [(person, counts.get(person.id, 0)) for person in page],
        "query": query, "role": role, "total": total,
        "pagination_query": f"q={query}&role={role}",
    })


@login_required
@require_GET
def former_person(request: HttpRequest, person_id: int) -> HttpResponse:
    """One deactivated person and, for a student, the learning history the district kept."""
    user: User = request.user  # type: ignore[assignment]
    person = access_former_person(user, person_id)
    context: dict[str, object] = {"person": person}
    if person.role == Role.STUDENT:
        rule, rows = mastery_rows_of(person)
        span = evidence_span(person)
        checkups = checkup_rows(sessions_of(person))
        context.update(rule_sentence=rule.describe(person.short_name), rows=rows,
                       evidence=span, checkups=checkups,
                       mastered=sum(row.status == MASTERED for row in rows))
    return render(request, "portal/former_person.html", context)
