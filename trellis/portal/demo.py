"""The fictional demo district, generated as OneRoster and loaded through the real importer.

:func:`seed_demo_district` asks the seeded generator
(:mod:`trellis.interop.oneroster.generator`) for a district — "Maple Valley Unified (demo)":
schools, teachers, students with one or two guardians each, math and other classes, principals
and site administrators, instructional coaches and a district administrator — writes it as a
OneRoster 1.2 zip, and loads that zip with
:func:`trellis.roster.actions_import.do_import_roster_file`, exactly as a district's own export
would be loaded. The same seed always gives the same district.

It then picks six **showcase accounts that belong together** — a student, a guardian of that
student, the teacher of the student's math class, the coach of that teacher, an administrator
of their school and the district administrator — gives them the published demo password
(``settings.DEMO_PASSWORD``; everyone else keeps the unusable password every import gives) and
lists them as :class:`~trellis.core.models.DemoAccount` rows for the login page.

Finally every other area seeds its demo data for the district, in :data:`AREA_SEEDERS` order
(frameworks, content, plans, instruction, diagnostics, and the learner model last, since it
refits on the evidence the others recorded). An area that is not installed is skipped; one
that fails is reported in the summary and the rest carry on, so the demo still opens.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable

from django.conf import settings
from django.db import transaction

from trellis.accounts.models import CoachingLink, District, GuardianLink, Role, User
from trellis.core.models import DemoAccount
from trellis.interop.oneroster.generator import DISTRICT_ID, district_zip_bytes
from trellis.roster.actions_import import do_import_roster_file
from trellis.roster.models import Class, Enrollment

MIN_STUDENTS = 20
logger = logging.getLogger(__name__)

# (label, "module:function"): each takes (district, progress) and runs after the roster and
# the showcase accounts exist, in this order.
AREA_SEEDERS: tuple[tuple[str, str], ...] = (
    ("frameworks", "trellis.frameworks.demo:seed_frameworks"),
    ("content", "trellis.content.demo:seed_content"),
    ("plans", "trellis.plans.demo:seed_plans"),
    ("instruction", "trellis.instruction.demo:seed_instruction"),
    ("diagnostics", "trellis.diagnostics.demo:seed_diagnostics"),
    ("learner model", "trellis.learning.demo:seed_learning"),
)


class DemoError(Exception):
    """The demo district cannot be seeded (already there, or a bad argument)."""


def _shape(students: int) -> dict[str, int]:
    """Teachers and schools for a demo of ``students``: ~20 students per teacher, at least
    20 teachers and 2 schools, one school per 500 students beyond that."""
    return {
        "students": students,
        "teachers": max(20, students // 20),
        "schools": max(2, students // 500),
    }


def seed_demo_district(
    students: int = 400, seed: int = 2026, progress: Callable[[str], object] = print
) -> str:
    """Create the demo district and its showcase accounts; returns a summary for people."""
    if students < MIN_STUDENTS:
        raise DemoError(
            f"--students must be at least {MIN_STUDENTS} (got {students}): the demo needs "
            "enough students to fill two schools' classes"
        )
    existing = District.objects.filter(sourced_id=DISTRICT_ID).first()
    if existing is not None:
        raise DemoError(
            f"the database already holds the demo district ({existing.name}, sourcedId "
            f"{DISTRICT_ID!r}); use a fresh database (or `trellis demo`, which reuses it)"
        )
    shape = _shape(students)
    progress(
        f"Generating the demo district (seed {seed}): {shape['schools']} schools, "
        f"{shape['teachers']} teachers, {students} students with guardians…"
    )
    data = district_zip_bytes(seed=seed, **shape)
    last_stage = ""

    def on_progress(stage: str, done: int, total: int) -> None:
        nonlocal last_stage
        if stage != last_stage:
            last_stage = stage
            progress(f"  {stage}…")

    progress("Loading it through the OneRoster importer…")
    with transaction.atomic():
        report = do_import_roster_file(
            data,
            dry_run=False,
            actor=None,
            progress=on_progress,
            source_name=f"demo-district-seed-{seed}.zip",
        )
        if not report.ok:
            shown = "\n".join(str(issue) for issue in report.issues[:20])
            raise DemoError(f"the generated district did not import:\n{shown}")
        district = District.objects.get(sourced_id=DISTRICT_ID)
        accounts = _showcase(district)
    failed = _seed_areas(district, progress)
    counts = report.counts
    lines = [
        f"Demo district {district.name!r} is ready: "
        f"{counts['orgs'].created - 1} schools, {counts['classes'].created} classes, "
        f"{counts['users'].created} people, {counts['enrollments'].created} enrollments.",
        f"Demo accounts (password {settings.DEMO_PASSWORD!r}):",
    ]
    lines += [f"  {a.role_label:24} {a.user.username:16} {a.description}" for a in accounts]
    if failed:
        lines.append(f"Demo data not seeded (see the messages above): {', '.join(failed)}")
    return "\n".join(lines)


def _seed_areas(district: District, progress: Callable[[str], object]) -> list[str]:
    """Run every installed area's demo seeder; returns the labels of those that failed."""
    failed = []
    for label, target in AREA_SEEDERS:
        module_name, function_name = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            missing = exc.name or ""
            if module_name == missing or module_name.startswith(missing + "."):
                continue  # the area is not installed
            raise
        try:
            getattr(module, function_name)(district, progress)
        except Exception as exc:
            logger.exception("demo seeding of %s failed", label)
            progress(f"  {label}: could not seed its demo data ({exc})")
            failed.append(label)
    return failed


def _grade_label(code: str) -> str:
    """CEDS grade code → words: ``"07"`` → ``"Grade 7"``, ``"KG"`` → ``"Kindergarten"``."""
    if code == "KG":
        return "Kindergarten"
    return f"Grade {int(code)}" if code.isdigit() else f"Grade {code}"


def _showcase(district: District) -> list[DemoAccount]:
    """Six accounts that belong together, with the demo password; deterministic."""
    coached = set(
        CoachingLink.objects.filter(district=district).values_list("teacher_id", flat=True)
    )
    with_guardians = set(
        GuardianLink.objects.filter(district=district).values_list("student_id", flat=True)
    )
    math = (
        Enrollment.objects.filter(
            district=district,
            role=Enrollment.Role.STUDENT,
            klass__course__sourced_id__endswith="-math",
        )
        .select_related("user", "klass")
        .order_by("user__sourced_id")
    )
    for enrollment in math.iterator(chunk_size=500):
        if enrollment.user_id not in with_guardians:
            continue
        teacher_enrollment = (
            Enrollment.objects.filter(klass=enrollment.klass, role=Enrollment.Role.TEACHER)
            .select_related("user")
            .order_by("user__sourced_id")
            .first()
        )
        if teacher_enrollment is not None and teacher_enrollment.user_id in coached:
            break
    else:
        raise DemoError("the generated district has no coached math teacher with a student")
    student: User = enrollment.user
    klass: Class = enrollment.klass
    teacher: User = teacher_enrollment.user
    guardian_link = (
        GuardianLink.objects.filter(student=student).select_related("guardian").order_by("pk")
    ).first()
    coach_link = (
        CoachingLink.objects.filter(teacher=teacher).select_related("coach").order_by("pk")
    ).first()
    school_admin = (
        User.objects.filter(district=district, role=Role.SCHOOL_ADMIN, school=student.school)
        .order_by("sourced_id")
        .first()
    )
    district_admin = (
        User.objects.filter(district=district, role=Role.DISTRICT_ADMIN)
        .order_by("sourced_id")
        .first()
    )
    if guardian_link is None or coach_link is None or school_admin is None:
        raise DemoError("the generated district lacks one of the showcase roles")
    if district_admin is None:
        raise DemoError("the generated district has no district administrator")
    guardian, coach = guardian_link.guardian, coach_link.coach
    school = student.school.name if student.school else "their school"
    coached_count = CoachingLink.objects.filter(coach=coach).count()
    chosen = [
        (student, "Student", f"{_grade_label(student.grade)} at {school}; in {klass.title}"),
        (guardian, "Guardian", f"{guardian_link.relationship.title()} of {student.display_name}"),
        (teacher, "Teacher", f"Teaches {klass.title}, {student.display_name}'s math class"),
        (
            coach,
            "Instructional coach",
            f"Coaches {teacher.display_name} and {coached_count - 1} other teachers",
        ),
        (school_admin, "School administrator", f"Runs {school}"),
        (district_admin, "District administrator", f"Runs {district.name}"),
    ]
    accounts = []
    for position, (user, label, description) in enumerate(chosen, start=1):
        user.set_password(settings.DEMO_PASSWORD)
        user.save(update_fields=["password"])
        accounts.append(
            DemoAccount.objects.update_or_create(
                user=user,
                defaults={
                    "role_label": label,
                    "description": description[:200],
                    "position": position,
                },
            )[0]
        )
    return accounts
