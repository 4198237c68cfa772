"""Export: strict 1.2 files, and export → import is lossless."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import replace
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from trellis.interop.oneroster.bundle import FileMode, RecordKind, RosterBundle, Status
from trellis.interop.oneroster.generator import generate_district
from trellis.interop.oneroster.parser import parse_roster
from trellis.interop.oneroster.schema import COLUMNS, MANIFEST_FILES
from trellis.interop.oneroster.writer import bundle_to_bytes, write_bundle

from .roster_files import ORGS, exchange, manifest_text, zip_bytes


def reread(bundle: RosterBundle) -> RosterBundle:
    return parse_roster(bundle_to_bytes(bundle), include_demographics=True).raise_for_issues()


def csv_rows(data: bytes, name: str) -> list[list[str]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        text = archive.read(name).decode("utf-8")
    return list(csv.reader(io.StringIO(text, newline="")))


def test_round_trip_of_a_hand_written_exchange_is_lossless() -> None:
    original = parse_roster(zip_bytes(exchange()), include_demographics=True).raise_for_issues()
    again = reread(original)
    assert again == original
    assert again.users[0].user_ids == (("SIS", "001"), ("LDAP", "s1"))
    # Writing is a fixed point: what was exported once exports to the same bytes.
    assert bundle_to_bytes(again) == bundle_to_bytes(original)


def test_round_trip_of_a_delta_keeps_modes_and_deletions() -> None:
    files = exchange(
        manifest_csv=manifest_text(file_orgs="delta"),
        orgs_csv=ORGS + "s3,tobedeleted,2025-08-16T00:00:00.000Z,,,,\n",
    )
    original = parse_roster(zip_bytes(files)).raise_for_issues()
    again = reread(original)
    assert again == original
    assert again.mode(RecordKind.ORGS) is FileMode.DELTA
    assert again.orgs[-1].status is Status.TOBEDELETED


def test_round_trip_of_a_generated_district_with_demographics(tmp_path: Path) -> None:
    original = generate_district(students=60, teachers=6, schools=3, seed=3, demographics=True)
    path = tmp_path / "export.zip"
    write_bundle(original, path)
    again = parse_roster(path, include_demographics=True).raise_for_issues()
    assert again == original
    assert len(again.enrollments) == len(original.enrollments) > 0


def test_headers_are_the_exact_12_columns_in_order() -> None:
    data = bundle_to_bytes(generate_district(students=10, teachers=2, schools=1, seed=0))
    for kind in RecordKind:
        if kind is RecordKind.DEMOGRAPHICS:
            continue
        assert csv_rows(data, kind.file_name)[0] == [column.name for column in COLUMNS[kind]]
    manifest = dict(csv_rows(data, "manifest.csv")[1:])
    assert manifest["oneroster.version"] == "1.2" and manifest["manifest.version"] == "1.0"
    assert {name for name in MANIFEST_FILES if manifest[f"file.{name}"] == "bulk"} == {
        "academicSessions",
        "classes",
        "courses",
        "enrollments",
        "orgs",
        "roles",
        "users",
    }
    assert manifest["file.demographics"] == "absent"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert b"\r\n" in archive.read("orgs.csv")  # RFC 4180 line ends


def test_a_bundle_that_did_not_read_demographics_does_not_export_them() -> None:
    bundle = parse_roster(zip_bytes(exchange())).raise_for_issues()
    manifest = dict(csv_rows(bundle_to_bytes(bundle), "manifest.csv")[1:])
    assert manifest["file.demographics"] == "absent"


awkward_text = st.text(
    alphabet=st.characters(exclude_categories=["Cs"]),
    max_size=30,
)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(given_name=awkward_text, family=awkward_text, email=awkward_text, pronouns=awkward_text)
def test_round_trip_keeps_awkward_text(
    given_name: str, family: str, email: str, pronouns: str
) -> None:
    bundle = parse_roster(zip_bytes(exchange())).raise_for_issues()
    student = replace(
        bundle.users[0],
        given_name=given_name if given_name.strip() else "x",
        family_name=family if family.strip() else "y",
        email=email,
        pronouns=pronouns,
    )
    changed = replace(bundle, users=(student, *bundle.users[1:]))
    assert reread(changed).users[0] == student
