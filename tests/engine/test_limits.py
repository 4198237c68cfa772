"""The import limits and their readers (pure Python; the hostile files themselves are in
``tests/test_hostile_files.py``)."""

from __future__ import annotations

import gzip
import io
import re
import zipfile

import pytest

from trellis.engine.limits import (
    DEFAULT_LIMITS,
    Budget,
    FileRefused,
    ImportLimits,
    Lines,
    SafeZip,
    gunzip_bounded,
    load_json_bounded,
    unsafe_member_name,
)


class _Trickle(io.BytesIO):
    """A stream that gives a few bytes at a time, to cross every boundary."""

    def __init__(self, data: bytes, step: int) -> None:
        super().__init__(data)
        self.step = step

    def read(self, size: int | None = -1) -> bytes:
        return super().read(self.step)


def _lines(data: bytes, limits: ImportLimits = DEFAULT_LIMITS, chunk: int | None = None) -> Lines:
    stream = io.BytesIO(data) if chunk is None else _Trickle(data, chunk)
    return Lines(stream, "f.csv", limits)


@pytest.mark.parametrize("chunk", [None, 1, 2, 3])
def test_lines_keep_their_endings_whatever_they_are(chunk: int | None) -> None:
    data = "\ufeffa,b\r\nc\rd\n\ne".encode()
    assert list(_lines(data, chunk=chunk)) == ["a,b\r\n", "c\r", "d\n", "\n", "e"]


def test_a_line_that_is_not_utf8_is_named_by_its_number() -> None:
    lines = _lines(b"ok\nok\nok\nok\nbad \xff here\n")
    with pytest.raises(FileRefused) as refused:
        list(lines)
    assert refused.value.line == 5 and "line 5 of f.csv is not UTF-8" in str(refused.value)


def test_long_lines_and_many_lines_stop_the_reading() -> None:
    small = ImportLimits(max_line_bytes=10, max_rows=3)
    with pytest.raises(FileRefused, match=re.escape("line 2 of f.csv is longer than 10 bytes")):
        list(_lines(b"short\n" + b"x" * 100, small))
    with pytest.raises(FileRefused, match=re.escape("f.csv has more than 3 lines")):
        list(_lines(b"\n" * 10, small))


def test_limits_take_overrides_by_setting_name() -> None:
    limits = DEFAULT_LIMITS.with_overrides(
        {"TRELLIS_IMPORT_MAX_ROWS": 5, "TRELLIS_IMPORT_MAX_BYTES": None}
    )
    assert limits.max_rows == 5 and limits.max_bytes == DEFAULT_LIMITS.max_bytes
    with pytest.raises(ValueError, match="unknown import limits: TRELLIS_IMPORT_MAX_ROW"):
        DEFAULT_LIMITS.with_overrides({"TRELLIS_IMPORT_MAX_ROW": 5})
    with pytest.raises(ValueError, match="must be positive"):
        DEFAULT_LIMITS.with_overrides({"TRELLIS_IMPORT_MAX_ROWS": 0})


@pytest.mark.parametrize(
    ("name", "unsafe"),
    [("a/b.csv", False), ("../b", True), ("a/../../b", True), ("/etc/x", True),
     ("C:/x", True), ("a\\..\\b", True), ("a..b/c", False)],
)
def test_member_names_that_leave_the_archive(name: str, unsafe: bool) -> None:
    assert unsafe_member_name(name) is unsafe


def test_a_zip_counts_every_byte_read_against_the_budget() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.csv", b"x" * 600)
        archive.writestr("b.csv", b"y" * 600)
    limits = ImportLimits(max_bytes=1000)
    with pytest.raises(FileRefused, match="add up to more than"):
        SafeZip(buffer.getvalue(), "z.zip", limits)
    roomy = SafeZip(buffer.getvalue(), "z.zip", ImportLimits(max_bytes=2000))
    budget = roomy.budget
    assert roomy.read("a.csv") == b"x" * 600 and budget.read == 600
    budget.limits = limits  # as if the headers had lied: the bytes read still count
    with pytest.raises(FileRefused, match=re.escape("b.csv is larger than")):
        roomy.read("b.csv")


def test_gzip_and_json_are_read_within_their_limits() -> None:
    bomb = gzip.compress(b" " * 100_000)
    with pytest.raises(FileRefused, match=re.escape("p.json.gz is larger than 98 KB uncompressed")):
        gunzip_bounded(bomb, 99_999, "max_document_bytes", "p.json.gz", Budget())
    with pytest.raises(FileRefused, match="nests JSON deeper than 3 levels"):
        load_json_bounded(b'{"a": [[{"b": 1}]]}', ImportLimits(max_json_depth=3), "p.json")
    assert load_json_bounded(b'\xef\xbb\xbf{"a": [[1]]}', ImportLimits(max_json_depth=3), "p") == {
        "a": [[1]]
    }
