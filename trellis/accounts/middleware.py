"""Idle sessions end: each request of a signed-in person moves the session's end forward.

Django ends a session ``SESSION_COOKIE_AGE`` after it was last saved
(``TRELLIS_SESSION_IDLE_MINUTES``). Saving on every request (``SESSION_SAVE_EVERY_REQUEST``)
would write the session table on every page and every htmx poll; this saves it at most once a
``REFRESH_SECONDS``, so the session ends between ``idle`` and ``idle + 1 minute`` after the last
request. Placed right after ``SessionMiddleware``, so its save sees the change.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

REFRESH_SECONDS = 60
SEEN_KEY = "_trellis_seen"  # when the session was last saved for activity (epoch seconds)


class IdleSessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or not session.get("_auth_user_id"):
            return response  # nobody signed in (or they just signed out)
        now = int(time.time())
        if now - int(session.get(SEEN_KEY, 0)) >= REFRESH_SECONDS:
            session[SEEN_KEY] = now  # marks the session modified: SessionMiddleware saves it
        return response
