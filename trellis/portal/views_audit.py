"""District administrators browse their district's audit log."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from trellis.accounts.models import Role, User
from trellis.accounts.permissions import NotFound
from trellis.portal.queries_audit import audit_events_visible_to

PAGE_SIZE = 50


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if user.role != Role.DISTRICT_ADMIN:
        raise NotFound
    events = audit_events_visible_to(user)
    action = request.GET.get("action", "").strip()
    actor = request.GET.get("actor", "").strip()
    if action:
        events = events.filter(action__startswith=action)
    if actor:
        events = events.filter(actor_label__icontains=actor)
    actions = (
        audit_events_visible_to(user).order_by("action").values_list("action", flat=True).distinct()
    )
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/audit_log.html",
        {"page": page, "actions": list(actions), "action": action, "actor": actor},
    )
