"""Benchmark: bulk-import a district-sized OneRoster zip, then a 1% delta.

Run:  nice .venv/bin/python bench/roster.py [--scale 1.0] [--seed 2026] [--json OUT]

At ``--scale 1`` the generated, seeded district has 100,000 students, 5,000 teachers,
200 schools and 1,000,000 enrollments (plus about 160,000 guardians and their roles), written
as a OneRoster 1.2 bulk zip by :mod:`trellis.interop.oneroster.generator`. ``--scale 0.01`` is a
quick run of the same shape.

Each import runs in a child process on a fresh database — SQLite in a temporary directory by
default, or ``TRELLIS_DATABASE_URL`` when set (an empty PostgreSQL database, say) — through the
same :func:`trellis.roster.actions_import.do_import_roster_file` the CLI and the upload page use:
read, validate, apply in one transaction. Peak memory is the child's maximum resident set size
(``getrusage(RUSAGE_CHILDREN)``), so it covers parsing, validation and the database work.

The delta changes 1% of the district: 1% of students renamed (users.csv delta) and 1% of
enrollments deleted (enrollments.csv delta with ``tobedeleted`` rows).

Figures are printed beside the targets of issue 8 (the peer): bulk < 300 s, peak memory
< 2,048 MB, delta < 30 s.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGETS = {"bulk_s": 300.0, "peak_rss_mb": 2048.0, "delta_s": 30.0}
FULL = {"students": 100_000, "teachers": 5_000, "schools": 200, "enrollments": 1_000_000}


def district_shape(scale: float) -> dict[str, int]:
    students = max(20, round(FULL["students"] * scale))
    return {
        "students": students,
        "teachers": max(2, round(FULL["teachers"] * scale)),
        "schools": max(2, round(FULL["schools"] * scale)),
        "enrollments": max(students * 2, round(FULL["enrollments"] * scale)),
    }


def write_delta(bulk_zip: Path, delta_zip: Path) -> dict[str, int]:
    """1% of students renamed, 1% of enrollments deleted, as a delta exchange."""
    from trellis.interop.oneroster.bundle import FileMode, Manifest, RecordKind, Status
    from trellis.interop.oneroster.parser import parse_roster
    from trellis.interop.oneroster.writer import write_roster_zip

    load = parse_roster(bulk_zip, validate=False)
    bundle = load.bundle
    assert bundle is not None and not load.issues, load.issues[:5]
    modified = "2026-01-15T09:00:00.000Z"
    students = [u for u in bundle.users if u.sourced_id.startswith("stu-")]
    renamed = [
        replace(u, family_name=u.family_name + "-Delta", date_last_modified=modified)
        for u in students[::100]
    ]
    dropped = [
        replace(e, status=Status.TOBEDELETED, date_last_modified=modified)
        for e in bundle.enrollments[::100]
    ]
    files: dict[RecordKind, list[Any]] = {
        RecordKind.USERS: renamed,
        RecordKind.ENROLLMENTS: dropped,
    }
    manifest = Manifest(
        file_modes={str(kind): FileMode.DELTA for kind in files},
        source_system_name="bench/roster.py",
    )
    write_roster_zip(delta_zip, manifest, files)
    return {"users": len(renamed), "enrollments": len(dropped)}


def child(mode: str, zip_path: str, database_url: str) -> None:
    """Run one import in this process and print its report as JSON on the last line."""
    os.environ["TRELLIS_DATABASE_URL"] = database_url
    os.environ["TRELLIS_DEBUG"] = "false"  # no query log kept in memory
    from trellis.commands import django_setup

    django_setup()
    from django.core.management import call_command

    from trellis.accounts.models import District
    from trellis.roster.actions_import import do_import_roster_file

    if mode == "bulk":
        call_command("migrate", interactive=False, verbosity=0)
    district = District.objects.first() if mode == "delta" else None
    started, cpu_started = time.perf_counter(), time.process_time()
    report = do_import_roster_file(
        zip_path, district=district, dry_run=False, actor=None, source_name=Path(zip_path).name
    )
    seconds = time.perf_counter() - started
    result = {
        "seconds": seconds,
        "cpu_seconds": time.process_time() - cpu_started,
        "ok": report.ok,
        "issues": [str(issue) for issue in report.issues[:10]],
        "counts": report.as_dict()["counts"],
    }
    print(json.dumps(result))


def run_child(mode: str, zip_path: Path, database_url: str) -> dict[str, object]:
    completed = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(zip_path), database_url],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    result: dict[str, object] = json.loads(completed.stdout.strip().splitlines()[-1])
    if not result["ok"]:
        raise SystemExit(f"{mode} import failed: {result['issues']}")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 100,000 students")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument("--child", nargs=3, metavar=("MODE", "ZIP", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return 0

    from trellis.interop.oneroster.generator import write_district_zip

    shape = district_shape(args.scale)
    with tempfile.TemporaryDirectory(prefix="trellis-bench-roster-") as tmp:
        work = Path(tmp)
        database_url = os.environ.get("TRELLIS_DATABASE_URL") or f"sqlite:///{work / 'db.sqlite3'}"
        bulk_zip, delta_zip = work / "district.zip", work / "delta.zip"
        print(
            f"Generating {shape['students']:,} students, {shape['teachers']:,} teachers, "
            f"{shape['schools']:,} schools, {shape['enrollments']:,} enrollments "
            f"(seed {args.seed})…",
            flush=True,
        )
        started = time.perf_counter()
        written = write_district_zip(bulk_zip, seed=args.seed, **shape)
        print(
            f"  {sum(written.values()):,} records, {bulk_zip.stat().st_size / 2**20:.1f} MB zip, "
            f"{time.perf_counter() - started:.1f} s",
            flush=True,
        )
        delta_counts = write_delta(bulk_zip, delta_zip)

        print("Bulk import (child process)…", flush=True)
        bulk = run_child("bulk", bulk_zip, database_url)
        peak_rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(
            f"Delta import: {delta_counts['users']:,} people renamed, "
            f"{delta_counts['enrollments']:,} enrollments deleted…",
            flush=True,
        )
        delta = run_child("delta", delta_zip, database_url)

    figures = {
        "students": shape["students"],
        "enrollments": written["enrollments.csv"],
        "bulk_s": round(float(bulk["seconds"]), 1),  # type: ignore[arg-type]
        "peak_rss_mb": round(peak_rss_mb, 1),
        "delta_s": round(float(delta["seconds"]), 1),  # type: ignore[arg-type]
        # CPU time of the importing process: what the import costs when the machine is
        # shared (wall time then includes waiting for a core)
        "bulk_cpu_s": round(float(bulk["cpu_seconds"]), 1),  # type: ignore[arg-type]
        "delta_cpu_s": round(float(delta["cpu_seconds"]), 1),  # type: ignore[arg-type]
    }
    database = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    print(f"\nRoster import on {database}, {os.cpu_count()} CPU(s), scale {args.scale}")
    print(f"{'':24}{'Trellis':>12}{'target':>12}")
    print(f"{'students':24}{figures['students']:>12,}")
    print(f"{'enrollments':24}{figures['enrollments']:>12,}")
    for key, label in (
        ("bulk_s", "bulk import (s)"),
        ("bulk_cpu_s", "  of which CPU (s)"),
        ("peak_rss_mb", "peak memory (MB)"),
        ("delta_s", "1% delta (s)"),
        ("delta_cpu_s", "  of which CPU (s)"),
    ):
        if key.endswith("cpu_s"):
            print(f"{label:24}{figures[key]:>12,.1f}")
            continue
        verdict = "ok" if figures[key] < TARGETS[key] else "MISSED"
        print(f"{label:24}{figures[key]:>12,.1f}{TARGETS[key]:>12,.0f}  {verdict}")
    load = os.getloadavg()[0]
    print(f"(load average at the end: {load:.1f} on {os.cpu_count()} CPUs)")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
