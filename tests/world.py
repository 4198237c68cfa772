"""A small two-district world for permission tests.

District A has schools A1 and A2, district B has school B1. In school A1, teacher ``t_a1``
teaches ``class_a1`` with student ``s_a1`` (child of guardian ``g_a1``), coach ``coach_a1``
coaches ``t_a1``, and ``t_a1b`` teaches another class of the same school with ``s_a1b``.
Each other school has its own teacher, class and student. The actors are all in school A1.

Targets by scope, relative to those actors:
``own`` — the object that belongs to the actor (their class, their child, themself...);
``same_school`` — an unrelated object of the same school; ``other_school`` — school A2;
``other_district`` — district B.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from trellis.accounts.actions import (
    do_create_district,
    do_create_school,
    do_create_user,
    do_link_coach,
    do_link_guardian,
)
from trellis.accounts.models import District, Role, School, User
from trellis.roster.actions import (
    do_create_class,
    do_create_course,
    do_create_session,
    do_enroll,
)
from trellis.roster.models import Class

PASSWORD = "correct-horse-battery"

ROLES = ["anonymous", "student", "guardian", "teacher", "coach", "school_admin", "district_admin"]
SCOPES = ["own", "same_school", "other_school", "other_district"]


@dataclass
class World:
    districts: dict[str, District] = field(default_factory=dict)
    schools: dict[str, School] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    classes: dict[str, Class] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)  # objects added by other areas

    def actor(self, role: str) -> User | None:
        return None if role == "anonymous" else self.users[f"actor_{role}"]

    def student(self, scope: str) -> User:
        return self.users[{"own": "s_a1", "same_school": "s_a1b", "other_school": "s_a2",
                           "other_district": "s_b1"}[scope]]

    def teacher(self, scope: str) -> User:
        return self.users[{"own": "t_a1", "same_school": "t_a1b", "other_school": "t_a2",
                           "other_district": "t_b1"}[scope]]

    def klass(self, scope: str) -> Class:
        return self.classes[{"own": "a1", "same_school": "a1b", "other_school": "a2",
                             "other_district": "b1"}[scope]]

    def school(self, scope: str) -> School | None:
        return {"own": self.schools["a1"], "same_school": None,
                "other_school": self.schools["a2"], "other_district": self.schools["b1"]}[scope]


def _school_setup(world: World, district: District, key: str, classes: list[str]) -> None:
    school = do_create_school(district, f"School {key.upper()}", f"sch-{key}")
    world.schools[key] = school
    course = do_create_course(district, f"Grade 7 Math {key}", f"crs-{key}", school=school)
    term = do_create_session(
        district, f"Fall {key}", f"term-{key}", type="term", start_date=dt.date(2026, 8, 20),
        end_date=dt.date(2026, 12, 18), school_year=2027,
    )
    for class_key in classes:
        klass = do_create_class(
            course, school, f"Math 7 ({class_key})", f"cls-{class_key}", terms=[term]
        )
        world.classes[class_key] = klass
        teacher = do_create_user(
            district, f"t_{class_key}", Role.TEACHER, first_name="Teacher",
            last_name=class_key.upper(), school=school, password=PASSWORD,
        )
        student = do_create_user(
            district, f"s_{class_key}", Role.STUDENT, first_name="Student",
            last_name=class_key.upper(), school=school, grade="07", password=PASSWORD,
        )
        do_enroll(klass, teacher, "teacher", primary=True)
        do_enroll(klass, student, "student")
        world.users[teacher.username] = teacher
        world.users[student.username] = student


def build_world() -> World:
    world = World()
    a = do_create_district("District A", "dist-a")
    b = do_create_district("District B", "dist-b")
    world.districts = {"a": a, "b": b}
    _school_setup(world, a, "a1", ["a1", "a1b"])
    _school_setup(world, a, "a2", ["a2"])
    _school_setup(world, b, "b1", ["b1"])
    school_a1 = world.schools["a1"]

    def person(username: str, role: Role, district: District = a, **kw: Any) -> User:
        user = do_create_user(
            district, username, role, first_name=username, last_name="Person",
            password=PASSWORD, **kw,
        )
        world.users[username] = user
        return user

    g_a1 = person("g_a1", Role.GUARDIAN)
    do_link_guardian(g_a1, world.users["s_a1"])
    coach = person("coach_a1", Role.COACH, school=school_a1)
    do_link_coach(coach, world.users["t_a1"])
    person("sa_a1", Role.SCHOOL_ADMIN, school=school_a1)
    person("da_a", Role.DISTRICT_ADMIN)
    # guardian and admin in district B too, so "other district" has every kind of person
    g_b1 = person("g_b1", Role.GUARDIAN, district=b)
    do_link_guardian(g_b1, world.users["s_b1"])
    person("da_b", Role.DISTRICT_ADMIN, district=b)

    # The actor of each role, all in school A1 of district A.
    world.users["actor_student"] = world.users["s_a1"]
    world.users["actor_guardian"] = g_a1
    world.users["actor_teacher"] = world.users["t_a1"]
    world.users["actor_coach"] = coach
    world.users["actor_school_admin"] = world.users["sa_a1"]
    world.users["actor_district_admin"] = world.users["da_a"]
    return world
