"""QTI uploads from the item import page, checked or imported as background jobs.

The page stores the upload (:func:`store_upload`) and starts a core job
(:mod:`trellis.core.jobs`) that runs :func:`~trellis.content.actions.do_import_qti` on the
stored file — a dry run or the import — and keeps its report as the job's result; the stored
file is deleted when the job ends. A small upload (up to :data:`INLINE_LIMIT`, and a zip whose
directory says it unpacks to at most :data:`INLINE_UNPACKED_LIMIT`) runs within the request,
so its report is the next page; anything larger is read only in the job's background thread,
while the job page shows its progress. Reading keeps to the import limits
(:mod:`trellis.engine.limits`) either way.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse

from trellis.accounts.models import User
from trellis.content.actions import do_import_qti
from trellis.core.actions import do_set_job_result_url
from trellis.core.jobs import Report, launch_job, new_job
from trellis.core.models import Job
from trellis.core.uploads import keep_upload, zip_unpacks_within

KIND = "items.import"
INLINE_LIMIT = 1 * 2**20  # bytes as uploaded
INLINE_UNPACKED_LIMIT = 8 * 2**20  # bytes a zip declares it unpacks to


def store_upload(upload: UploadedFile, suffix: str) -> Path:
    """Keep an uploaded QTI file (``.xml`` or ``.zip``) on disk."""
    folder = Path(settings.DATA_DIR) / "uploads" / "items"
    return keep_upload(upload, folder, f"{uuid.uuid4().hex}{suffix}")


def _small(path: Path) -> bool:
    if path.stat().st_size > INLINE_LIMIT:
        return False
    return path.suffix != ".zip" or zip_unpacks_within(path, INLINE_UNPACKED_LIMIT)


def do_start_qti_import(
    actor: User, path: Path, *, file_name: str, dry_run: bool, align_to: Sequence[str]
) -> Job:
    """Check (``dry_run``) or import the stored upload at ``path`` as a job of ``actor``'s
    district; its result is ``{"report": ...}`` (:meth:`ItemImportReport.as_dict`)."""
    district = actor.district
    assert district is not None  # noqa: S101 - callers checked the role
    codes = list(align_to)

    def work(report: Report) -> dict[str, Any]:
        report(0.05, "Reading the QTI file")
        try:
            result = do_import_qti(district, path, user=actor, dry_run=dry_run,
                                   display_name=file_name, align_to=codes)
        finally:
            path.unlink(missing_ok=True)
        return {"report": result.as_dict(), "codes": ", ".join(c for c in codes if c.strip())}

    verb = "Check" if dry_run else "Import"
    job = new_job(KIND, f"{verb} of {file_name}"[:200], district=district, user=actor)
    do_set_job_result_url(job, f"{reverse('item-import')}?job={job.id}")
    return launch_job(job, work, inline=True if _small(path) else None)
