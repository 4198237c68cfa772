"""Shared settings. Each ``TRELLIS_*`` environment variable is documented where it is read."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent  # the trellis package
PROJECT_DIR = BASE_DIR.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# TRELLIS_DATA_DIR: where the embedded database and uploaded files live (default ./var).
DATA_DIR = Path(os.environ.get("TRELLIS_DATA_DIR", PROJECT_DIR / "var")).resolve()

# TRELLIS_SHARED_DIR: the folder of public data the demo loads (the Common Core map, the OATutor
# item bank): default the ``shared`` folder beside the repository.
SHARED_DIR = Path(os.environ.get("TRELLIS_SHARED_DIR") or PROJECT_DIR.parent / "shared").resolve()

# TRELLIS_SCHEDULE_TIME_LIMIT: seconds the weekly-schedule solver may search (default 10).
SCHEDULE_TIME_LIMIT_S = float(os.environ.get("TRELLIS_SCHEDULE_TIME_LIMIT", "10"))

# TRELLIS_DATABASE_URL: the database, as a URL. Default: the embedded SQLite file
# $TRELLIS_DATA_DIR/trellis.sqlite3. PostgreSQL: postgres://user:password@host:5432/name.
# SQLite elsewhere: sqlite:////absolute/path/db.sqlite3.
DATABASE_URL = os.environ.get("TRELLIS_DATABASE_URL") or f"sqlite:///{DATA_DIR / 'trellis.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and one writer work at once; a busy timeout instead of "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

# TRELLIS_SECRET_KEY: signs sessions and CSRF tokens. Required in production; dev and test
# settings use a fixed, clearly-unsafe key of their own.
SECRET_KEY = os.environ.get("TRELLIS_SECRET_KEY", "")

# TRELLIS_ALLOWED_HOSTS: comma-separated host names this server answers to.
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("TRELLIS_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]

# TRELLIS_DEMO: "true" shows the demo accounts and their password on the login page. Never on
# for a real district.
DEMO_MODE = env_bool("TRELLIS_DEMO", False)
DEMO_PASSWORD = "trellis-demo"  # noqa: S105 - the published password of the fictional demo accounts

# TRELLIS_TIME_ZONE: the district's time zone for dates shown to people (storage is UTC).
TIME_ZONE = os.environ.get("TRELLIS_TIME_ZONE", "America/New_York")
USE_TZ = True
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
USE_I18N = True
# TRELLIS_ACCESSIBILITY_CONTACT: where people report an accessibility barrier (an e-mail address
# or a web address), shown on the accessibility statement page (/accessibility/).
ACCESSIBILITY_CONTACT = os.environ.get("TRELLIS_ACCESSIBILITY_CONTACT", "")

DEBUG = False

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # serves the API docs' Swagger UI from our own static files (no CDN; CSP)
    "axes",  # sign-in throttling and lockout (trellis/accounts/lockout.py)
    "trellis.core",
    "trellis.accounts",
    "trellis.roster",
    "trellis.audit",
    "trellis.frameworks",
    "trellis.content",
    "trellis.learning",
    "trellis.plans",
    "trellis.instruction",
    "trellis.diagnostics",
    "trellis.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "trellis.accounts.middleware.IdleSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "trellis.core.middleware.NotFoundMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: turns a lockout into its page
]

ROOT_URLCONF = "trellis.urls"
WSGI_APPLICATION = "trellis.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "trellis.portal.context_processors.trellis",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- Sessions on shared devices ----------------------------------------------------------------
# TRELLIS_SESSION_IDLE_MINUTES: a signed-in session ends after this many minutes without a
# request (default 120), and when the browser closes (the cookie has no expiry date): classroom
# Chromebooks and lab computers are shared. Each request moves the end forward, at most once a
# minute (trellis/accounts/middleware.py).
SESSION_IDLE_MINUTES = int(os.environ.get("TRELLIS_SESSION_IDLE_MINUTES", "120"))
SESSION_COOKIE_AGE = max(SESSION_IDLE_MINUTES, 1) * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- Signing in: throttling and lockout (django-axes; trellis/accounts/lockout.py) -----------
# TRELLIS_LOGIN_FAILURES: failed sign-ins for one username after which the account is locked
# (default 10; 0 turns lockout off). The person sees how long the lock lasts; a district
# administrator can unlock them sooner (Locked accounts, from the district home page).
LOGIN_FAILURE_LIMIT = int(os.environ.get("TRELLIS_LOGIN_FAILURES", "10"))
# TRELLIS_LOGIN_ADDRESS_FAILURES: failed sign-ins from one network address, whatever the
# usernames, after which that address is locked too (default 100; 0: no per-address lock). It is
# higher than the per-account limit because a whole school often reaches the internet through
# one address.
LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("TRELLIS_LOGIN_ADDRESS_FAILURES", "100"))
# TRELLIS_LOGIN_COOLOFF_MINUTES: a lock ends by itself this many minutes after the last
# failed sign-in that counted towards it (default 30).
LOGIN_COOLOFF_MINUTES = int(os.environ.get("TRELLIS_LOGIN_COOLOFF_MINUTES", "30"))
# TRELLIS_PROXY_COUNT: how many reverse proxies in front of Trellis add the client's address to
# X-Forwarded-For (default 0: the address of the connection itself; production: 1). The
# per-address lock counts by the address this finds; too high a number lets a client choose it.
PROXY_COUNT = int(os.environ.get("TRELLIS_PROXY_COUNT", "0"))

AUTHENTICATION_BACKENDS = [
    "trellis.accounts.lockout.LockoutBackend",  # refuses locked accounts and addresses first
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = True
AXES_HANDLER = "trellis.accounts.lockout.LockoutHandler"
AXES_FAILURE_LIMIT = max(LOGIN_FAILURE_LIMIT, 1)
AXES_LOCK_OUT_AT_FAILURE = LOGIN_FAILURE_LIMIT > 0
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own limit (lockout.py)
AXES_COOLOFF_TIME = timedelta(minutes=max(LOGIN_COOLOFF_MINUTES, 1))
AXES_RESET_ON_SUCCESS = True  # a right password clears that account's failures
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # retrying while locked does not extend it
AXES_LOCKOUT_CALLABLE = "trellis.accounts.views_lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "trellis.accounts.lockout.client_ip"
AXES_VERBOSE = False  # no start-up banner in every `trellis` command's output

# --- Content-Security-Policy (django-csp) -------------------------------------------------------
# Scripts, styles, fonts and images come from Trellis itself (htmx, KaTeX and the API docs are
# served locally); no inline script anywhere. Style *attributes* stay allowed: KaTeX and the
# mastery bars size elements with them (they cannot run script); <style> blocks do not.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# --- Files brought in by imports: hostile-file limits (trellis/engine/limits.py) ---------------
# Every import (roster zip, CASE package, QTI package; page, job or command) refuses a file over
# one of these limits before any work, with an error that names the file and the variable. The
# defaults are in trellis/engine/limits.py (ImportLimits); set a variable to override one:
# TRELLIS_IMPORT_MAX_UPLOAD_BYTES: one uploaded file as sent, compressed (default 100 MB).
# TRELLIS_IMPORT_MAX_BYTES: everything one import reads, uncompressed (default 512 MB).
# TRELLIS_IMPORT_MAX_DOCUMENT_BYTES: one JSON or XML document — a CASE package (after gunzip),
#   a QTI item (default 50 MB).
# TRELLIS_IMPORT_MAX_ENTRIES: files in a zip (default 10,000).
# TRELLIS_IMPORT_MAX_LINE_BYTES: one line of a CSV file (default 1 MB).
# TRELLIS_IMPORT_MAX_ROWS: lines of one CSV file (default 3,000,000).
# TRELLIS_IMPORT_MAX_JSON_DEPTH: nesting of JSON arrays and objects (default 64).
IMPORT_LIMITS = {
    name: int(os.environ[name])
    for name in (
        "TRELLIS_IMPORT_MAX_UPLOAD_BYTES",
        "TRELLIS_IMPORT_MAX_BYTES",
        "TRELLIS_IMPORT_MAX_DOCUMENT_BYTES",
        "TRELLIS_IMPORT_MAX_ENTRIES",
        "TRELLIS_IMPORT_MAX_LINE_BYTES",
        "TRELLIS_IMPORT_MAX_ROWS",
        "TRELLIS_IMPORT_MAX_JSON_DEPTH",
    )
    if os.environ.get(name, "").strip()
}
# Uploads: a request whose body without its files passes 2.5 MB is refused; an uploaded file
# past 2.5 MB goes to a temporary file, never to memory; and the first upload handler stops
# reading files past TRELLIS_IMPORT_MAX_UPLOAD_BYTES (trellis/core/uploads.py).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_HANDLERS = [
    "trellis.core.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TRELLIS_LOG_LEVEL", "INFO")},
    # django-axes says INFO for every sign-in; failures and lockouts are WARNING
    "loggers": {"axes": {"level": "WARNING"}},
}
