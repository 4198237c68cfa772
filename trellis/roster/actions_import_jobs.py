"""Roster imports from the upload page, run as background jobs of :mod:`trellis.core.jobs`.

The page stores the upload (:func:`store_upload`) and calls :func:`do_start_roster_import`,
which starts a core :class:`~trellis.core.models.Job` whose work is
:func:`~trellis.roster.actions_import.do_import_roster_file` on the stored file, and records
the upload (:class:`~trellis.roster.models.RosterImportJob`) linked to that job. The job keeps
the status, the progress, the process that runs it and, once done, the report (its result);
the page reads them from there, the live progress included
(:func:`trellis.core.jobs.live_progress`).

Small files (up to :data:`INLINE_LIMIT` as uploaded, and up to :data:`INLINE_UNCOMPRESSED_LIMIT`
as their zip says they unpack) are processed within the request: a few seconds, and the report
is the next page. Larger files — a small zip that unpacks to a lot included — are read and
checked only in a background thread (the embedded, in-process task runner of the default
set-up, or in the request when ``TRELLIS_JOBS_INLINE`` says so); the job page polls their
progress every second with htmx. Either way the reading keeps to the import limits
(:mod:`trellis.engine.limits`).

A job that fails says why in words for a district administrator (:class:`ImportStopped`):
the stored file is gone, Trellis restarted while it ran (:func:`settle_if_interrupted`), or
something went wrong on our side (the exception itself goes to the log).
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse

from trellis.accounts.models import District, User
from trellis.core.actions import do_set_job_result_url
from trellis.core.jobs import Report, launch_job, new_job
from trellis.core.jobs import settle_if_interrupted as settle_core_job
from trellis.core.models import Job
from trellis.core.uploads import keep_upload, zip_unpacks_within
from trellis.roster.actions_import import do_import_roster_file
from trellis.roster.models import RosterImportJob

KIND = "roster.import"  # the core job kind of a roster import
INLINE_LIMIT = 2 * 2**20  # bytes; larger uploads run in the background with a progress bar
INLINE_UNCOMPRESSED_LIMIT = 16 * 2**20  # bytes, as the zip declares them unpacked
MAX_ISSUES_SHOWN = 1000
PROGRESS_EVERY = 0.25  # seconds between two progress reports of one import

UPLOAD_GONE = "the uploaded file is no longer stored; upload it again"
INTERRUPTED = (
    "Trellis restarted while it was working on this file, so the work stopped (an import "
    "applies everything or nothing). Upload the file again"
)
WENT_WRONG = (
    "something went wrong on our side; please try again, and tell your Trellis operator if it "
    "happens again"
)


class ImportStopped(Exception):
    """An import that did not finish; the message is for the district administrator."""


def upload_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "roster-imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_upload(upload: UploadedFile) -> str:
    """Keep an uploaded file under ``MEDIA_ROOT``; returns the name it is stored under."""
    stored_name = f"{uuid.uuid4().hex}.zip"
    keep_upload(upload, upload_dir(), stored_name)
    return stored_name


def do_start_roster_import(
    actor: User,
    *,
    file_name: str,
    stored_name: str,
    file_size: int,
    dry_run: bool,
    include_demographics: bool,
) -> RosterImportJob:
    """Check (``dry_run``) or import a stored upload as a background job of ``actor``'s
    district, and record the upload with its job.

    Not one transaction: a job's thread must see its rows committed. The import itself is
    all or nothing (:func:`~trellis.roster.actions_import.do_apply_roster_bundle`).
    """
    district = actor.district
    assert district is not None  # noqa: S101 - callers checked the role
    file_name = file_name[:255]

    def work(report: Report) -> dict[str, Any]:
        return _run_import(
            report, district=district, actor=actor, file_name=file_name,
            stored_name=stored_name, dry_run=dry_run, include_demographics=include_demographics,
        )

    # Both rows are written before the work starts: on SQLite a running import holds the write
    # lock for its whole transaction, so nothing could be written until it ends.
    job = new_job(KIND, f"{'Check' if dry_run else 'Import'} of {file_name}",
                  district=district, user=actor)
    upload = _do_record_upload(
        job, actor, file_name=file_name, stored_name=stored_name, file_size=file_size,
        dry_run=dry_run, include_demographics=include_demographics,
    )
    # The job page (/jobs/<id>/) links to the report on this import's own page.
    do_set_job_result_url(job, reverse("roster-import-job", args=[upload.pk]))
    small = file_size <= INLINE_LIMIT and _unpacks_small(upload_dir() / stored_name)
    launch_job(job, work, inline=True if small else None)
    return upload  # upload.job is ``job``: as it ended when run inline, else queued


def _unpacks_small(path: Path) -> bool:
    """Whether the zip's directory says it unpacks to at most
    :data:`INLINE_UNCOMPRESSED_LIMIT` (a zip the limits refuse, or that is no zip, is
    refused at once, so it is small too)."""
    return zip_unpacks_within(path, INLINE_UNCOMPRESSED_LIMIT)


@transaction.atomic
def _do_record_upload(job: Job, actor: User, **upload: Any) -> RosterImportJob:
    assert actor.district_id is not None  # noqa: S101 - callers checked the role
    return RosterImportJob.objects.create(
        job=job, district_id=actor.district_id, actor=actor, **upload
    )


def _run_import(
    report: Report,
    *,
    district: District,
    actor: User,
    file_name: str,
    stored_name: str,
    dry_run: bool,
    include_demographics: bool,
) -> dict[str, Any]:
    """The work of a roster import job: its report as JSON (the job's result)."""
    path = upload_dir() / stored_name
    last_report = 0.0

    def progress(stage: str, done: int, total: int) -> None:
        nonlocal last_report
        now = time.monotonic()
        if now - last_report >= PROGRESS_EVERY or done >= total:
            last_report = now
            report(done / total if total else 0.0, stage)

    if not stored_name or not path.exists():
        raise ImportStopped(UPLOAD_GONE)
    try:
        result = do_import_roster_file(
            path,
            district=district,
            dry_run=dry_run,
            actor=actor,
            include_demographics=include_demographics,
            progress=progress,
            source_name=file_name,
        )
    except Exception as exc:
        raise ImportStopped(WENT_WRONG) from exc  # logged with its cause by the job runner
    if result.applied:
        path.unlink(missing_ok=True)  # imported: the district's data now lives in Trellis
    return result.as_dict(max_issues=MAX_ISSUES_SHOWN)


def settle_if_interrupted(upload: RosterImportJob) -> RosterImportJob:
    """``upload``, its job marked failed if the process that ran it is gone
    (:mod:`trellis.core.runners`): otherwise its page would say "Running" forever after a
    restart."""
    settle_core_job(upload.job, error=INTERRUPTED)
    return upload
