"""The item bank in the database: OATutor and QTI imports, alignment by code, all-or-nothing,
update in place, dry run, and the ``trellis content`` command."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from tests.content.helpers import (
    OATUTOR,
    equation_item,
    make_ccssm,
    need_shared_data,
    seventh_grade,
    store,
)
from trellis.accounts.actions import do_create_district
from trellis.accounts.models import District
from trellis.audit.models import AuditEvent
from trellis.cli import main
from trellis.content.actions import do_import_items, do_import_oatutor, do_import_qti
from trellis.content.items import code_key, engine_item
from trellis.content.models import Item
from trellis.engine.content import Alignment, load_oatutor
from trellis.frameworks.models import Standard

pytestmark = pytest.mark.django_db

NS = 'xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0"'
RP = "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/"

QTI_CHOICE = f"""<?xml version="1.0" encoding="UTF-8"?>
<qti-assessment-item {NS} identifier="qti-frac-1" title="Add fractions">
  <qti-response-declaration identifier="RESPONSE" cardinality="single" base-type="identifier">
    <qti-correct-response><qti-value>B</qti-value></qti-correct-response>
  </qti-response-declaration>
  <qti-item-body>
    <qti-choice-interaction response-identifier="RESPONSE" max-choices="1">
      <qti-prompt>What is 1/4 + 2/4?</qti-prompt>
      <qti-simple-choice identifier="A">3/8</qti-simple-choice>
      <qti-simple-choice identifier="B">3/4</qti-simple-choice>
    </qti-choice-interaction>
  </qti-item-body>
  <qti-response-processing template="{RP}match_correct.xml"/>
</qti-assessment-item>
"""

QTI_ESSAY = f"""<?xml version="1.0" encoding="UTF-8"?>
<qti-assessment-item {NS} identifier="qti-essay-1" title="Explain">
  <qti-response-declaration identifier="RESPONSE" cardinality="single" base-type="string"/>
  <qti-item-body>
    <qti-extended-text-interaction response-identifier="RESPONSE"/>
  </qti-item-body>
</qti-assessment-item>
"""


@pytest.fixture
def district() -> District:
    return do_create_district("Item District", "dist-items")


def test_codes_match_whatever_the_spelling() -> None:
    assert code_key("HS.A-SSE.A.2") == code_key("HSA-SSE.A.2")
    assert code_key("7.EE.B.4.a") == code_key("7.EE.B.4a")
    assert code_key("7.EE.B.4") != code_key("7.EE.B.4a")


def test_items_are_stored_aligned_and_read_back_unchanged(district: District) -> None:
    seventh_grade(district)
    item = equation_item(code="7.EE.B.4.a")  # Coherence Map spelling; the framework's is 4a
    (row,) = store(district, item)
    assert engine_item(row) == item
    assert [s.code for s in row.alignments.all()] == ["7.EE.B.4a"]
    assert row.license == "CC BY 4.0"
    assert row.attribution == "OpenStax: Elementary Algebra"
    assert AuditEvent.objects.filter(action="items.import").count() == 1


def test_an_unknown_code_refuses_the_whole_import(district: District) -> None:
    seventh_grade(district)
    good = equation_item("good-1")
    bad = replace(equation_item("bad-1"), alignments=(Alignment(code="9.XX.Z.1"),))
    report = do_import_items(district, [good, bad], source="test", file_name="pool.jsonl")
    assert not report.ok
    (issue,) = report.issues
    assert (issue.file, issue.item, issue.field) == ("pool.jsonl", "bad-1", "alignments[0].code")
    assert "9.XX.Z.1" in issue.message
    assert not Item.objects.filter(district=district).exists()


def test_reimport_updates_in_place_and_dry_run_writes_nothing(district: District) -> None:
    seventh_grade(district)
    (row,) = store(district, equation_item())
    again = do_import_items(district, [equation_item()], source="test")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    changed = replace(equation_item(), title="Solve it", alignments=(
        Alignment(code="7.EE.B.4a"), Alignment(code="8.EE.C.7")))
    dry = do_import_items(district, [changed], source="test", dry_run=True)
    assert (dry.created, dry.updated, dry.dry_run) == (0, 1, True)
    row.refresh_from_db()
    assert row.title == "Solve One-Step Equations"
    report = do_import_items(district, [changed], source="test")
    assert report.updated == 1
    updated = Item.objects.get(district=district)
    assert updated.id == row.id and updated.title == "Solve it"
    assert sorted(s.code for s in updated.alignments.all()) == ["7.EE.B.4a", "8.EE.C.7"]


def test_items_are_per_district(district: District) -> None:
    other = do_create_district("Other", "dist-other")
    seventh_grade(district)
    seventh_grade(other)
    store(district, equation_item())
    store(other, equation_item())
    assert Item.objects.filter(identifier="demo-eq-1").count() == 2
    for row in Item.objects.all():
        assert {s.framework.district_id for s in row.alignments.all()} == {row.district_id}


def test_the_whole_oatutor_pool_imports_aligned_and_reimports_unchanged(
        district: District) -> None:
    make_ccssm(district)
    dry = do_import_oatutor(district, OATUTOR, dry_run=True)
    assert dry.ok and dry.created == 1898 and not Item.objects.exists()
    report = do_import_oatutor(district, OATUTOR)
    assert report.ok, report.issues[:5]
    # 2,032 problems: 1,898 imported, 134 left out because their question shows a missing
    # figure (docs/item-bank.md)
    assert (report.created, report.excluded) == (1898, 134)
    assert report.created + report.excluded == 2032
    rows = Item.objects.filter(district=district)
    assert rows.count() == 1898
    assert not rows.filter(alignments__isnull=True).exists()  # every item aligned
    expected = sum(len(i.alignments) for i in load_oatutor(OATUTOR))
    assert Item.alignments.through.objects.count() == report.alignments == expected
    stamp = {r.identifier: r.imported_at for r in rows}
    again = do_import_oatutor(district, OATUTOR)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1898)
    assert {r.identifier: r.imported_at for r in Item.objects.all()} == stamp
    sample = rows.get(identifier="a012999exa14")
    assert engine_item(sample).steps[0].answer_latex == "$$8x^4-12x^3+20x^2$$"
    assert {s.code for s in sample.alignments.all()} == {"HSA-APR.A.1", "7.EE.A.1"}


def test_qti_import_and_unsupported_interaction_named(district: District,
                                                      tmp_path: Path) -> None:
    good = tmp_path / "fractions.xml"
    good.write_text(QTI_CHOICE, encoding="utf-8")
    report = do_import_qti(district, good)
    assert report.ok and report.created == 1
    row = Item.objects.get(identifier="qti-frac-1")
    assert row.source == "qti3" and engine_item(row).steps[0].choices[1].content == "3/4"
    essay = tmp_path / "essay.xml"
    essay.write_text(QTI_ESSAY, encoding="utf-8")
    failed = do_import_qti(district, essay, display_name="essay.xml")
    assert not failed.ok
    assert any("qti-extended-text-interaction" in str(i) and i.file == "essay.xml"
               for i in failed.issues)
    assert Item.objects.count() == 1


def test_cli_imports_qti_and_reports_problems(district: District, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "fractions.xml"
    good.write_text(QTI_CHOICE, encoding="utf-8")
    assert main(["content", "import-qti", str(good), "--dry-run"]) == 0
    assert "would import 1 item " in capsys.readouterr().out
    assert not Item.objects.exists()
    assert main(["content", "import-qti", str(good), "--align", "7.EE.B.4a"]) == 1
    assert "no standard '7.EE.B.4a'" in capsys.readouterr().err  # no framework here yet
    seventh_grade(district)
    assert main(["content", "import-qti", str(good), "--align", "7.ee.b.4.a, 8.EE.C.7"]) == 0
    assert "imported 1 item " in capsys.readouterr().out
    row = Item.objects.get(identifier="qti-frac-1")
    assert sorted(s.code for s in row.alignments.all()) == ["7.EE.B.4a", "8.EE.C.7"]
    essay = tmp_path / "essay.xml"
    essay.write_text(QTI_ESSAY, encoding="utf-8")
    assert main(["content", "import-qti", str(essay)]) == 1
    err = capsys.readouterr().err
    assert "nothing imported" in err and "qti-extended-text-interaction" in err
    assert "essay.xml" in err


def test_cli_oatutor_names_the_missing_framework(district: District, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    need_shared_data()
    pool = tmp_path / "pool"
    pool.mkdir()
    import gzip

    with gzip.open(OATUTOR / "problems.jsonl.gz", "rt", encoding="utf-8") as handle:
        first = handle.readline()
    with gzip.open(pool / "problems.jsonl.gz", "wt", encoding="utf-8") as handle:
        handle.write(first)
    (pool / "course_plan.json").write_text(
        (OATUTOR / "course_plan.json").read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["content", "import-oatutor", str(pool)]) == 1  # no standards imported yet
    err = capsys.readouterr().err
    problem_id = json.loads(first)["id"]
    assert f"item {problem_id}: alignments[0].code" in err
    assert "import the framework first" in err
    make_ccssm(district)
    assert main(["content", "import-oatutor", str(pool)]) == 0
    assert "imported 1 item " in capsys.readouterr().out
    assert Standard.objects.filter(items__identifier=problem_id).exists()
    assert main(["content", "import-oatutor", str(tmp_path / "nowhere")]) == 2
