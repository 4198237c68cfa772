"""Production settings pass Django's deployment checks (``check --deploy``) with no warning,
and send the Content-Security-Policy."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path


def test_check_deploy_is_clean_under_production_settings(tmp_path: Path) -> None:
    env = {
        key: value for key, value in os.environ.items()
        if not key.startswith(("TRELLIS_", "DJANGO_"))
    }
    env.update({
        "DJANGO_SETTINGS_MODULE": "trellis.settings.prod",
        "TRELLIS_SECRET_KEY": secrets.token_urlsafe(50),
        "TRELLIS_ALLOWED_HOSTS": "trellis.example-district.org",
        "TRELLIS_DATA_DIR": str(tmp_path),
    })
    result = subprocess.run(
        [sys.executable, "-m", "trellis.cli", "manage", "check", "--deploy",
         "--fail-level", "WARNING"],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output, output


def test_production_sends_the_content_security_policy(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("TRELLIS_")}
    env.update({
        "DJANGO_SETTINGS_MODULE": "trellis.settings.prod",
        "TRELLIS_SECRET_KEY": secrets.token_urlsafe(50),
        "TRELLIS_ALLOWED_HOSTS": "testserver",
        "TRELLIS_DATA_DIR": str(tmp_path),
        "TRELLIS_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    })
    script = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from django.test import Client\n"
        "assert 'csp.middleware.CSPMiddleware' in settings.MIDDLEWARE\n"
        "r = Client().get('/healthz', secure=True)\n"
        "print(r.status_code)\n"
        "print(r.headers['Content-Security-Policy'])\n"
    )
    result = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    status, policy = result.stdout.strip().splitlines()[-2:]
    directives = dict(
        [*part.split(" ", 1), ""][:2] for part in (p.strip() for p in policy.split(";")) if part
    )
    assert status == "200"
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
