"""Backups: ``trellis backup OUT`` and ``trellis restore FILE [--force]``.

``backup`` copies the database Trellis uses (``TRELLIS_DATABASE_URL``) to one file while
Trellis keeps running:

- **SQLite**: SQLite's online backup API (:meth:`sqlite3.Connection.backup`) takes a consistent
  copy even while people write; the copy is checked (``PRAGMA integrity_check``) and is itself
  an SQLite database file.
- **PostgreSQL**: ``pg_dump --format=custom`` (PostgreSQL's client tools, Debian/Ubuntu package
  ``postgresql-client``, at the server's major version or newer), checked with
  ``pg_restore --list``.

The file is written beside ``OUT`` and renamed into place only when complete, so a backup that
fails half-way never leaves a file that looks like a backup.

``restore`` loads such a file into the database Trellis is configured for: the SQLite backup
API again, or ``pg_restore`` in one transaction (all or nothing). It refuses a database that
already holds tables unless ``--force`` is given (then the backup replaces them), and says what
it did. Stop Trellis (and its background jobs) while restoring. See ``docs/operations.md`` for a
schedule and retention.

Exit codes: 0 done; 1 the backup or restore failed (why, on stderr); 2 refused (a non-empty
database without ``--force``, an existing ``OUT``, a file that is not a backup, or missing
tools).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trellis.commands import django_setup

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
INSTALL_PG_TOOLS = (
    "install PostgreSQL's client tools at the server's major version or newer "
    "(Debian/Ubuntu: `sudo apt-get install postgresql-client`; elsewhere the package that "
    "provides pg_dump and pg_restore)"
)


class BackupError(Exception):
    """The backup or restore failed; the message says why."""


class Refused(Exception):
    """Nothing was done; the message says what to do instead."""


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    backup = subparsers.add_parser(
        "backup",
        help="copy the database to a file (Trellis may keep running)",
        description="Write a consistent copy of the database to OUT while Trellis runs: an "
        "SQLite database file (SQLite's online backup API) or a pg_dump custom-format file "
        "(PostgreSQL). Restore it with `trellis restore OUT`.",
    )
    backup.add_argument("out", type=Path, help="the backup file to write")
    backup.add_argument("--force", action="store_true", help="overwrite OUT if it exists")
    backup.set_defaults(func=cmd_backup)

    restore = subparsers.add_parser(
        "restore",
        help="load a backup into the configured database",
        description="Load a file written by `trellis backup` into the database Trellis is "
        "configured for (TRELLIS_DATABASE_URL). Refuses a database that already holds tables "
        "unless --force is given. Stop Trellis while restoring.",
    )
    restore.add_argument("file", type=Path, help="the backup file")
    restore.add_argument(
        "--force", action="store_true",
        help="replace what the database holds now with the backup",
    )
    restore.set_defaults(func=cmd_restore)


def cmd_backup(args: argparse.Namespace) -> int:
    return _report("backup", lambda: backup(args.out, force=args.force))


def cmd_restore(args: argparse.Namespace) -> int:
    return _report("restore", lambda: restore(args.file, force=args.force))


def _report(command: str, run: Callable[[], str]) -> int:
    """Run ``trellis backup`` or ``restore``: what it did on stdout; exit 2 when it refused
    (nothing changed), 1 when it failed."""
    django_setup()
    try:
        print(run())
    except Refused as exc:
        print(f"trellis {command}: {exc}", file=sys.stderr)
        return 2
    except BackupError as exc:
        print(f"trellis {command}: failed: {exc}", file=sys.stderr)
        return 1
    return 0


# --- the database Trellis uses -----------------------------------------------------------


@dataclass(frozen=True)
class Database:
    vendor: str  # "sqlite" or "postgresql"
    name: str
    settings: dict[str, Any]

    @property
    def label(self) -> str:
        if self.vendor == "sqlite":
            return f"the SQLite database {self.name}"
        host = self.settings.get("HOST") or "localhost"
        port = self.settings.get("PORT") or 5432
        return f"the PostgreSQL database {self.name} on {host}:{port}"


def _database() -> Database:
    from django.db import connection

    vendor = connection.vendor
    if vendor not in {"sqlite", "postgresql"}:
        raise Refused(f"backups support SQLite and PostgreSQL, not {vendor}")
    return Database(vendor, str(connection.settings_dict["NAME"]), dict(connection.settings_dict))


def _table_names() -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        return sorted(connection.introspection.table_names(cursor))


def _row_count(tables: list[str]) -> int:
    from django.db import connection

    total = 0
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            total += int(cursor.fetchone()[0])
    return total


def _unapplied_migrations() -> int:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def _size(path: Path) -> str:
    size = path.stat().st_size
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size / 1000:.1f} kB"


# --- backup ------------------------------------------------------------------------------


def backup(out: Path, *, force: bool = False) -> str:
    """Write a backup of the configured database to ``out``; return what was done."""
    database = _database()
    out = out.expanduser().resolve()
    if out.exists() and not force:
        raise Refused(f"{out} already exists: choose a new name (for example with the date) "
                      "or add --force to overwrite it")
    if not out.parent.is_dir():
        raise Refused(f"the folder {out.parent} does not exist")
    partial = out.with_name(f".{out.name}.partial")
    started = time.perf_counter()
    try:
        if database.vendor == "sqlite":
            tables = _backup_sqlite(partial)
        else:
            tables = _backup_postgresql(database, partial)
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    seconds = time.perf_counter() - started
    return (
        f"Backed up {database.label} ({tables} tables) to {out} ({_size(out)}) in "
        f"{seconds:.1f} s.\nRestore it with: trellis restore {out}"
    )


def _backup_sqlite(partial: Path) -> int:
    from django.db import connection

    connection.ensure_connection()
    source = connection.connection
    target = sqlite3.connect(partial)
    try:
        source.backup(target)  # one step: a consistent snapshot (WAL lets writers go on)
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal
        _check_sqlite(target, partial)
        tables = target.execute(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchone()[0]
        return int(tables)
    finally:
        target.close()


def _check_sqlite(db: sqlite3.Connection, path: Path) -> None:
    result = db.execute("PRAGMA integrity_check").fetchone()[0]
    if result != "ok":
        raise BackupError(f"{path} failed SQLite's integrity check: {result}")


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise Refused(f"{name} was not found: {INSTALL_PG_TOOLS}")
    return path


def _pg_env(database: Database) -> dict[str, str]:
    """libpq's environment for the configured database (the password never on a command
    line)."""
    s = database.settings
    env = dict(os.environ)
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"),
                          ("PASSWORD", "PGPASSWORD")):
        if s.get(key):
            env[variable] = str(s[key])
    options = s.get("OPTIONS") or {}
    for option, variable in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT"),
                             ("sslcert", "PGSSLCERT"), ("sslkey", "PGSSLKEY")):
        if options.get(option):
            env[variable] = str(options[option])
    return env


def _run(command: list[str], env: dict[str, str], what: str) -> str:
    result = subprocess.run(  # noqa: S603 - our own arguments, no shell
        command, env=env, capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"{what} failed (exit {result.returncode}): "
                          f"{result.stderr.strip() or result.stdout.strip()}")
    return result.stdout


def _backup_postgresql(database: Database, partial: Path) -> int:
    pg_dump, pg_restore = _pg_tool("pg_dump"), _pg_tool("pg_restore")
    env = _pg_env(database)
    _run([pg_dump, "--format=custom", f"--file={partial}", f"--dbname={database.name}"],
         env, "pg_dump")
    listing = _run([pg_restore, "--list", str(partial)], env, "pg_restore --list (the check)")
    return sum(1 for line in listing.splitlines() if " TABLE " in line and "TABLE DATA" not in line)


# --- restore -----------------------------------------------------------------------------


def _kind_of(file: Path) -> str:
    with file.open("rb") as handle:
        head = handle.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise Refused(f"{file} is not a Trellis backup (neither an SQLite database nor a pg_dump "
                  "custom-format file)")


def restore(file: Path, *, force: bool = False) -> str:
    """Load the backup ``file`` into the configured database; return what was done."""
    from django.db import connection

    file = file.expanduser().resolve()
    if not file.is_file():
        raise Refused(f"{file} does not exist")
    database = _database()
    kind = _kind_of(file)
    if kind != database.vendor:
        names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
        raise Refused(
            f"{file} is a backup of a {names[kind]} database, but Trellis is configured for "
            f"{database.label}: restore it into {names[kind]} (set TRELLIS_DATABASE_URL)")
    existing = _table_names()
    if existing and not force:
        raise Refused(
            f"{database.label} is not empty ({len(existing)} tables, {_row_count(existing):,} "
            "rows). Restore into a new, empty database, or add --force to replace what it "
            "holds with the backup.")
    started = time.perf_counter()
    if kind == "sqlite":
        _restore_sqlite(file)
    else:
        _restore_postgresql(database, file, clean=bool(existing))
    connection.close()
    tables = _table_names()
    rows = _row_count(tables)
    seconds = time.perf_counter() - started
    replaced = f", replacing its {len(existing)} tables" if existing else ""
    lines = [f"Restored {file} into {database.label}{replaced}: {len(tables)} tables, "
             f"{rows:,} rows, in {seconds:.1f} s."]
    if kind == "postgresql" and existing:
        kept = sorted(set(existing) - set(_backup_tables(database, file)))
        if kept:
            lines.append(f"Kept {len(kept)} tables the backup does not have: {', '.join(kept)}.")
    pending = _unapplied_migrations()
    if pending:
        lines.append("The backup is from an older Trellis: run `trellis manage migrate` to "
                     f"apply the {pending} migration{'s' if pending != 1 else ''} it lacks.")
    return "\n".join(lines)


def _restore_sqlite(file: Path) -> None:
    from django.db import connection

    source = sqlite3.connect(f"{file.as_uri()}?mode=ro", uri=True)
    try:
        _check_sqlite(source, file)
        connection.ensure_connection()
        target = connection.connection
        source.backup(target)  # replaces every page of the target: an exact copy
        _check_sqlite(target, Path(str(connection.settings_dict["NAME"])))
    finally:
        source.close()


def _backup_tables(database: Database, file: Path) -> list[str]:
    listing = _run([_pg_tool("pg_restore"), "--list", str(file)], _pg_env(database),
                   "pg_restore --list")
    names = []
    for line in listing.splitlines():
        parts = line.split()
        if " TABLE " in line and "TABLE DATA" not in line and not line.startswith(";"):
            names.append(parts[parts.index("TABLE") + 2])  # "TABLE schema name owner"
    return names


def _restore_postgresql(database: Database, file: Path, *, clean: bool) -> None:
    from django.db import connection

    pg_restore = _pg_tool("pg_restore")
    connection.close()  # nothing of ours holds a lock while pg_restore works
    command = [pg_restore, "--no-owner", "--no-privileges", "--exit-on-error",
               "--single-transaction", f"--dbname={database.name}"]
    if clean:
        command += ["--clean", "--if-exists"]
    _run([*command, str(file)], _pg_env(database), "pg_restore")
