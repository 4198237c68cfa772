"""Roster import and export pages for district administrators.

The flow is check first, then apply: an upload is always a **dry run** first (the very same
import, rolled back), whose report lists what would be created, updated and deleted per kind
— and which people would be deactivated (kept with their learning history, no longer signing
in) — and every problem with its file, line and column. "Apply" then re-reads the same stored file
and imports it for real — re-validating against the database as it is at that moment.

Small files (up to :data:`INLINE_LIMIT`) are processed within the request: a few seconds, and
the report is the next page. Larger files run in a background thread (the embedded,
in-process task runner of the default set-up); the job page polls its progress every second
with htmx. The import's own transaction hides its writes until it commits, so progress travels
through memory shared by the server's threads (:data:`_LIVE`), not through the job row, which
is updated when the job starts and when it ends.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.db import close_old_connections, connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from trellis.accounts.models import Role, User
from trellis.accounts.permissions import NotFound, former_people_visible_to
from trellis.core.runners import settle_if_runner_gone, this_runner
from trellis.roster.importing import COUNT_LABELS, do_export_roster, do_import_roster_file
from trellis.roster.models import RosterImportJob

logger = logging.getLogger(__name__)

INLINE_LIMIT = 2 * 2**20  # bytes; larger uploads run in the background with a progress bar
MAX_ISSUES_SHOWN = 1000
RECENT_JOBS = 8

# job id -> (stage, done, total), written by the import thread, read by the polling request.
_LIVE: dict[int, tuple[str, int, int]] = {}


def _upload_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "roster-imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


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
        return RosterImportJob.objects.get(pk=job_id, district_id=user.district_id)
    except RosterImportJob.DoesNotExist:
        raise NotFound from None


# --- running jobs --------------------------------------------------------------------------------


INTERRUPTED = (
    "Trellis restarted while it was working on this file, so the work stopped (an import "
    "applies everything or nothing). Upload the file again"
)


def settle_if_interrupted(job: RosterImportJob) -> RosterImportJob:
    """``job``, marked failed if the process that ran it is gone (:mod:`trellis.core.runners`):
    otherwise its page would say "Running" forever after a restart."""
    return settle_if_runner_gone(
        job, (RosterImportJob.Status.QUEUED, RosterImportJob.Status.RUNNING),
        status=RosterImportJob.Status.FAILED, report={"error": INTERRUPTED},
    )


def run_import_job(job_id: int) -> None:
    """Run one job to the end, recording its report (or its failure) on the row."""
    job = RosterImportJob.objects.select_related("district", "actor").get(pk=job_id)
    RosterImportJob.objects.filter(pk=job.pk).update(
        status=RosterImportJob.Status.RUNNING, runner=this_runner()
    )
    path = _upload_dir() / job.stored_name
    last_update = 0.0

    def progress(stage: str, done: int, total: int) -> None:
        nonlocal last_update
        now = time.monotonic()
        if now - last_update >= 0.25 or done >= total:
            last_update = now
            _LIVE[job.pk] = (stage, done, total)

    try:
        if not job.stored_name or not path.exists():
            raise FileNotFoundError("the uploaded file is no longer stored; upload it again")
        report = do_import_roster_file(
            path,
            district=job.district,
            dry_run=job.dry_run,
            actor=job.actor,
            include_demographics=job.include_demographics,
            progress=progress,
            source_name=job.file_name,
        )
        RosterImportJob.objects.filter(pk=job.pk).update(
            status=RosterImportJob.Status.DONE,
            report=report.as_dict(max_issues=MAX_ISSUES_SHOWN),
            stage="Done",
            finished_at=timezone.now(),
        )
        if report.applied:
            path.unlink(missing_ok=True)  # imported: the district's data now lives in Trellis
    except Exception as exc:
        logger.exception("roster import job %s failed", job.pk)
        RosterImportJob.objects.filter(pk=job.pk).update(
            status=RosterImportJob.Status.FAILED,
            report={"error": str(exc) if isinstance(exc, FileNotFoundError) else ""},
            finished_at=timezone.now(),
        )
    finally:
        _LIVE.pop(job.pk, None)


def _run_in_background(job_id: int) -> None:
    close_old_connections()
    try:
        run_import_job(job_id)
    finally:
        connection.close()


def start_import_job(
    actor: User,
    *,
    file_name: str,
    stored_name: str,
    file_size: int,
    dry_run: bool,
    include_demographics: bool,
) -> RosterImportJob:
    assert actor.district_id is not None  # noqa: S101 - callers checked the role
    job = RosterImportJob.objects.create(
        district_id=actor.district_id,
        actor=actor,
        file_name=file_name[:255],
        stored_name=stored_name,
        file_size=file_size,
        dry_run=dry_run,
        include_demographics=include_demographics,
        runner=this_runner(),
    )
    if file_size <= INLINE_LIMIT:
        run_import_job(job.pk)
    else:
        thread = threading.Thread(
            target=_run_in_background, args=(job.pk,), name=f"roster-import-{job.pk}", daemon=True
        )
        thread.start()
    return job


def _store(upload: UploadedFile) -> str:
    stored_name = f"{uuid.uuid4().hex}.zip"
    with (_upload_dir() / stored_name).open("wb") as target:
        for chunk in upload.chunks():
            target.write(chunk)
    return stored_name


# --- pages ---------------------------------------------------------------------------------------


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    user = _district_admin(request)
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None or not upload.size:
            error = "Choose your OneRoster export (a .zip file) first."
        else:
            job = start_import_job(
                user,
                file_name=upload.name or "roster.zip",
                stored_name=_store(upload),
                file_size=upload.size,
                dry_run=True,
                include_demographics=request.POST.get("demographics") == "on",
            )
            return redirect("roster-import-job", job_id=job.pk)
    recent = RosterImportJob.objects.filter(district=user.district).select_related("actor")
    jobs = [settle_if_interrupted(job) for job in recent[:RECENT_JOBS]]
    return render(
        request,
        "roster/import.html",
        {"error": error, "jobs": jobs, "inline_limit_mb": INLINE_LIMIT // 2**20,
         "former_count": former_people_visible_to(user).count()},
        status=400 if error else 200,
    )


def _job_context(job: RosterImportJob) -> dict[str, Any]:
    waiting = "Working on it" if job.status == RosterImportJob.Status.RUNNING else "Waiting"
    stage, done, total = _LIVE.get(job.pk, (job.stage or waiting, job.done, job.total))
    percent = min(99, done * 100 // total) if total else 0
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
        "finished": job.status in (RosterImportJob.Status.DONE, RosterImportJob.Status.FAILED),
        "can_apply": (
            job.dry_run
            and job.status == RosterImportJob.Status.DONE
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
    stored = _upload_dir() / job.stored_name if job.stored_name else None
    if not _job_context(job)["can_apply"]:
        messages.error(request, "This check has nothing to apply. Upload the file again.")
        return redirect("roster-import-job", job_id=job.pk)
    if stored is None or not stored.exists():
        messages.error(request, "The checked file is no longer stored. Upload it again.")
        return redirect("roster-import-job", job_id=job.pk)
    applied = start_import_job(
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
