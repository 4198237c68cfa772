"""Developer and demo settings: the embedded SQLite default, DEBUG on, demo accounts shown."""

from __future__ import annotations

import os

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("TRELLIS_DEBUG", True)
SECRET_KEY = os.environ.get("TRELLIS_SECRET_KEY") or "dev-only-insecure-key-not-for-production"
DEMO_MODE = env_bool("TRELLIS_DEMO", True)
WHITENOISE_USE_FINDERS = True
