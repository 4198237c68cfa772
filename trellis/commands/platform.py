"""Platform commands: ``trellis demo``, ``trellis seed-demo``, ``trellis serve`` and
``trellis manage ...`` (any Django management command)."""

from __future__ import annotations

import argparse
import os
import sys

from trellis.commands import django_setup
from trellis.commands.web import add_server_options, serve


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    demo = subparsers.add_parser(
        "demo",
        help="migrate, seed the demo district if the database is empty, and serve it",
        description="Run the fictional demo district: migrate the database, seed it when it "
        "is empty (a second run reuses the data), then serve on 127.0.0.1:8000 with the "
        "production server (gunicorn), as `trellis serve` does.",
    )
    add_server_options(demo)
    demo.add_argument("--no-serve", action="store_true", help="prepare the data and stop")
    demo.set_defaults(func=cmd_demo)

    seed = subparsers.add_parser(
        "seed-demo",
        help="create the reproducible fictional demo district",
        description="Generate a fictional district (schools, teachers, students with guardians, "
        "math classes) as OneRoster 1.2 CSV and load it through the roster importer.",
    )
    seed.add_argument("--students", type=int, default=400, help="number of students (≥ 20)")
    seed.add_argument(
        "--seed", type=int, default=2026, help="random seed (same seed, same district)"
    )
    seed.set_defaults(func=cmd_seed_demo)

    serve = subparsers.add_parser(
        "serve", help="serve Trellis over HTTP",
        description="Serve Trellis with gunicorn, workers sized to the machine "
        "(docs/operations.md), or with Django's development server (--dev). Static files are "
        "collected first when the settings serve collected files and those are out of date.",
    )
    add_server_options(serve)
    serve.set_defaults(func=cmd_serve)

    manage = subparsers.add_parser(
        "manage", help="run a Django management command (migrate, createsuperuser, ...)",
        add_help=False,
    )
    manage.set_defaults(func=lambda args: run_manage([]))


def run_manage(argv: list[str]) -> int:
    django_setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["trellis manage", *argv])
    return 0


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _ensure_data_dir() -> None:
    from django.conf import settings

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    # whitenoise looks here at start-up (collectstatic fills it in production)
    settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)


def cmd_seed_demo(args: argparse.Namespace) -> int:
    django_setup()
    _ensure_data_dir()
    _migrate()
    from trellis.portal.demo import DemoError, seed_demo_district

    try:
        summary = seed_demo_district(students=args.students, seed=args.seed, progress=print)
    except DemoError as exc:
        print(f"trellis seed-demo: {exc}", file=sys.stderr)
        return 2
    print(summary)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    os.environ.setdefault("TRELLIS_DEMO", "true")
    # People trying the demo should see the pages a district sees, not debug screens.
    os.environ.setdefault("TRELLIS_DEBUG", "false")
    django_setup("trellis.settings.demo")
    _ensure_data_dir()
    print("Preparing the database…", flush=True)
    _migrate()
    from trellis.accounts.models import District
    from trellis.portal.demo import seed_demo_district

    if District.objects.exists():
        print("The database already holds a district: reusing it.")
    else:
        print(seed_demo_district(students=400, seed=2026, progress=print))
    if args.no_serve:
        return 0
    # Serve from a fresh process (the same settings, through the environment): the server's
    # workers are forked from it, and should not inherit the seeding's memory.
    from django.db import connections

    connections.close_all()
    argv = [sys.executable, "-m", "trellis.cli", "serve", "--address", args.address]
    argv += ["--dev"] if args.dev else []
    argv += ["--workers", str(args.workers)] if args.workers is not None else []
    argv += ["--threads", str(args.threads)] if args.threads is not None else []
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, argv)  # noqa: S606 - our own command, no shell
    return 0  # not reached


def cmd_serve(args: argparse.Namespace) -> int:
    django_setup()
    _ensure_data_dir()
    return serve(args)
