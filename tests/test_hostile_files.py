"""Hostile files: every importer refuses them with a clear error naming the limit, changes
nothing, and stays within bounded memory and time.

Each file is built here, a chunk at a time (``tests/hostile_files.py``): decompression bombs
(a roster zip whose ``users.csv`` unpacks to 1 GB, a 1 GB gzip CASE file, a QTI package with a
1 GB item), a flood of line breaks, one endless line, JSON nested 100,000 deep, ``../`` and
absolute member names, zips of 100,000 entries, bad UTF-8 on line 5, a zip that lies about its
sizes. Each runs through the importer (the OneRoster import, the CASE import, the QTI import,
and the ``trellis`` command for each) as a dry run and then for real, in a process of its own
on a SQLite database of its own, which reports its peak memory (``ru_maxrss``) and the rows of
every table before and after. The limits are the defaults (``trellis/engine/limits.py``).

The wall-clock timeout is a safety net against a hang, not a measure of speed: no assertion
here is about time. The upload pages are tested in-process at the end.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests import hostile_files as hf

ROOT = Path(__file__).resolve().parents[1]
PEAK_MB = 300  # the bound on an import's peak memory
SAFETY_TIMEOUT_S = 120  # a hang fails the test instead of blocking the suite

pytestmark = pytest.mark.xdist_group("hostile-files")  # one worker prepares the database


@dataclass(frozen=True)
class Case:
    id: str
    importer: str  # roster, case, qti, cli
    build: Callable[[Path], Path]
    expect: tuple[str, ...]
    argv: tuple[str, ...] = ()  # for the command line: the arguments before the file
    extra: dict[str, Any] = field(default_factory=dict)
    same_file_as: str = ""  # another case's id: its file is built once for both


def _roster_with_users(writer: hf.Writer) -> Callable[[Path], Path]:
    return lambda folder: hf.roster_zip(folder / "roster.zip", users_csv=writer)


BYTES_LIMIT = "larger than 512 MB uncompressed (the limit is TRELLIS_IMPORT_MAX_BYTES)"
DOCUMENT_LIMIT = "larger than 50 MB uncompressed (the limit is TRELLIS_IMPORT_MAX_DOCUMENT_BYTES)"
ENTRIES_LIMIT = "files (the limit is 10,000, TRELLIS_IMPORT_MAX_ENTRIES)"
OUTSIDE = "which points outside the archive (an absolute path or '..')"
DEPTH_LIMIT = "nests JSON deeper than 64 levels (the limit is TRELLIS_IMPORT_MAX_JSON_DEPTH)"

CASES = [
    # -- the OneRoster zip ---------------------------------------------------------------------
    Case("roster-bomb-1GB-of-zeros", "roster",
         _roster_with_users(hf.repeated(b"\0", hf.GB)), (f"users.csv is {BYTES_LIMIT}",)),
    Case("roster-bomb-one-line-of-commas", "roster",
         _roster_with_users(hf.repeated(b",", 300 * hf.MB, head=hf.USERS.encode())),
         ("line 6 of users.csv is longer than 1 MB (the limit is TRELLIS_IMPORT_MAX_LINE_BYTES)",)),
    Case("roster-line-break-flood", "roster",
         _roster_with_users(hf.repeated(b"\n", 100 * hf.MB, head=hf.USERS.encode())),
         ("users.csv has more than 3,000,000 lines (the limit is TRELLIS_IMPORT_MAX_ROWS)",)),
    Case("roster-members-add-up-past-the-limit", "roster",
         lambda folder: hf.roster_zip(
             folder / "roster.zip",
             **{name: hf.repeated(b"\n", 200 * hf.MB) for name in
                ("users_csv", "roles_csv", "enrollments_csv")}),
         ("the files in roster.zip add up to more than 512 MB uncompressed "
          "(the limit is TRELLIS_IMPORT_MAX_BYTES)",)),
    Case("roster-dot-dot-member", "roster",
         lambda folder: hf.roster_zip(folder / "roster.zip", **{"../evil.csv": "x\n"}),
         (f"roster.zip holds a file named '../evil.csv', {OUTSIDE}",)),
    Case("roster-absolute-member", "roster",
         lambda folder: hf.roster_zip(folder / "roster.zip", **{"/etc/cron.d/evil": "x\n"}),
         (f"roster.zip holds a file named '/etc/cron.d/evil', {OUTSIDE}",)),
    Case("roster-100000-entries", "roster",
         lambda folder: hf.many_entries(folder / "roster.zip", 100_000,
                                        {k: str(v) for k, v in hf.exchange().items()}),
         (f"roster.zip holds 100,009 {ENTRIES_LIMIT}",)),
    Case("roster-bad-utf8-on-line-5", "roster",
         lambda folder: hf.bad_utf8_on_line_5(folder / "roster.zip"),
         ("users.csv:5: encoding: line 5 of users.csv is not UTF-8 text",)),
    Case("roster-header-lies-about-size", "roster",
         lambda folder: hf.lie_about_size(
             hf.roster_zip(folder / "roster.zip",
                           users_csv=hf.USERS.encode() + b"\n" * (20 * hf.MB)),
             "users.csv", 1000),
         ("users.csv: archive: the archive member is damaged (Bad CRC-32 for file 'users.csv')",)),
    # -- the CASE package ----------------------------------------------------------------------
    Case("case-gzip-bomb-1GB", "case",
         lambda folder: hf.gzip_file(folder / "framework.json.gz", hf.repeated(b" ", hf.GB)),
         (f"framework.json.gz is {DOCUMENT_LIMIT}",)),
    Case("case-100000-levels-deep", "case",
         lambda folder: _text(folder / "framework.json", hf.nested_json(100_000)),
         (f"framework.json {DEPTH_LIMIT}",)),
    Case("case-500-levels-deep-inside-the-package", "case",
         lambda folder: _text(folder / "framework.json",
                              '{"CFDocument": {}, "CFItems": ' + hf.nested_json(500) + "}"),
         (f"framework.json {DEPTH_LIMIT}",)),
    Case("case-60MB-of-json", "case",
         lambda folder: _stream(folder / "framework.json", hf.repeated(b" ", 60 * hf.MB)),
         ("framework.json is larger than 50 MB (the limit is TRELLIS_IMPORT_MAX_DOCUMENT_BYTES)",)),
    # -- the QTI package -----------------------------------------------------------------------
    Case("qti-bomb-1GB-item", "qti",
         lambda folder: hf.qti_zip(folder / "items.zip", "item.xml", hf.repeated(b" ", hf.GB)),
         (f"item.xml is {BYTES_LIMIT}",)),
    Case("qti-100MB-item", "qti",
         lambda folder: hf.qti_zip(folder / "items.zip", "item.xml",
                                   hf.repeated(b" ", 100 * hf.MB)),
         (f"item.xml is {DOCUMENT_LIMIT}",)),
    Case("qti-dot-dot-member", "qti",
         lambda folder: hf.qti_zip(folder / "items.zip", "../evil.xml", "<x/>"),
         (f"items.zip holds a file named '../evil.xml', {OUTSIDE}",)),
    Case("qti-100000-entries", "qti",
         lambda folder: hf.many_entries(folder / "items.zip", 100_000),
         (f"items.zip holds 100,000 {ENTRIES_LIMIT}",)),
    Case("qti-100000-elements-deep", "qti",
         lambda folder: hf.qti_zip(folder / "items.zip", "item.xml",
                                   "<a>" * 100_000 + "</a>" * 100_000),
         ("item.xml:1: item -: xml: Excessive depth in document: 256",)),
    # -- the trellis command -------------------------------------------------------------------
    Case("cli-roster-import-bomb", "cli",
         _roster_with_users(hf.repeated(b"\0", hf.GB)),
         ("exit 1", f"users.csv is {BYTES_LIMIT}"), argv=("roster", "import"),
         same_file_as="roster-bomb-1GB-of-zeros"),
    Case("cli-framework-import-deep", "cli",
         lambda folder: _text(folder / "framework.json", hf.nested_json(100_000)),
         ("exit 1", f"framework.json {DEPTH_LIMIT}"), argv=("framework", "import"),
         same_file_as="case-100000-levels-deep"),
    Case("cli-content-import-qti-bomb", "cli",
         lambda folder: hf.qti_zip(folder / "items.zip", "item.xml", hf.repeated(b" ", hf.GB)),
         ("exit 1", f"item.xml is {BYTES_LIMIT}"), argv=("content", "import-qti"),
         same_file_as="qti-bomb-1GB-item"),
]


def _text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _stream(path: Path, writer: hf.Writer) -> Path:
    with path.open("wb") as stream:
        writer(stream)
    return path


def _environment(database: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRELLIS_IMPORT_")}
    env.update(
        DJANGO_SETTINGS_MODULE="trellis.settings.test",
        TRELLIS_DATABASE_URL=f"sqlite:///{database}",
        TRELLIS_DATA_DIR=str(database.parent),
    )
    return env


@pytest.fixture(scope="session")
def hostile_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database with one district, for the importing processes."""
    database = tmp_path_factory.mktemp("hostile-db") / "trellis.sqlite3"
    subprocess.run(
        [sys.executable, "-m", "tests.hostile_files", "--prepare"],
        cwd=ROOT, env=_environment(database), check=True, timeout=SAFETY_TIMEOUT_S,
    )
    return database


@pytest.fixture(scope="session")
def built_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The files built so far, by case id (a bomb takes a second or two to build)."""
    return {}


def _file_of(case: Case, built: dict[str, Path], factory: pytest.TempPathFactory) -> Path:
    key = case.same_file_as or case.id
    if key not in built:
        built[key] = case.build(factory.mktemp(key))
    return built[key]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_a_hostile_file_is_refused_clearly_in_bounded_memory_and_changes_nothing(
    case: Case, hostile_database: Path, built_files: dict[str, Path],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    path = _file_of(case, built_files, tmp_path_factory)
    spec = {"importer": case.importer, "path": str(path), **case.extra}
    if case.argv:
        spec["argv"] = [*case.argv, str(path)]
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "tests.hostile_files", json.dumps(spec)],
        cwd=ROOT, env=_environment(hostile_database), capture_output=True, text=True,
        timeout=SAFETY_TIMEOUT_S,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    for run, errors in zip(("dry run", "import"), outcome["errors"], strict=True):
        for expected in case.expect:
            assert expected in errors, f"{run}: {expected!r} not in:\n{errors}"
        assert "Traceback" not in errors and "RecursionError" not in errors
    before, after_dry_run, after_import = outcome["counts"]
    assert after_dry_run == before and after_import == before, "rows changed"
    assert outcome["peak_mb"] < PEAK_MB, outcome
    print(  # the figures, for `pytest -s`
        f"\n{case.id}: {outcome['errors'][0].splitlines()[-1][:160]} | peak "
        f"{outcome['peak_mb']:.0f} MB (Django and the apps: {outcome['baseline_mb']:.0f} MB), "
        f"{outcome['seconds']:.2f} s for both runs, {path.stat().st_size / hf.MB:.1f} MB file"
    )


# -- the upload pages ------------------------------------------------------------------------------

SMALL_LIMITS = {  # settings overrides, as TRELLIS_IMPORT_* would set them
    "TRELLIS_IMPORT_MAX_UPLOAD_BYTES": 128 * 1024,
    "TRELLIS_IMPORT_MAX_BYTES": 1 * hf.MB,
    "TRELLIS_IMPORT_MAX_DOCUMENT_BYTES": 1 * hf.MB,
}
PAGES = {  # url name -> the form field of the file
    "roster-import": "file",
    "framework-import": "package",
    "item-import": "file",
}


@pytest.fixture
def district_admin(settings: Any, tmp_path: Path) -> Any:
    from trellis.accounts.actions import do_create_district, do_create_user
    from trellis.accounts.models import Role

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DATA_DIR = tmp_path / "data"
    settings.IMPORT_LIMITS = SMALL_LIMITS
    district = do_create_district("Hostile pages district", "hostile-pages")
    return do_create_user(district, "hostile-admin", Role.DISTRICT_ADMIN, password="pw-12345678")


def _rows() -> dict[str, int]:
    from django.apps import apps

    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def _changed(before: dict[str, int], after: dict[str, int]) -> set[str]:
    return {label for label in before if before[label] != after[label]}


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES)
def test_an_upload_over_the_limit_is_refused_before_it_is_read(
    page: str, district_admin: Any, tmp_path: Path
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(district_admin)
    before = _rows()
    upload = SimpleUploadedFile("big.zip", b"x" * (300 * 1024), "application/zip")
    response = client.post(reverse(page), {PAGES[page]: upload})
    assert response.status_code == 400
    assert "is larger than 128 KB (the limit is TRELLIS_IMPORT_MAX_UPLOAD_BYTES)" in (
        response.content.decode()
    )
    assert not _changed(before, _rows())  # no job, no stored upload, nothing
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("page", "build", "expected"),
    [
        ("roster-import",
         lambda folder: hf.roster_zip(folder / "roster.zip",
                                      users_csv=hf.repeated(b"\0", 8 * hf.MB)),
         "users.csv is larger than 1 MB uncompressed (the limit is TRELLIS_IMPORT_MAX_BYTES)"),
        ("framework-import",
         lambda folder: hf.gzip_file(folder / "framework.json.gz",
                                     hf.repeated(b" ", 8 * hf.MB)),
         "framework.json.gz is larger than 1 MB uncompressed "
         "(the limit is TRELLIS_IMPORT_MAX_DOCUMENT_BYTES)"),
        ("item-import",
         lambda folder: hf.qti_zip(folder / "items.zip", "item.xml",
                                   hf.repeated(b" ", 8 * hf.MB)),
         "item.xml is larger than 1 MB uncompressed (the limit is TRELLIS_IMPORT_MAX_BYTES)"),
    ],
    ids=list(PAGES),
)
def test_an_upload_page_checks_a_bomb_in_a_job_and_reports_the_limit(
    page: str, build: Callable[[Path], Path], expected: str, district_admin: Any,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse

    from trellis.core.models import Job

    monkeypatch.setenv("TRELLIS_JOBS_INLINE", "true")  # the background job, in this thread
    client = Client()
    client.force_login(district_admin)
    path = build(tmp_path)
    before = _rows()
    upload = SimpleUploadedFile(path.name, path.read_bytes(), "application/octet-stream")
    response = client.post(reverse(page), {PAGES[page]: upload, "dry_run": "1"}, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert expected.lower() in html.lower(), html[-3000:]  # the roster page capitalises it
    job = Job.objects.get()
    assert job.status == Job.Status.SUCCEEDED  # the check ran, as a job, and refused the file
    # The job and the upload's record are the only rows written.
    assert _changed(before, _rows()) <= {"core.Job", "roster.RosterImportJob"}
