"""A job run in a real background thread (its own module: it builds its own committed world,
which must not meet the module-scoped world of tests/test_jobs.py)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.test import Client

from trellis.core.jobs import Report, start_job
from trellis.core.models import Job


@pytest.mark.django_db(transaction=True)
def test_a_threaded_job_finishes_and_the_panel_polls_until_then() -> None:
    from tests.world import build_world

    world = build_world()

    def work(report: Report) -> dict[str, Any]:
        report(0.5, "halfway")
        return {"ok": True}

    client = Client()
    client.force_login(world.users["t_a1"])
    job = start_job("thread", "Threaded", work, district=world.districts["a"],
                    user=world.users["t_a1"], inline=False)
    # wait for the job's own thread (reading while it writes would lock the in-memory test DB)
    for thread in threading.enumerate():
        if thread.name == f"trellis-job-{job.id}":
            thread.join(timeout=60)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    panel = client.get(f"/jobs/{job.id}/", HTTP_HX_REQUEST="true")
    assert b"<html" not in panel.content and b"Finished" in panel.content
