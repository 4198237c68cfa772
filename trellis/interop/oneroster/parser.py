"""Reading a OneRoster 1.2 CSV exchange (a zip or a directory) into a :class:`RosterBundle`.

The reader is liberal where the binding leaves room and strict where a mistake would corrupt
a roster:

* ``manifest.csv`` is required; it gives the OneRoster version and, per file, ``absent``,
  ``bulk`` or ``delta``. OneRoster **1.1** exchanges (manifest version ``1.1``, or a
  ``users.csv`` with the 1.1 ``role``/``orgSourcedIds`` columns) are recognised and refused
  with a message saying how to export 1.2 instead.
* Header names are matched exactly (case-sensitive); a column spelt with the wrong case is
  reported, unknown columns (e.g. ``metadata.jp.kanaGivenName`` profile extensions) are
  ignored wherever they sit, and optional columns may be left out.
* Text is UTF-8 with or without a byte-order mark; quoting follows RFC 4180 (stdlib ``csv`` in
  strict mode, so a broken quote is an issue with a line number, not a garbled record). Text
  that is not UTF-8 is reported on its real line.
* Hostile files are refused before any work, in bounded memory
  (:mod:`trellis.engine.limits`): a zip of too many entries, a member named ``../x``, members
  whose sizes add up past the limit; while reading, every byte actually read is counted, and a
  line or a file too long stops the reading. Each refusal is an issue
  (:attr:`~.errors.IssueCode.LIMIT`) naming the file and the limit's setting.
* Files Trellis does not import (gradebook, resources, ``userProfiles``) are tolerated and
  listed in :attr:`RosterBundle.ignored_files`; ``demographics.csv`` is read only when the
  caller opts in (``include_demographics=True``).

Files are streamed row by row and each row becomes one compact record, so a million
enrollments fit comfortably in memory. Nothing raises on bad input: every problem becomes a
:class:`~.errors.RosterIssue` in :attr:`RosterLoad.issues`.
"""

from __future__ import annotations

import csv
import gc
import os
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import IO, Any, cast

from trellis.engine.limits import (
    DEFAULT_LIMITS,
    Budget,
    CountedStream,
    FileRefused,
    ImportLimits,
    Lines,
    SafeZip,
    refuse_size,
)

from .bundle import (
    BUNDLE_ATTRIBUTES,
    FileMode,
    IgnoredFile,
    Manifest,
    RecordKind,
    RosterBundle,
)
from .errors import IssueCode, RosterImportError, RosterIssue
from .schema import COLUMNS, KIND_ORDER
from .validation import KnownIds, RowConverter, validate_bundle

Source = str | os.PathLike[str] | bytes | IO[bytes]
Progress = Callable[[str, int], None]  # (file name, physical lines read so far)
PROGRESS_EVERY = 10_000

MANIFEST = "manifest.csv"
_ONEROSTER_11_USER_COLUMNS = ("role", "orgSourcedIds")
_REFUSE_11 = (
    "OneRoster 1.1 exchanges are not supported: export the roster as OneRoster 1.2 "
    "(roles move from users.csv role/orgSourcedIds columns to roles.csv)"
)
# Exceptions a damaged zip can raise while a member is being read.
_ARCHIVE_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    struct.error,
    EOFError,
    OSError,
    NotImplementedError,  # an unsupported compression method or zip version
    RuntimeError,  # an encrypted member
    ValueError,
)


@dataclass(frozen=True)
class RosterLoad:
    """What :func:`parse_roster` read: the bundle (``None`` when nothing could be read) and
    every issue found. Import only when :attr:`ok`."""

    bundle: RosterBundle | None
    issues: tuple[RosterIssue, ...] = ()
    # sourcedIds of rows refused for a bad cell, per kind (pass to validate_bundle).
    rejected_ids: Mapping[RecordKind, frozenset[str]] = field(default_factory=dict)
    # Kinds whose file is missing or could not be read to the end (pass to validate_bundle).
    incomplete: frozenset[RecordKind] = frozenset()

    @property
    def ok(self) -> bool:
        return self.bundle is not None and not self.issues

    def raise_for_issues(self) -> RosterBundle:
        """The bundle, or :class:`RosterImportError` listing every issue."""
        if self.bundle is None or self.issues:
            raise RosterImportError(
                list(self.issues) or [RosterIssue(IssueCode.ARCHIVE, "nothing could be read")]
            )
        return self.bundle


class _Archive:
    """The files of an exchange by base name, whether it is a zip or a directory, opened
    within ``limits`` (:class:`FileRefused` for an archive over them)."""

    def __init__(self, source: Source, limits: ImportLimits) -> None:
        self._zip: SafeZip | None = None
        self._directory: Path | None = None
        self.members: dict[str, str] = {}
        self.duplicates: list[str] = []  # base names found twice in a zip
        self.budget = Budget(limits)
        if isinstance(source, str | os.PathLike) and Path(source).is_dir():
            self._directory = Path(source)
            files = [p for p in sorted(self._directory.iterdir()) if p.is_file()]
            if len(files) > limits.max_entries:
                raise FileRefused(
                    f"{self._directory.name} holds {len(files):,} files (the limit is "
                    f"{limits.max_entries:,}, TRELLIS_IMPORT_MAX_ENTRIES)",
                    file=self._directory.name, setting="TRELLIS_IMPORT_MAX_ENTRIES",
                )
            for file in files:
                if file.stat().st_size > limits.max_bytes:
                    raise refuse_size(file.name, limits.max_bytes, "max_bytes", "")
            self.members = {p.name: p.name for p in files}
            return
        name = Path(source).name if isinstance(source, str | os.PathLike) else "the zip"
        # BadZipFile / OSError for the caller to report; FileRefused over a limit
        self._zip = SafeZip(source, name, limits, self.budget)
        for info in self._zip.infolist():
            path = PurePosixPath(info.filename)
            if info.is_dir() or "__MACOSX" in path.parts or path.name.startswith("._"):
                continue
            if path.name in self.members:
                self.duplicates.append(path.name)
                continue
            self.members[path.name] = info.filename

    def open(self, name: str) -> IO[bytes]:
        """The member as a stream; every byte read counts against the import's budget."""
        if self._zip is not None:
            return self._zip.open(self.members[name])
        if self._directory is None:
            raise AssertionError("archive has neither zip nor directory")
        stream = (self._directory / self.members[name]).open("rb")
        return cast(IO[bytes], CountedStream(stream, self.budget, name))

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()


class _Rows:
    """``(first physical line, cells)`` per CSV record, read line by line within the limits
    (:class:`~trellis.engine.limits.Lines`); quoting errors (``csv.Error``) and refusals
    (:class:`FileRefused`, which names its line) propagate.

    ``consumed`` is the last physical line read successfully, so a quoting failure can be
    placed at the line after it.
    """

    def __init__(self, stream: IO[bytes], file: str, limits: ImportLimits) -> None:
        self._lines = Lines(stream, file, limits)
        self._reader = csv.reader(self._lines, strict=True)

    @property
    def consumed(self) -> int:
        return self._lines.number

    @property
    def failed_line(self) -> int:
        """Where the record that could not be read began."""
        start = self._lines.record_start
        return start if start is not None else self._lines.number + 1

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        lines = self._lines
        for row in self._reader:
            start = lines.start_record()
            if row:
                yield start, row


class _Parser:
    def __init__(
        self,
        archive: _Archive,
        include_demographics: bool,
        max_issues: int | None,
        progress: Progress | None = None,
        limits: ImportLimits = DEFAULT_LIMITS,
    ) -> None:
        self.archive = archive
        self.limits = limits
        self.progress = progress
        self.include_demographics = include_demographics
        self.max_issues = max_issues
        self.issues: list[RosterIssue] = []
        self.rejected: dict[RecordKind, set[str]] = {}
        self.incomplete: set[RecordKind] = set()
        self.ignored: list[IgnoredFile] = []

    @property
    def full(self) -> bool:
        return self.max_issues is not None and len(self.issues) >= self.max_issues

    def issue(
        self,
        code: IssueCode,
        message: str,
        file: str = "",
        line: int | None = None,
        column: str | None = None,
    ) -> None:
        self.issues.append(RosterIssue(code, message, file, line, column))

    # -- manifest ------------------------------------------------------------------------------

    def manifest(self) -> Manifest | None:
        if MANIFEST not in self.archive.members:
            self.issue(IssueCode.MANIFEST, "manifest.csv is missing (it is required)", MANIFEST)
            return None
        properties: dict[str, tuple[str, int]] = {}
        try:
            with self.archive.open(MANIFEST) as stream:
                rows = iter(_Rows(stream, MANIFEST, self.limits))
                header = next(rows, None)
                if header is None or header[1][:2] != ["propertyName", "value"]:
                    self.issue(
                        IssueCode.HEADER,
                        "manifest.csv must start with the header propertyName,value",
                        MANIFEST,
                        1,
                    )
                    return None
                for line, row in rows:
                    if len(row) < 2:
                        self.issue(IssueCode.ROW, "expected propertyName,value", MANIFEST, line)
                        continue
                    properties[row[0].strip()] = (row[1].strip(), line)
        except FileRefused as exc:
            self._refused(exc, MANIFEST)
            return None
        except csv.Error as exc:
            self.issue(IssueCode.ROW, f"unreadable CSV ({exc})", MANIFEST)
            return None
        except _ARCHIVE_ERRORS as exc:
            self.issue(IssueCode.ARCHIVE, f"the archive member is damaged ({exc})", MANIFEST)
            return None
        version, line = properties.get("oneroster.version", ("", None))  # type: ignore[assignment]
        if version == "1.1":
            self.issue(IssueCode.VERSION, _REFUSE_11, MANIFEST, line, "value")
            return None
        if version != "1.2":
            self.issue(
                IssueCode.VERSION,
                f"oneroster.version is {version!r}; Trellis reads OneRoster 1.2",
                MANIFEST,
                line,
                "value",
            )
            return None
        modes: dict[str, FileMode] = {}
        for name, (value, line) in properties.items():
            if not name.startswith("file."):
                continue
            try:
                modes[name[5:]] = FileMode(value)
            except ValueError:
                self.issue(
                    IssueCode.MANIFEST,
                    f"{name} is {value!r}; expected absent, bulk or delta",
                    MANIFEST,
                    line,
                    "value",
                )
        return Manifest(
            file_modes=modes,
            manifest_version=properties.get("manifest.version", ("1.0", 0))[0],
            oneroster_version=version,
            source_system_name=properties.get("source.systemName", ("", 0))[0],
            source_system_code=properties.get("source.systemCode", ("", 0))[0],
        )

    # -- data files ----------------------------------------------------------------------------

    def data_file(self, kind: RecordKind, mode: FileMode) -> list[Any]:
        file = kind.file_name
        records: list[Any] = []
        rejected = self.rejected.setdefault(kind, set())
        reader: _Rows | None = None
        try:
            with self.archive.open(file) as stream:
                reader = _Rows(stream, file, self.limits)
                rows = iter(reader)
                first = next(rows, None)
                if first is None:
                    self.issue(
                        IssueCode.HEADER, "the file is empty (a header row is required)", file, 1
                    )
                    self.incomplete.add(kind)
                    return records
                converter = self._converter(kind, first[1], mode)
                if converter is None:
                    self.incomplete.add(kind)
                    return records
                width = len(first[1])
                reported = 0
                for line, row in rows:
                    if self.full:
                        self.incomplete.add(kind)
                        break
                    # A trailing comma (extra blank cells) is harmless; anything else that
                    # changes the width is a broken row.
                    if len(row) != width and (
                        len(row) < width or any(cell.strip() for cell in row[width:])
                    ):
                        self.issue(
                            IssueCode.ROW,
                            f"the row has {len(row)} fields, the header {width}",
                            file,
                            line,
                        )
                        continue
                    sourced_id, record = converter.convert(row, line, self.issues)
                    if record is None:
                        rejected.add(sourced_id)
                    else:
                        records.append(record)
                    if self.progress is not None and line - reported >= PROGRESS_EVERY:
                        self.progress(file, line)
                        reported = line
                if self.progress is not None:
                    self.progress(file, reader.consumed)
        except FileRefused as exc:
            self._refused(exc, file)
            self.incomplete.add(kind)
        except csv.Error as exc:
            failed_at = reader.failed_line if reader else None
            self.issue(
                IssueCode.ROW,
                f"unreadable CSV from this line on ({exc}); check its quotes; reading stopped",
                file,
                failed_at,
            )
            self.incomplete.add(kind)
        except _ARCHIVE_ERRORS as exc:
            self.issue(IssueCode.ARCHIVE, f"the archive member is damaged ({exc})", file)
            self.incomplete.add(kind)
        return records

    def _refused(self, exc: FileRefused, file: str) -> None:
        """The issue for a file the limits refused, or for text that is not UTF-8."""
        if exc.setting:
            self.issue(IssueCode.LIMIT, f"{exc.message}; reading stopped", exc.file or file,
                       exc.line)
        else:
            self.issue(IssueCode.ENCODING, f"{exc.message}; reading stopped", exc.file or file,
                       exc.line)

    def _converter(
        self, kind: RecordKind, header: list[str], mode: FileMode
    ) -> RowConverter | None:
        file = kind.file_name
        header = [name.strip() for name in header]
        positions: dict[str, int | None] = {}
        for index, name in enumerate(header):
            if name in positions:
                self.issue(IssueCode.HEADER, f"column {name!r} appears twice", file, 1, name)
                return None
            positions[name] = index
        if kind is RecordKind.USERS and any(c in positions for c in _ONEROSTER_11_USER_COLUMNS):
            self.issue(
                IssueCode.VERSION,
                f"users.csv has OneRoster 1.1 columns; {_REFUSE_11}",
                file,
                1,
                "role" if "role" in positions else "orgSourcedIds",
            )
            return None
        folded = {name.lower(): name for name in header}
        fatal = False
        for index, column in enumerate(COLUMNS[kind]):
            if column.name in positions:
                continue
            # status and dateLastModified are optional values but mandatory columns.
            mandatory = column.required or index < 3
            near = folded.get(column.name.lower())
            if near is not None:
                self.issue(
                    IssueCode.HEADER,
                    f"column {near!r} must be spelt {column.name!r} (case-sensitive)",
                    file,
                    1,
                    near,
                )
                fatal = fatal or mandatory
            elif mandatory:
                self.issue(
                    IssueCode.HEADER,
                    f"required column {column.name!r} is missing",
                    file,
                    1,
                    column.name,
                )
                fatal = True
        if fatal:
            return None
        return RowConverter(kind, positions, mode)

    # -- whole exchange ------------------------------------------------------------------------

    def run(self) -> RosterBundle | None:
        for name in self.archive.duplicates:
            self.issue(IssueCode.ARCHIVE, f"the archive holds {name} more than once", name)
        manifest = self.manifest()
        if manifest is None:
            return None
        parsed: dict[str, tuple[Any, ...]] = {}
        handled = {MANIFEST}
        for kind in KIND_ORDER:
            file = kind.file_name
            mode = manifest.mode(kind)
            present = file in self.archive.members
            handled.add(file)
            if mode is FileMode.ABSENT:
                if present:
                    self.ignored.append(IgnoredFile(file, "the manifest marks it absent"))
                continue
            if kind is RecordKind.DEMOGRAPHICS and not self.include_demographics:
                if present:
                    self.ignored.append(IgnoredFile(file, "demographics import is turned off"))
                continue
            if not present:
                self.issue(
                    IssueCode.MANIFEST,
                    f"the manifest lists file.{kind.value} as {mode.value} but {file} "
                    "is not in the exchange",
                    MANIFEST,
                )
                self.incomplete.add(kind)
                continue
            if not self.full:
                parsed[BUNDLE_ATTRIBUTES[kind]] = tuple(self.data_file(kind, mode))
        for name in sorted(set(self.archive.members) - handled):
            self.ignored.append(IgnoredFile(name, "not a rostering file Trellis imports"))
        # The bundle's manifest describes what the bundle carries, so that exporting it never
        # claims a bulk file (an empty one would wipe data) for something it did not read.
        carried = {
            str(kind): manifest.mode(kind)
            for kind in KIND_ORDER
            if BUNDLE_ATTRIBUTES[kind] in parsed
        }
        return RosterBundle(
            manifest=replace(manifest, file_modes=carried),
            ignored_files=tuple(self.ignored),
            **parsed,
        )


def parse_roster(
    source: Source,
    *,
    include_demographics: bool = False,
    known_ids: KnownIds | None = None,
    validate: bool = True,
    max_issues: int | None = None,
    progress: Progress | None = None,
    limits: ImportLimits = DEFAULT_LIMITS,
) -> RosterLoad:
    """Read a OneRoster 1.2 CSV exchange and (by default) validate it.

    ``source``: a path to a ``.zip`` or to a directory of CSV files, the bytes of a zip, or a
    binary file object. ``known_ids``: sourcedIds that already exist in the database, per kind
    (see :mod:`.validation`). ``max_issues``: stop reading once that many issues were found
    (``None``: collect them all). ``progress(file_name, lines_read)``: called every
    ~10,000 lines and at the end of each data file (for a progress bar; the caller can
    compare ``lines_read`` with the size of the upload). ``limits``: what the exchange may
    hold (:class:`~trellis.engine.limits.ImportLimits`); a file over them is refused with a
    :attr:`~.errors.IssueCode.LIMIT` issue naming the limit. Never raises on malformed input.
    """
    try:
        archive = _Archive(source, limits)
    except FileRefused as exc:
        return RosterLoad(None, (RosterIssue(IssueCode.LIMIT, exc.message, exc.file, exc.line),))
    except _ARCHIVE_ERRORS as exc:
        reason = "not a zip archive" if isinstance(exc, zipfile.BadZipFile) else str(exc)
        return RosterLoad(
            None, (RosterIssue(IssueCode.ARCHIVE, f"cannot open the exchange: {reason}"),)
        )
    parser = _Parser(archive, include_demographics, max_issues, progress, limits)
    # Reading allocates millions of small, acyclic objects; the cyclic collector would scan
    # them again and again (it halves the reading time at district scale to pause it).
    collecting = gc.isenabled()
    gc.disable()
    try:
        bundle = parser.run()
    except _ARCHIVE_ERRORS as exc:  # a damaged archive the per-file guards did not anticipate
        parser.issue(IssueCode.ARCHIVE, f"the archive is damaged ({exc})")
        bundle = None
    finally:
        archive.close()
        if collecting:
            gc.enable()
    issues = parser.issues
    rejected = {kind: frozenset(ids) for kind, ids in parser.rejected.items() if ids}
    if bundle is not None and validate and not parser.full:
        unchecked: Mapping[RecordKind, AbstractSet[str]] = rejected
        issues.extend(
            validate_bundle(
                bundle, known_ids=known_ids, rejected_ids=unchecked, incomplete=parser.incomplete
            )
        )
    if max_issues is not None and len(issues) > max_issues:
        del issues[max_issues:]
    return RosterLoad(bundle, tuple(issues), rejected, frozenset(parser.incomplete))
