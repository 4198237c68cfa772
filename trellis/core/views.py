"""The home page of each role, health check and error pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from trellis.accounts.models import Role, User
from trellis.accounts.permissions import (
    classes_attended_by,
    classes_visible_to,
    schools_visible_to,
    staff_visible_to,
    students_visible_to,
)
from trellis.roster.models import Enrollment

PAGE_SIZE = 25


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    match user.role:
        case Role.STUDENT:
            classes = classes_attended_by(user).select_related("school", "course")
            return render(request, "core/home_student.html", {"classes": classes})
        case Role.GUARDIAN:
            children = students_visible_to(user).select_related("school")
            return render(request, "core/home_guardian.html", {"children": children})
        case Role.TEACHER:
            classes = _with_counts(classes_visible_to(user))
            return render(request, "core/home_teacher.html", {"classes": classes})
        case Role.COACH:
            teachers = staff_visible_to(user).exclude(id=user.id).select_related("school")
            return render(request, "core/home_coach.html", {"teachers": teachers})
        case Role.SCHOOL_ADMIN | Role.DISTRICT_ADMIN:
            return _admin_home(request, user)
    return render(request, "core/home_no_role.html", status=200)


def _with_counts(classes):  # type: ignore[no-untyped-def]
    return classes.select_related("school", "course").annotate(
        student_count=Count(
            "enrollments", filter=Q(enrollments__role=Enrollment.Role.STUDENT), distinct=True
        )
    )


def _admin_home(request: HttpRequest, user: User) -> HttpResponse:
    schools = schools_visible_to(user).annotate(
        student_count=Count("people", filter=Q(people__role=Role.STUDENT), distinct=True),
        teacher_count=Count("people", filter=Q(people__role=Role.TEACHER), distinct=True),
        class_count=Count("classes", distinct=True),
    )
    classes = _with_counts(classes_visible_to(user)).order_by("school__name", "title")
    page = Paginator(classes, PAGE_SIZE).get_page(request.GET.get("page"))
    totals = {
        "schools": schools.count(),
        "students": students_visible_to(user).count(),
        "staff": staff_visible_to(user).count(),
        "classes": classes.count(),
    }
    return render(
        request, "core/home_admin.html", {"schools": schools, "page": page, "totals": totals}
    )


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.html", status=400)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)  # forbidden looks like missing


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)


@login_required
def job_status(request: HttpRequest, job_id: int) -> HttpResponse:
    """A job's progress: the whole page, or (for htmx polling) just the progress panel."""
    from trellis.accounts.permissions import NotFound
    from trellis.core.jobs import jobs_visible_to, live_progress, settle_if_interrupted
    from trellis.core.models import Job

    user: User = request.user  # type: ignore[assignment]
    try:
        job = jobs_visible_to(user).get(id=job_id)
    except Job.DoesNotExist:
        raise NotFound from None
    job = settle_if_interrupted(job)
    job.progress, job.message = live_progress(job)
    template = "core/job_panel.html" if request.htmx else "core/job.html"  # type: ignore[attr-defined]
    return render(request, template, {"job": job})
