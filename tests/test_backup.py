"""``trellis backup`` and ``trellis restore``: a seeded database restored into a fresh one
equals the original, table by table — on SQLite in the normal run, on PostgreSQL when
``TRELLIS_DATABASE_URL`` is a PostgreSQL URL (CI runs the suite on both)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.world import PASSWORD, build_world
from trellis.cli import main
from trellis.commands import backup as backup_module

pytestmark = pytest.mark.django_db(transaction=True)

Rows = dict[str, list[tuple[Any, ...]]]


def seed() -> None:
    """The permission world (people, schools, classes, enrolments, audit events), sign-in
    failures and a lock (django-axes' tables), a session and a job."""
    build_world()
    for _ in range(3):
        Client().post(reverse("login"), {"username": "s_a1", "password": "wrong"})
    client = Client()
    client.post(reverse("login"), {"username": "t_a1", "password": PASSWORD})
    assert client.get(reverse("home")).status_code == 200


def run_trellis(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "trellis.settings.test",
           "TRELLIS_DATABASE_URL": database_url}
    return subprocess.run(  # noqa: S603 - our own command line
        [sys.executable, "-m", "trellis.cli", *args],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )


def _sorted_rows(cursor: Any, tables: list[str], quote: Any) -> Rows:
    rows: Rows = {}
    for table in tables:
        cursor.execute(f"SELECT * FROM {quote(table)}")  # noqa: S608
        rows[table] = sorted((tuple(row) for row in cursor.fetchall()), key=repr)
    return rows


# --- SQLite ----------------------------------------------------------------------------------


def sqlite_contents(db: sqlite3.Connection) -> tuple[list[tuple[str, str]], Rows]:
    schema = sorted(db.execute(
        "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL").fetchall())
    tables = [name for (name,) in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    return schema, _sorted_rows(db.cursor(), tables, lambda t: f'"{t}"')


def open_like_django(path: Path) -> sqlite3.Connection:
    """With the column-type converters Django's connection uses, so values compare alike."""
    return sqlite3.connect(path, detect_types=sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES)


@pytest.fixture
def sqlite_only() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite round trip (this run is on PostgreSQL)")


@pytest.mark.usefixtures("sqlite_only")
def test_sqlite_backup_restores_into_a_fresh_database_equal_table_by_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed()
    out = tmp_path / "trellis-backup.sqlite3"
    assert main(["backup", str(out)]) == 0
    said = capsys.readouterr().out
    assert f"to {out}" in said and "Restore it with: trellis restore" in said

    fresh = tmp_path / "fresh.sqlite3"
    result = run_trellis("restore", str(out), database_url=f"sqlite:///{fresh}")
    assert result.returncode == 0, result.stderr
    assert f"Restored {out} into the SQLite database {fresh}" in result.stdout

    connection.ensure_connection()
    original_schema, original = sqlite_contents(connection.connection)
    restored_db = open_like_django(fresh)
    restored_schema, restored = sqlite_contents(restored_db)
    restored_db.close()
    assert restored_schema == original_schema
    assert list(restored) == list(original)
    for table, rows in original.items():
        assert restored[table] == rows, table
    assert sum(len(rows) for rows in original.values()) > 100
    for table in ("accounts_user", "roster_enrollment", "audit_auditevent",
                  "axes_accessattempt", "django_session"):
        assert original[table], f"the seed left {table} empty"

    # a second restore into the now non-empty database is refused, and changes nothing
    again = run_trellis("restore", str(out), database_url=f"sqlite:///{fresh}")
    assert again.returncode == 2
    assert "is not empty" in again.stderr and "--force" in again.stderr
    forced = run_trellis("restore", "--force", str(out), database_url=f"sqlite:///{fresh}")
    assert forced.returncode == 0, forced.stderr
    assert "replacing its" in forced.stdout
    restored_db = open_like_django(fresh)
    assert sqlite_contents(restored_db)[1] == original
    restored_db.close()


@pytest.mark.usefixtures("sqlite_only")
def test_backup_and_restore_refuse_what_they_should(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "taken.sqlite3"
    out.write_bytes(b"someone's file")
    assert main(["backup", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert out.read_bytes() == b"someone's file"
    assert main(["backup", str(out), "--force"]) == 0
    assert out.read_bytes().startswith(b"SQLite format 3")
    assert not list(tmp_path.glob(".*.partial"))

    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("hello")
    result = run_trellis("restore", str(not_a_backup),
                         database_url=f"sqlite:///{tmp_path / 'x.sqlite3'}")
    assert result.returncode == 2 and "is not a Trellis backup" in result.stderr
    missing = run_trellis("restore", str(tmp_path / "nope.sqlite3"),
                          database_url=f"sqlite:///{tmp_path / 'x.sqlite3'}")
    assert missing.returncode == 2 and "does not exist" in missing.stderr


def test_without_the_postgresql_tools_it_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(backup_module.shutil, "which", lambda _name: None)
    with pytest.raises(backup_module.Refused, match="apt-get install postgresql-client"):
        backup_module._pg_tool("pg_dump")


# --- PostgreSQL ------------------------------------------------------------------------------


@pytest.fixture
def scratch_database() -> Iterator[str]:
    """A new, empty PostgreSQL database beside the test database; its URL. Dropped after."""
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL round trip runs when TRELLIS_DATABASE_URL is PostgreSQL")
    import psycopg

    name = f"trellis_restore_{uuid.uuid4().hex[:12]}"
    url = urlsplit(os.environ["TRELLIS_DATABASE_URL"])
    admin_url = urlunsplit(url._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(url._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgresql_contents(dsn: str) -> tuple[Rows, dict[str, Any]]:
    import psycopg

    with psycopg.connect(dsn) as db, db.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                       "ORDER BY tablename")
        tables = [name for (name,) in cursor.fetchall()]
        rows = _sorted_rows(cursor, tables, lambda t: f'"{t}"')
        cursor.execute("SELECT sequencename, last_value FROM pg_sequences "
                       "WHERE schemaname = 'public'")
        sequences: dict[str, Any] = dict(cursor.fetchall())
    return rows, sequences


def test_postgresql_backup_restores_into_a_fresh_database_equal_table_by_table(
    scratch_database: str, tmp_path: Path
) -> None:
    seed()
    out = tmp_path / "trellis.dump"
    assert main(["backup", str(out)]) == 0
    assert out.read_bytes().startswith(b"PGDMP")
    result = run_trellis("restore", str(out), database_url=scratch_database)
    assert result.returncode == 0, result.stderr
    assert "Restored" in result.stdout

    source = urlunsplit(urlsplit(os.environ["TRELLIS_DATABASE_URL"])._replace(
        path=f"/{connection.settings_dict['NAME']}"))
    original, original_sequences = postgresql_contents(source)
    restored, restored_sequences = postgresql_contents(scratch_database)
    assert list(restored) == list(original)
    for table, rows in original.items():
        assert restored[table] == rows, table
    assert restored_sequences == original_sequences  # new rows get new ids after a restore
    assert original["accounts_user"] and original["axes_accessattempt"]

    again = run_trellis("restore", str(out), database_url=scratch_database)
    assert again.returncode == 2 and "is not empty" in again.stderr
    forced = run_trellis("restore", "--force", str(out), database_url=scratch_database)
    assert forced.returncode == 0, forced.stderr
    assert postgresql_contents(scratch_database)[0] == original
