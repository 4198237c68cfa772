"""Shared settings. Each ``TRELLIS_*`` environment variable is documented where it is read."""

from __future__ import annotations

import os
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

DEBUG = False

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "trellis.core",
    "trellis.accounts",
    "trellis.roster",
    "trellis.audit",
    "trellis.curriculum",
    "trellis.learning",
    "trellis.plans",
    "trellis.instruction",
    "trellis.diagnostics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "trellis.core.middleware.NotFoundMiddleware",
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
                "trellis.core.context_processors.trellis",
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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TRELLIS_LOG_LEVEL", "INFO")},
}
