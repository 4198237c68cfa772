"""An upload handler that stops reading a request's files past the upload limit.

Django streams an uploaded file to a temporary file on disk (past
``FILE_UPLOAD_MAX_MEMORY_SIZE``) however large it is; this handler, first in
``FILE_UPLOAD_HANDLERS``, counts the bytes of the request's files and stops at
``TRELLIS_IMPORT_MAX_UPLOAD_BYTES``: the rest of the body is read and thrown away, nothing
more is kept, and the page says why (:func:`trellis.core.limits.upload_too_large`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.files.uploadhandler import FileUploadHandler, StopUpload

from trellis.core.limits import import_limits
from trellis.engine.limits import zip_unpacked_size


class LimitedUploadHandler(FileUploadHandler):
    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.limit = import_limits().max_upload_bytes
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            raise StopUpload(connection_reset=False)
        return raw_data  # the next handler keeps it

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler makes the file


def keep_upload(upload: Any, folder: Path, name: str) -> Path:
    """Write an uploaded file into ``folder`` (created if needed) as ``name``, a chunk at a
    time so a large upload never sits in memory; returns its path. Every import page keeps its
    upload this way before a job reads it."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    with path.open("wb") as target:
        for chunk in upload.chunks():
            target.write(chunk)
    return path


def zip_unpacks_within(path: Path, limit: int) -> bool:
    """Whether a stored zip's directory says it unpacks to at most ``limit`` bytes — the test
    for checking an upload within the request. A file the import limits refuse (or that is no
    zip) counts as within: reading it fails at once, so the request gives the error."""
    unpacked = zip_unpacked_size(path, import_limits())
    return unpacked is None or unpacked <= limit
