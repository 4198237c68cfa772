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

from trellis.interop.oneroster.bundle import FileMode, RecordKind
from trellis.interop.oneroster.errors import IssueCode, RosterImportError, RosterIssue
from trellis.interop.oneroster.parser import RosterLoad, parse_roster
from trellis.interop.oneroster.schema import COLUMNS, KIND_ORDER

from .roster_files import FILES, edit_cell, exchange, manifest_text, zip_bytes
from .test_validation import REFERENCE_CELLS
from .test_writer import reread

FUZZ = settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
VALID = zip_bytes(exchange())
ORIGINAL = parse_roster(VALID).raise_for_issues()
EVERYTHING = parse_roster(VALID, include_demographics=True).raise_for_issues()


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


def physical_lines(text: str) -> int:
    """How many lines the parser can name in ``text`` (CR, LF and CRLF all end a line)."""
    return max(1, len(io.StringIO(text, newline="").readlines()))


def check_records_untouched(load: RosterLoad) -> None:
    """Only the manifest changed: every file that was read gives exactly the original records,
    and every issue outside the manifest is a dangling reference into a file the manifest left
    out, located by file, line and column."""
    assert load.bundle is not None
    for kind in KIND_ORDER:
        assert load.bundle.records(kind) in ((), EVERYTHING.records(kind)), kind
    for issue in load.issues:
        if issue.file != MANIFEST:
            assert issue.code is IssueCode.REFERENCE, issue
            assert issue.line is not None and issue.line >= 2 and issue.column, issue
            left_out = [k for k in KIND_ORDER if not load.bundle.records(k)]
            assert any(kind.file_name in issue.message for kind in left_out), issue


@FUZZ
@given(
    st.sampled_from(sorted(FILES)), st.lists(st.lists(st.text(max_size=8), max_size=6), max_size=6)
)
def test_random_tables(name: str, rows: list[list[str]]) -> None:
    """A random table in place of a data file (its "header" never holds the 9-letter required
    ``sourcedId``) is refused at its header, line 1 of that file; the file counts as unread, so
    no row of it is imported and nothing that points into it is reported a second time; the
    other files are read unchanged."""
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    load = load_files(exchange(**{name.replace(".csv", "_csv"): out.getvalue()}))
    kind = next(k for k in KIND_ORDER if k.file_name == name)
    assert not load.ok and load.bundle is not None
    assert load.issues
    assert {(i.code, i.file, i.line) for i in load.issues} == {(IssueCode.HEADER, name, 1)}
    assert kind in load.incomplete
    assert load.bundle.records(kind) == ()
    for other in KIND_ORDER:
        if other is not kind:
            assert load.bundle.records(other) == EVERYTHING.records(other), other


MANIFEST = "manifest.csv"
MANIFEST_LINES = manifest_text().splitlines()


def shuffled_manifest(body: list[str], keep: int, noise: list[tuple[int, str]]) -> str:
    """The header, then ``keep`` of the real manifest's rows, with noise lines slipped in."""
    lines = [MANIFEST_LINES[0], *body[:keep]]
    for at, line in noise:
        lines.insert(at % (len(lines) + 1), line)
    return "\n".join(lines)


# Any text at all, or a real manifest's rows in any order and number, with noise.
manifest_texts = st.one_of(
    st.text(max_size=300),
    st.builds(
        shuffled_manifest,
        st.permutations(MANIFEST_LINES[1:]),
        st.integers(0, len(MANIFEST_LINES) - 1),
        st.lists(st.tuples(st.integers(0, 20), st.text(max_size=30)), max_size=3),
    ),
)


@FUZZ
@given(manifest_texts)
def test_random_manifest(text: str) -> None:
    """Whatever manifest.csv holds, what is wrong with it is reported in manifest.csv at a line
    that exists; when it cannot be used nothing else is read; when it can, it only chooses which
    files are read, never what they hold, and a clean result survives export and re-import."""
    load = load_files(exchange(manifest_csv=text))
    for issue in load.issues:
        if issue.file == MANIFEST and issue.line is not None:
            assert 1 <= issue.line <= physical_lines(text), issue
    if load.bundle is None:
        assert load.issues
        assert all(issue.file == MANIFEST for issue in load.issues)
        assert any(
            issue.code in (IssueCode.HEADER, IssueCode.ROW, IssueCode.ENCODING, IssueCode.VERSION)
            for issue in load.issues
        )
        return
    assert "oneroster.version" in text and "1.2" in text
    check_records_untouched(load)
    if load.ok:
        assert reread(load.bundle) == load.bundle


FILE_KEYS = {"file_users": RecordKind.USERS, "file_orgs": RecordKind.ORGS,
             "file_roles": RecordKind.ROLES, "file_lineItems": None}
MODES = {"bulk": FileMode.BULK, "delta": FileMode.DELTA, "absent": FileMode.ABSENT}


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
    """The outcome of every combination of versions and file modes, predicted from the
    manifest alone."""
    text = manifest_text(**changes)
    lines = {row.split(",", 1)[0]: n for n, row in enumerate(text.splitlines(), start=1)}
    load = load_files(exchange(manifest_csv=text))
    version = changes.get("oneroster_version", "1.2")
    if version != "1.2":  # a wrong or missing version: refused, and nothing is read
        assert load.bundle is None
        assert [(i.code, i.file, i.line, i.column) for i in load.issues] == [
            (IssueCode.VERSION, MANIFEST, lines.get("oneroster.version"), "value")
        ]
        return
    bundle = load.bundle
    assert bundle is not None
    expected_issues = set()
    absent = set()
    for key, kind in FILE_KEYS.items():
        value = changes.get(key, "bulk")
        if value is not None and value not in MODES:  # a mode that is no mode: reported
            expected_issues.add((IssueCode.MANIFEST, MANIFEST, lines[key.replace("_", ".")]))
        mode = MODES.get(value or "", FileMode.ABSENT)
        if kind is None:  # lineItems: not rostering, its mode matters to nobody
            continue
        assert bundle.mode(kind) is mode, (kind, mode)
        if mode is FileMode.ABSENT:
            absent.add(kind)
            assert bundle.records(kind) == ()
            if value == "absent":
                assert kind.file_name in {f.name for f in bundle.ignored_files}
        else:
            assert bundle.records(kind) == EVERYTHING.records(kind)
    located = {(i.code, i.file, i.line) for i in load.issues if i.file == MANIFEST}
    assert located == expected_issues
    check_records_untouched(load)
    # Roles point at users and orgs; classes, courses, enrollments too: leaving either out
    # leaves references dangling. Roles themselves are optional.
    dangling = bool(absent & {RecordKind.USERS, RecordKind.ORGS})
    assert any(i.code is IssueCode.REFERENCE for i in load.issues) == dangling
    assert load.ok == (not expected_issues and not dangling)
    if load.ok:
        assert reread(bundle) == bundle
