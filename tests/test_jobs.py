"""Background jobs: progress, results, failures, and the polling panel."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest
from django.test import Client

from tests.world import World
from trellis.core.jobs import Report, start_job
from trellis.core.models import Job
from trellis.core.runners import runner_is_gone, this_runner

pytestmark = pytest.mark.django_db


def test_an_inline_job_reports_progress_and_its_result(world: World) -> None:
    seen: list[float] = []

    def work(report: Report) -> dict[str, Any]:
        for i in range(4):
            report(i / 4, f"step {i}")
            seen.append(Job.objects.get(kind="count").progress)
        return {"counted": 4}

    job = start_job("count", "Counting", work, district=world.districts["a"],
                    user=world.users["t_a1"], inline=True)
    assert job.status == Job.Status.SUCCEEDED
    assert job.result == {"counted": 4}
    assert job.progress == 1.0
    assert seen == [0.0, 0.25, 0.5, 0.75]


def test_a_failing_job_keeps_its_error_for_the_person(world: World) -> None:
    def work(report: Report) -> dict[str, Any]:
        raise ValueError("line 3 of users.csv: missing username")

    job = start_job("boom", "Import", work, district=world.districts["a"],
                    user=world.users["t_a1"], inline=True)
    assert job.status == Job.Status.FAILED
    assert "missing username" in job.error
    client = Client()
    client.force_login(world.users["t_a1"])
    page = client.get(f"/jobs/{job.id}/")
    assert b"missing username" in page.content
    assert b"hx-trigger" not in page.content  # a finished job stops polling



def test_progress_from_inside_a_transaction_reaches_the_job_page(world: World) -> None:
    """An import holds one transaction open; its progress must not wait for the commit."""
    from django.db import transaction

    from trellis.core.jobs import live_progress

    seen: dict[str, Any] = {}
    client = Client()
    client.force_login(world.users["t_a1"])

    def work(report: Report) -> dict[str, Any]:
        with transaction.atomic():
            report(0.6, "writing standards")
            job = Job.objects.get(kind="in-transaction")
            seen["live"] = live_progress(job)
            seen["panel"] = client.get(f"/jobs/{job.id}/", HTTP_HX_REQUEST="true").content
        return {}

    job = start_job("in-transaction", "Import", work, district=world.districts["a"],
                    user=world.users["t_a1"], inline=True)
    assert seen["live"] == (0.6, "writing standards")
    assert b"writing standards" in seen["panel"] and b"60%" in seen["panel"]
    assert live_progress(job) == (1.0, "Finished")  # done: the row speaks again


def _gone_runner() -> str:
    """A runner that was this host and pid, but an earlier process (a restart reused the pid)."""
    host, pid, _token = this_runner().rsplit(":", 2)
    return f"{host}:{pid}:earlier-run"


def test_runners_tell_a_process_that_is_gone_from_one_that_may_still_run() -> None:
    assert not runner_is_gone(this_runner())  # this very process
    assert runner_is_gone(_gone_runner())  # same pid, earlier process
    ended = subprocess.Popen(["true"])  # noqa: S607 - a process that has ended
    ended.wait()
    host = this_runner().split(":")[0]
    assert runner_is_gone(f"{host}:{ended.pid}:abc")
    assert not runner_is_gone("")  # nothing recorded: nothing to say
    assert not runner_is_gone("another-host:1:abc")  # another machine: cannot tell, assume alive
    assert not runner_is_gone(f"{host}:1:abc")  # pid 1 always runs


def test_a_job_whose_process_is_gone_says_so_instead_of_running_forever(world: World) -> None:
    job = Job.objects.create(kind="refit", title="Refit the learner model",
                             district=world.districts["a"], created_by=world.users["t_a1"],
                             status=Job.Status.RUNNING, progress=0.4, runner=_gone_runner())
    alive = Job.objects.create(kind="refit", title="Refit", district=world.districts["a"],
                               created_by=world.users["t_a1"], status=Job.Status.RUNNING,
                               runner=this_runner())
    client = Client()
    client.force_login(world.users["t_a1"])
    page = client.get(f"/jobs/{job.id}/").content.decode()
    assert "Trellis restarted while it was running" in page and "Start it again" in page
    assert "hx-trigger" not in page  # no more polling
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.finished_at is not None
    # a job this process is running is left alone, and keeps polling
    assert "hx-trigger" in client.get(f"/jobs/{alive.id}/").content.decode()
    alive.refresh_from_db()
    assert alive.status == Job.Status.RUNNING


def test_jobs_record_the_process_that_runs_them(world: World) -> None:
    job = start_job("count", "Counting", lambda report: {}, district=world.districts["a"],
                    user=world.users["t_a1"], inline=True)
    assert job.runner == this_runner()
