"""Benchmark: every role's main daily pages on a 400- and a 2,000-student demo district.

Run:  nice .venv/bin/python bench/pages.py [--students 400,2000] [--quick] [--json OUT]
                                            [--data-dir DIR] [--requests N]

For each size a child process points Trellis at its own SQLite database
(``DIR/students-N/trellis.sqlite3`` through ``TRELLIS_DATA_DIR``; ``DIR`` defaults to
``$TMPDIR/trellis-bench-pages``), migrates it and seeds the demo district there with
:func:`trellis.portal.demo.seed_demo_district` unless a previous run already did (then it is
reused: delete the folder to seed again). The seeding time is printed, since it is part of
what a 2,000-student demo costs.

The child then signs in (``Client.force_login``) as the demo's showcase accounts — a student,
their guardian, their math teacher, that teacher's coach, their school's administrator and the
district administrator — and requests each page once to warm up, once inside Django's
``CaptureQueriesContext`` to count its queries, then ``--requests`` times (20; 5 with
``--quick``) one at a time, in-process through Django's test ``Client``. Server time is the
wall time of ``client.get`` (the whole request: middleware, view, template), so it leaves
out only the network and the WSGI server.

Printed: a table with the two sizes side by side (p50 / p95 ms, queries, HTML KB) and the
targets of issue 14 item 9 (the peer): p95 < 300 ms at 2,000 students for the student plan,
the class heatmap, Today, the school home and the district home; query counts the same at
400 and 2,000; the heatmap under 100 KB. ``--json OUT`` writes the rows
``{page, role, students, p50_ms, p95_ms, queries, html_bytes}``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_P95_MS = 300.0
TARGET_HEATMAP_BYTES = 100_000
# Pages held to the targets (p95 and equal query counts).
TARGETED = {"student plan", "class heatmap", "Today (class)", "school home", "district home"}

# (page, role, how to find its URL from the showcase accounts)
PAGES: tuple[tuple[str, str, str], ...] = (
    ("student plan", "student", "plan"),
    ("student home", "student", "home"),
    ("practice home", "student", "practice"),
    ("guardian home", "guardian", "home"),
    ("teacher home", "teacher", "home"),
    ("class heatmap", "teacher", "class"),
    ("Today (classes)", "teacher", "today_home"),
    ("Today (class)", "teacher", "today"),
    ("coach home", "coach", "home"),
    ("school home", "school_admin", "home"),
    ("district home", "district_admin", "home"),
)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100) by linear interpolation, as numpy's default."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


# -- the child: one district size ---------------------------------------------------------------


def _seed(students: int) -> float | None:
    """Migrate and seed the demo district unless it is there; seconds spent seeding, or None
    when an earlier run's district was reused."""
    from django.core.management import call_command

    from trellis.accounts.models import District
    from trellis.portal.demo import seed_demo_district

    call_command("migrate", interactive=False, verbosity=0)
    if District.objects.exists():
        return None
    started = time.perf_counter()
    seed_demo_district(students=students, seed=2026,
                       progress=lambda line: print(f"    {line}", file=sys.stderr, flush=True))
    return time.perf_counter() - started


def _urls() -> dict[str, tuple[Any, str]]:
    """Per URL kind, the showcase account that opens it and the URL."""
    from django.urls import reverse

    from trellis.accounts.models import Role
    from trellis.core.models import DemoAccount
    from trellis.roster.models import Enrollment

    accounts = {a.user.role: a.user for a in DemoAccount.objects.select_related("user")}
    student, teacher = accounts[Role.STUDENT], accounts[Role.TEACHER]
    shared = Enrollment.objects.filter(
        user=student, role=Enrollment.Role.STUDENT,
        klass__enrollments__user=teacher, klass__enrollments__role=Enrollment.Role.TEACHER,
    ).values_list("klass_id", flat=True).first()
    if shared is None:
        raise SystemExit("the showcase teacher does not teach the showcase student")
    return {
        "plan": (student, reverse("plan-mine")),
        "practice": (student, reverse("practice-home")),
        "class": (teacher, reverse("teach-class", args=[shared])),
        "today_home": (teacher, reverse("today-home")),
        "today": (teacher, reverse("today-class", args=[shared])),
        "home": (None, reverse("home")),
        **{f"role:{role}": (user, "") for role, user in accounts.items()},
    }


def measure(requests: int, size: int) -> list[dict[str, Any]]:
    """Each page: a warm-up, a counted request, then ``requests`` timed ones."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from trellis.accounts.models import Role, User

    urls = _urls()
    students = User.objects.filter(role=Role.STUDENT).count()
    if students != size:
        print(f"    (the database holds {students} students)", file=sys.stderr)
    rows = []
    for page, role, kind in PAGES:
        user, url = urls[kind]
        user = urls[f"role:{role}"][0] if user is None else user
        client = Client()
        client.force_login(user)
        first = client.get(url)
        if first.status_code != 200:
            raise SystemExit(f"{page} ({url}) as {user.username}: HTTP {first.status_code}")
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        queries = len(captured)  # now: the log is read lazily and a reconnection clears it
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        rows.append({
            "page": page, "role": role, "students": size,
            "p50_ms": round(percentile(times, 50), 1), "p95_ms": round(percentile(times, 95), 1),
            "queries": queries, "html_bytes": len(response.content),
        })
        print(f"    {page:18} {rows[-1]['p50_ms']:8.1f} ms p50 {rows[-1]['p95_ms']:8.1f} ms p95 "
              f"{queries:4} queries", file=sys.stderr, flush=True)
    return rows


def child(args: argparse.Namespace) -> int:
    import django

    django.setup()
    seconds = _seed(args.child)
    seeded = "reused" if seconds is None else f"seeded in {seconds:.0f} s"
    print(f"  {args.child} students: {seeded}", file=sys.stderr, flush=True)
    rows = measure(args.requests, args.child)
    Path(args.out).write_text(json.dumps({"seed_s": seconds, "rows": rows}))
    return 0


# -- the parent: every size, then the table -----------------------------------------------------


def run_size(students: int, data_dir: Path, requests: int) -> dict[str, Any]:
    folder = data_dir / f"students-{students}"
    folder.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "TRELLIS_DATA_DIR": str(folder),
        "DJANGO_SETTINGS_MODULE": "trellis.settings.dev",
        # a district's server: no debug pages, no query log kept per request
        "TRELLIS_DEBUG": "false",
        "TRELLIS_ALLOWED_HOSTS": "testserver",
    }
    env.pop("TRELLIS_DATABASE_URL", None)  # each size has its own SQLite file
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = Path(handle.name)
    try:
        subprocess.run(
            [sys.executable, __file__, "--child", str(students), "--out", str(out),
             "--requests", str(requests)],
            env=env, cwd=ROOT, check=True,
        )
        return json.loads(out.read_text())
    finally:
        out.unlink(missing_ok=True)


def table(results: dict[int, dict[str, Any]]) -> str:
    sizes = sorted(results)
    by_key = {(r["page"], s): r for s in sizes for r in results[s]["rows"]}
    head = f"{'page':18} {'role':14}" + "".join(
        f" | {f'{s} students: p50 / p95 ms':>28} {'queries':>7} {'KB':>6}" for s in sizes)
    lines = [head, "-" * len(head)]
    for page, role, _ in PAGES:
        line = f"{page:18} {role:14}"
        for s in sizes:
            r = by_key.get((page, s))
            if r is None:
                line += f" | {'—':>28} {'':>7} {'':>6}"
                continue
            line += (f" | {r['p50_ms']:>13.1f} / {r['p95_ms']:>8.1f}  "
                     f"   {r['queries']:>7} {r['html_bytes'] / 1000:>6.1f}")
        lines.append(line)
    return "\n".join(lines)


def verdicts(results: dict[int, dict[str, Any]]) -> list[str]:
    sizes = sorted(results)
    big, small = sizes[-1], sizes[0]
    rows = {(r["page"], s): r for s in sizes for r in results[s]["rows"]}
    lines = []
    for page, _role, _ in PAGES:
        if page not in TARGETED or (page, big) not in rows:
            continue
        r = rows[(page, big)]
        ok = r["p95_ms"] < TARGET_P95_MS
        line = (f"{page:18} p95 {r['p95_ms']:.0f} ms at {big} students "
                f"(< {TARGET_P95_MS:.0f}: {'met' if ok else 'NOT met'})")
        if small != big and (page, small) in rows:
            same = rows[(page, small)]["queries"] == r["queries"]
            line += (f"; queries {rows[(page, small)]['queries']} → {r['queries']} "
                     f"({'same' if same else 'NOT the same'})")
        if page == "class heatmap":
            small_enough = r["html_bytes"] < TARGET_HEATMAP_BYTES
            line += (f"; HTML {r['html_bytes'] / 1000:.0f} KB "
                     f"(< 100 KB: {'met' if small_enough else 'NOT met'})")
        lines.append(line)
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", default="400,2000",
                        help="district sizes, comma-separated (default 400,2000)")
    parser.add_argument("--quick", action="store_true", help="5 timed requests per page")
    parser.add_argument("--requests", type=int, default=None,
                        help="timed requests per page (default 20, 5 with --quick)")
    parser.add_argument("--data-dir", type=Path,
                        default=Path(tempfile.gettempdir()) / "trellis-bench-pages",
                        help="where each size's database is kept and reused")
    parser.add_argument("--json", type=Path, help="write the rows as JSON here")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.requests = args.requests or (5 if args.quick else 20)
    if args.child:
        return child(args)

    sizes = sorted({int(s) for s in args.students.split(",") if s.strip()})
    print(f"Daily pages, {args.requests} requests each, databases under {args.data_dir}",
          file=sys.stderr)
    results = {}
    for students in sizes:
        results[students] = run_size(students, args.data_dir, args.requests)
    print()
    for students in sizes:
        seed_s = results[students]["seed_s"]
        print(f"{students} students: " + ("database reused" if seed_s is None
                                          else f"seeded in {seed_s:.0f} s"))
    print()
    print(table(results))
    print()
    print("Targets (issue 14 item 9):")
    for line in verdicts(results):
        print(f"  {line}")
    if args.json:
        rows = [r for s in sizes for r in results[s]["rows"]]
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
        print(f"\nwrote {len(rows)} rows to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
