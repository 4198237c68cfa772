"""Mastery pages: a student's mastery per standard, why one value is what it is, and the
learner-model page where district administrators refit the model.

Reads go through :mod:`trellis.learning.queries` (the student-profile rule); the refit runs as a
background job (:func:`trellis.core.jobs.start_job`) whose page shows its progress.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from trellis.accounts.models import User
from trellis.accounts.permissions import NotFound
from trellis.core.jobs import start_job
from trellis.core.models import Job
from trellis.learning import modeling
from trellis.learning.queries import (
    access_standard_mastery,
    access_student_mastery,
    can_refit,
    parameter_versions_for,
)

REFIT_JOB_KIND = "learner-refit"


@login_required
def student_mastery(request: HttpRequest, student_id: int) -> HttpResponse:
    viewer: User = request.user  # type: ignore[assignment]
    mastery = access_student_mastery(viewer, student_id)
    is_self = viewer.id == mastery.student.id
    return render(request, "learning/student_mastery.html", {
        "mastery": mastery, "student": mastery.student, "is_self": is_self,
        "rule_sentence": mastery.rule.describe(None if is_self else mastery.student.short_name),
    })


@login_required
def standard_mastery(request: HttpRequest, student_id: int, standard_id: int) -> HttpResponse:
    viewer: User = request.user  # type: ignore[assignment]
    why = access_standard_mastery(viewer, student_id, standard_id)
    is_self = viewer.id == why.student.id
    return render(request, "learning/standard_mastery.html", {
        "why": why, "student": why.student, "standard": why.standard, "is_self": is_self,
        "rule_sentence": why.rule.describe(None if is_self else why.student.short_name),
    })


@login_required
def learner_model(request: HttpRequest) -> HttpResponse:
    viewer: User = request.user  # type: ignore[assignment]
    versions = list(parameter_versions_for(viewer))
    refits = Job.objects.filter(district=viewer.district, kind=REFIT_JOB_KIND).order_by(
        "-created_at")[:5]
    active = next((v for v in versions if v.active), None)
    in_use = (modeling.active_model(active.district_id).parameters_id
              if active is not None else None)
    context: dict[str, Any] = {
        "versions": versions,
        "active": active,
        # parameters fitted by an older engine that no longer load: the prior is in use
        "active_unusable": active is not None and in_use != active.id,
        "refits": refits,
    }
    return render(request, "learning/learner_model.html", context)


@login_required
@require_POST
def learner_refit(request: HttpRequest) -> HttpResponse:
    """Start a refit of the viewer's district as a background job and show its progress."""
    from trellis.learning.actions import do_refit_district

    viewer: User = request.user  # type: ignore[assignment]
    if not can_refit(viewer):
        raise NotFound
    if request.POST.get("confirm") != "refit":
        return redirect("learner-model")  # only the page's button starts a refit
    district = viewer.district
    if district is None:  # can_refit checked it; this keeps the type checker informed
        raise NotFound

    def work(report: Any) -> dict[str, Any]:
        return do_refit_district(district, actor=viewer, progress=report).as_dict()

    job = start_job(REFIT_JOB_KIND, "Refit the learner model", work, district=district,
                    user=viewer, result_url=reverse("learner-model"))
    return redirect("job-status", job_id=job.id)
