"""Writes of background-job rows (:class:`~trellis.core.models.Job`), each in a transaction.

:mod:`trellis.core.jobs` runs the work and calls these as a job starts, reports progress,
succeeds or fails; a page that reads a job whose process is gone settles it
(:func:`do_fail_job_if_runner_gone`). A job row holds no student or staff data (what a job
changes is audited by the actions it calls), so these writes are not audited.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from trellis.core.models import Job
from trellis.core.runners import runner_is_gone

STARTING = "Starting…"  # a running job's message until its work reports progress


@transaction.atomic
def do_create_job(
    kind: str,
    title: str,
    *,
    district_id: int | None,
    user_id: int | None,
    result_url: str,
    runner: str,
) -> Job:
    """A queued job of a district, started by a person (their ids: core knows no app)."""
    return Job.objects.create(
        kind=kind, title=title[:200], district_id=district_id, created_by_id=user_id,
        result_url=result_url, runner=runner,
    )


@transaction.atomic
def do_set_job_result_url(job: Job, result_url: str) -> None:
    """Where the job page sends people once the job is done, when the caller knows it only
    after starting the job (its own record of the work links to the job)."""
    Job.objects.filter(pk=job.pk).update(result_url=result_url)
    job.result_url = result_url


@transaction.atomic
def do_start_job(job_id: int, runner: str) -> None:
    """The job is running, in the process ``runner``."""
    Job.objects.filter(id=job_id).update(
        status=Job.Status.RUNNING, started_at=timezone.now(), message=STARTING, runner=runner,
    )


@transaction.atomic
def do_report_job_progress(job_id: int, fraction: float, message: str) -> None:
    Job.objects.filter(id=job_id).update(progress=fraction, message=message)


@transaction.atomic
def do_finish_job(job_id: int, result: dict[str, Any]) -> None:
    Job.objects.filter(id=job_id).update(
        status=Job.Status.SUCCEEDED, progress=1.0, result=result, finished_at=timezone.now(),
        message="Finished",
    )


@transaction.atomic
def do_fail_job(job_id: int, error: str) -> None:
    Job.objects.filter(id=job_id).update(
        status=Job.Status.FAILED, error=error, finished_at=timezone.now(), message="Failed",
    )


def do_fail_job_if_runner_gone(job: Job, error: str) -> Job:
    """``job``, marked failed with ``error`` when it is still queued or running but the
    process that ran it is gone (:mod:`trellis.core.runners`): nothing else will ever finish
    it. Only a row still in the status that was read is changed, so a job that finished
    meanwhile keeps its result.

    Every poll of a job page calls this, so the transaction opens only to write: on SQLite a
    write transaction would wait for a running import's lock (minutes) at every poll."""
    status = job.status
    if status in (Job.Status.QUEUED, Job.Status.RUNNING) and runner_is_gone(job.runner):
        with transaction.atomic():
            Job.objects.filter(pk=job.pk, status=status).update(
                status=Job.Status.FAILED, error=error, finished_at=timezone.now(),
                message="Failed",
            )
        job.refresh_from_db()
    return job
