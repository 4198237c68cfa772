"""The production configuration, from the repository, as an operator runs it (issue #19).

``trellis manage collectstatic`` under ``trellis.settings.prod`` into a fresh data folder, a
fresh SQLite database migrated, a teacher created, then ``trellis serve`` (gunicorn) on a free
port of 127.0.0.1; the test plays the reverse proxy (``X-Forwarded-Proto: https`` and
``X-Forwarded-For``), signs in through the login form and fetches a static file. Bounded: the
server gets :data:`STARTUP_TIMEOUT_S` to answer ``/healthz`` and is always stopped. No timing
assertions.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest

pytestmark = pytest.mark.production

STARTUP_TIMEOUT_S = 120
COMMAND_TIMEOUT_S = 300
PASSWORD = "a-long-production-password"  # a throwaway account of a temporary database

SETUP = f"""
import django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from trellis.accounts.actions import do_create_district, do_create_school, do_create_user
district = do_create_district("Production Test District", "dist-prod")
school = do_create_school(district, "Production Test School", "sch-prod")
do_create_user(district, "teacher.prod", "teacher", first_name="Ada", last_name="Okafor",
               school=school, password={PASSWORD!r})
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _environment(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRELLIS_", "DJANGO_"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "trellis.settings.prod",
        "TRELLIS_SECRET_KEY": secrets.token_urlsafe(50),
        "TRELLIS_ALLOWED_HOSTS": "127.0.0.1",
        "TRELLIS_DATA_DIR": str(data_dir),  # STATIC_ROOT is its static/ folder
        "TRELLIS_DATABASE_URL": f"sqlite:///{data_dir / 'trellis.sqlite3'}",
        "TRELLIS_LOG_LEVEL": "WARNING",
    })
    return env


def _run(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(  # noqa: S603 - our own interpreter and command
        [sys.executable, *args], env=env, capture_output=True, text=True,
        timeout=COMMAND_TIMEOUT_S, check=False,
    )
    assert result.returncode == 0, f"{args[:4]} exited {result.returncode}:\n" + (
        result.stdout + result.stderr)[-4000:]


class Proxy:
    """Requests to the server as a TLS-terminating reverse proxy forwards them, keeping the
    browser's cookies (they are ``Secure``, so the standard library's cookie jar would not send
    them over the plain HTTP between proxy and server)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.origin = f"https://127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, *, form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None, timeout: float = 30,
    ) -> tuple[int, http.client.HTTPMessage, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        sent = {
            "Host": f"127.0.0.1:{self.port}",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": "127.0.0.1",
            **(headers or {}),
        }
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Origin"] = self.origin  # a browser's POST says where it comes from
            sent["Referer"] = f"{self.origin}{path}"
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, response.headers, content


@contextlib.contextmanager
def _server(env: dict[str, str], port: int, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and command
            [sys.executable, "-m", "trellis.cli", "serve", "--address", f"127.0.0.1:{port}",
             "--workers", "2", "--threads", "2"],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        yield process
    finally:  # the server and its workers are alone in their process group
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


def _wait_for_health(proxy: Proxy, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"trellis serve exited {process.returncode}:\n{log.read_text()[-4000:]}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            status, _headers, body = proxy.request("GET", "/healthz", timeout=5)
            if status == 200:
                assert b'"ok"' in body
                return
        time.sleep(0.5)
    pytest.fail(f"no answer on /healthz in {STARTUP_TIMEOUT_S} s:\n{log.read_text()[-4000:]}")


def test_production_server_serves_sign_in_and_static_files(tmp_path: Path) -> None:
    env = _environment(tmp_path)
    _run(["-m", "trellis.cli", "manage", "collectstatic", "--no-input"], env)
    assert (tmp_path / "static" / "staticfiles.json").is_file()
    fonts = tmp_path / "static" / "vendor" / "katex" / "fonts"
    assert {".woff2", ".woff", ".ttf"} <= {p.suffix for p in fonts.iterdir()}  # KaTeX's
    _run(["-c", SETUP], env)

    port = _free_port()
    log = tmp_path / "server.log"
    proxy = Proxy(port)
    with _server(env, port, log) as process:
        _wait_for_health(proxy, process, log)
        # the health check answers without the proxy's headers too (a load balancer's probe)
        plain = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            plain.request("GET", "/healthz")
            assert plain.getresponse().status == 200
        finally:
            plain.close()

        status, headers, _body = proxy.request("GET", "/accounts/login/")
        assert status == 200, _body[:2000]
        assert "gunicorn" in (headers.get("Server") or "")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', _body)
        assert token is not None and "csrftoken" in proxy.cookies

        status, headers, _body = proxy.request("POST", "/accounts/login/", form={
            "csrfmiddlewaretoken": token.group(1).decode(),
            "username": "teacher.prod", "password": PASSWORD, "next": "",
        })
        assert status == 302, _body[:2000]
        assert "sessionid" in proxy.cookies
        home = urlsplit(headers["Location"]).path or "/"
        status, headers, page = proxy.request("GET", home)
        assert status == 200, page[:2000]
        assert b"Ada Okafor" in page

        # a collected static file: hashed name, compressed, cached for good
        stylesheet = re.search(rb'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', page)
        assert stylesheet is not None, page[:2000]
        status, headers, css = proxy.request(
            "GET", stylesheet.group(1).decode(), headers={"Accept-Encoding": "gzip"})
        assert status == 200
        assert headers.get("Content-Encoding") == "gzip"
        cache = headers.get("Cache-Control") or ""
        assert "immutable" in cache and "max-age=" in cache, cache
        max_age = re.search(r"max-age=(\d+)", cache)
        assert max_age is not None and int(max_age.group(1)) >= 365 * 24 * 3600
        assert css
    assert process.returncode is not None


# -- the pieces of `trellis serve`, without a server -------------------------------------------


def test_workers_are_sized_to_the_machine_unless_told(monkeypatch: pytest.MonkeyPatch) -> None:
    import argparse

    from trellis.commands import web

    assert [web.default_workers(n) for n in (1, 2, 3, 16, 64)] == [3, 5, 7, 8, 8]
    monkeypatch.setattr(web, "cores", lambda: 2)
    monkeypatch.delenv("TRELLIS_WEB_WORKERS", raising=False)
    monkeypatch.delenv("TRELLIS_WEB_THREADS", raising=False)
    args = argparse.Namespace(workers=None, threads=None)
    assert web.workers_and_threads(args) == (5, web.DEFAULT_THREADS)
    monkeypatch.setenv("TRELLIS_WEB_WORKERS", "3")
    monkeypatch.setenv("TRELLIS_WEB_THREADS", "8")
    assert web.workers_and_threads(args) == (3, 8)
    assert web.workers_and_threads(argparse.Namespace(workers=12, threads=1)) == (12, 1)
    with pytest.raises(ValueError, match="--workers must be at least 1"):
        web.workers_and_threads(argparse.Namespace(workers=0, threads=None))
    monkeypatch.setenv("TRELLIS_WEB_THREADS", "many")
    with pytest.raises(ValueError, match="TRELLIS_WEB_THREADS='many' is not a whole number"):
        web.workers_and_threads(args)


def test_gunicorn_takes_the_options_and_never_recycles_workers() -> None:
    from gunicorn.config import Config

    from trellis.commands import web

    options = web.gunicorn_options("127.0.0.1:8000", 5, 4)
    config = Config()
    for key, value in options.items():  # an unknown or invalid setting raises here
        config.set(key, value)
    assert config.worker_class_str == "gthread" and config.threads == 4
    assert config.workers == 5 and config.max_requests == 0  # a job's thread is never killed
    assert config.control_socket_disable


def test_static_files_are_collected_when_missing_or_older_than_their_sources(
    tmp_path: Path, settings: Any,
) -> None:
    import json

    from trellis.commands import web

    source = tmp_path / "src" / "app"
    source.mkdir(parents=True)
    (source / "site.css").write_text("body { background: url(logo.svg); }\n")
    (source / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>\n")
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATICFILES_DIRS = [tmp_path / "src"]
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    assert web.uses_manifest_storage()
    assert web.static_files_stale() == "no static files collected yet"
    web.collect_static_if_needed()
    assert web.static_files_stale() is None
    manifest = tmp_path / "static" / "staticfiles.json"
    assert {"app/site.css", "app/logo.svg"} <= set(json.loads(manifest.read_text())["paths"])

    os.utime(manifest, (1_000_000_000, 1_000_000_000))  # the sources are newer
    assert web.static_files_stale() in {"app/site.css changed", "app/logo.svg changed"}
    web.collect_static_if_needed()
    assert web.static_files_stale() is None
    (source / "new.js").write_text("// new\n")
    assert web.static_files_stale() == "app/new.js is new"


def test_an_installed_wheel_carries_every_static_file() -> None:
    """``pip install .`` (not editable) ships only the files package-data names: a static file
    left out would be missing from ``collectstatic`` there, as KaTeX's fonts were."""
    import fnmatch
    import tomllib

    root = Path(__file__).resolve().parents[1]
    with (root / "pyproject.toml").open("rb") as handle:
        patterns = tomllib.load(handle)["tool"]["setuptools"]["package-data"]["*"]
    left_out = [
        str(path.relative_to(root))
        for path in (root / "trellis").rglob("*")
        if path.is_file() and "static" in path.relative_to(root).parts
        and path.suffix != ".md"  # notes for developers (vendor/README.md)
        and not any(fnmatch.fnmatch(path.name, pattern) for pattern in patterns)
    ]
    assert not left_out, f"add their patterns to [tool.setuptools.package-data]: {left_out}"
