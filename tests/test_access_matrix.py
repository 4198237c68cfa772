"""Every route × every role × own / same-school / other-school / other-district object.

Allowed answers ``ok_status``; denied answers exactly what a missing object answers (404 for a
signed-in person, the login page or 401 for an anonymous one), so nobody can probe for ids.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.access_matrix import Endpoint, all_endpoints, extend_world
from tests.world import ROLES, World

ENDPOINTS = all_endpoints()
# Routes covered by their own tests rather than the matrix.
NOT_IN_MATRIX = {"admin"}  # the Django admin: tests/test_admin.py


def _route_names(patterns: list, namespace: str = "") -> Iterator[str]:  # type: ignore[type-arg]
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or ""
            if ns in NOT_IN_MATRIX:
                continue
            prefix = f"{namespace}{ns}:" if ns else namespace
            yield from _route_names(pattern.url_patterns, prefix)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_route_has_a_matrix_entry() -> None:
    routes = set(_route_names(get_resolver().url_patterns))
    covered = {e.url_name for e in ENDPOINTS}
    missing = sorted(routes - covered)
    assert not missing, f"routes with no entry in tests/access_matrix/: {missing}"
    stale = sorted(covered - routes)
    assert not stale, f"matrix entries for routes that do not exist: {stale}"


def _cases() -> Iterator[tuple[Endpoint, str, str]]:
    for endpoint in ENDPOINTS:
        for role in ROLES:
            for scope in endpoint.scopes():
                yield endpoint, role, scope


@pytest.fixture(scope="module")
def matrix_world(world: World, django_db_blocker: pytest.FixtureRequest) -> World:
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        extend_world(world)
    return world


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("endpoint", "role", "scope"),
    list(_cases()),
    ids=[f"{e.url_name}-{r}-{s}" for e, r, s in _cases()],
)
def test_access(matrix_world: World, endpoint: Endpoint, role: str, scope: str) -> None:
    kwargs = endpoint.target(matrix_world, scope) if endpoint.target else {}
    assert kwargs is not None, f"no {scope} object for {endpoint.url_name}"
    url = reverse(endpoint.url_name, kwargs=kwargs)
    client = Client()
    actor = matrix_world.actor(role)
    if actor is not None:
        client.force_login(actor)
    if endpoint.method == "POST":
        response = client.post(url, data=endpoint.data)
    else:
        response = client.generic(endpoint.method, url)
    allowed = scope in endpoint.allowed.get(role, frozenset())
    if allowed:
        assert response.status_code == endpoint.ok_status, (
            f"{role} should reach {endpoint.url_name} ({scope}) but got {response.status_code}"
        )
    elif actor is None:
        expected = {endpoint.anonymous_status or (401 if endpoint.api else 302)}
        assert response.status_code in expected, response.status_code
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("login"))
    elif endpoint.url_name == "login":
        assert response.status_code == 302  # already signed in: sent home
    else:
        assert response.status_code == 404, (
            f"{role} must not reach {endpoint.url_name} ({scope}); got {response.status_code}"
        )
