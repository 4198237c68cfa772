"""Property-based fuzzing of the importer with malformed exchanges.

Whatever the input — random bytes, a truncated or corrupted zip, broken quoting, mangled
headers, dangling references, wrong enumerations — parsing returns issues (never an unhandled
exception), and an exchange with any issue can never be imported (``raise_for_issues`` raises).
"""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trellis.interop.oneroster.errors import IssueCode, RosterImportError, RosterIssue
from trellis.interop.oneroster.parser import RosterLoad, parse_roster
from trellis.interop.oneroster.schema import COLUMNS

from .roster_files import FILES, edit_cell, exchange, manifest_text, zip_bytes
from .test_validation import REFERENCE_CELLS

FUZZ = settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
VALID = zip_bytes(exchange())
ORIGINAL = parse_roster(VALID).raise_for_issues()


def check_contract(load: RosterLoad) -> None:
    """The importer's promise, whatever it was fed."""
    assert all(isinstance(issue, RosterIssue) for issue in load.issues)
    assert all(isinstance(issue.code, IssueCode) and str(issue) for issue in load.issues)
    assert load.ok == (load.bundle is not None and not load.issues)
    if not load.ok:
        with pytest.raises(RosterImportError):
            load.raise_for_issues()


def load_files(files: dict[str, str | bytes]) -> RosterLoad:
    load = parse_roster(zip_bytes(files), include_demographics=True)
    check_contract(load)
    return load


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes(data: bytes) -> None:
    load = parse_roster(data)
    check_contract(load)
    assert not load.ok


@FUZZ
@given(st.integers(min_value=0, max_value=len(VALID) - 1))
def test_truncated_zip(length: int) -> None:
    load = parse_roster(VALID[:length])
    check_contract(load)
    assert not load.ok


@FUZZ
@given(
    st.lists(st.tuples(st.integers(0, len(VALID) - 1), st.integers(1, 255)), min_size=1, max_size=4)
)
def test_corrupted_zip_is_refused_or_read_unchanged(flips: list[tuple[int, int]]) -> None:
    data = bytearray(VALID)
    for position, mask in flips:
        data[position] ^= mask
    load = parse_roster(bytes(data))
    check_contract(load)
    if load.ok:  # a flip in a timestamp or an unused field changes nothing that matters
        assert load.bundle == ORIGINAL


def test_unsupported_zip_version_is_an_issue() -> None:
    data = bytearray(VALID)
    central = data.index(b"PK\x01\x02")
    data[central + 6] = 84  # "version needed to extract" 8.4, which zipfile refuses
    load = parse_roster(bytes(data))
    check_contract(load)
    assert load.issues[0].code is IssueCode.ARCHIVE


csv_noise = st.sampled_from(['"', ",", "\n", "\r", '""', "\x00", "\ufeff", "x", "é", " "])


@FUZZ
@given(
    st.sampled_from(sorted(FILES)),
    st.lists(
        st.tuples(
            st.integers(0, 2000), st.lists(csv_noise, max_size=4).map("".join), st.integers(0, 5)
        ),
        min_size=1,
        max_size=5,
    ),
)
def test_mutated_csv_text(name: str, edits: list[tuple[int, str, int]]) -> None:
    text = FILES[name]
    for position, insert, delete in edits:
        at = position % (len(text) + 1)
        text = text[:at] + insert + text[at + delete :]
    load = load_files(exchange(**{name.replace(".csv", "_csv"): text}))
    if not load.ok:
        assert any(issue.file for issue in load.issues)


@FUZZ
@given(st.sampled_from(sorted(FILES)), st.data())
def test_mangled_headers(name: str, data: st.DataObject) -> None:
    lines = FILES[name].split("\n", 1)
    header = lines[0].split(",")
    operation = data.draw(st.sampled_from(["drop", "case", "duplicate", "rename", "shuffle"]))
    index = data.draw(st.integers(0, len(header) - 1))
    if operation == "drop":
        header.pop(index)
    elif operation == "case":
        header[index] = header[index].upper()
    elif operation == "duplicate":
        header.append(header[index])
    elif operation == "rename":
        header[index] = data.draw(st.text("abcXYZ_.", min_size=1, max_size=8))
    else:
        header = data.draw(st.permutations(header))
    load = load_files(
        exchange(**{name.replace(".csv", "_csv"): ",".join(header) + "\n" + lines[1]})
    )
    kind_columns = {c.name: c for cols in COLUMNS.values() for c in cols}
    changed_required = operation in ("drop", "case", "rename") and (
        index < 3 or kind_columns[lines[0].split(",")[index]].required
    )
    if changed_required:
        assert not load.ok
        assert any(issue.code is IssueCode.HEADER and issue.line == 1 for issue in load.issues)


ids = st.text("abcdefghijklmnopqrstuvwxyz0123456789-_.:", min_size=1, max_size=12)
EXISTING = {line.split(",", 1)[0] for text in FILES.values() for line in text.splitlines()[1:]}


@FUZZ
@given(st.sampled_from(REFERENCE_CELLS), ids)
def test_dangling_references_are_always_named(cell: tuple[str, int, str], value: str) -> None:
    file, line, column = cell
    if value in EXISTING:
        return
    load = load_files(
        exchange(**{file.replace(".csv", "_csv"): edit_cell(FILES[file], line, column, value)})
    )
    assert not load.ok
    assert (IssueCode.REFERENCE, file, line, column) in {
        (i.code, i.file, i.line, i.column) for i in load.issues
    }


ENUM_CELLS = [
    (kind.file_name, column.name, column.enum)
    for kind, columns in COLUMNS.items()
    for column in columns
    if column.enum is not None
]


@FUZZ
@given(st.sampled_from(ENUM_CELLS), st.text(min_size=1, max_size=15))
def test_wrong_enumerations_are_always_named(cell: tuple, value: str) -> None:
    file, column, enum = cell
    if not value.strip() or value.strip() in {member.value for member in enum}:
        return
    load = load_files(
        exchange(**{file.replace(".csv", "_csv"): edit_cell(FILES[file], 2, column, value)})
    )
    assert (IssueCode.ENUM, file, 2, column) in {
        (i.code, i.file, i.line, i.column) for i in load.issues
    }


@FUZZ
@given(
    st.sampled_from(sorted(FILES)), st.lists(st.lists(st.text(max_size=8), max_size=6), max_size=6)
)
def test_random_tables(name: str, rows: list[list[str]]) -> None:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    load_files(exchange(**{name.replace(".csv", "_csv"): out.getvalue()}))


@FUZZ
@given(st.text(max_size=300))
def test_random_manifest(text: str) -> None:
    load_files(exchange(manifest_csv=text))


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from(
            ["file_users", "file_orgs", "file_roles", "oneroster_version", "file_lineItems"]
        ),
        st.one_of(
            st.none(), st.sampled_from(["bulk", "delta", "absent", "1.1", "1.2", "full", ""])
        ),
    )
)
def test_manifest_variations(changes: dict[str, str | None]) -> None:
    load_files(exchange(manifest_csv=manifest_text(**changes)))
