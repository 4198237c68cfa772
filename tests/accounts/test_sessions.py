"""Sessions on shared devices: gone when the browser closes, and after the idle time; password
rules when a person changes their password."""

from __future__ import annotations

import datetime as dt
import importlib
import sys
import time
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.world import PASSWORD, World
from trellis.accounts.middleware import SEEN_KEY

pytestmark = pytest.mark.django_db


def signed_in_client(username: str = "t_a1") -> tuple[Client, Any]:
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client, response


def session_row(client: Client) -> Session:
    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


def test_the_session_cookie_ends_with_the_browser_and_the_session_when_idle(
    world: World,
) -> None:
    assert settings.SESSION_COOKIE_AGE == 120 * 60  # TRELLIS_SESSION_IDLE_MINUTES default
    client, response = signed_in_client()
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == "" and cookie["expires"] == ""  # a browser-session cookie
    assert cookie["httponly"]
    left = session_row(client).expire_date - timezone.now()
    assert dt.timedelta(minutes=119) < left <= dt.timedelta(minutes=120)

    Session.objects.filter(pk=session_row(client).pk).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1))  # two idle hours went by
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_activity_moves_the_end_forward_at_most_once_a_minute(world: World) -> None:
    client, _ = signed_in_client()
    soon = timezone.now() + dt.timedelta(minutes=5)
    Session.objects.filter(pk=session_row(client).pk).update(expire_date=soon)
    assert client.get(reverse("home")).status_code == 200
    assert session_row(client).expire_date == soon  # seen less than a minute ago: no write

    session = client.session
    session[SEEN_KEY] = int(time.time()) - 61
    session.save()
    Session.objects.filter(pk=session_row(client).pk).update(expire_date=soon)
    assert client.get(reverse("home")).status_code == 200
    assert session_row(client).expire_date > timezone.now() + dt.timedelta(minutes=119)


def test_signed_out_visits_write_no_session(world: World) -> None:
    client = Client()
    client.get(reverse("login"))
    assert not Session.objects.exists()


def test_the_idle_time_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRELLIS_SESSION_IDLE_MINUTES", "15")
    sys.modules.pop("trellis.settings.base", None)
    try:
        base = importlib.import_module("trellis.settings.base")
        assert base.SESSION_COOKIE_AGE == 15 * 60
        assert base.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    finally:
        sys.modules.pop("trellis.settings.base", None)


@pytest.mark.parametrize(
    ("new_password", "complaint"),
    [
        ("password", "too common"),
        ("83920174", "entirely numeric"),
        ("k3y!", "too short"),
        ("Teacher1", "too similar"),
    ],
)
def test_a_new_password_must_pass_the_validators(
    world: World, new_password: str, complaint: str
) -> None:
    client = Client()
    client.force_login(world.users["t_a1"])
    response = client.post(reverse("password-change"), {
        "old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password,
    })
    assert response.status_code == 200
    assert complaint in response.content.decode()
