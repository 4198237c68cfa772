"""Sign-in lockout through the login form: the limit, the message, the cool-off, unlocking by a
district administrator (and not by another district's), the per-address limit, the admin
action."""

from __future__ import annotations

import datetime as dt
import importlib
import sys
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from tests.world import PASSWORD, World
from trellis.accounts.lockout import client_ip
from trellis.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

LOCKED = (
    "Too many failed sign-ins. Try again in 30 minutes or ask your district administrator to "
    "unlock your account."
)


def sign_in(username: str, password: str, client: Client | None = None, **extra: Any) -> Any:
    client = client or Client()
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def lock_out(username: str, **extra: Any) -> None:
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        sign_in(username, "not-the-password", **extra)


def signed_in(response: Any) -> bool:
    return response.status_code == 302 and response["Location"] == reverse("home")


def test_ten_wrong_passwords_lock_the_account_and_then_the_right_one_is_refused(
    world: World,
) -> None:
    assert settings.LOGIN_FAILURE_LIMIT == 10  # the default
    for attempt in range(1, 10):
        wrong = sign_in("s_a1", f"guess-{attempt}")
        assert wrong.status_code == 200, attempt
        assert b"didn't match" in wrong.content
    tenth = sign_in("s_a1", "guess-10")
    assert tenth.status_code == 429
    assert LOCKED in tenth.content.decode()

    client = Client()
    refused = sign_in("s_a1", PASSWORD, client)
    assert refused.status_code == 429
    page = refused.content.decode()
    assert LOCKED in page and 'role="alert"' in page
    assert 'value="s_a1"' in page  # the username stays in the form
    assert SESSION_KEY not in client.session
    assert client.get(reverse("home")).status_code == 302  # not signed in

    # another account at the same address is not locked by this one
    assert signed_in(sign_in("t_a1", PASSWORD))


def test_retrying_while_locked_does_not_extend_the_lock_and_the_lock_ends_by_itself(
    world: World,
) -> None:
    lock_out("s_a1")
    before = AccessAttempt.objects.get(username="s_a1")
    assert sign_in("s_a1", PASSWORD).status_code == 429
    after = AccessAttempt.objects.get(username="s_a1")
    assert (after.failures_since_start, after.attempt_time) == (
        before.failures_since_start, before.attempt_time)

    AccessAttempt.objects.filter(username="s_a1").update(
        attempt_time=timezone.now()
        - dt.timedelta(minutes=settings.LOGIN_COOLOFF_MINUTES, seconds=1)
    )
    assert signed_in(sign_in("s_a1", PASSWORD))


def test_the_message_counts_down_the_minutes_left(world: World) -> None:
    lock_out("s_a1")
    AccessAttempt.objects.filter(username="s_a1").update(
        attempt_time=timezone.now() - dt.timedelta(minutes=29, seconds=30)
    )
    page = sign_in("s_a1", PASSWORD).content.decode()
    assert "Try again in 1 minute or ask" in page


def test_a_right_password_clears_that_accounts_failures(world: World) -> None:
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        sign_in("s_a1", "typo")
    sign_in("t_a1", "typo")  # someone else at the same address
    assert signed_in(sign_in("s_a1", PASSWORD))
    assert not AccessAttempt.objects.filter(username="s_a1").exists()
    assert AccessAttempt.objects.filter(username="t_a1").exists()  # not theirs to clear
    assert sign_in("s_a1", "typo").status_code == 200  # counting starts again


def test_a_district_admin_unlocks_a_person_who_then_signs_in(world: World) -> None:
    lock_out("s_a1")
    admin = Client()
    admin.force_login(world.users["da_a"])
    assert reverse("locked-accounts") in admin.get(reverse("home")).content.decode()
    page = admin.get(reverse("locked-accounts"))
    assert page.status_code == 200
    assert b"<code>s_a1</code>" in page.content and b"Unlock s_a1" in page.content

    student = world.users["s_a1"]
    response = admin.post(reverse("locked-account-unlock", args=[student.id]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("locked-accounts")
    assert f"{student.display_name} (s_a1) can sign in again." in response.content.decode()
    assert b"Nobody in your district is locked out" in response.content
    event = AuditEvent.objects.get(action="user.unlock")
    assert event.actor == world.users["da_a"] and event.object_id == str(student.id)
    assert event.district_id == world.districts["a"].id

    assert signed_in(sign_in("s_a1", PASSWORD))
    again = admin.post(reverse("locked-account-unlock", args=[student.id]), follow=True)
    assert b"was not locked out" in again.content
    assert AuditEvent.objects.filter(action="user.unlock").count() == 1


def test_a_district_admin_of_another_district_cannot_unlock(world: World) -> None:
    lock_out("s_a1")
    other = Client()
    other.force_login(world.users["da_b"])
    listing = other.get(reverse("locked-accounts"))
    assert listing.status_code == 200 and b"s_a1" not in listing.content
    refused = other.post(reverse("locked-account-unlock", args=[world.users["s_a1"].id]))
    assert refused.status_code == 404
    teacher = Client()
    teacher.force_login(world.users["t_a1"])  # their own student, but no administrator
    assert teacher.post(
        reverse("locked-account-unlock", args=[world.users["s_a1"].id])).status_code == 404
    assert teacher.get(reverse("locked-accounts")).status_code == 404
    assert sign_in("s_a1", PASSWORD).status_code == 429  # still locked
    assert not AuditEvent.objects.filter(action="user.unlock").exists()


def test_one_address_failing_for_many_usernames_is_locked(world: World, settings: Any) -> None:
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 5
    for n in range(5):
        assert sign_in(f"sprayed-{n}", "password1").status_code in (200, 429)
    assert sign_in("t_a1", PASSWORD).status_code == 429  # the address is locked
    # a different address is not
    assert signed_in(sign_in("t_a1", PASSWORD, REMOTE_ADDR="10.1.2.3"))


def test_behind_a_proxy_the_address_comes_from_x_forwarded_for(settings: Any) -> None:
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    settings.PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.1"
    settings.PROXY_COUNT = 1  # what the one proxy saw, not what the client claimed
    assert client_ip(request) == "203.0.113.7"
    settings.PROXY_COUNT = 3  # fewer entries than proxies: fall back to the connection
    assert client_ip(request) == "10.0.0.1"


def test_two_schools_behind_one_proxy_are_told_apart(world: World, settings: Any) -> None:
    settings.PROXY_COUNT = 1
    lock_out("t_a1", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1")
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = settings.LOGIN_FAILURE_LIMIT
    assert signed_in(
        sign_in("s_a1", PASSWORD, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.2"))
    assert sign_in("s_a1", PASSWORD, REMOTE_ADDR="10.0.0.1",
                   HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429


def test_the_django_admin_action_unlocks(world: World) -> None:
    lock_out("s_a1")
    operator = world.users["t_a2"]
    operator.is_staff = operator.is_superuser = True
    operator.save()
    client = Client()
    client.force_login(operator)
    response = client.post(
        "/admin/accounts/user/",
        {"action": "unlock_sign_in", "_selected_action": [world.users["s_a1"].id]},
        follow=True,
    )
    assert b"Unlocked: s_a1." in response.content
    assert signed_in(sign_in("s_a1", PASSWORD))
    assert AuditEvent.objects.filter(action="user.unlock", actor=operator).exists()


def test_the_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRELLIS_LOGIN_FAILURES", "4")
    monkeypatch.setenv("TRELLIS_LOGIN_COOLOFF_MINUTES", "5")
    monkeypatch.setenv("TRELLIS_LOGIN_ADDRESS_FAILURES", "0")
    sys.modules.pop("trellis.settings.base", None)
    try:
        base = importlib.import_module("trellis.settings.base")
        assert base.AXES_FAILURE_LIMIT == 4 and base.LOGIN_FAILURE_LIMIT == 4
        assert base.LOGIN_COOLOFF_MINUTES == 5
        assert base.AXES_COOLOFF_TIME.total_seconds() == 5 * 60
        assert base.LOGIN_ADDRESS_FAILURE_LIMIT == 0
        monkeypatch.setenv("TRELLIS_LOGIN_FAILURES", "0")  # 0: no lockout
        sys.modules.pop("trellis.settings.base", None)
        base = importlib.import_module("trellis.settings.base")
        assert base.AXES_LOCK_OUT_AT_FAILURE is False
    finally:
        sys.modules.pop("trellis.settings.base", None)
