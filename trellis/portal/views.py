"""The home page of each role, health check and error pages."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from trellis.accounts.models import Role, User
from trellis.accounts.permissions import schools_visible_to, staff_visible_to, students_visible_to
from trellis.roster.permissions import classes_attended_by, classes_visible_to
from trellis.roster.queries import with_student_counts

PAGE_SIZE = 25


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    match user.role:
        case Role.STUDENT:
            classes = classes_attended_by(user).select_related("school", "course")
            return render(request, "portal/home_student.html", {"classes": classes})
        case Role.GUARDIAN:
            children = students_visible_to(user).select_related("school")
            return render(request, "portal/home_guardian.html", {"children": children})
        case Role.TEACHER:
            classes = with_student_counts(classes_visible_to(user))
            return render(request, "portal/home_teacher.html", {"classes": classes})
        case Role.COACH:
            teachers = staff_visible_to(user).exclude(id=user.id).select_related("school")
            return render(request, "portal/home_coach.html", {"teachers": teachers})
        case Role.SCHOOL_ADMIN | Role.DISTRICT_ADMIN:
            return _admin_home(request, user)
    return render(request, "portal/home_no_role.html", status=200)


def _per_school(rows: QuerySet[Any]) -> Coalesce:
    """How many of ``rows`` belong to the outer school, as a correlated subquery: each count
    on its own, never a join of people × classes that multiplies them."""
    counted = rows.filter(school_id=OuterRef("pk")).order_by().values("school_id").annotate(
        n=Count("id")).values("n")
    return Coalesce(Subquery(counted), Value(0))


def _admin_home(request: HttpRequest, user: User) -> HttpResponse:
    visible_schools = schools_visible_to(user)
    classes = classes_visible_to(user)
    schools = visible_schools.annotate(
        student_count=_per_school(User.objects.filter(role=Role.STUDENT)),
        teacher_count=_per_school(User.objects.filter(role=Role.TEACHER)),
        class_count=_per_school(classes),
    ).order_by("name", "id")  # as the classes below; the old GROUP BY gave id order by chance
    page = Paginator(
        classes.select_related("school", "course").order_by("school__name", "title", "id"),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    # the students of this page's classes only, counted in one query
    counted: dict[int, int] = dict(
        with_student_counts(classes.filter(id__in=[c.id for c in page]))
        .values_list("id", "student_count")  # type: ignore[misc]  # an annotation
    )
    for klass in page:
        klass.student_count = counted.get(klass.id, 0)  # type: ignore[attr-defined]
    totals = {
        "schools": visible_schools.count(),
        "students": students_visible_to(user).count(),
        "staff": staff_visible_to(user).count(),
        "classes": page.paginator.count,
    }
    return render(
        request, "portal/home_admin.html", {"schools": schools, "page": page, "totals": totals}
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
    from trellis.accounts.permissions import NotFound, jobs_visible_to
    from trellis.core.jobs import live_progress, settle_if_interrupted
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
