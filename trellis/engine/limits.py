"""Limits on the files an import reads, and the readers that keep to them.

Every importer of a file from outside — the OneRoster zip (:mod:`trellis.interop.oneroster`),
the CASE package (:mod:`trellis.engine.frameworks`) and the QTI package
(:mod:`trellis.engine.content.qti`) — reads through these readers, so a hostile or broken file
(a decompression bomb, a flood of line breaks, JSON nested a hundred thousand deep, a member
named ``../evil``, a zip of a hundred thousand entries) is refused with a :class:`FileRefused`
that names the file and the limit, in bounded memory and time, before any work starts:

* a zip's entry count is read from its end record *before* the archive is opened, its member
  names are checked (no absolute paths, no ``..``) and the sizes its headers declare are added
  up — then every byte actually read is counted too (headers are never trusted alone), and
  reading stops past the limit;
* gzip is decompressed a chunk at a time and stops past the limit;
* CSV text is split into lines a chunk at a time: a line longer than the limit or a file of
  too many lines stops the reading; bad UTF-8 is reported on its real line;
* JSON deeper than the limit is refused with an error, never a ``RecursionError``.

The limits live here, once (:class:`ImportLimits`, defaults below); a deployment overrides
them with the ``TRELLIS_IMPORT_*`` environment variables read in ``trellis/settings/base.py``
(:meth:`ImportLimits.with_overrides`; the apps get them from
:func:`trellis.core.limits.import_limits`). Pure Python, like the rest of the engine.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import struct
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path, PurePosixPath
from typing import IO, Any, cast

MB = 1024 * 1024
CHUNK = 64 * 1024  # bytes read at a time


@dataclass(frozen=True)
class ImportLimits:
    """How much one import may read. Each field's setting is in :data:`SETTING_OF`."""

    max_upload_bytes: int = 100 * MB  # an uploaded file as sent (compressed)
    max_bytes: int = 512 * MB  # everything one import reads, uncompressed
    max_document_bytes: int = 50 * MB  # one JSON or XML document (a CASE package, a QTI item)
    max_entries: int = 10_000  # members of a zip
    max_line_bytes: int = 1 * MB  # one line of a CSV file
    max_rows: int = 3_000_000  # lines of one CSV file
    max_json_depth: int = 64  # nesting of JSON arrays and objects

    def with_overrides(self, overrides: Mapping[str, int | None]) -> ImportLimits:
        """These limits with those ``overrides`` (setting name → value, as in
        :data:`SETTING_OF`) that are set; an unknown name is an error."""
        by_setting = {setting: name for name, setting in SETTING_OF.items()}
        unknown = sorted(set(overrides) - set(by_setting))
        if unknown:
            raise ValueError(f"unknown import limits: {', '.join(unknown)}")
        changes = {by_setting[k]: int(v) for k, v in overrides.items() if v is not None}
        bad = sorted(SETTING_OF[name] for name, value in changes.items() if value < 1)
        if bad:
            raise ValueError(f"import limits must be positive: {', '.join(bad)}")
        return replace(self, **changes)


# The setting (and environment variable) that overrides each limit; error messages name it.
SETTING_OF: dict[str, str] = {
    "max_upload_bytes": "TRELLIS_IMPORT_MAX_UPLOAD_BYTES",
    "max_bytes": "TRELLIS_IMPORT_MAX_BYTES",
    "max_document_bytes": "TRELLIS_IMPORT_MAX_DOCUMENT_BYTES",
    "max_entries": "TRELLIS_IMPORT_MAX_ENTRIES",
    "max_line_bytes": "TRELLIS_IMPORT_MAX_LINE_BYTES",
    "max_rows": "TRELLIS_IMPORT_MAX_ROWS",
    "max_json_depth": "TRELLIS_IMPORT_MAX_JSON_DEPTH",
}
assert set(SETTING_OF) == {f.name for f in fields(ImportLimits)}  # noqa: S101 - kept in step

DEFAULT_LIMITS = ImportLimits()


class FileRefused(ValueError):
    """A file (or a member of an archive) that an import will not read, and why.

    ``file`` names the file or member, ``line`` the line when there is one, ``setting`` the
    limit that refused it (empty for a refusal that is not a limit, such as an unsafe name or
    text that is not UTF-8)."""

    def __init__(self, message: str, *, file: str = "", line: int | None = None,
                 setting: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.setting = setting


def size_text(count: int) -> str:
    """``200 MB``, ``64 KB``, ``900 bytes``: a size as people read it (binary units)."""
    if count >= MB and count % MB == 0:
        return f"{count // MB:,} MB"
    if count >= MB:
        return f"{count / MB:,.1f} MB"
    if count >= 1024:
        return f"{count / 1024:,.0f} KB"
    return f"{count:,} bytes"


def refuse_size(file: str, limit: int, field: str, what: str = "uncompressed") -> FileRefused:
    """The error for ``file`` being larger than ``limit`` (the :class:`ImportLimits` field)."""
    setting = SETTING_OF[field]
    return FileRefused(
        f"{file} is larger than {size_text(limit)}{' ' + what if what else ''} "
        f"(the limit is {setting})",
        file=file, setting=setting,
    )


class Budget:
    """The bytes one import may still read, shared by every file and member it reads."""

    def __init__(self, limits: ImportLimits = DEFAULT_LIMITS) -> None:
        self.limits = limits
        self.read = 0

    def take(self, count: int, file: str) -> None:
        self.read += count
        if self.read > self.limits.max_bytes:
            if file:
                raise refuse_size(file, self.limits.max_bytes, "max_bytes")
            raise refuse_size("the file", self.limits.max_bytes, "max_bytes")


def read_bounded(stream: IO[bytes], limit: int, field: str, file: str,
                 budget: Budget | None = None) -> bytes:
    """All of ``stream``, read a chunk at a time; :class:`FileRefused` as soon as it passes
    ``limit`` bytes (``field`` names the limit) or the import's ``budget``."""
    parts: list[bytes] = []
    total = 0
    while True:
        chunk = stream.read(CHUNK)
        if not chunk:
            return b"".join(parts)
        total += len(chunk)
        if total > limit:
            raise refuse_size(file, limit, field)
        if budget is not None:
            budget.take(len(chunk), file)
        parts.append(chunk)


def read_file_bounded(path: str | os.PathLike[str], limit: int, field: str,
                      budget: Budget | None = None, name: str | None = None) -> bytes:
    """A file on disk, refused before reading when its size already passes ``limit``."""
    file = name or Path(path).name
    if Path(path).stat().st_size > limit:
        raise refuse_size(file, limit, field, "")
    with open(path, "rb") as stream:
        return read_bounded(stream, limit, field, file, budget)


# -- gzip ----------------------------------------------------------------------------------------

GZIP_MAGIC = b"\x1f\x8b"


def gunzip_bounded(data: bytes, limit: int, field: str, file: str,
                   budget: Budget | None = None) -> bytes:
    """``data`` decompressed a chunk at a time, refused past ``limit`` bytes of output (a gzip
    bomb stops there, whatever the file says about itself)."""
    with gzip.GzipFile(fileobj=io.BytesIO(data), mode="rb") as stream:
        return read_bounded(stream, limit, field, file, budget)  # type: ignore[arg-type]


# -- JSON ----------------------------------------------------------------------------------------


def json_depth_exceeds(value: Any, limit: int) -> bool:
    """Whether ``value`` nests arrays and objects deeper than ``limit`` (no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        current, depth = stack.pop()
        if isinstance(current, dict):
            children: Any = current.values()
        elif isinstance(current, list):
            children = current
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children
                     if isinstance(child, dict | list))
    return False


def load_json_bounded(raw: bytes, limits: ImportLimits, file: str) -> Any:
    """Decoded JSON of ``raw`` (UTF-8, with or without a byte-order mark), refused when longer
    than ``max_document_bytes`` or nested deeper than ``max_json_depth``. ``ValueError``
    (``UnicodeDecodeError``, ``json.JSONDecodeError``) for text that is not JSON."""
    if len(raw) > limits.max_document_bytes:
        raise refuse_size(file, limits.max_document_bytes, "max_document_bytes")
    setting = SETTING_OF["max_json_depth"]
    deep = FileRefused(
        f"{file} nests JSON deeper than {limits.max_json_depth} levels (the limit is {setting})",
        file=file, setting=setting,
    )
    text = raw.decode("utf-8-sig")
    try:
        data = json.loads(text)
    except RecursionError:  # the decoder's own guard, far below the interpreter's stack
        raise deep from None
    if json_depth_exceeds(data, limits.max_json_depth):
        raise deep
    return data


# -- lines of text (CSV) ---------------------------------------------------------------------------


class Lines:
    """The lines of a UTF-8 text stream, read a chunk at a time, each kept to the limits.

    Lines end at ``\\n``, ``\\r\\n`` or ``\\r`` and keep their ending (what :mod:`csv` wants);
    a byte-order mark at the start is dropped. :attr:`number` is the physical line last
    handed out (1-based), so an error names its real line; :attr:`record_start` is the
    line on which the caller's current record began (see :meth:`start_record`).
    :class:`FileRefused` for a line longer than ``max_line_bytes``, more than ``max_rows``
    lines, or a line that is not UTF-8 (on that line); the import's byte budget is charged
    by the stream (:meth:`SafeZip.open`, :class:`CountedStream`).
    """

    def __init__(self, stream: IO[bytes], file: str,
                 limits: ImportLimits = DEFAULT_LIMITS) -> None:
        self._stream = stream
        self.file = file
        self.limits = limits
        self.number = 0
        self.record_start: int | None = None

    def start_record(self) -> int:
        """The first line of the record just completed, and start counting the next one."""
        start = self.record_start if self.record_start is not None else self.number
        self.record_start = None
        return start

    def _too_long(self) -> FileRefused:
        setting = SETTING_OF["max_line_bytes"]
        return FileRefused(
            f"line {self.number + 1} of {self.file} is longer than "
            f"{size_text(self.limits.max_line_bytes)} (the limit is {setting})",
            file=self.file, line=self.number + 1, setting=setting,
        )

    def _raw_lines(self) -> Iterator[bytes]:
        pending = b""
        max_line = self.limits.max_line_bytes
        while True:
            chunk = self._stream.read(CHUNK)
            if not chunk:
                break
            pending += chunk
            parts = pending.splitlines(keepends=True)
            # The last part may go on in the next chunk (a "\r" may be half of "\r\n").
            pending = parts.pop() if parts and not parts[-1].endswith(b"\n") else b""
            yield from parts
            if len(pending) > max_line:
                raise self._too_long()
        if pending:
            yield pending

    def __iter__(self) -> Iterator[str]:
        max_line = self.limits.max_line_bytes
        max_rows = self.limits.max_rows
        first = True
        for raw in self._raw_lines():
            if len(raw) > max_line + 2:  # the line ending is not counted
                raise self._too_long()
            self.number += 1
            if self.number > max_rows:
                setting = SETTING_OF["max_rows"]
                raise FileRefused(
                    f"{self.file} has more than {max_rows:,} lines (the limit is {setting})",
                    file=self.file, line=self.number, setting=setting,
                )
            try:
                text = raw.decode("utf-8-sig" if first else "utf-8")
            except UnicodeDecodeError as error:
                raise FileRefused(
                    f"line {self.number} of {self.file} is not UTF-8 text ({error.reason} at "
                    f"byte {error.start + 1} of the line)",
                    file=self.file, line=self.number,
                ) from None
            first = False
            if self.record_start is None:
                self.record_start = self.number
            yield text


# -- zip archives --------------------------------------------------------------------------------

_END = b"PK\x05\x06"
_END64_LOCATOR = b"PK\x06\x07"
_END64 = b"PK\x06\x06"
# A central-directory entry is 46 bytes and its name; allow this much per entry on average.
_DIRECTORY_BYTES_PER_ENTRY = 1024


def _declared_directory(stream: IO[bytes]) -> tuple[int, int] | None:
    """(entries, central directory bytes) as the zip's end record says, read without
    opening the archive; ``None`` when there is no end record (not a zip)."""
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    tail = min(size, 22 + 65_535)
    stream.seek(size - tail)
    data = stream.read(tail)
    at = data.rfind(_END)
    if at < 0 or len(data) - at < 22:
        return None
    _sig, _disk, _cd_disk, _here, entries, directory, _offset, _comment = struct.unpack(
        "<4sHHHHIIH", data[at:at + 22]
    )
    if at >= 20 and data[at - 20:at - 16] == _END64_LOCATOR:
        (end64_offset,) = struct.unpack("<Q", data[at - 12:at - 4])
        stream.seek(end64_offset)
        record = stream.read(56)
        if len(record) == 56 and record[:4] == _END64:
            _s, _size, _made, _need, _d, _cd, _h, total64, directory64, _o = struct.unpack(
                "<4sQHHIIQQQQ", record
            )
            entries, directory = max(entries, total64), max(directory, directory64)
    stream.seek(0)
    return entries, directory


def unsafe_member_name(name: str) -> bool:
    """A member name that points outside the folder it would be unpacked into."""
    posix = name.replace("\\", "/")
    return (
        posix.startswith("/")
        or re.match(r"^[A-Za-z]:", posix) is not None
        or ".." in PurePosixPath(posix).parts
        or "\x00" in name
    )


class SafeZip:
    """A zip archive opened only after its size, entry count and member names passed the
    limits; every member read through it counts against the import's :class:`Budget`.

    ``name`` is the archive as the person knows it (for the messages). Raises
    :class:`FileRefused` for anything over a limit, ``zipfile.BadZipFile`` (and the other
    errors of a damaged archive) for a file that is not a readable zip.
    """

    def __init__(self, source: str | os.PathLike[str] | bytes | IO[bytes], name: str,
                 limits: ImportLimits = DEFAULT_LIMITS, budget: Budget | None = None) -> None:
        self.name = name
        self.limits = limits
        self.budget = budget or Budget(limits)
        stream: IO[bytes]
        if isinstance(source, bytes):
            stream = io.BytesIO(source)
        elif isinstance(source, str | os.PathLike):
            stream = open(source, "rb")  # noqa: SIM115 - closed with the archive
        else:
            stream = source
        self._own = stream if stream is not source else None
        try:
            self._check_directory(stream)
            self.zip = zipfile.ZipFile(stream)
            self._check_members()
        except BaseException:
            self.close()
            raise

    def _refuse_entries(self, count: str) -> FileRefused:
        setting = SETTING_OF["max_entries"]
        return FileRefused(
            f"{self.name} holds {count} files (the limit is {self.limits.max_entries:,}, "
            f"{setting})",
            file=self.name, setting=setting,
        )

    def _check_directory(self, stream: IO[bytes]) -> None:
        declared = _declared_directory(stream)
        if declared is None:
            return  # not a zip: zipfile says so
        entries, directory = declared
        if entries > self.limits.max_entries:
            raise self._refuse_entries(f"{entries:,}")
        if directory > self.limits.max_entries * _DIRECTORY_BYTES_PER_ENTRY:
            raise self._refuse_entries("more")

    def _check_members(self) -> None:
        infos = self.zip.infolist()
        if len(infos) > self.limits.max_entries:
            raise self._refuse_entries(f"{len(infos):,}")
        declared = 0
        for info in infos:
            if unsafe_member_name(info.filename):
                raise FileRefused(
                    f"{self.name} holds a file named {info.filename!r}, which points outside "
                    "the archive (an absolute path or '..'); nothing was read",
                    file=self.name,
                )
            if info.file_size > self.limits.max_bytes:
                raise refuse_size(info.filename, self.limits.max_bytes, "max_bytes")
            declared += info.file_size
        if declared > self.limits.max_bytes:
            setting = SETTING_OF["max_bytes"]
            raise FileRefused(
                f"the files in {self.name} add up to more than "
                f"{size_text(self.limits.max_bytes)} uncompressed (the limit is {setting})",
                file=self.name, setting=setting,
            )

    def infolist(self) -> list[zipfile.ZipInfo]:
        return self.zip.infolist()

    def namelist(self) -> list[str]:
        return self.zip.namelist()

    def open(self, member: str) -> IO[bytes]:
        """A member as a stream whose reads count against the budget."""
        return cast(IO[bytes], CountedStream(self.zip.open(member), self.budget, member))

    def read(self, member: str, limit: int | None = None, field: str = "max_bytes") -> bytes:
        """A whole member, refused past ``limit`` bytes (default: what the budget allows)."""
        cap = self.limits.max_bytes if limit is None else limit
        if self.zip.getinfo(member).file_size > cap:  # refused before reading
            raise refuse_size(member, cap, field)
        with self.zip.open(member) as stream:
            return read_bounded(stream, cap, field, member, self.budget)

    def close(self) -> None:
        archive = getattr(self, "zip", None)
        if archive is not None:
            archive.close()
        if self._own is not None:
            self._own.close()

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def zip_unpacked_size(path: str | os.PathLike[str], limits: ImportLimits) -> int | None:
    """What a zip's directory says its files unpack to (read from its end, within
    ``limits``), or ``None`` for a file that is no zip or that the limits refuse: reading it
    fails at once. For deciding whether an upload is small enough to check in a request."""
    try:
        with SafeZip(path, Path(path).name, limits) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (FileRefused, zipfile.BadZipFile, OSError, EOFError, struct.error, ValueError):
        return None


class CountedStream(io.RawIOBase):
    """A stream whose every byte read is charged to the import's :class:`Budget`."""

    def __init__(self, inner: IO[bytes], budget: Budget, file: str) -> None:
        self._inner = inner
        self._budget = budget
        self._file = file

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:  # all of it, a chunk at a time within the budget
            parts = []
            while chunk := self.read(CHUNK):
                parts.append(chunk)
            return b"".join(parts)
        data = self._inner.read(size)
        self._budget.take(len(data), self._file)
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._inner.close()
        super().close()
