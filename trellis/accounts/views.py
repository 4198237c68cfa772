"""Sign-in, password change, and the profile pages of students, staff and schools."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from trellis.accounts.actions import do_change_password
from trellis.accounts.models import Role, User
from trellis.accounts.permissions import classes_visible_to
from trellis.accounts.queries import access_school, access_staff_member, access_student
from trellis.core.models import DemoAccount
from trellis.roster.models import Class, Enrollment


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if settings.DEMO_MODE:
            context["demo_accounts"] = DemoAccount.objects.select_related("user")
            context["demo_password"] = settings.DEMO_PASSWORD
        return context


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        do_change_password(user, form.cleaned_data["new_password1"])
        update_session_auth_hash(request, user)
        return redirect("password-change-done")
    return render(request, "accounts/password_change.html", {"form": form})


@login_required
def password_change_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_change_done.html")


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
        "accounts/student_profile.html",
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
        "accounts/staff_profile.html",
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
        "accounts/school_detail.html",
        {
            "school": school,
            "classes": classes,
            "staff": staff,
            "student_count": User.objects.filter(school=school, role=Role.STUDENT).count(),
        },
    )
