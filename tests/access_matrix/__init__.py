"""The role × endpoint × tenant matrix: one entry per URL route, in one module per area.

Each module of this package defines ``ENDPOINTS: list[Endpoint]`` (and, when its endpoints need
objects the base world lacks, ``extend_world(world)``). ``tests/test_access_matrix.py`` walks
every entry × every role × every scope and asserts allow or deny, and fails for any route that
has no entry — so a new page or API endpoint cannot ship without its permission rule.

A page that lists people, classes or schools also declares its ``rows``: for each kind of row
(:class:`Rows`), whose rows each role sees. The matrix then reads the page as each allowed role
and asserts that exactly those rows are named: every listed one appears, and no other object
of the world (another teacher's class, another school's students, the other district...)
appears anywhere in the response.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.world import SCOPES, World

Target = Callable[[World, str], dict[str, Any] | None]
# The ways a page may name the object of a scope (empty when the scope has no such object).
Names = Callable[[World, str], tuple[str, ...]]
# (role, target scope) -> the scopes whose objects the page lists.
Listed = Callable[[str, str], frozenset[str]]

ALL_SCOPES = frozenset(SCOPES)
NONE: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Rows:
    """One kind of row of a list page (students, classes...) and whose rows each role sees.

    ``names(world, scope)`` spells the object of that kind in a scope in every way a page may
    show it. ``listed`` maps a role to the scopes whose objects the page lists for it (a role
    not named lists none), or is a function of the role and the target's scope for a page about
    one object (a class roster lists that class's students). The page must name every listed
    object (in any spelling) and must not name any other object of that kind (in any spelling).
    """

    names: Names
    listed: dict[str, frozenset[str]] | Listed

    def scopes_listed(self, role: str, scope: str) -> frozenset[str]:
        if callable(self.listed):
            return frozenset(self.listed(role, scope))
        return self.listed.get(role, NONE)


@dataclass(frozen=True)
class Endpoint:
    """How one route answers each role.

    ``allowed`` maps a role to the scopes in which it may use the route (a route with no
    ``target`` has the single scope ``"-"``). ``target(world, scope)`` gives the URL kwargs
    for the object of that scope, or ``None`` when the scope does not apply.
    """

    url_name: str
    allowed: dict[str, frozenset[str]]
    target: Target | None = None
    method: str = "GET"
    data: dict[str, Any] = field(default_factory=dict)
    ok_status: int = 200
    api: bool = False
    # what an anonymous caller gets when denied, if not the usual login redirect / 401
    anonymous_status: int | None = None
    # scopes that have an object for this target (a school has no "same school" peer)
    target_scopes: tuple[str, ...] = tuple(SCOPES)
    # what a list page lists, per kind of row (see :class:`Rows`); checked for allowed GETs
    rows: tuple[Rows, ...] = ()

    def scopes(self) -> list[str]:
        return list(self.target_scopes) if self.target is not None else ["-"]


def by_id(kwarg: str, getter: Callable[[World, str], Any]) -> Target:
    def target(world: World, scope: str) -> dict[str, Any] | None:
        obj = getter(world, scope)
        return None if obj is None else {kwarg: obj.id}

    return target


SCHOOL_SCOPES = ("own", "other_school", "other_district")


student_target = by_id("student_id", World.student)
class_target = by_id("class_id", World.klass)
staff_target = by_id("staff_id", World.teacher)
school_target = by_id("school_id", World.school)

ANY = frozenset({"-"})
OWN = frozenset({"own"})
SCHOOL = frozenset({"own", "same_school"})
DISTRICT = frozenset({"own", "same_school", "other_school"})
SIGNED_IN = dict.fromkeys(
    ["student", "guardian", "teacher", "coach", "school_admin", "district_admin"], ANY
)


# -- names of the world's objects, and the usual kinds of rows --------------------------------


def person_names(user: Any) -> tuple[str, ...]:
    """A person as pages name them: "First Last", "Last, First" (rosters) and the username."""
    names = [user.display_name, user.username]
    first = user.preferred_name or user.first_name
    if first and user.last_name:
        names.append(f"{user.last_name}, {first}")
    return tuple(names)


def student_names(world: World, scope: str) -> tuple[str, ...]:
    return person_names(world.student(scope))


def teacher_names(world: World, scope: str) -> tuple[str, ...]:
    return person_names(world.teacher(scope))


def class_names(world: World, scope: str) -> tuple[str, ...]:
    return (world.klass(scope).title,)


def school_names(world: World, scope: str) -> tuple[str, ...]:
    school = world.school(scope)
    return () if school is None else (school.name,)


def students(listed: dict[str, frozenset[str]] | Listed) -> Rows:
    return Rows(student_names, listed)


def teachers(listed: dict[str, frozenset[str]] | Listed) -> Rows:
    return Rows(teacher_names, listed)


def classes(listed: dict[str, frozenset[str]] | Listed) -> Rows:
    return Rows(class_names, listed)


def schools(listed: dict[str, frozenset[str]] | Listed) -> Rows:
    return Rows(school_names, listed)


def of_target(role: str, scope: str) -> frozenset[str]:
    """A page about one object lists that object's rows only: the roster of the class of a
    scope names the student and the teacher of that scope (tests/world.py), no one else's."""
    return frozenset({scope})


def of_school(role: str, scope: str) -> frozenset[str]:
    """A page about one school lists the rows of that school: school A1 ("own") holds the
    actors' class and the same-school one; the other schools hold one class each."""
    return SCHOOL if scope == "own" else frozenset({scope})


def lists_nothing(role: str, scope: str) -> frozenset[str]:
    return NONE


def load_modules() -> list[Any]:
    return [
        importlib.import_module(f"{__name__}.{info.name}")
        for info in pkgutil.iter_modules(__path__)
    ]


def all_endpoints() -> list[Endpoint]:
    return [endpoint for module in load_modules() for endpoint in module.ENDPOINTS]


def extend_world(world: World) -> None:
    for module in load_modules():
        hook = getattr(module, "extend_world", None)
        if hook is not None:
            hook(world)
