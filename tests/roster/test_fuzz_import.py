"""Fuzzing the whole import (parse → validate → apply): a damaged exchange always gives a
report with clear issues, never an unhandled exception, and never a partial import."""

from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trellis.accounts.models import GuardianLink, RoleAssignment, School, User
from trellis.interop.oneroster.generator import district_zip_bytes
from trellis.roster.actions_import import do_import_roster_file
from trellis.roster.models import AcademicSession, Class, Course, Enrollment

pytestmark = pytest.mark.django_db

VALID = district_zip_bytes(students=20, teachers=2, schools=1, seed=11)
with zipfile.ZipFile(io.BytesIO(VALID)) as _zip:
    FILES = {name: _zip.read(name).decode() for name in _zip.namelist()}
DATA_FILES = sorted(name for name in FILES if name != "manifest.csv")
MODELS = (School, AcademicSession, Course, Class, User, RoleAssignment, GuardianLink, Enrollment)


def _snapshot() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in MODELS)


def _rezip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


@st.composite
def damaged(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["cell", "line", "truncate", "header", "quote", "reference"]))
    if kind == "truncate":
        return VALID[: draw(st.integers(min_value=0, max_value=len(VALID) - 1))]
    files = dict(FILES)
    name = draw(st.sampled_from(DATA_FILES + (["manifest.csv"] if kind == "cell" else [])))
    lines = files[name].split("\r\n")
    index = draw(st.integers(min_value=0, max_value=max(0, len(lines) - 2)))
    cells = lines[index].split(",")
    column = draw(st.integers(min_value=0, max_value=len(cells) - 1))
    if kind == "cell":
        cells[column] = draw(st.text(alphabet="ab01-:{}T ", max_size=8))
        lines[index] = ",".join(cells)
    elif kind == "line":
        del lines[index]
    elif kind == "header":
        header = lines[0].split(",")
        header[column % len(header)] = header[column % len(header)].upper()
        lines[0] = ",".join(header)
    elif kind == "quote":
        lines[index] = lines[index] + ',"unterminated'
    else:  # a reference to nothing
        cells[column] = "nowhere-" + cells[column]
        lines[index] = ",".join(cells)
    files[name] = "\r\n".join(lines)
    return _rezip(files)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=damaged())
def test_damaged_exchanges_fail_cleanly_or_apply_whole(data: bytes) -> None:
    before = _snapshot()
    report = do_import_roster_file(data, dry_run=False, actor=None)
    if report.applied:
        assert report.ok
        return
    assert report.issues, "an import that did not apply must say why"
    assert _snapshot() == before, "a refused import changed the database"
    for issue in report.issues:
        assert issue.message and str(issue)
        if issue.line is not None:
            assert issue.file, issue
