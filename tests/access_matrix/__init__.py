"""The role × endpoint × tenant matrix: one entry per URL route, in one module per area.

Each module of this package defines ``ENDPOINTS: list[Endpoint]`` (and, when its endpoints need
objects the base world lacks, ``extend_world(world)``). ``tests/test_access_matrix.py`` walks
every entry × every role × every scope and asserts allow or deny, and fails for any route that
has no entry — so a new page or API endpoint cannot ship without its permission rule.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.world import SCOPES, World

Target = Callable[[World, str], dict[str, Any] | None]

ALL_SCOPES = frozenset(SCOPES)
NONE: frozenset[str] = frozenset()


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
