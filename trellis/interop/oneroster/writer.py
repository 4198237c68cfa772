"""Writing a :class:`RosterBundle` (or record streams) as a OneRoster 1.2 CSV zip.

The writer is strict where the reader is liberal: every file has the full 1.2 header in the
binding's exact order, booleans are ``true``/``false``, ``dateLastModified`` is canonical UTC,
multi-valued cells are comma-joined (quoted by ``csv`` when needed), lines end in CRLF
(RFC 4180), and ``manifest.csv`` names all 21 files of the 1.2 binding — ``bulk``/``delta`` for
those written, ``absent`` for the rest.

Records are written as they come from an iterable, so the generator can stream a million
enrollments to disk without ever holding them. Reading back what this module wrote gives a
bundle equal to the original (:func:`.parser.parse_roster`; only the ``line`` numbers, which
are excluded from equality, may differ).
"""

from __future__ import annotations

import csv
import io
import os
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import fields, replace
from operator import attrgetter
from typing import IO, Any

from .bundle import BUNDLE_ATTRIBUTES, RECORD_TYPES, FileMode, Manifest, RecordKind, RosterBundle
from .schema import COLUMNS, KIND_ORDER, MANIFEST_FILES, ValueKind

Target = str | os.PathLike[str] | IO[bytes]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _joined(value: tuple[str, ...]) -> str:
    return ",".join(value)


def _boolean(value: bool | None) -> str:
    return "" if value is None else ("true" if value else "false")


def _user_ids(value: tuple[tuple[str, str], ...]) -> str:
    return ",".join(f"{{{kind}:{identifier}}}" for kind, identifier in value)


_RENDER: Mapping[ValueKind, Callable[[Any], str]] = {
    ValueKind.TEXT: _text,
    ValueKind.ID: _text,
    ValueKind.IDS: _joined,
    ValueKind.LIST: _joined,
    ValueKind.GRADES: _joined,
    ValueKind.ENUM: _text,
    ValueKind.DATE: _text,
    ValueKind.DATETIME: _text,
    ValueKind.BOOL: _boolean,
    ValueKind.YEAR: _text,
    ValueKind.USER_IDS: _user_ids,
}


def manifest_rows(manifest: Manifest, written: Mapping[RecordKind, FileMode]) -> list[list[str]]:
    """The rows of ``manifest.csv`` for files written in the given modes."""
    modes = {str(kind): mode for kind, mode in written.items()}
    rows = [
        ["propertyName", "value"],
        ["manifest.version", manifest.manifest_version or "1.0"],
        ["oneroster.version", "1.2"],
    ]
    rows += [[f"file.{name}", modes.get(name, FileMode.ABSENT).value] for name in MANIFEST_FILES]
    rows += [
        ["source.systemName", manifest.source_system_name],
        ["source.systemCode", manifest.source_system_code],
    ]
    return rows


def _write_csv(archive: zipfile.ZipFile, name: str, rows: Iterable[list[Any]]) -> int:
    count = -1  # the header is not a record
    with archive.open(name, "w") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        writer = csv.writer(text, lineterminator="\r\n")
        for row in rows:
            writer.writerow(row)
            count += 1
        text.flush()
        text.detach()
    return count


def _record_rows(kind: RecordKind, records: Iterable[Any]) -> Iterable[list[Any]]:
    columns = COLUMNS[kind]
    yield [column.name for column in columns]
    names = [f.name for f in fields(RECORD_TYPES[kind])][:-1]  # all but ``line``
    get = attrgetter(*names)
    # csv writes str (StrEnum included) as is and None as "", so only lists and booleans need
    # rendering; skipping the rest keeps a million-row export fast.
    conversions = [
        (position, _RENDER[column.kind])
        for position, column in enumerate(columns)
        if column.kind in _NEEDS_RENDERING
    ]
    for record in records:
        row = list(get(record))
        for position, render in conversions:
            row[position] = render(row[position])
        yield row


_NEEDS_RENDERING = frozenset(
    {ValueKind.IDS, ValueKind.LIST, ValueKind.GRADES, ValueKind.BOOL, ValueKind.USER_IDS}
)


def write_roster_zip(
    target: Target,
    manifest: Manifest,
    files: Mapping[RecordKind, Iterable[Any]],
    modes: Mapping[RecordKind, FileMode] | None = None,
) -> dict[str, int]:
    """Write ``files`` (records per kind, any iterable) and the manifest as a zip.

    ``modes`` gives each written file's mode (default: the manifest's, or ``bulk`` where the
    manifest says absent). Returns the number of records written per file name.
    """
    written: dict[RecordKind, FileMode] = {}
    for kind in files:
        mode = (modes or {}).get(kind) or manifest.mode(kind)
        written[kind] = FileMode.BULK if mode is FileMode.ABSENT else mode
    counts: dict[str, int] = {}
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        _write_csv(zf, "manifest.csv", manifest_rows(manifest, written))
        for kind in KIND_ORDER:
            if kind in files:
                counts[kind.file_name] = _write_csv(
                    zf, kind.file_name, _record_rows(kind, files[kind])
                )
    return counts


def write_bundle(bundle: RosterBundle, target: Target) -> dict[str, int]:
    """Export ``bundle``: every kind the manifest carries or that has records."""
    files = {
        kind: bundle.records(kind)
        for kind in KIND_ORDER
        if bundle.records(kind) or bundle.mode(kind) is not FileMode.ABSENT
    }
    return write_roster_zip(target, bundle.manifest, files)


def bundle_to_bytes(bundle: RosterBundle) -> bytes:
    """The zip of ``bundle`` in memory (handy for tests and downloads of small rosters)."""
    buffer = io.BytesIO()
    write_bundle(bundle, buffer)
    return buffer.getvalue()


def strip_export_noise(bundle: RosterBundle) -> RosterBundle:
    """``bundle`` without what legitimately differs between two exports of the same data
    (``dateLastModified``); used to compare round trips."""
    kinds: dict[str, Any] = {}
    for kind in RecordKind:
        kinds[BUNDLE_ATTRIBUTES[kind]] = tuple(
            replace(record, date_last_modified=None) for record in bundle.records(kind)
        )
    return replace(bundle, **kinds)
