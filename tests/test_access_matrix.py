"""Every route × every role × own / same-school / other-school / other-district object.

Allowed answers ``ok_status``; denied answers exactly what a missing object answers (404 for a
signed-in person, the login page or 401 for an anonymous one), so nobody can probe for ids.

What comes back is read too: no answer to anyone (every actor is in district A) names a person,
class or school of district B, and a list page (an entry with ``rows``) names exactly the rows
its viewer may see: ``test_rows``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.access_matrix import Endpoint, all_endpoints, extend_world, person_names
from tests.world import ROLES, SCOPES, World
from trellis.accounts.models import District, School, User
from trellis.roster.models import Class

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
        world.extra["other_district_names"] = _other_district_names(world)
    return world


def _names_in_district(district: District) -> set[str]:
    names = {str(district)}
    for user in User.objects.filter(district=district):
        names.update(person_names(user))
    names.update(School.objects.filter(district=district).values_list("name", flat=True))
    names.update(Class.objects.filter(school__district=district).values_list("title", flat=True))
    return {name for name in names if name}


def _other_district_names(world: World) -> tuple[str, ...]:
    """Everything of district B a page could name (people, classes, schools, the district),
    less what district A has by the same name."""
    own = _names_in_district(world.districts["a"])
    return tuple(sorted(_names_in_district(world.districts["b"]) - own))


def _mentions(body: str, names: Iterable[str]) -> list[str]:
    """The names that ``body`` mentions as whole words ("Student A1" is not in "Student A1B")."""
    return [
        name
        for name in names
        if any(
            re.search(rf"(?<!\w){re.escape(spelling)}(?!\w)", body)
            for spelling in {name, html.escape(name)}
        )
    ]


def _fetch(world: World, endpoint: Endpoint, role: str, scope: str) -> HttpResponse:
    kwargs = endpoint.target(world, scope) if endpoint.target else {}
    assert kwargs is not None, f"no {scope} object for {endpoint.url_name}"
    url = reverse(endpoint.url_name, kwargs=kwargs)
    client = Client()
    actor = world.actor(role)
    if actor is not None:
        client.force_login(actor)
    if endpoint.method == "POST":
        return client.post(url, data=endpoint.data)  # type: ignore[return-value]
    return client.generic(endpoint.method, url)  # type: ignore[return-value]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("endpoint", "role", "scope"),
    list(_cases()),
    ids=[f"{e.url_name}-{r}-{s}" for e, r, s in _cases()],
)
def test_access(matrix_world: World, endpoint: Endpoint, role: str, scope: str) -> None:
    response = _fetch(matrix_world, endpoint, role, scope)
    actor = matrix_world.actor(role)
    allowed = scope in endpoint.allowed.get(role, frozenset())
    if not (allowed and scope == "other_district"):
        leaked = _mentions(
            response.content.decode(errors="replace"), matrix_world.extra["other_district_names"]
        )
        assert not leaked, (
            f"{endpoint.url_name} ({scope}) names the other district's {leaked} to {role}"
        )
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


def _row_cases() -> Iterator[tuple[Endpoint, str, str]]:
    for endpoint in ENDPOINTS:
        if not endpoint.rows or endpoint.method != "GET":
            continue
        for role in ROLES:
            for scope in endpoint.scopes():
                if scope in endpoint.allowed.get(role, frozenset()):
                    yield endpoint, role, scope


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("endpoint", "role", "scope"),
    list(_row_cases()),
    ids=[f"{e.url_name}-{r}-{s}" for e, r, s in _row_cases()],
)
def test_rows(matrix_world: World, endpoint: Endpoint, role: str, scope: str) -> None:
    """A list page names every row its viewer should see and no other object of the world."""
    response = _fetch(matrix_world, endpoint, role, scope)
    assert response.status_code == endpoint.ok_status
    body = response.content.decode(errors="replace")
    for rows in endpoint.rows:
        listed = rows.scopes_listed(role, scope)
        for other in SCOPES:
            names = rows.names(matrix_world, other)
            if not names:
                continue
            shown = _mentions(body, names)
            if other in listed:
                assert shown, (
                    f"{endpoint.url_name} ({scope}) should list {names[0]!r} ({other}) "
                    f"to {role}"
                )
            else:
                assert not shown, (
                    f"{endpoint.url_name} ({scope}) shows {role} {shown} ({other}), "
                    "a row it must not list"
                )
