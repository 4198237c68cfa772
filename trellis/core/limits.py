"""The import limits in force: :class:`~trellis.engine.limits.ImportLimits` with this
deployment's ``TRELLIS_IMPORT_*`` overrides (read in ``trellis/settings/base.py`` into
``settings.IMPORT_LIMITS``). Every importer and upload page takes its limits from here."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from trellis.engine.limits import DEFAULT_LIMITS, SETTING_OF, ImportLimits, size_text


def import_limits() -> ImportLimits:
    """The limits on what one import may read (defaults, then this deployment's settings)."""
    return DEFAULT_LIMITS.with_overrides(getattr(settings, "IMPORT_LIMITS", {}))


def upload_limit_text() -> str:
    """The largest upload an import page takes, as people read it ("100 MB")."""
    return size_text(import_limits().max_upload_bytes)


def upload_too_large(request: HttpRequest, what: str) -> str:
    """The message for an upload larger than ``TRELLIS_IMPORT_MAX_UPLOAD_BYTES`` (judged by
    the request's length before its files are read, then by each file's size), or ``""``.
    ``what`` names the upload: "The roster file"."""
    limit = import_limits().max_upload_bytes
    message = (
        f"{what} is larger than {size_text(limit)} (the limit is "
        f"{SETTING_OF['max_upload_bytes']}); nothing was read."
    )
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit + 64 * 1024:  # the form's other fields and boundaries
        return message
    for name in request.FILES:
        if any((upload.size or 0) > limit for upload in request.FILES.getlist(name)):
            return message
    return ""
