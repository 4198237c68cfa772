"""Demo settings (``trellis demo``, ``make demo``): the development settings as a district would
see them — no debug pages, and static files served the production way: collected into
``$TRELLIS_DATA_DIR/static`` with hashed names, compressed, and cached for a year by browsers
(whitenoise). ``trellis demo`` collects them when they are missing or older than the sources
(:mod:`trellis.commands.web`)."""

from __future__ import annotations

from .base import env_bool
from .dev import *  # noqa: F403

DEBUG = env_bool("TRELLIS_DEBUG", False)
DEMO_MODE = env_bool("TRELLIS_DEMO", True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# The collected files only; with TRELLIS_DEBUG=true the sources too, as in development.
WHITENOISE_USE_FINDERS = DEBUG
