"""The accessibility statement: what Trellis supports, its known gaps, how to report a barrier.

Open to everyone, signed in or not (a family should be able to read it before signing in)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def accessibility(request: HttpRequest) -> HttpResponse:
    contact = settings.ACCESSIBILITY_CONTACT.strip()
    href = ""
    if contact.startswith(("https://", "http://")):
        href = contact
    elif "@" in contact:
        href = f"mailto:{contact}"
    return render(request, "portal/accessibility.html", {"contact": contact, "contact_href": href})
