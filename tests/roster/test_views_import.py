"""The upload page's flow without a browser: check, report, apply; background jobs and the
progress fragment; the export download."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from trellis.accounts.actions import do_create_district, do_create_user
from trellis.accounts.models import Role, User
from trellis.audit.models import AuditEvent
from trellis.core import jobs
from trellis.core.models import Job
from trellis.core.runners import this_runner
from trellis.interop.oneroster.generator import DISTRICT_ID, district_zip_bytes
from trellis.roster import actions_import_jobs
from trellis.roster.models import RosterImportJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(settings: Any, tmp_path: Path) -> User:
    settings.MEDIA_ROOT = tmp_path / "media"
    district = do_create_district("Maple Valley Unified (demo)", DISTRICT_ID)
    return do_create_user(district, "dadmin", Role.DISTRICT_ADMIN, password="pw-12345678")


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _upload(client: Client, data: bytes, name: str = "roster.zip") -> RosterImportJob:
    response = client.post(
        "/roster/import/", {"file": SimpleUploadedFile(name, data, "application/zip")}
    )
    assert response.status_code == 302, response.content[:500]
    return RosterImportJob.objects.latest("pk")


def test_check_then_apply(admin: User) -> None:
    client = _client(admin)
    job = _upload(client, district_zip_bytes(students=25, teachers=3, schools=1, seed=6))
    assert job.dry_run and job.job.status == Job.Status.SUCCEEDED
    assert job.report["issue_count"] == 0 and not job.report["applied"]
    page = client.get(f"/roster/import/{job.pk}/").content.decode()
    assert "Apply these changes" in page and "To create" in page
    assert not User.objects.filter(role=Role.STUDENT).exists()
    response = client.post(f"/roster/import/{job.pk}/apply/")
    applied = RosterImportJob.objects.latest("pk")
    assert response["Location"] == f"/roster/import/{applied.pk}/"
    assert not applied.dry_run and applied.report["applied"]
    assert User.objects.filter(role=Role.STUDENT).count() == 25
    assert AuditEvent.objects.filter(action="roster.import", actor=admin).count() == 1
    # the stored file is gone once applied: applying the check again is refused kindly
    again = client.post(f"/roster/import/{job.pk}/apply/", follow=True)
    assert "Upload it again" in again.content.decode()
    assert "Import applied" in client.get(f"/roster/import/{applied.pk}/").content.decode()
    listing = client.get("/roster/import/").content.decode()
    assert "Applied" in listing and "Valid" in listing


def test_large_files_run_in_the_background_and_the_page_polls(
    admin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[tuple[Any, ...]] = []

    class FakeThread:  # records the job instead of running it now
        def __init__(self, target: Any, args: tuple[Any, ...], **kwargs: Any) -> None:
            self.args = args

        def start(self) -> None:
            started.append(self.args)

    monkeypatch.setattr(actions_import_jobs, "INLINE_LIMIT", 10)
    monkeypatch.setattr(jobs.threading, "Thread", FakeThread)
    client = _client(admin)
    job = _upload(client, district_zip_bytes(students=25, teachers=3, schools=1, seed=6))
    assert [args[0] for args in started] == [job.job_id]
    assert job.job.status == Job.Status.QUEUED
    jobs._LIVE[job.job_id] = (0.4, "Enrollments")
    try:
        fragment = client.get(f"/roster/import/{job.pk}/progress/", HTTP_HX_REQUEST="true")
    finally:
        jobs._LIVE.pop(job.job_id, None)
    text = fragment.content.decode()
    assert 'hx-trigger="every 1s"' in text and 'value="40"' in text and "<html" not in text
    jobs.run_job(*started[0])  # what the thread does
    fragment = client.get(f"/roster/import/{job.pk}/progress/", HTTP_HX_REQUEST="true")
    text = fragment.content.decode()
    assert "hx-trigger" not in text and "The file is valid" in text


def test_errors_and_empty_uploads(admin: User) -> None:
    client = _client(admin)
    response = client.post("/roster/import/", {})
    assert (
        response.status_code == 400 and "Choose your OneRoster export" in response.content.decode()
    )
    job = _upload(client, b"this is not a zip", "notes.zip")
    page = client.get(f"/roster/import/{job.pk}/").content.decode()
    assert "not a zip archive" in page and "Apply these changes" not in page


def test_export_downloads_a_zip(admin: User) -> None:
    client = _client(admin)
    _upload(client, district_zip_bytes(students=25, teachers=3, schools=1, seed=6))
    job = RosterImportJob.objects.latest("pk")
    client.post(f"/roster/import/{job.pk}/apply/")
    response = client.get("/roster/export/")
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert {"manifest.csv", "users.csv", "enrollments.csv"} <= set(names)
    assert AuditEvent.objects.filter(action="roster.export", actor=admin).exists()


def test_an_import_whose_process_is_gone_says_to_upload_again(admin: User) -> None:
    """After a restart, a job the old process was running must not say "Running" forever."""
    host, pid, _token = this_runner().rsplit(":", 2)
    assert admin.district_id is not None
    job = RosterImportJob.objects.create(
        district_id=admin.district_id, actor=admin, file_name="big.zip", dry_run=False,
        job=Job.objects.create(kind="roster.import", title="Import of big.zip",
                               district_id=admin.district_id, created_by=admin,
                               status=Job.Status.RUNNING, runner=f"{host}:{pid}:before-restart"))
    client = _client(admin)
    listing = client.get("/roster/import/").content.decode()
    assert "Failed" in listing
    page = client.get(f"/roster/import/{job.pk}/").content.decode()
    assert "Trellis restarted while it was working on this file" in page
    assert "Upload the file again" in page
    job.job.refresh_from_db()
    assert job.job.status == Job.Status.FAILED
    # a job this process runs is left running
    mine = RosterImportJob.objects.create(
        district_id=admin.district_id, actor=admin, file_name="mine.zip",
        job=Job.objects.create(kind="roster.import", title="Check of mine.zip",
                               district_id=admin.district_id, created_by=admin,
                               status=Job.Status.RUNNING, runner=this_runner()))
    client.get(f"/roster/import/{mine.pk}/progress/")
    mine.job.refresh_from_db()
    assert mine.job.status == Job.Status.RUNNING


def test_an_import_is_a_core_job_that_fails_in_words_for_people(
    admin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every roster import runs as a core job (the job page shows it too); a failure says what
    to do, never the internals of the error, which go to the log."""

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk I/O error at /var/lib/trellis")

    monkeypatch.setattr(actions_import_jobs, "do_import_roster_file", broken)
    client = _client(admin)
    job = _upload(client, district_zip_bytes(students=5, teachers=1, schools=1, seed=6))
    assert job.job.kind == "roster.import" and job.job.title == "Check of roster.zip"
    assert job.job.status == Job.Status.FAILED and job.job.created_by == admin
    page = client.get(f"/roster/import/{job.pk}/").content.decode()
    assert "Something went wrong on our side" in page and "disk I/O" not in page
    assert job.job.result_url == f"/roster/import/{job.pk}/"
    assert "Check of roster.zip" in client.get(f"/jobs/{job.job_id}/").content.decode()

    gone = actions_import_jobs.do_start_roster_import(
        admin, file_name="gone.zip", stored_name="nowhere.zip", file_size=10, dry_run=False,
        include_demographics=False,
    )
    page = client.get(f"/roster/import/{gone.pk}/").content.decode()
    assert "The uploaded file is no longer stored; upload it again." in page
