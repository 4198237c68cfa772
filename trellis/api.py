"""The JSON API (django-ninja, OpenAPI 3 at ``/api/v1/openapi.json``).

Every endpoint requires a signed-in session and reads through the same ``access_*`` functions
as the pages; a missing and a forbidden object both answer 404. Each area adds a router.

The error answers are documented once, for every operation (:func:`document_errors`): 401
when nobody is signed in, 404 for an id that is missing or not the viewer's to see (on every
path with an id), 422 for a parameter that is not valid (on every operation with parameters),
each with the schema of its body. ``tests/test_api_schema.py`` runs schemathesis over the
schema to hold it: no server error, no status code the schema does not list.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema
from ninja.security import django_auth

from trellis.accounts.api import router as accounts_router
from trellis.accounts.permissions import NotFound
from trellis.diagnostics.api import router as diagnostics_router
from trellis.instruction.api import router as instruction_router
from trellis.learning.api import router as learning_router
from trellis.plans.api import router as plans_router
from trellis.roster.api import router as roster_router

ERROR_SCHEMAS: dict[str, Any] = {
    "Error": {
        "title": "Error",
        "type": "object",
        "properties": {"detail": {"title": "Detail", "type": "string"}},
        "required": ["detail"],
    },
    "ValidationError": {
        "title": "ValidationError",
        "type": "object",
        "properties": {
            "detail": {
                "title": "Detail",
                "description": "one entry per parameter that is not valid",
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "type": {"type": "string"},
                        "loc": {"type": "array", "items": {}},
                        "msg": {"type": "string"},
                    },
                    "required": ["type", "loc", "msg"],
                },
            }
        },
        "required": ["detail"],
    },
}
UNAUTHORIZED = ("401", "Not signed in: the API answers only a signed-in person's session", "Error")
NOT_FOUND = (
    "404",
    "Not found, or not the viewer's to see: the two answer alike, so ids cannot be probed",
    "Error",
)
INVALID = ("422", "A parameter is not valid; the body says which one and why", "ValidationError")


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with the error answers every operation can give (module docstring)."""
    schema.setdefault("components", {}).setdefault("schemas", {}).update(ERROR_SCHEMAS)
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            parameters = operation.get("parameters", [])
            errors = [UNAUTHORIZED]
            if any(p.get("in") == "path" for p in parameters):
                errors.append(NOT_FOUND)
            if parameters:
                errors.append(INVALID)
            for status, description, body in errors:
                operation["responses"].setdefault(status, {
                    "description": description,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": f"#/components/schemas/{body}"}
                        }
                    },
                })
    return schema


class TrellisAPI(NinjaAPI):
    """The API, whose OpenAPI schema documents the error answers (:func:`document_errors`)."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_errors(schema)
        return schema


api = TrellisAPI(
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
