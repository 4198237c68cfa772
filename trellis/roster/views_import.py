"""Roster import and export pages for district administrators.

The flow is check first, then apply: an upload is always a **dry run** first (the very same
import, rolled back), whose report lists what would be created, updated and deleted per kind
— and which people would be deactivated (kept with their learning history, no longer signing
in) — and every problem with its file, line and column. "Apply" then re-reads the same stored file
and imports it for real — re-validating against the database as it is at that moment.

Each check and each import runs as a background job (:mod:`trellis.roster.actions_import_jobs`,
on :mod:`trellis.core.jobs`): small files within the request, larger ones in a background
thread whose progress this page polls every second with htmx. The import's own transaction
hides its writes until it commits, so the progress comes from the job's live progress, kept in
memory shared by the server's threads (:func:`trellis.core.jobs.live_progress`). These views
only read; the writes are the actions'.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from trellis.accounts.models import Role, User
from trellis.accounts.permissions import NotFound, former_people_visible_to
from trellis.core.jobs import STARTING, live_progress
from trellis.core.limits import upload_limit_text, upload_too_large
from trellis.core.models import Job
from trellis.roster.actions_export import do_export_roster
from trellis.roster.actions_import_jobs import (
    INLINE_LIMIT,
    do_start_roster_import,
    settle_if_interrupted,
    store_upload,
    upload_dir,
)
from trellis.roster.import_report import COUNT_LABELS
from trellis.roster.models import RosterImportJob

RECENT_JOBS = 8


def _district_admin(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if user.role != Role.DISTRICT_ADMIN or user.district_id is None or not user.is_active:
        raise NotFound
    return user


def access_import_job(user: User, job_id: int) -> RosterImportJob:
    """A job of the user's own district (district administrators only); else NotFound."""
    if user.role != Role.DISTRICT_ADMIN or user.district_id is None:
        raise NotFound
    try:
        return RosterImportJob.objects.select_related("job").get(
            pk=job_id, district_id=user.district_id
        )
    except RosterImportJob.DoesNotExist:
        raise NotFound from None


# --- pages ---------------------------------------------------------------------------------------


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    user = _district_admin(request)
    error = ""
    if request.method == "POST":
        too_large = upload_too_large(request, "The roster file")
        upload = None if too_large else request.FILES.get("file")
        if too_large:
            error = too_large
        elif upload is None or not upload.size:
            error = "Choose your OneRoster export (a .zip file) first."
        else:
            job = do_start_roster_import(
                user,
                file_name=upload.name or "roster.zip",
                stored_name=store_upload(upload),
                file_size=upload.size,
                dry_run=True,
                include_demographics=request.POST.get("demographics") == "on",
            )
            return redirect("roster-import-job", job_id=job.pk)
    recent = RosterImportJob.objects.filter(district=user.district).select_related("actor", "job")
    jobs = [settle_if_interrupted(job) for job in recent[:RECENT_JOBS]]
    return render(
        request,
        "roster/import.html",
        {"error": error, "jobs": jobs, "inline_limit_mb": INLINE_LIMIT // 2**20,
         "upload_limit": upload_limit_text(),
         "former_count": former_people_visible_to(user).count()},
        status=400 if error else 200,
    )


def _job_context(job: RosterImportJob) -> dict[str, Any]:
    status = job.job.status
    fraction, message = live_progress(job.job)
    waiting = "Working on it" if status == Job.Status.RUNNING else "Waiting"
    stage = message if message and message != STARTING else waiting
    percent = min(99, int(fraction * 100 + 1e-9))
    report = job.report or {}
    counts = report.get("counts", {})
    # Reports stored before people were deactivated (rather than deleted) lack that count.
    rows = [
        {"label": COUNT_LABELS.get(kind, kind), "deactivated": 0, **values}
        for kind, values in counts.items()
    ]
    totals = {
        key: sum(row[key] for row in rows)
        for key in ("created", "updated", "deleted", "unchanged", "deactivated")
    }
    changed = totals["created"] + totals["updated"] + totals["deleted"] + totals["deactivated"]
    return {
        "job": job,
        "stage": stage,
        "percent": percent,
        "report": report,
        "rows": rows,
        "totals": totals,
        "changed": changed,
        "more_issues": max(0, report.get("issue_count", 0) - len(report.get("issues", []))),
        "finished": job.job.done,
        "error": job.job.error,
        "can_apply": (
            job.dry_run
            and status == Job.Status.SUCCEEDED
            and not report.get("issue_count")
            and changed > 0
        ),
    }


@login_required
def import_job(request: HttpRequest, job_id: int) -> HttpResponse:
    job = settle_if_interrupted(access_import_job(request.user, job_id))  # type: ignore[arg-type]
    return render(request, "roster/import_job.html", _job_context(job))


@login_required
def import_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    """The job's status block alone, for htmx polling (the page itself without htmx)."""
    job = settle_if_interrupted(access_import_job(request.user, job_id))  # type: ignore[arg-type]
    template = "roster/_import_status.html" if request.htmx else "roster/import_job.html"  # type: ignore[attr-defined]
    return render(request, template, _job_context(job))


@login_required
@require_POST
def import_apply(request: HttpRequest, job_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    job = access_import_job(user, job_id)
    stored = upload_dir() / job.stored_name if job.stored_name else None
    if not _job_context(job)["can_apply"]:
        messages.error(request, "This check has nothing to apply. Upload the file again.")
        return redirect("roster-import-job", job_id=job.pk)
    if stored is None or not stored.exists():
        messages.error(request, "The checked file is no longer stored. Upload it again.")
        return redirect("roster-import-job", job_id=job.pk)
    applied = do_start_roster_import(
        user,
        file_name=job.file_name,
        stored_name=job.stored_name,
        file_size=job.file_size,
        dry_run=False,
        include_demographics=job.include_demographics,
    )
    return redirect("roster-import-job", job_id=applied.pk)


@login_required
def export_download(request: HttpRequest) -> HttpResponse:
    user = _district_admin(request)
    district = user.district
    assert district is not None  # noqa: S101 - _district_admin checked it
    data = do_export_roster(district, user)
    stamp = timezone.localdate().isoformat()
    response = HttpResponse(data, content_type="application/zip")
    filename = f"{district.sourced_id}-oneroster-{stamp}.zip".replace('"', "")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
