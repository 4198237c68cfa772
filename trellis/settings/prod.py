"""Production settings: DEBUG off, secrets required, secure cookies, HSTS, security headers.

Run behind a TLS-terminating proxy that sets ``X-Forwarded-Proto``.
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import SECRET_KEY, env_bool

DEBUG = False
DEMO_MODE = env_bool("TRELLIS_DEMO", False)
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "Set TRELLIS_SECRET_KEY to a long random string (for example the output of "
        "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`)."
    )
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = env_bool("TRELLIS_SSL_REDIRECT", True)
# The health check answers over plain HTTP too: a load balancer or systemd asks the app server
# directly, without the proxy's X-Forwarded-Proto (it says only {"status": "ok"}).
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# TRELLIS_PROXY_COUNT (see base.py) defaults to 1 here: production runs behind one proxy that
# terminates TLS and appends the client's address to X-Forwarded-For.
PROXY_COUNT = int(os.environ.get("TRELLIS_PROXY_COUNT", "1"))
# TRELLIS_HSTS_SECONDS: how long browsers must use HTTPS only (default one year).
SECURE_HSTS_SECONDS = int(os.environ.get("TRELLIS_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# TRELLIS_CSRF_TRUSTED_ORIGINS: comma-separated https origins allowed to post forms.
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("TRELLIS_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
