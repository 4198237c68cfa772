"""The web server behind ``trellis serve`` and ``trellis demo``.

By default Trellis is served by **gunicorn** (a production WSGI server, in the dependencies):
one master process and ``--workers`` worker processes of ``--threads`` threads each (gunicorn's
``gthread`` worker). Why gunicorn, and why these choices, is in docs/operations.md ("The
application server"); in short:

- Workers: ``--workers``, else ``TRELLIS_WEB_WORKERS``, else ``2 × cores + 1``, at most
  :data:`MAX_DEFAULT_WORKERS` (each worker holds its own copy of Trellis, about 250 MB once
  every page has been served).
- Threads: ``--threads``, else ``TRELLIS_WEB_THREADS``, else :data:`DEFAULT_THREADS`. Threads
  matter for two reasons: a slow request (an export, a large upload) does not hold a whole
  process, and gunicorn's heartbeat runs in the worker's main thread, so a long request or a
  background job running in a thread of the worker (:mod:`trellis.core.jobs`) never makes
  gunicorn think the worker hung and kill it.
- No ``max_requests``: gunicorn would recycle a worker after that many requests, killing any
  background job running in one of its threads.
- No gunicorn control socket (a gunicorn 25+ feature, by default one per user in the home
  folder, which two servers of one user would share).

``--dev`` runs Django's development server instead (one process, reloads on code changes).

Either way, when the settings use whitenoise's manifest storage (production, the demo), the
static files are collected first if they are missing or older than their sources.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

DEFAULT_ADDRESS = "127.0.0.1:8000"
MAX_DEFAULT_WORKERS = 8
DEFAULT_THREADS = 4
# collectstatic's own default: files it never collects
_IGNORE_PATTERNS = ["CVS", ".*", "*~"]


def add_server_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--address", default=DEFAULT_ADDRESS, help="host:port to serve on")
    parser.add_argument(
        "--dev", action="store_true",
        help="Django's development server (one process, reloads when the code changes) "
             "instead of gunicorn",
    )
    parser.add_argument(
        "--workers", type=int, default=None, metavar="N",
        help="gunicorn worker processes (default: $TRELLIS_WEB_WORKERS, else 2 × cores + 1, "
             f"at most {MAX_DEFAULT_WORKERS})",
    )
    parser.add_argument(
        "--threads", type=int, default=None, metavar="N",
        help="threads per worker (default: $TRELLIS_WEB_THREADS, else "
             f"{DEFAULT_THREADS})",
    )


def cores() -> int:
    """The CPU cores this process may run on (a container's or a cgroup's limit included
    when the kernel reports it through the affinity mask)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def default_workers(ncores: int) -> int:
    return max(1, min(2 * ncores + 1, MAX_DEFAULT_WORKERS))


def _count(value: int | None, variable: str, default: int, option: str) -> int:
    """``value`` (the command-line option), else the environment ``variable``, else
    ``default``; raises :class:`ValueError` with a message for people when it is not ≥ 1."""
    source = option
    if value is None:
        raw = os.environ.get(variable, "").strip()
        if not raw:
            return default
        source = variable
        try:
            value = int(raw)
        except ValueError:
            raise ValueError(f"{variable}={raw!r} is not a whole number") from None
    if value < 1:
        raise ValueError(f"{source} must be at least 1 (got {value})")
    return value


def workers_and_threads(args: argparse.Namespace) -> tuple[int, int]:
    # TRELLIS_WEB_WORKERS: gunicorn worker processes (default 2 × cores + 1, at most 8).
    workers = _count(getattr(args, "workers", None), "TRELLIS_WEB_WORKERS",
                     default_workers(cores()), "--workers")
    # TRELLIS_WEB_THREADS: threads per gunicorn worker (default 4).
    threads = _count(getattr(args, "threads", None), "TRELLIS_WEB_THREADS",
                     DEFAULT_THREADS, "--threads")
    return workers, threads


# -- static files --------------------------------------------------------------------------------


def uses_manifest_storage() -> bool:
    from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage

    return isinstance(staticfiles_storage, ManifestFilesMixin)


def static_files_stale() -> str | None:
    """Why the collected static files must be collected again (``None`` when they are
    current): no manifest yet, a source file the manifest does not know, or a source file
    changed after the manifest was written. Cheap (a ``stat`` per file, no hashing)."""
    from django.conf import settings
    from django.contrib.staticfiles import finders
    from django.contrib.staticfiles.storage import staticfiles_storage

    name = getattr(staticfiles_storage, "manifest_name", "staticfiles.json")
    manifest = Path(settings.STATIC_ROOT) / name
    try:
        written = manifest.stat().st_mtime
        known = json.loads(manifest.read_text(encoding="utf-8")).get("paths", {})
    except (OSError, ValueError, AttributeError):
        return "no static files collected yet"
    for finder in finders.get_finders():
        for path, storage in finder.list(_IGNORE_PATTERNS):
            prefix = getattr(storage, "prefix", None)
            name = (os.path.join(prefix, path) if prefix else path).replace(os.sep, "/")
            if name not in known:
                return f"{name} is new"
            try:
                if os.path.getmtime(storage.path(path)) > written:
                    return f"{name} changed"
            except (OSError, NotImplementedError):
                return f"{name} cannot be checked"
    return None


def collect_static_if_needed() -> None:
    """Run ``collectstatic`` when the settings serve collected, hashed files and those are
    missing or stale (:func:`static_files_stale`); otherwise do nothing."""
    if not uses_manifest_storage():
        return  # development: whitenoise serves the sources
    reason = static_files_stale()
    if reason is None:
        return
    from django.conf import settings
    from django.core.management import call_command

    print(f"Collecting static files into {settings.STATIC_ROOT} ({reason})…", flush=True)
    call_command("collectstatic", interactive=False, verbosity=0)


# -- the servers ---------------------------------------------------------------------------------


def gunicorn_options(address: str, workers: int, threads: int) -> dict[str, Any]:
    """gunicorn's settings for Trellis (the module docstring says why)."""
    return {
        "bind": [address],
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "max_requests": 0,  # never recycle a worker: it may be running a background job
        "timeout": 60,  # seconds a worker's main thread may go silent before it is restarted
        "graceful_timeout": 30,  # on stop or reload, in-flight requests get this long
        "control_socket_disable": True,
        "proc_name": "trellis",
        "accesslog": None,  # the reverse proxy logs requests; TRELLIS_LOG_LEVEL for Trellis
        "errorlog": "-",
    }


def run_gunicorn(options: dict[str, Any]) -> int:
    from django.db import connections
    from gunicorn.app.base import BaseApplication

    class TrellisServer(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            from trellis.wsgi import application

            return application

    # The workers are forked from this process: they must not share its database connection.
    connections.close_all()
    TrellisServer().run()  # returns when gunicorn stops (Ctrl+C, SIGTERM)
    return 0


def serve(args: argparse.Namespace) -> int:
    """Serve Trellis (Django is set up): collect static files if needed, then gunicorn, or
    Django's development server with ``--dev``."""
    from django.core.management import call_command
    from django.core.management.base import CommandError

    try:
        workers, threads = workers_and_threads(args)
        collect_static_if_needed()
    except (ValueError, CommandError) as exc:
        print(f"trellis serve: {exc}", file=sys.stderr)
        return 2
    if args.dev:
        print(f"Trellis (development server) is running at http://{args.address}/  "
              "(Ctrl+C stops it)", flush=True)
        # With collected, hashed static files whitenoise serves them; otherwise runserver
        # serves the sources even with DEBUG off.
        call_command("runserver", args.address, use_reloader=True,
                     insecure_serving=not uses_manifest_storage())
        return 0
    print(f"Trellis is running at http://{args.address}/  (gunicorn, {workers} workers × "
          f"{threads} threads; Ctrl+C stops it)", flush=True)
    return run_gunicorn(gunicorn_options(args.address, workers, threads))
