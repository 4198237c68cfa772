"""Writes of districts, schools and people. Every function is transactional and audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from trellis.accounts.models import (
    CoachingLink,
    District,
    GuardianLink,
    Role,
    RoleAssignment,
    School,
    User,
)
from trellis.audit.actions import record


@transaction.atomic
def do_create_district(name: str, sourced_id: str, *, actor: User | None = None) -> District:
    district = District.objects.create(name=name, sourced_id=sourced_id)
    record(actor, "district.create", district)
    return district


@transaction.atomic
def do_create_school(
    district: District, name: str, sourced_id: str, *, actor: User | None = None
) -> School:
    school = School.objects.create(district=district, name=name, sourced_id=sourced_id)
    record(actor, "school.create", school)
    return school


@transaction.atomic
def do_create_user(
    district: District,
    username: str,
    role: Role | str,
    *,
    first_name: str = "",
    last_name: str = "",
    school: School | None = None,
    password: str | None = None,
    actor: User | None = None,
    **fields: Any,
) -> User:
    """Create a person with a primary role (and the matching role assignment)."""
    if school is not None and school.district_id != district.id:
        raise ValueError(f"school {school} is not in district {district}")
    user = User(
        district=district, username=username, role=role, first_name=first_name,
        last_name=last_name, school=school, **fields,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    RoleAssignment.objects.create(
        district=district, user=user, role=role, school=school, is_primary=True
    )
    record(actor, "user.create", user, details={"role": str(role)})
    return user


@transaction.atomic
def do_link_guardian(
    guardian: User, student: User, relationship: str = "guardian", *, actor: User | None = None
) -> GuardianLink:
    if guardian.district_id != student.district_id:
        raise ValueError("a guardian and a student must belong to the same district")
    if guardian.role != Role.GUARDIAN or student.role != Role.STUDENT:
        raise ValueError("a guardian link joins a guardian to a student")
    link, created = GuardianLink.objects.get_or_create(
        district_id=guardian.district_id, guardian=guardian, student=student,
        defaults={"relationship": relationship},
    )
    if created:
        record(actor, "guardian.link", student, details={"guardian": guardian.username})
    return link


@transaction.atomic
def do_link_coach(coach: User, teacher: User, *, actor: User | None = None) -> CoachingLink:
    if coach.district_id != teacher.district_id:
        raise ValueError("a coach and a teacher must belong to the same district")
    link, created = CoachingLink.objects.get_or_create(
        district_id=coach.district_id, coach=coach, teacher=teacher
    )
    if created:
        record(actor, "coaching.link", teacher, details={"coach": coach.username})
    return link


@transaction.atomic
def do_change_password(user: User, new_password: str) -> None:
    user.set_password(new_password)
    user.save(update_fields=["password"])
    record(user, "user.password_change", user)


@transaction.atomic
def do_unlock_account(person: User, *, actor: User) -> int:
    """Clear the failed sign-ins that lock ``person`` out (``trellis/accounts/lockout.py``), so
    they can sign in again now. ``actor`` is a platform operator or a district administrator of
    the person's own district. Returns how many failure records were cleared (0: the person
    was not locked; unlocking again is harmless). The records are django-axes' own, cleared
    through its API."""
    from axes.utils import reset  # imported here: axes loads its models with the registry

    own_district = actor.role == Role.DISTRICT_ADMIN and actor.district_id == person.district_id
    if not (actor.is_active and (actor.is_superuser or own_district)):
        raise PermissionError(f"{actor.username} may not unlock {person.username}")
    cleared = reset(username=person.username)
    if cleared:
        record(actor, "user.unlock", person, details={"failure_records_cleared": cleared})
    return int(cleared)
