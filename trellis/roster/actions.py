"""Writes of sessions, courses, classes, enrollments and learner groups (transactional,
audited).

The roster's other writes live beside this module, each in a file whose name says it writes:
the OneRoster import (``actions_import.py``: :func:`do_import_roster_file`,
:func:`do_apply_roster_bundle`, and its steps in ``actions_import_*.py``), the upload page's
import jobs (``actions_import_jobs.py``) and the export (``actions_export.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from trellis.accounts.models import District, School, User
from trellis.audit.actions import record
from trellis.roster.models import AcademicSession, Class, Course, Enrollment, LearnerGroup


@transaction.atomic
def do_create_session(
    district: District, title: str, sourced_id: str, *, type: str, start_date: dt.date,
    end_date: dt.date, school_year: int, actor: User | None = None,
) -> AcademicSession:
    if end_date < start_date:
        raise ValueError(f"session {title!r} ends before it starts")
    session = AcademicSession.objects.create(
        district=district, title=title, sourced_id=sourced_id, type=type,
        start_date=start_date, end_date=end_date, school_year=school_year,
    )
    record(actor, "session.create", session)
    return session


@transaction.atomic
def do_create_course(
    district: District, title: str, sourced_id: str, *, school: School | None = None,
    actor: User | None = None, **fields: Any,
) -> Course:
    course = Course.objects.create(
        district=district, title=title, sourced_id=sourced_id, school=school, **fields
    )
    record(actor, "course.create", course)
    return course


@transaction.atomic
def do_create_class(
    course: Course, school: School, title: str, sourced_id: str, *,
    terms: Iterable[AcademicSession] = (), actor: User | None = None, **fields: Any,
) -> Class:
    if school.district_id != course.district_id:
        raise ValueError("a class's school and course must belong to the same district")
    klass = Class.objects.create(
        district_id=course.district_id, school=school, course=course, title=title,
        sourced_id=sourced_id, **fields,
    )
    klass.terms.set(list(terms))
    record(actor, "class.create", klass)
    return klass


@transaction.atomic
def do_enroll(
    klass: Class, user: User, role: str, *, primary: bool = False, actor: User | None = None
) -> Enrollment:
    if user.district_id != klass.district_id:
        raise ValueError("a person can only be enrolled in a class of their own district")
    enrollment, created = Enrollment.objects.get_or_create(
        district_id=klass.district_id, klass=klass, user=user, role=role,
        defaults={"primary": primary},
    )
    if created:
        record(actor, "enrollment.create", klass, details={"user": user.username, "role": role})
    return enrollment


@transaction.atomic
def do_create_learner_group(
    klass: Class, name: str, members: Iterable[User] = (), *, actor: User | None = None
) -> LearnerGroup:
    group = LearnerGroup.objects.create(district_id=klass.district_id, klass=klass, name=name)
    member_list = list(members)
    enrolled = set(
        Enrollment.objects.filter(
            klass=klass, role=Enrollment.Role.STUDENT, user__in=member_list
        ).values_list("user_id", flat=True)
    )
    strangers = [m.username for m in member_list if m.id not in enrolled]
    if strangers:
        raise ValueError(f"not enrolled in {klass}: {', '.join(strangers)}")
    group.members.set(member_list)
    record(actor, "group.create", group, details={"members": [m.username for m in member_list]})
    return group
