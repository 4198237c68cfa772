"""schemathesis over the API's OpenAPI schema: no server error, no undocumented status code.

The schema is loaded from the running application (Django's WSGI app, in this process, on the
test database with the two-district world of ``tests/world.py``), signed in as a teacher and
as a student; then, for every operation, schemathesis generates requests — valid ones and
invalid ones (negative mode), requests that reach the world's own rows, and requests with
every integer parameter at a boundary (0, -1, 2**31, 2**63, 10**30: random examples rarely
reach them, and a number past 64 bits once made the class list a server error) — and checks
each answer: not a 5xx, a status code the schema lists for that operation, the content type
and the body it documents. A third pass sends them without a session (every answer must be
the documented 401).

Bounded and deterministic: a fixed number of examples per operation and mode, derandomised,
no example database; a few seconds in all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.world import World

WSGIApp = Callable[[dict[str, Any], Any], Any]

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = 15  # per operation, generation mode and identity
BOUNDARY_EXAMPLES = 2  # per boundary value: the rest of the request is all that varies
SCHEMA_URL = "/api/v1/openapi.json"
BOUNDARIES = (0, -1, 2**31, 2**63, 10**30)


def _signed_in(app: WSGIApp, user: Any) -> WSGIApp:
    """``app`` as ``user``'s browser reaches it: every request carries their session cookie
    (the test client schemathesis drives keeps its own cookie jar, and drops a Cookie
    header)."""
    client = Client()
    client.force_login(user)
    name = django_settings.SESSION_COOKIE_NAME
    cookie = f"{name}={client.cookies[name].value}"

    def signed_in(environ: dict[str, Any], start_response: Any) -> Any:
        environ["HTTP_COOKIE"] = cookie
        return app(environ, start_response)

    return signed_in


def _known_ids(world: World) -> dict[str, int]:
    """Ids of the world's rows, for requests that reach past the 404 to a real answer."""
    return {
        "student_id": world.student("own").id,
        "class_id": world.klass("own").id,
        "staff_id": world.teacher("own").id,
    }


def _integer_parameters(operation: Any) -> dict[str, list[str]]:
    """``{"path": [...], "query": [...]}``: the operation's integer parameters, by place."""
    found: dict[str, list[str]] = {"path": [], "query": []}
    for parameter in operation.definition.raw.get("parameters", []):
        if parameter.get("schema", {}).get("type") == "integer" and parameter["in"] in found:
            found[parameter["in"]].append(parameter["name"])
    return found


def _exercise(operation: Any, app: WSGIApp, ids: dict[str, int]) -> int:
    """Run the generated requests of one operation; the number of requests sent."""
    strategies = [
        (operation.as_strategy(generation_mode=GenerationMode.POSITIVE), EXAMPLES),
        (operation.as_strategy(generation_mode=GenerationMode.NEGATIVE), EXAMPLES),
    ]
    known = {name: value for name, value in ids.items() if f"{{{name}}}" in operation.path}
    if known:
        strategies.append((operation.as_strategy(path_parameters=known), EXAMPLES))
    integers = _integer_parameters(operation)
    for value in BOUNDARIES if integers["path"] or integers["query"] else ():
        strategies.append((operation.as_strategy(
            path_parameters=dict.fromkeys(integers["path"], value) or None,
            query=dict.fromkeys(integers["query"], value) or None,
        ), BOUNDARY_EXAMPLES))
    for strategy, examples in strategies:
        _runner(strategy, app, examples)()
    return len(strategies)


def _runner(strategy: Any, app: WSGIApp, examples: int) -> Callable[[], None]:
    @given(case=strategy)
    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        case.call_and_validate(app=app, checks=CHECKS)

    return run


@pytest.fixture
def connections_kept_open() -> Iterator[None]:
    """Django's WSGI handler closes the database connection when a request starts and ends;
    inside a test that runs in one transaction (PostgreSQL) that would close the test's own
    connection. Django's test client turns this off the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.usefixtures("connections_kept_open")
@pytest.mark.parametrize("role", ["teacher", "student", "anonymous"])
def test_the_api_answers_only_what_its_schema_documents(role: str, world: World) -> None:
    app = get_wsgi_application()
    # The schema itself is for signed-in people.
    schema = schemathesis.openapi.from_wsgi(SCHEMA_URL, _signed_in(app, world.actor("teacher")))
    actor = world.actor(role)
    as_role = _signed_in(app, actor) if actor is not None else app
    results = list(schema.get_all_operations())
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert len(operations) == len(results) >= 8, "an operation schemathesis cannot read"
    strategies = sum(_exercise(operation, as_role, _known_ids(world)) for operation in operations)
    assert strategies >= len(operations) * 2
