"""What a locked-out person sees, and the district administrator's Locked accounts page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from trellis.accounts.actions import do_unlock_account
from trellis.accounts.lockout import (
    access_unlockable_person,
    locked_people_visible_to,
    lockout_message,
    locks_by_username,
    minutes_left,
)
from trellis.accounts.models import User
from trellis.accounts.permissions import NotFound, is_district_admin
from trellis.core.models import DemoAccount

LOCKED_STATUS = 429  # Too Many Requests


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The sign-in page again, with the lockout message (django-axes' ``AXES_LOCKOUT_CALLABLE``,
    called for a sign-in refused because the account or the address is locked)."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    minutes = minutes_left(username or None, getattr(request, "axes_ip_address", None))
    context: dict[str, Any] = {
        "form": AuthenticationForm(request, initial={"username": username}),
        "lockout_message": lockout_message(minutes),
        "next": request.POST.get("next", ""),
    }
    if settings.DEMO_MODE:
        context["demo_accounts"] = DemoAccount.objects.select_related("user")
        context["demo_password"] = settings.DEMO_PASSWORD
    return render(request, "accounts/login.html", context, status=LOCKED_STATUS)


@login_required
def locked_accounts(request: HttpRequest) -> HttpResponse:
    """District administrators: the people of their district locked out of signing in."""
    user: User = request.user  # type: ignore[assignment]
    if not is_district_admin(user):
        raise NotFound
    people = list(locked_people_visible_to(user).order_by("username"))
    locks = locks_by_username([p.username for p in people])
    rows = [{"person": p, "lock": locks[p.username]} for p in people if p.username in locks]
    return render(
        request,
        "accounts/locked_accounts.html",
        {
            "rows": rows,
            "failure_limit": settings.LOGIN_FAILURE_LIMIT,
            "cooloff_minutes": settings.LOGIN_COOLOFF_MINUTES,
        },
    )


@login_required
@require_POST
def unlock_account(request: HttpRequest, person_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    person = access_unlockable_person(user, person_id)
    if do_unlock_account(person, actor=user):
        messages.success(
            request, _("%(name)s (%(username)s) can sign in again.")
            % {"name": person.display_name, "username": person.username},
        )
    else:
        messages.info(
            request, _("%(name)s (%(username)s) was not locked out.")
            % {"name": person.display_name, "username": person.username},
        )
    return redirect("locked-accounts")
