"""Hostile files for the importers, built in the test, and the process that imports them.

The builders write each file a chunk at a time, so a gigabyte bomb costs the test a megabyte
of memory. :func:`main` is the other half: ``python -m tests.hostile_files SPEC`` starts Django
on the SQLite database the test prepared, counts the rows of every table, runs the importer
(a dry run, then for real), counts again, and prints one JSON line — the errors, the row
counts, the seconds and the process's peak memory (:func:`peak_mb`: everything it allocated,
C libraries included). A process of its own per file, so each peak is that file's alone.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import os
import resource
import struct
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from tests.interop.roster_files import USERS, exchange

MB = 1 << 20
GB = 1 << 30

Writer = Callable[[IO[bytes]], None]


def repeated(pattern: bytes, total: int, head: bytes = b"") -> Writer:
    """A writer of ``head`` then ``total`` bytes of ``pattern``, 1 MB at a time."""
    block = (pattern * (MB // len(pattern) + 1))[:MB]

    def write(stream: IO[bytes]) -> None:
        stream.write(head)
        left = total
        while left > 0:
            stream.write(block[: min(MB, left)])
            left -= MB

    return write


def write_zip(path: Path, members: dict[str, bytes | str | Writer]) -> Path:
    """A zip of ``members`` (bytes, text, or a writer that streams the member)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, content in members.items():
            if callable(content):
                with archive.open(name, "w", force_zip64=True) as member:
                    content(member)
            else:
                archive.writestr(name, content)
    return path


def roster_zip(path: Path, **members: bytes | str | Writer) -> Path:
    """The small valid exchange of ``tests.interop.roster_files`` with ``members`` added or
    replaced (``users_csv=...``; a name with a slash or a dot is used as it is)."""
    files: dict[str, bytes | str | Writer] = dict(exchange())
    for key, content in members.items():
        files[key.replace("_csv", ".csv")] = content
    return write_zip(path, files)


def many_entries(path: Path, count: int, first: dict[str, bytes | str] | None = None) -> Path:
    """A zip of ``count`` empty members (stored, so it stays small), after ``first``."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for name, content in (first or {}).items():
            archive.writestr(name, content)
        for number in range(count):
            archive.writestr(f"empty/{number}.csv", b"")
    return path


def lie_about_size(path: Path, member: str, declared: int) -> Path:
    """Rewrite the sizes ``member``'s headers declare (local and central) to ``declared``
    bytes: the data stays as it was, far larger."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    with zipfile.ZipFile(path) as archive:
        local = archive.getinfo(member).header_offset
    struct.pack_into("<I", data, local + 22, declared)
    at = data.find(b"PK\x01\x02")
    while 0 <= at <= len(data) - 46:
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46 : at + 46 + name_length]) == name:
            struct.pack_into("<I", data, at + 24, declared)
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))
    return path


def bad_utf8_on_line_5(path: Path) -> Path:
    """users.csv with a byte that is not UTF-8 on its line 5 (the header is line 1)."""
    lines = USERS.encode().splitlines(keepends=True)
    assert len(lines) == 5
    lines[4] = lines[4].replace(b"Chidi", b"Ch\xffdi")
    return roster_zip(path, users_csv=b"".join(lines))


def gzip_file(path: Path, write: Writer) -> Path:
    with gzip.open(path, "wb", compresslevel=1) as stream:
        write(stream)  # type: ignore[arg-type]
    return path


def nested_json(levels: int, inside: str = "") -> str:
    return "[" * levels + inside + "]" * levels


QTI_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest xmlns="http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1" identifier="m1">
  <resources>
    <resource identifier="item-1" type="imsqti_item_xmlv3p0" href="{href}"/>
  </resources>
</manifest>
"""


def qti_zip(path: Path, item_name: str, item: bytes | str | Writer) -> Path:
    """A QTI content package whose manifest lists one item, ``item_name``."""
    return write_zip(path, {"imsmanifest.xml": QTI_MANIFEST.format(href=item_name),
                            item_name: item})


# -- the importing process ------------------------------------------------------------------------


def peak_mb() -> float:
    """This process's peak resident memory, in MB.

    Linux's ``VmHWM`` (``/proc/self/status``) is the peak of this program alone. ``ru_maxrss``
    would do elsewhere, but on Linux it keeps, across ``exec``, the size of the process that
    started this one (a test run of several hundred MB), so it is only the fallback.
    """
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _row_counts() -> dict[str, int]:
    from django.apps import apps

    return {
        model._meta.label: model._default_manager.count()  # type: ignore[attr-defined]
        for model in apps.get_models()
    }


def _run(spec: dict[str, Any], dry_run: bool) -> str:
    """One import of ``spec``'s file; the errors it reports, as text."""
    from trellis.accounts.models import District

    importer, path, name = spec["importer"], Path(spec["path"]), spec.get("name")
    if importer == "roster":
        from trellis.roster.actions_import import do_import_roster_file

        report = do_import_roster_file(path, dry_run=dry_run, actor=None,
                                       source_name=name or path.name)
        return "\n".join(str(issue) for issue in report.issues)
    district = District.objects.get()
    if importer == "case":
        from trellis.frameworks.actions import do_import_framework

        case = do_import_framework(district, path, dry_run=dry_run, name=name)
        return "" if case.ok else "\n".join(case.lines())
    if importer == "qti":
        from trellis.content.actions import do_import_qti

        items = do_import_qti(district, path, dry_run=dry_run, display_name=name or "")
        return "\n".join(str(issue) for issue in items.issues)
    if importer == "cli":
        from trellis.cli import main as trellis

        argv = [*spec["argv"], *(["--dry-run"] if dry_run else [])]
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            status = trellis(argv)
        return f"exit {status}\n{err.getvalue()}"
    raise ValueError(f"unknown importer {importer!r}")


def prepare_database() -> None:
    """Migrate the empty database and give it one district (``python -m ... --prepare``)."""
    from django.core.management import call_command

    from trellis.accounts.models import District

    call_command("migrate", verbosity=0)
    District.objects.create(sourced_id="hostile-district", name="Hostile files district")


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trellis.settings.test")
    import django

    django.setup()
    if argv == ["--prepare"]:
        prepare_database()
        return 0
    spec = json.loads(argv[0])
    # Django, the apps and their libraries, before the import: what the import adds is the rest.
    import trellis.content.actions
    import trellis.frameworks.actions
    import trellis.roster.actions_import  # noqa: F401
    from trellis.cli import build_parser

    if spec["importer"] == "cli":
        build_parser()  # the command line imports every area (the learner model's SciPy too)

    outcome: dict[str, Any] = {
        "baseline_mb": peak_mb(),
        "counts": [_row_counts()],
        "errors": [],
    }
    started = time.perf_counter()
    for dry_run in (True, False):
        outcome["errors"].append(_run(spec, dry_run))
        outcome["counts"].append(_row_counts())
    outcome["seconds"] = time.perf_counter() - started
    outcome["peak_mb"] = peak_mb()
    print(json.dumps(outcome))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
