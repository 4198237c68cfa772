"""QTI 3.0 import: choice and text-entry items, templates, packages, and errors."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from trellis.engine.content.answers import check_answer
from trellis.engine.content.errors import ContentImportError
from trellis.engine.content.model import InteractionType, ScoringMethod
from trellis.engine.content.qti import load_qti

NS = 'xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0"'
RP = "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/"

SINGLE_CHOICE = f"""<?xml version="1.0" encoding="UTF-8"?>
<qti-assessment-item {NS} identifier="item-4nf3a-1" title="Add fractions"
    adaptive="false" time-dependent="false" xml:lang="en">
  <qti-response-declaration identifier="RESPONSE" cardinality="single" base-type="identifier">
    <qti-correct-response><qti-value>B</qti-value></qti-correct-response>
  </qti-response-declaration>
  <qti-outcome-declaration identifier="SCORE" cardinality="single" base-type="float">
    <qti-default-value><qti-value>0</qti-value></qti-default-value>
  </qti-outcome-declaration>
  <qti-item-body>
    <p>Look carefully.</p>
    <qti-choice-interaction response-identifier="RESPONSE" shuffle="true" max-choices="1">
      <qti-prompt>What is 1/4 + 2/4?</qti-prompt>
      <qti-simple-choice identifier="A">3/8<qti-feedback-inline identifier="A"
          outcome-identifier="FEEDBACK" show-hide="show">Add the numerators only.
          </qti-feedback-inline></qti-simple-choice>
      <qti-simple-choice identifier="B">3/4</qti-simple-choice>
    </qti-choice-interaction>
  </qti-item-body>
  <qti-response-processing template="{RP}match_correct.xml"/>
</qti-assessment-item>
"""

MULTIPLE_RESPONSE = f"""<qti-assessment-item {NS} identifier="item-multi" title="Primes">
  <qti-response-declaration identifier="RESPONSE" cardinality="multiple" base-type="identifier">
    <qti-correct-response><qti-value>A</qti-value><qti-value>C</qti-value></qti-correct-response>
    <qti-mapping default-value="0" lower-bound="0">
      <qti-map-entry map-key="A" mapped-value="1"/>
      <qti-map-entry map-key="B" mapped-value="-1"/>
      <qti-map-entry map-key="C" mapped-value="1"/>
    </qti-mapping>
  </qti-response-declaration>
  <qti-item-body>
    <qti-choice-interaction response-identifier="RESPONSE" max-choices="0">
      <qti-prompt>Which are prime?</qti-prompt>
      <qti-simple-choice identifier="A">2</qti-simple-choice>
      <qti-simple-choice identifier="B">4</qti-simple-choice>
      <qti-simple-choice identifier="C">7</qti-simple-choice>
    </qti-choice-interaction>
  </qti-item-body>
  <qti-response-processing template="{RP}map_response"/>
</qti-assessment-item>
"""

TEXT_ENTRY = f"""<qti-assessment-item {NS} identifier="item-text" title="Fraction sum">
  <qti-response-declaration identifier="RESPONSE" cardinality="single" base-type="string">
    <qti-correct-response><qti-value>3/4</qti-value></qti-correct-response>
    <qti-mapping default-value="0">
      <qti-map-entry map-key="3/4" mapped-value="1" case-sensitive="false"/>
      <qti-map-entry map-key="0.75" mapped-value="1" case-sensitive="false"/>
    </qti-mapping>
  </qti-response-declaration>
  <qti-item-body>
    <p>1/4 + 2/4 = <qti-text-entry-interaction response-identifier="RESPONSE"
        expected-length="6"/> exactly.</p>
  </qti-item-body>
  <qti-response-processing template="{RP}map_response.xml"/>
</qti-assessment-item>
"""

NUMERIC = f"""<qti-assessment-item {NS} identifier="item-num" title="Half">
  <qti-response-declaration identifier="RESPONSE" cardinality="single" base-type="float">
    <qti-correct-response><qti-value>0.5</qti-value></qti-correct-response>
  </qti-response-declaration>
  <qti-item-body><p>Half of 1: <qti-text-entry-interaction response-identifier="RESPONSE"/></p>
  </qti-item-body>
  <qti-response-processing template="{RP}match_correct"/>
</qti-assessment-item>
"""

UNSUPPORTED = f"""<qti-assessment-item {NS} identifier="item-essay" title="Explain">
  <qti-response-declaration identifier="RESPONSE" cardinality="single" base-type="string"/>
  <qti-item-body>
    <qti-extended-text-interaction response-identifier="RESPONSE"/>
  </qti-item-body>
</qti-assessment-item>
"""

MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest xmlns="http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1" identifier="pkg">
  <resources>
    {resources}
  </resources>
</manifest>
"""


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _package(folder: Path, files: dict[str, str]) -> Path:
    resources = "\n".join(
        f'<resource identifier="r{n}" type="imsqti_item_xmlv3p0" href="{name}">'
        f'<file href="{name}"/></resource>' for n, name in enumerate(files))
    path = folder / "package.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("imsmanifest.xml", MANIFEST.format(resources=resources))
        for name, text in files.items():
            archive.writestr(name, text)
    return path


def test_single_choice_item(tmp_path: Path) -> None:
    (item,) = load_qti(_write(tmp_path, "item.xml", SINGLE_CHOICE))
    assert (item.identifier, item.title) == ("item-4nf3a-1", "Add fractions")
    (step,) = item.steps
    assert step.interaction is InteractionType.SINGLE_CHOICE
    assert [c.identifier for c in step.choices] == ["A", "B"]
    assert step.prompt == "What is 1/4 + 2/4?"
    assert "Look carefully." in item.prompt and "qti-choice-interaction" not in item.prompt
    assert check_answer(step, "B").correct
    wrong = check_answer(step, "A")
    assert not wrong.correct and "numerators" in wrong.message


def test_multiple_response_with_map_response(tmp_path: Path) -> None:
    (item,) = load_qti(_write(tmp_path, "multi.xml", MULTIPLE_RESPONSE))
    step = item.steps[0]
    assert step.interaction is InteractionType.MULTIPLE_RESPONSE
    assert step.scoring.method is ScoringMethod.MAP_RESPONSE
    assert step.scoring.max_score == 2.0
    assert check_answer(step, ["A", "C"]).correct
    assert check_answer(step, ["A"]).score == 1.0
    assert check_answer(step, ["A", "B"]).score == 0.0


def test_text_entry_with_mapping_and_blank(tmp_path: Path) -> None:
    (item,) = load_qti(_write(tmp_path, "text.xml", TEXT_ENTRY))
    step = item.steps[0]
    assert step.interaction is InteractionType.TEXT_ENTRY
    assert 'data-response="RESPONSE"' in item.prompt and "exactly." in item.prompt
    assert check_answer(step, "0.75").correct
    assert check_answer(step, "3/4").correct
    assert not check_answer(step, "1/2").correct


def test_numeric_text_entry_and_template_without_xml_suffix(tmp_path: Path) -> None:
    (item,) = load_qti(_write(tmp_path, "num.xml", NUMERIC))
    step = item.steps[0]
    assert step.interaction is InteractionType.NUMERIC
    assert step.scoring.method is ScoringMethod.MATCH_CORRECT
    assert check_answer(step, "1/2").correct


def test_content_package_zip(tmp_path: Path) -> None:
    package = _package(tmp_path, {"items/one.xml": SINGLE_CHOICE, "items/two.xml": TEXT_ENTRY})
    items = load_qti(package)
    assert [item.identifier for item in items] == ["item-4nf3a-1", "item-text"]
    assert items[0].source.path == "items/one.xml"


def test_unsupported_interaction_is_reported_by_name_and_nothing_returned(
        tmp_path: Path) -> None:
    package = _package(tmp_path, {"ok.xml": SINGLE_CHOICE, "essay.xml": UNSUPPORTED})
    with pytest.raises(ContentImportError) as raised:
        load_qti(package)
    (issue,) = raised.value.issues
    assert (issue.file, issue.item) == ("essay.xml", "item-essay")
    assert issue.field == "qti-item-body.qti-extended-text-interaction"
    assert "unsupported interaction qti-extended-text-interaction" in issue.message


@pytest.mark.parametrize(("broken", "field"), [
    (SINGLE_CHOICE.replace('<qti-value>B</qti-value>', '<qti-value>Z</qti-value>'),
     "qti-choice-interaction[RESPONSE]"),
    (SINGLE_CHOICE.replace('response-identifier="RESPONSE" shuffle',
                           'response-identifier="R2" shuffle'),
     "qti-choice-interaction[R2].response-identifier"),
    (SINGLE_CHOICE.replace('match_correct.xml', 'my_template.xml'),
     "qti-response-processing.template"),
    (MULTIPLE_RESPONSE.replace('mapped-value="-1"', 'mapped-value="lots"'),
     "qti-response-declaration[RESPONSE].qti-map-entry.mapped-value"),
    (SINGLE_CHOICE.replace(' title="Add fractions"', ''), "title"),
])
def test_errors_name_file_item_and_field(tmp_path: Path, broken: str, field: str) -> None:
    with pytest.raises(ContentImportError) as raised:
        load_qti(_write(tmp_path, "bad.xml", broken))
    issue = raised.value.issues[0]
    assert issue.file == "bad.xml"
    assert issue.item.startswith("item-")
    assert issue.field == field


def test_not_xml_or_not_qti3(tmp_path: Path) -> None:
    with pytest.raises(ContentImportError) as raised:
        load_qti(_write(tmp_path, "broken.xml", "<qti-assessment-item"))
    assert raised.value.issues[0].field == "xml"
    qti21 = SINGLE_CHOICE.replace("imsqtiasi_v3p0", "imsqti_v2p1")
    with pytest.raises(ContentImportError) as raised:
        load_qti(_write(tmp_path, "old.xml", qti21))
    assert raised.value.issues[0].field == "root"


def test_package_without_manifest_or_with_missing_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("item.xml", SINGLE_CHOICE)
    with pytest.raises(ContentImportError) as raised:
        load_qti(empty)
    assert raised.value.issues[0].field == "imsmanifest.xml"
    missing = tmp_path / "missing.zip"
    with zipfile.ZipFile(missing, "w") as archive:
        archive.writestr("imsmanifest.xml", MANIFEST.format(
            resources='<resource identifier="r1" type="imsqti_item_xmlv3p0" href="gone.xml"/>'))
    with pytest.raises(ContentImportError) as raised:
        load_qti(missing)
    assert raised.value.issues[0].field == "resource.href"


def test_external_entities_are_not_expanded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-4711", encoding="utf-8")
    hostile = SINGLE_CHOICE.replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY s SYSTEM "{secret.as_uri()}">]>',
    ).replace("Look carefully.", "&s;")
    try:
        items = load_qti(_write(tmp_path, "xxe.xml", hostile))
    except ContentImportError:
        return
    assert "TOP-SECRET-4711" not in items[0].prompt


def test_unpacked_package_folder_and_hrefs_outside_it(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "items").mkdir(parents=True)
    (package / "items" / "one.xml").write_text(SINGLE_CHOICE, encoding="utf-8")
    resource = ('<resource identifier="r1" type="imsqti_item_xmlv3p0" href="items/one.xml"/>')
    (package / "imsmanifest.xml").write_text(MANIFEST.format(resources=resource),
                                             encoding="utf-8")
    (item,) = load_qti(package)
    assert item.identifier == "item-4nf3a-1"
    escape = ('<resource identifier="r2" type="imsqti_item_xmlv3p0" href="../secret.xml"/>')
    (package / "imsmanifest.xml").write_text(MANIFEST.format(resources=resource + escape),
                                             encoding="utf-8")
    with pytest.raises(ContentImportError) as raised:
        load_qti(package)
    (issue,) = raised.value.issues
    assert (issue.item, issue.field) == ("r2", "resource.href")
    assert "outside the package" in issue.message
