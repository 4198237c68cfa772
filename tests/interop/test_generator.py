"""The seeded demo-district generator: reproducible, valid, and shaped like a district."""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from trellis.interop.oneroster.bundle import (
    EnrollmentRole,
    OrgType,
    RoleName,
    RoleType,
    RosterBundle,
)
from trellis.interop.oneroster.generator import (
    district_zip_bytes,
    generate_district,
    write_district_zip,
)
from trellis.interop.oneroster.parser import parse_roster
from trellis.interop.oneroster.validation import validate_bundle


@pytest.fixture(scope="module")
def demo() -> RosterBundle:
    return generate_district(students=400, teachers=20, schools=2, seed=0)


def roles_by_user(
    bundle: RosterBundle,
) -> dict[str, list[tuple[RoleName | None, str, RoleType | None]]]:
    roles = defaultdict(list)
    for role in bundle.roles:
        roles[role.user_sourced_id].append((role.role, role.org_sourced_id, role.role_type))
    return roles


def test_same_seed_same_bytes_other_seed_other_district(tmp_path: Path) -> None:
    first = district_zip_bytes(students=50, teachers=5, schools=2, seed=11)
    assert district_zip_bytes(students=50, teachers=5, schools=2, seed=11) == first
    assert district_zip_bytes(students=50, teachers=5, schools=2, seed=12) != first
    write_district_zip(tmp_path / "d.zip", students=50, teachers=5, schools=2, seed=11)
    assert (tmp_path / "d.zip").read_bytes() == first


def test_the_demo_district_is_valid_and_reads_back_equal(demo: RosterBundle) -> None:
    assert validate_bundle(demo) == []
    load = parse_roster(district_zip_bytes(students=400, teachers=20, schools=2, seed=0))
    assert load.ok, load.issues[:5]
    assert load.bundle == demo


def test_orgs_sessions_and_math_courses(demo: RosterBundle) -> None:
    district, *schools = demo.orgs
    assert district.type is OrgType.DISTRICT and "(demo)" in district.name
    assert len(schools) == 2 and all(s.type is OrgType.SCHOOL for s in schools)
    assert all(s.parent_sourced_id == district.sourced_id for s in schools)
    titles = {course.title for course in demo.courses}
    assert {"Grade 6 Math", "Grade 7 Math", "Grade 8 Math", "Algebra I"} <= titles
    assert {session.type for session in demo.academic_sessions} == {"schoolYear", "semester"}


def test_people_and_roles(demo: RosterBundle) -> None:
    roles = roles_by_user(demo)
    primary = Counter(
        role for entries in roles.values() for role, _org, kind in entries if kind == "primary"
    )
    assert primary[RoleName.STUDENT] == 400
    assert primary[RoleName.DISTRICT_ADMINISTRATOR] == 1
    assert primary[RoleName.PRINCIPAL] == 2 and primary[RoleName.SITE_ADMINISTRATOR] == 2
    usernames = {user.username for user in demo.users}
    assert {
        "student1",
        "student400",
        "teacher1",
        "teacher20",
        "guardian1",
        "principal1",
        "siteadmin2",
        "districtadmin",
        "coach1",
    } <= usernames
    assert len(usernames) == len(demo.users)
    # Coaches: primary teacher role at the district org, secondary roles at schools.
    coach = next(user for user in demo.users if user.username == "coach1")
    coach_roles = roles[coach.sourced_id]
    assert (RoleName.TEACHER, "org-district", RoleType.PRIMARY) in coach_roles
    assert any(kind is RoleType.SECONDARY for _role, _org, kind in coach_roles)
    # Plausible, diverse names.
    assert len({user.family_name for user in demo.users}) > 40
    assert all(user.email.endswith(".example") for user in demo.users)


def test_guardians_are_linked_both_ways(demo: RosterBundle) -> None:
    users = {user.sourced_id: user for user in demo.users}
    roles = roles_by_user(demo)
    students = [u for u in demo.users if roles[u.sourced_id][0][0] is RoleName.STUDENT]
    counts = Counter(len(student.agent_sourced_ids) for student in students)
    assert set(counts) == {1, 2}
    for student in students:
        for agent in student.agent_sourced_ids:
            assert users[agent].agent_sourced_ids == (student.sourced_id,)
            assert roles[agent][0][0] in (RoleName.PARENT, RoleName.GUARDIAN)


def test_enrollments(demo: RosterBundle) -> None:
    per_student: Counter[str] = Counter()
    teachers_per_class: Counter[str] = Counter()
    math_students = set()
    titles = {cls.sourced_id: cls.title for cls in demo.classes}
    math_classes = {
        cls.sourced_id for cls in demo.classes if cls.course_sourced_id.endswith("-math")
    }
    for enrollment in demo.enrollments:
        if enrollment.role is EnrollmentRole.STUDENT:
            per_student[enrollment.user_sourced_id] += 1
            if enrollment.class_sourced_id in math_classes:
                math_students.add(enrollment.user_sourced_id)
        else:
            assert enrollment.role is EnrollmentRole.TEACHER and enrollment.primary is True
            teachers_per_class[enrollment.class_sourced_id] += 1
    assert len(per_student) == 400
    assert min(per_student.values()) >= 2 and max(per_student.values()) <= 10
    assert len(math_students) == 400  # every student has a math class
    assert set(teachers_per_class.values()) == {1}
    assert set(teachers_per_class) == set(titles)


def test_exact_enrollment_target_and_demographics() -> None:
    bundle = generate_district(
        students=120, teachers=8, schools=4, seed=5, enrollments=1500, demographics=True
    )
    assert len(bundle.enrollments) == 1500
    assert len(bundle.demographics) == 120
    assert validate_bundle(bundle) == []
    kinds = {org.name.split()[-2] for org in bundle.orgs[1:]}
    assert kinds == {"Middle", "High", "Elementary"}


def test_impossible_requests_are_refused() -> None:
    with pytest.raises(ValueError, match="teacher per school"):
        generate_district(students=10, teachers=1, schools=2)
    with pytest.raises(ValueError, match="enrollments"):
        generate_district(students=10, teachers=2, schools=1, enrollments=10_000)


def test_a_delta_on_top_of_the_district() -> None:
    from trellis.interop.oneroster.bundle import FileMode, RecordKind, Status
    from trellis.interop.oneroster.generator import (
        generate_district_delta,
        write_district_delta_zip,
    )
    from trellis.interop.oneroster.writer import bundle_to_bytes

    spec = {"students": 200, "teachers": 10, "schools": 2, "seed": 4}
    full = generate_district(**spec)
    delta = generate_district_delta(0.05, **spec)
    assert delta.mode(RecordKind.USERS) is FileMode.DELTA
    assert delta.mode(RecordKind.ORGS) is FileMode.ABSENT
    deleted = [e for e in delta.enrollments if e.status is Status.TOBEDELETED]
    added = [e for e in delta.enrollments if e.status is Status.ACTIVE]
    assert deleted and added
    full_enrollments = {e.sourced_id for e in full.enrollments}
    assert {e.sourced_id for e in deleted} <= full_enrollments
    assert not {e.sourced_id for e in added} & full_enrollments
    assert 0.04 < len(delta.users) / len(full.users) < 0.06
    # Alone it dangles; with the district's ids as "already in the database" it is clean.
    data = bundle_to_bytes(delta)
    assert not parse_roster(data).ok
    known = {
        RecordKind.USERS: {u.sourced_id for u in full.users},
        RecordKind.CLASSES: {c.sourced_id for c in full.classes},
        RecordKind.ORGS: {o.sourced_id for o in full.orgs},
    }
    load = parse_roster(data, known_ids=known)
    assert load.ok, load.issues[:3]
    assert load.bundle == delta
    target = io.BytesIO()
    write_district_delta_zip(target, 0.05, **spec)
    assert target.getvalue() == data
