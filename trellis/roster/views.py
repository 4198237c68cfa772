"""The class roster page, and the profile pages of students, staff and schools (each lists
the classes its person or school has, so they live with the classes)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from trellis.accounts.models import Role, User
from trellis.accounts.queries import access_school, access_staff_member, access_student
from trellis.roster.models import Class, Enrollment
from trellis.roster.permissions import classes_visible_to
from trellis.roster.queries import access_class, class_students, class_teachers


@login_required
def class_roster(request: HttpRequest, class_id: int) -> HttpResponse:
    viewer: User = request.user  # type: ignore[assignment]
    klass = access_class(viewer, class_id)
    students = class_students(klass).annotate(guardian_count=Count("guardian_links"))
    return render(
        request,
        "roster/class_roster.html",
        {
            "klass": klass,
            "students": students,
            "teachers": class_teachers(klass),
            "groups": klass.groups.prefetch_related("members"),
        },
    )


@login_required
def student_profile(request: HttpRequest, student_id: int) -> HttpResponse:
    viewer: User = request.user  # type: ignore[assignment]
    student = access_student(viewer, student_id)
    classes = (
        Class.objects.filter(
            enrollments__user=student, enrollments__role=Enrollment.Role.STUDENT
        )
        .select_related("school", "course")
        .prefetch_related("enrollments__user")
        .distinct()
    )
    # Staff can open the class rosters they may see; others see titles only.
    openable = set(classes_visible_to(viewer).values_list("id", flat=True))
    guardians = (
        User.objects.filter(children_links__student=student)
        if viewer.role != Role.STUDENT or viewer.id == student.id
        else User.objects.none()
    )
    return render(
        request,
        "roster/student_profile.html",
        {"student": student, "classes": classes, "openable": openable, "guardians": guardians},
    )


@login_required
def staff_profile(request: HttpRequest, staff_id: int) -> HttpResponse:
    viewer: User = request.user  # type: ignore[assignment]
    member = access_staff_member(viewer, staff_id)
    classes = (
        Class.objects.filter(enrollments__user=member, enrollments__role=Enrollment.Role.TEACHER)
        .select_related("school")
        .annotate(
            student_count=Count(
                "enrollments", filter=Q(enrollments__role=Enrollment.Role.STUDENT), distinct=True
            )
        )
    )
    openable = set(classes_visible_to(viewer).values_list("id", flat=True))
    coaches = User.objects.filter(coachee_links__teacher=member)
    return render(
        request,
        "roster/staff_profile.html",
        {"member": member, "classes": classes, "openable": openable, "coaches": coaches},
    )


@login_required
def school_detail(request: HttpRequest, school_id: int) -> HttpResponse:
    viewer: User = request.user  # type: ignore[assignment]
    school = access_school(viewer, school_id)
    classes = (
        Class.objects.filter(school=school)
        .select_related("course")
        .annotate(
            student_count=Count(
                "enrollments", filter=Q(enrollments__role=Enrollment.Role.STUDENT), distinct=True
            )
        )
    )
    staff = User.objects.filter(
        school=school, role__in=[Role.TEACHER, Role.COACH, Role.SCHOOL_ADMIN]
    )
    return render(
        request,
        "roster/school_detail.html",
        {
            "school": school,
            "classes": classes,
            "staff": staff,
            "student_count": User.objects.filter(school=school, role=Role.STUDENT).count(),
        },
    )
