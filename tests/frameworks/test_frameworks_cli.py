"""``trellis framework import / export`` and the demo seed, through ``trellis.cli.main``."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from tests.engine.frameworks.builders import fractions_framework
from trellis.accounts.actions import do_create_district
from trellis.audit.models import AuditEvent
from trellis.cli import main
from trellis.engine.frameworks import load_case_package
from trellis.frameworks.models import Framework, Standard

pytestmark = pytest.mark.django_db


@pytest.fixture
def package_file(tmp_path: Path) -> Path:
    path = tmp_path / "fractions.json"
    path.write_text(json.dumps(fractions_framework().build()))
    return path


def test_import_prints_counts_by_type(
    package_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    do_create_district("Only district", "only")
    assert main(["framework", "import", str(package_file)]) == 0
    out = capsys.readouterr().out
    assert "Imported a new framework." in out
    assert "  Standard: 3" in out and "  Grade Level: 2" in out and "  Component: 1" in out
    assert "  isChildOf: 10" in out and "  precedes: 3" in out and "  isRelatedTo: 1" in out
    assert "Competency graph: 4 standards, 3 prerequisite edges" in out
    assert "Items: 10 new, 0 updated, 0 unchanged, 0 removed" in out
    assert Standard.objects.count() == 10


def test_dry_run_writes_nothing(package_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    do_create_district("Only district", "only")
    assert main(["framework", "import", str(package_file), "--dry-run"]) == 0
    assert "Would import a new framework (dry run: nothing written)." in capsys.readouterr().out
    assert not Framework.objects.exists()


def test_errors_one_per_line_exit_non_zero_nothing_imported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    do_create_district("Only district", "only")
    builder = fractions_framework()
    data = builder.build()
    del data["CFItems"][3]["fullStatement"]
    data["CFItems"][8]["lastChangeDateTime"] = "yesterday"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    assert main(["framework", "import", str(path)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].endswith("bad.json: cannot import")
    assert err[1] == "Refused: 2 problems; nothing was imported."
    assert err[2].startswith(
        f"CFItem (code 3.NF.A.1, identifier {builder.id('3.NF.A.1')}), field 'fullStatement'"
    )
    assert "CFItem (code 4.NF.B.3" in err[3] and "'lastChangeDateTime'" in err[3]
    assert not Framework.objects.exists()


def test_district_must_be_named_when_there_are_several(
    package_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    do_create_district("One", "one")
    two = do_create_district("Two", "two")
    assert main(["framework", "import", str(package_file)]) == 2
    assert "--district" in capsys.readouterr().err
    assert main(["framework", "import", str(package_file), "--district", "two"]) == 0
    assert Framework.objects.get().district == two


def test_export_writes_a_valid_package_and_is_audited(
    package_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    do_create_district("Only district", "only")
    main(["framework", "import", str(package_file)])
    framework = Framework.objects.get()
    out = tmp_path / "out.json.gz"
    assert main(["framework", "export", "--framework", str(framework.id), str(out)]) == 0
    assert "10 items, 14 associations" in capsys.readouterr().out
    exported = json.loads(gzip.decompress(out.read_bytes()))
    assert load_case_package(exported) == load_case_package(package_file)
    by_identifier = tmp_path / "again.json"
    by_id_args = ["framework", "export", "--framework", framework.identifier, str(by_identifier)]
    assert main(by_id_args) == 0
    assert AuditEvent.objects.filter(action="framework.export").count() == 2
    assert main(["framework", "export", "--framework", "999999", str(out)]) == 2


def test_seed_frameworks_needs_the_shared_folder(
    settings: Any, tmp_path: Path
) -> None:
    from trellis.frameworks.demo import FrameworkDemoError, seed_frameworks

    district = do_create_district("Demo", "demo")
    settings.SHARED_DIR = tmp_path / "nowhere"  # what TRELLIS_SHARED_DIR sets
    with pytest.raises(FrameworkDemoError, match="TRELLIS_SHARED_DIR"):
        seed_frameworks(district)
    assert not Framework.objects.exists()


def test_seed_frameworks_imports_the_coherence_map() -> None:
    from tests.engine.frameworks.builders import demo_package_path
    from trellis.frameworks.demo import seed_frameworks

    demo_package_path()  # skips when the shared data is absent
    district = do_create_district("Demo", "demo")
    said: list[str] = []
    report = seed_frameworks(district, said.append)
    assert report.ok and report.summary is not None
    assert (report.summary.standards, report.summary.prerequisite_edges) == (480, 757)
    assert "480 standards, 757 prerequisite links" in said[-1]
    assert Framework.objects.get().district == district
