"""Turn a permission refusal into the friendly not-found page, in every mode (DEBUG too).

``access_*`` functions raise :class:`~trellis.core.errors.NotFound` both for missing and
for forbidden objects; the person sees the same "we couldn't find that" page either way.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from trellis.core.errors import NotFound


class NotFoundMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, NotFound):
            return render(request, "404.html", status=404)
        return None
