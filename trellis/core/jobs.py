"""Background jobs with progress, for work too long for one request.

``start_job(kind, title, work, district=..., user=...)`` records a :class:`~trellis.core.models.Job`
and runs ``work(report)`` in a background thread; ``work`` calls ``report(fraction, message)``
as it goes and returns a JSON-serialisable result (or raises: the job is marked failed with the
error's message, and the exception is logged). The job page (``/jobs/<id>/``) polls the row.

Progress is kept in two places. Work that holds a transaction open (an import writes everything
in one) would hide row updates from the polling page until it commits, so ``report`` also keeps
the latest progress in the process's memory (:func:`live_progress`), which the job page prefers;
the row is what other processes see, and what remains once the job is done. The roster import
page keeps its live progress the same way.

A job whose process ended before it did (a restart, a deploy) would otherwise show "Running"
forever: each row records its runner, and :func:`settle_if_interrupted` marks such a job failed,
saying to start it again, when its page is read (:mod:`trellis.core.runners`).

In the embedded default, jobs run in the web process; a deployment that needs more runs the same
``work`` functions under a task queue. ``TRELLIS_JOBS_INLINE=true`` (set by the tests and the
command line) runs a job in the caller's thread instead, so results are deterministic.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import Any

from django.db import close_old_connections
from django.utils import timezone

from trellis.accounts.models import District, User
from trellis.core.models import Job
from trellis.core.runners import settle_if_runner_gone, this_runner

logger = logging.getLogger(__name__)

Report = Callable[[float, str], None]
Work = Callable[[Report], dict[str, Any] | None]

# job id -> (fraction, message) while the job runs in this process
_LIVE: dict[int, tuple[float, str]] = {}


def live_progress(job: Job) -> tuple[float, str]:
    """The freshest progress of ``job``: from memory while it runs here, else from its row."""
    return _LIVE.get(job.id, (job.progress, job.message))


def start_job(
    kind: str,
    title: str,
    work: Work,
    *,
    district: District | None = None,
    user: User | None = None,
    result_url: str = "",
    inline: bool | None = None,
) -> Job:
    job = Job.objects.create(
        kind=kind, title=title, district=district, created_by=user, result_url=result_url,
        runner=this_runner(),
    )
    if inline is None:
        # TRELLIS_JOBS_INLINE: "true" runs jobs in the calling thread (tests, command line).
        inline = os.environ.get("TRELLIS_JOBS_INLINE", "").lower() in {"1", "true", "yes"}
    if inline:
        run_job(job.id, work)
        job.refresh_from_db()  # finished: return it as it ended
    else:
        # Returned as queued: re-reading here would race the thread's first write.
        threading.Thread(
            target=_run_in_thread, args=(job.id, work), name=f"trellis-job-{job.id}", daemon=True
        ).start()
    return job


def _run_in_thread(job_id: int, work: Work) -> None:
    try:
        run_job(job_id, work)
    finally:
        close_old_connections()


def run_job(job_id: int, work: Work) -> None:
    Job.objects.filter(id=job_id).update(
        status=Job.Status.RUNNING, started_at=timezone.now(), message="Starting…",
        runner=this_runner(),
    )

    def report(fraction: float, message: str) -> None:
        fraction, message = max(0.0, min(1.0, fraction)), message[:300]
        _LIVE[job_id] = (fraction, message)
        Job.objects.filter(id=job_id).update(progress=fraction, message=message)

    try:
        result = work(report) or {}
    except Exception as exc:
        _LIVE.pop(job_id, None)
        logger.exception("job %s failed", job_id)
        Job.objects.filter(id=job_id).update(
            status=Job.Status.FAILED, error=str(exc) or exc.__class__.__name__,
            finished_at=timezone.now(), message="Failed",
        )
        return
    _LIVE.pop(job_id, None)
    Job.objects.filter(id=job_id).update(
        status=Job.Status.SUCCEEDED, progress=1.0, result=result, finished_at=timezone.now(),
        message="Finished",
    )


INTERRUPTED = (
    "This job stopped because Trellis restarted while it was running, so it did not finish. "
    "Start it again: a new run starts from the beginning."
)


def settle_if_interrupted(job: Job) -> Job:
    """``job``, marked failed if the process that ran it is gone (module docstring)."""
    return settle_if_runner_gone(job, (Job.Status.QUEUED, Job.Status.RUNNING),
                                 status=Job.Status.FAILED, error=INTERRUPTED, message="Failed")


def jobs_visible_to(user: User) -> Any:
    """The jobs a person may watch: their own, and every job of their district for its
    district administrators."""
    from trellis.accounts.models import Role

    if not user.is_authenticated or user.district_id is None:
        return Job.objects.none()
    if user.role == Role.DISTRICT_ADMIN:
        return Job.objects.filter(district_id=user.district_id)
    return Job.objects.filter(created_by=user, district_id=user.district_id)
