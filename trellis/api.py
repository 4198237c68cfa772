"""The JSON API (django-ninja, OpenAPI 3 at ``/api/v1/openapi.json``).

Every endpoint requires a signed-in session and reads through the same ``access_*`` functions
as the pages; a missing and a forbidden object both answer 404. Each area adds a router.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.security import django_auth

from trellis.accounts.api import router as accounts_router
from trellis.accounts.permissions import NotFound
from trellis.diagnostics.api import router as diagnostics_router
from trellis.instruction.api import router as instruction_router
from trellis.learning.api import router as learning_router
from trellis.plans.api import router as plans_router
from trellis.roster.api import router as roster_router

api = NinjaAPI(
    title="Trellis API",
    version="1",
    urls_namespace="api",
    auth=django_auth,
    docs_decorator=login_required,
)
api.add_router("/", accounts_router)
api.add_router("/", learning_router)
api.add_router("/", roster_router)
api.add_router("/", instruction_router)
api.add_router("/", plans_router)
api.add_router("/", diagnostics_router)


@api.exception_handler(NotFound)
def not_found(request: HttpRequest, exc: NotFound) -> HttpResponse:
    return api.create_response(request, {"detail": "Not found"}, status=404)
