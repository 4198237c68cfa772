"""Benchmark: ``/healthz`` under Django's development server and under gunicorn.

Run:  .venv/bin/python bench/healthz.py [--requests 400] [--concurrency 8] [--json OUT]

Starts ``trellis serve --dev`` (Django's development server) and then ``trellis serve``
(gunicorn, workers sized to the machine unless ``--workers``) on a free port of 127.0.0.1,
each with the development settings as a district sees them (``TRELLIS_DEBUG=false``) and a
fresh data folder, and sends them the same requests: ``--requests`` one after the other (a new
connection each, as a health check does), ``--requests`` on one kept-alive connection (as a
browser sends them), then ``--requests`` from ``--concurrency`` clients at once (a new
connection each). Prints p50/p95 latency (ms) of each pass and the concurrent pass's requests
per second.
Bounded: a start-up timeout, a timeout per request, and the servers are always stopped.
Nothing but 127.0.0.1 is contacted. ``/healthz`` does no database work: the figures are the
server's own cost per request.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
STARTUP_TIMEOUT_S = 120
REQUEST_TIMEOUT_S = 10


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def one_request(port: int) -> float:
    """Milliseconds for GET /healthz on a new connection (raises on anything but 200)."""
    start = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S)
    try:
        connection.request("GET", "/healthz")
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    if response.status != 200:
        raise RuntimeError(f"/healthz answered {response.status}")
    return (time.perf_counter() - start) * 1000


def kept_alive(port: int, requests: int) -> list[float]:
    """Milliseconds for each of ``requests`` GET /healthz on one kept-alive connection, as a
    browser sends them (the server may close it: then a new one is opened)."""
    times = []
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S)
    try:
        for _ in range(requests):
            start = time.perf_counter()
            connection.request("GET", "/healthz")
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"/healthz answered {response.status}")
            times.append((time.perf_counter() - start) * 1000)
            if response.will_close:
                connection.close()
                connection = http.client.HTTPConnection(
                    "127.0.0.1", port, timeout=REQUEST_TIMEOUT_S)
    finally:
        connection.close()
    return times


@contextlib.contextmanager
def server(extra: list[str], data_dir: Path) -> Iterator[int]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRELLIS_", "DJANGO_"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "trellis.settings.dev",
        "TRELLIS_DEBUG": "false",
        "TRELLIS_DATA_DIR": str(data_dir),
        "TRELLIS_LOG_LEVEL": "WARNING",
    })
    log = (data_dir / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "trellis.cli", "serve", "--address", f"127.0.0.1:{port}",
         *extra],
        env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited: see {data_dir / 'server.log'}")
            try:
                one_request(port)
                break
            except (OSError, RuntimeError, http.client.HTTPException):
                if time.monotonic() > deadline:
                    raise RuntimeError("the server did not answer in time") from None
                time.sleep(0.3)
        yield port
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
        log.close()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(port: int, requests: int, concurrency: int) -> dict[str, Any]:
    for _ in range(20):  # warm up: every worker has imported what the view needs
        one_request(port)
    sequential = [one_request(port) for _ in range(requests)]
    alive = kept_alive(port, requests)
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        concurrent = list(pool.map(lambda _i: one_request(port), range(requests)))
    elapsed = time.perf_counter() - start
    return {
        "sequential_p50_ms": round(statistics.median(sequential), 2),
        "sequential_p95_ms": round(percentile(sequential, 0.95), 2),
        "keepalive_p50_ms": round(statistics.median(alive), 2),
        "keepalive_p95_ms": round(percentile(alive, 0.95), 2),
        "concurrent_p50_ms": round(statistics.median(concurrent), 2),
        "concurrent_p95_ms": round(percentile(concurrent, 0.95), 2),
        "concurrent_per_s": round(requests / elapsed, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=400, help="requests per pass")
    parser.add_argument("--concurrency", type=int, default=8, help="clients of the 2nd pass")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = parser.parse_args()
    gunicorn = ["--workers", str(args.workers)] if args.workers else []
    results: dict[str, dict[str, Any]] = {}
    for name, extra in [("dev server", ["--dev"]), ("gunicorn", gunicorn)]:
        with tempfile.TemporaryDirectory() as folder, server(extra, Path(folder)) as port:
            results[name] = measure(port, args.requests, args.concurrency)
    print(f"/healthz, {args.requests} requests per pass, {os.cpu_count()} CPUs")
    print(f"{'server':12} {'one at a time p50 / p95 ms':>28} {'kept alive p50 / p95 ms':>26} "
          f"{f'{args.concurrency} at once p50 / p95 ms':>26} {'req/s':>8}")
    for name, r in results.items():
        print(f"{name:12} {r['sequential_p50_ms']:>15.1f} / {r['sequential_p95_ms']:>8.1f}   "
              f"{r['keepalive_p50_ms']:>13.1f} / {r['keepalive_p95_ms']:>8.1f}   "
              f"{r['concurrent_p50_ms']:>13.1f} / {r['concurrent_p95_ms']:>8.1f} "
              f"{r['concurrent_per_s']:>8.1f}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
