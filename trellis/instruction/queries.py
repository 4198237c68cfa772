"""Permission-checked reads of the instruction area.

Every page and API endpoint of Today, schedules and school set-up gets its object here; a
missing and a forbidden object both raise :class:`~trellis.accounts.permissions.NotFound`.

- a class's Today page: its teachers, its school's administrators, the district administrators
  (:func:`trellis.roster.queries.access_class`);
- a student's week: the student, their guardians, their teachers, their school's and
  district's administrators (:func:`trellis.accounts.queries.access_student`);
- a teacher's week: the teacher, their coach, their school's and district's administrators
  (:func:`trellis.accounts.queries.access_staff_member`);
- a school's set-up and solved week: its school administrators and the district
  administrators (:func:`trellis.accounts.queries.access_school`).
"""

from __future__ import annotations

from trellis.accounts.models import School, User
from trellis.accounts.queries import access_school, access_staff_member, access_student
from trellis.roster.models import Class
from trellis.roster.queries import access_class


def access_today_class(user: User, class_id: int) -> Class:
    return access_class(user, class_id)


def access_student_week(user: User, student_id: int) -> User:
    return access_student(user, student_id)


def access_teacher_week(user: User, staff_id: int) -> User:
    return access_staff_member(user, staff_id)


def access_setup_school(user: User, school_id: int) -> School:
    return access_school(user, school_id)
