"""Test settings: fast password hashing, an in-memory SQLite unless TRELLIS_DATABASE_URL says
otherwise (CI runs the suite once more on PostgreSQL)."""

from __future__ import annotations

import os

import dj_database_url

from .base import *  # noqa: F403

SECRET_KEY = "test-only-insecure-key"  # noqa: S105
DEBUG = False
DEMO_MODE = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
if os.environ.get("TRELLIS_DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["TRELLIS_DATABASE_URL"])}
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
