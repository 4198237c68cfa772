"""Background jobs with progress, for work too long for one request.

``start_job(kind, title, work, district=..., user=...)`` records a :class:`~trellis.core.models.Job`
and runs ``work(report)`` in a background thread; ``work`` calls ``report(fraction, message)``
as it goes and returns a JSON-serialisable result (or raises: the job is marked failed with the
error's message, and the exception is logged). The job page (``/jobs/<id>/``) polls the row.

Progress is kept in two places. Work that holds a transaction open (an import writes everything
in one) would hide row updates from the polling page until it commits, so ``report`` also keeps
the latest progress in the process's memory (:func:`live_progress`), which the job page prefers;
the row is what other processes see, and what remains once the job is done.

Every background job of Trellis runs through here, roster imports included. An app that needs
more than a title and a result keeps its own row linked to the :class:`Job` (the roster import
keeps its upload, :class:`trellis.roster.models.RosterImportJob`): it records the job with
:func:`new_job`, writes its row, then starts the work with :func:`launch_job` (on SQLite a
running import holds the write lock, so the row must be written first); its own page may read
the job's progress with :func:`live_progress`. The rows are written by the actions of
:mod:`trellis.core.actions`; who may watch which job is a permission rule
(``jobs_visible_to`` in :mod:`trellis.accounts.permissions`).

A job whose process ended before it did (a restart, a deploy) would otherwise show "Running"
forever: each row records its runner, and :func:`settle_if_interrupted` marks such a job failed,
saying to start it again (or what the app's page says instead), when its page is read
(:mod:`trellis.core.runners`).

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

from django.db import close_old_connections, models

from trellis.core.actions import (
    STARTING,
    do_create_job,
    do_fail_job,
    do_fail_job_if_runner_gone,
    do_finish_job,
    do_report_job_progress,
    do_start_job,
)
from trellis.core.models import Job
from trellis.core.runners import this_runner

logger = logging.getLogger(__name__)

__all__ = ["STARTING", "Report", "Work", "launch_job", "live_progress", "new_job", "run_job",
           "settle_if_interrupted", "start_job"]

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
    district: models.Model | None = None,
    user: models.Model | None = None,
    result_url: str = "",
    inline: bool | None = None,
) -> Job:
    """Record a job of ``district`` (a District row) started by ``user`` (a User row) and
    run ``work``: in this thread when ``inline`` (default: ``TRELLIS_JOBS_INLINE``), else in a
    background thread. The same as :func:`launch_job` of :func:`new_job`."""
    job = new_job(kind, title, district=district, user=user, result_url=result_url)
    return launch_job(job, work, inline=inline)


def new_job(
    kind: str,
    title: str,
    *,
    district: models.Model | None = None,
    user: models.Model | None = None,
    result_url: str = "",
) -> Job:
    """Record a queued job without starting it: for an app that links a record of its own to
    the job before the work starts (then :func:`launch_job`)."""
    return do_create_job(
        kind, title,
        district_id=district.pk if district is not None else None,
        user_id=user.pk if user is not None else None,
        result_url=result_url, runner=this_runner(),
    )


def launch_job(job: Job, work: Work, *, inline: bool | None = None) -> Job:
    """Run ``work`` as the queued ``job`` (see :func:`start_job`)."""
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
    do_start_job(job_id, this_runner())

    def report(fraction: float, message: str) -> None:
        fraction, message = max(0.0, min(1.0, fraction)), message[:300]
        _LIVE[job_id] = (fraction, message)
        do_report_job_progress(job_id, fraction, message)

    try:
        result = work(report) or {}
    except Exception as exc:
        _LIVE.pop(job_id, None)
        logger.exception("job %s failed", job_id)
        do_fail_job(job_id, str(exc) or exc.__class__.__name__)
        return
    _LIVE.pop(job_id, None)
    do_finish_job(job_id, result)


INTERRUPTED = (
    "This job stopped because Trellis restarted while it was running, so it did not finish. "
    "Start it again: a new run starts from the beginning."
)


def settle_if_interrupted(job: Job, *, error: str = INTERRUPTED) -> Job:
    """``job``, marked failed with ``error`` if the process that ran it is gone (module
    docstring); an app whose page says it differently passes its own words."""
    return do_fail_job_if_runner_gone(job, error)
