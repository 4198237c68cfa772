"""Sign-in throttling and lockout, built on django-axes.

Every failed sign-in through the login form (or the Django admin's) is counted by django-axes in
its own tables, per username and per network address. Two limits apply, each on its own count
within the cool-off window (``trellis/settings/base.py``):

- an **account** is locked after ``TRELLIS_LOGIN_FAILURES`` failures for its username (10);
- an **address** is locked after ``TRELLIS_LOGIN_ADDRESS_FAILURES`` failures from it, whatever
  the usernames (100): higher, because a school's students often share one address.

A lock ends by itself ``TRELLIS_LOGIN_COOLOFF_MINUTES`` after the last failure that counted, or
sooner when a district administrator unlocks the person
(:func:`trellis.accounts.actions.do_unlock_account`). Trying again while locked does not extend
the lock and never checks the password. A right password clears that account's failures (not
the failures of everyone else at the same address).

Sign-ins without a web request (scripts, ``Client.login`` in tests) are not throttled: nobody
can reach them from outside.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, QuerySet, Sum
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import ngettext

from trellis.accounts.models import User
from trellis.accounts.permissions import NotFound, is_district_admin


def cool_off() -> timedelta:
    return timedelta(minutes=max(settings.LOGIN_COOLOFF_MINUTES, 1))


def lockout_enabled() -> bool:
    return bool(settings.AXES_ENABLED and settings.LOGIN_FAILURE_LIMIT > 0)


class LockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler with a limit of its own for each lockout parameter."""

    def get_failures(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        """Failures measured against the account limit: the username's own count, or the
        account limit itself once the address has reached its (higher) limit."""
        counts: dict[str, int] = {}
        parameters = get_lockout_parameters(request, credentials)
        for parameter, attempts in zip(
            parameters, self.get_user_attempts(request, credentials), strict=True
        ):
            total = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            counts[str(parameter)] = int(total)
        by_account = counts.get("username", 0)
        address_limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
        if address_limit > 0 and counts.get("ip_address", 0) >= address_limit:
            return max(by_account, int(settings.AXES_FAILURE_LIMIT))
        return by_account

    def reset_user_attempts(
        self, request: HttpRequest, credentials: dict[str, Any] | None = None
    ) -> int:
        """After a right password, clear that account's failures only: the other people at
        the same address have not proved anything."""
        username = get_client_username(request, credentials)
        return self.reset_attempts(username=username) if username else 0


class LockoutBackend(AxesStandaloneBackend):
    """Refuses a locked account or address before any password is checked (first in
    ``AUTHENTICATION_BACKENDS``). Sign-ins without a request (scripts, tests) pass through."""

    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: the connection's, or, behind ``TRELLIS_PROXY_COUNT`` proxies, the
    one the outermost proxy added to X-Forwarded-For (entries to its left are the client's
    own say and are ignored)."""
    remote = request.META.get("REMOTE_ADDR")
    proxies = max(int(getattr(settings, "PROXY_COUNT", 0)), 0)
    if proxies == 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < proxies:
        return remote
    return forwarded[-proxies]


@dataclass(frozen=True)
class Lock:
    """A locked username: how many failures, the last one, and when the lock ends."""

    username: str
    failures: int
    last_failure: datetime

    @property
    def ends_at(self) -> datetime:
        return self.last_failure + cool_off()


def _recent_attempts() -> QuerySet[AccessAttempt]:
    return AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - cool_off())


def _locked_usernames() -> QuerySet[Any]:
    """Usernames over the account limit now, with their failure count and last failure."""
    return (
        _recent_attempts()
        .exclude(username__isnull=True)
        .values("username")
        .annotate(failures=Sum("failures_since_start"), last_failure=Max("attempt_time"))
        .filter(failures__gte=settings.LOGIN_FAILURE_LIMIT)
        .order_by("username")
    )


def locks_by_username(usernames: list[str] | None = None) -> dict[str, Lock]:
    """The current account locks, optionally for these usernames only."""
    if not lockout_enabled():
        return {}
    rows = _locked_usernames()
    if usernames is not None:
        rows = rows.filter(username__in=usernames)
    return {
        row["username"]: Lock(row["username"], int(row["failures"]), row["last_failure"])
        for row in rows
    }


def locked_people_visible_to(user: User) -> QuerySet[User]:
    """The locked accounts a person may see and unlock: their district's, for its district
    administrators; nobody else's."""
    district_id = user.district_id
    if district_id is None or not is_district_admin(user) or not lockout_enabled():
        return User.objects.none()
    return User.objects.filter(
        district_id=district_id, username__in=_locked_usernames().values("username")
    ).select_related("school")


def access_unlockable_person(user: User, person_id: int) -> User:
    """A person of the district administrator's own district (locked or not: unlocking a
    person whose lock has just ended is harmless); :class:`NotFound` otherwise."""
    district_id = user.district_id
    if district_id is None or not is_district_admin(user):
        raise NotFound
    try:
        return User.objects.get(id=person_id, district_id=district_id)
    except User.DoesNotExist:
        raise NotFound from None


def minutes_left(username: str | None, address: str | None) -> int:
    """Whole minutes (at least 1) until the lock on this username, else on this address, ends."""
    recent = _recent_attempts()
    rows = recent.filter(username=username) if username else recent.none()
    failures = rows.aggregate(total=Sum("failures_since_start"))["total"] or 0
    if failures < settings.LOGIN_FAILURE_LIMIT and address:
        rows = recent.filter(ip_address=address)
    last = rows.aggregate(last=Max("attempt_time"))["last"]
    if last is None:
        return math.ceil(cool_off().total_seconds() / 60)
    left = (last + cool_off() - timezone.now()).total_seconds()
    return max(1, math.ceil(left / 60))


def lockout_message(minutes: int) -> str:
    """What a locked-out person reads on the sign-in page."""
    return ngettext(
        "Too many failed sign-ins. Try again in %(minutes)d minute or ask your district "
        "administrator to unlock your account.",
        "Too many failed sign-ins. Try again in %(minutes)d minutes or ask your district "
        "administrator to unlock your account.",
        minutes,
    ) % {"minutes": minutes}
