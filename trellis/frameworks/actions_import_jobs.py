"""CASE packages from the framework import page, checked and imported as background jobs.

The page stores the upload under a random token (:func:`store_upload`) and starts a check
(:func:`do_start_framework_check`): a core job (:mod:`trellis.core.jobs`) that runs
:func:`~trellis.frameworks.actions.do_import_framework` as a dry run on the stored file and
keeps its report as the job's result. A small plain-JSON upload (up to :data:`INLINE_LIMIT`) is
checked within the request, so its report is the next page; anything larger, or gzip (which
may unpack to far more), is read only in the job's background thread, while the job page shows
its progress. Confirming starts the import of the same stored file
(:func:`do_start_framework_import`), another job, which deletes the file when done. Reading
keeps to the import limits (:mod:`trellis.engine.limits`) either way.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse

from trellis.accounts.models import User
from trellis.core.actions import do_set_job_result_url
from trellis.core.jobs import Report, launch_job, new_job, start_job
from trellis.core.models import Job
from trellis.core.uploads import keep_upload
from trellis.engine.limits import GZIP_MAGIC
from trellis.frameworks.actions import do_import_framework

CHECK_KIND = "framework.check"
IMPORT_KIND = "framework-import"
INLINE_LIMIT = 1 * 2**20  # bytes of plain JSON checked within the request
UPLOAD_MAX_AGE_SECONDS = 24 * 3600


def upload_dir() -> Path:
    path = Path(settings.DATA_DIR) / "uploads" / "frameworks"
    path.mkdir(parents=True, exist_ok=True)
    return path


def stored_path(token: str) -> Path:
    return upload_dir() / f"{token}.case"


def _forget_stale_uploads(folder: Path) -> None:
    """Checked packages nobody confirmed within a day are deleted."""
    limit = time.time() - UPLOAD_MAX_AGE_SECONDS
    for stale in folder.glob("*.case"):
        if stale.stat().st_mtime < limit:
            stale.unlink(missing_ok=True)


def store_upload(upload: UploadedFile) -> str:
    """Keep an uploaded package on disk, a chunk at a time; returns its token."""
    folder = upload_dir()
    _forget_stale_uploads(folder)
    token = secrets.token_urlsafe(24)
    keep_upload(upload, folder, stored_path(token).name)
    return token


def _small_plain_json(path: Path) -> bool:
    if path.stat().st_size > INLINE_LIMIT:
        return False
    with path.open("rb") as stream:
        return stream.read(2) != GZIP_MAGIC


def do_start_framework_check(actor: User, *, token: str, file_name: str) -> Job:
    """Check the stored upload ``token`` as a dry run, as a job of ``actor``'s district; its
    result is ``{"token", "file_name", "report"}`` (the report as
    :meth:`~trellis.frameworks.actions.FrameworkImportReport.as_dict` writes it)."""
    district = actor.district
    assert district is not None  # noqa: S101 - callers checked the role
    path = stored_path(token)

    def work(report: Report) -> dict[str, Any]:
        result = do_import_framework(
            district, path, dry_run=True, actor=actor, progress=report, name=file_name
        )
        if not result.ok:
            path.unlink(missing_ok=True)  # nothing to confirm: do not keep it
        return {"token": token, "file_name": file_name, "report": result.as_dict()}

    job = new_job(CHECK_KIND, f"Check of {file_name}"[:200], district=district, user=actor)
    do_set_job_result_url(job, f"{reverse('framework-import')}?check={job.id}")
    return launch_job(job, work, inline=True if _small_plain_json(path) else None)


def do_start_framework_import(actor: User, *, token: str, file_name: str, title: str) -> Job:
    """Import the stored upload ``token`` (checked before; ``title``: the framework's, from
    the check) as a job; the file is deleted when the job ends."""
    district = actor.district
    assert district is not None  # noqa: S101 - callers checked the role
    path = stored_path(token)

    def work(report: Report) -> dict[str, Any]:
        try:
            result = do_import_framework(
                district, path, actor=actor, progress=report, name=file_name
            )
        finally:
            path.unlink(missing_ok=True)
        if not result.ok:
            raise ValueError("\n".join(result.lines()))
        return {"lines": result.lines(), "framework_id": result.framework_id}

    return start_job(
        IMPORT_KIND, f"Import framework: {title}"[:200], work, district=district,
        user=actor, result_url=reverse("framework-list"),
    )
