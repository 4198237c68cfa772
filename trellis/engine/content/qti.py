"""Import 1EdTech QTI 3.0 assessment items.

Input is a single item file (``<qti-assessment-item>``), a folder, or an IMS content package
(zip) whose ``imsmanifest.xml`` lists the items as resources of type ``imsqti_item_xmlv3p0``.
Elements are kebab-case with the ``qti-`` prefix in the namespace
``http://www.imsglobal.org/xsd/imsqtiasi_v3p0``.

Supported, following the spec's core:

- ``qti-choice-interaction`` → ``single_choice`` (response ``cardinality="single"``) or
  ``multiple_response`` (``cardinality="multiple"``; ``max-choices`` 0 means unlimited);
  ``qti-feedback-inline`` inside a choice becomes that choice's feedback;
- ``qti-text-entry-interaction`` → ``text_entry`` (``base-type="string"``) or ``numeric``
  (``float``/``integer``); its place in the body is kept as a blank
  ``<span class="qti-blank" data-response="RESPONSE"></span>``;
- response processing by the standard templates ``match_correct`` and ``map_response``,
  referenced by URL with or without ``.xml`` (or by bare name); ``qti-mapping`` with
  ``default-value``, ``lower-bound``, ``upper-bound`` and ``qti-map-entry`` (``map-key``,
  ``mapped-value``, ``case-sensitive``).

Any other interaction is **reported by name** (``unsupported interaction
qti-extended-text-interaction``), never silently dropped; so is custom response processing.
Every problem becomes an :class:`~trellis.engine.content.errors.ImportIssue` naming the file, the
item identifier and the field; :func:`load_qti` raises them together and returns nothing unless
every item in the input is valid (all-or-nothing).

XML is parsed without DTDs, entities or network access. Files are read within the import
limits (:mod:`trellis.engine.limits`): a package's entry count, member names and sizes are
checked before anything is read, each XML document is read a chunk at a time and refused past
``max_document_bytes``, and the package as a whole past ``max_bytes`` — a refusal is an issue
naming the file and the limit.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from lxml import etree

from trellis.engine.content.errors import ContentImportError, ImportIssue
from trellis.engine.content.model import (
    Choice,
    Feedback,
    InteractionType,
    Item,
    MapEntry,
    Scoring,
    ScoringMethod,
    Source,
    Step,
)
from trellis.engine.limits import (
    DEFAULT_LIMITS,
    Budget,
    FileRefused,
    ImportLimits,
    SafeZip,
    read_file_bounded,
)

QTI_NS = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
QTI_ITEM_RESOURCE = "imsqti_item_xmlv3p0"
SUPPORTED_INTERACTIONS = frozenset({"qti-choice-interaction", "qti-text-entry-interaction"})
_TEMPLATE = re.compile(r"(?:^|/)(match_correct|map_response|map_response_point)(?:\.xml)?$")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                          remove_comments=True, huge_tree=False)


def _local(element: etree._Element) -> str:
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in element if _local(child) == name]


def _child(element: etree._Element, name: str) -> etree._Element | None:
    found = _children(element, name)
    return found[0] if found else None


def _inner_xml(element: etree._Element) -> str:
    """The element's content as markup, without the element itself or namespace noise."""
    parts = [element.text or ""]
    for child in element:
        parts.append(etree.tostring(child, encoding="unicode", with_tail=True))
    text = "".join(parts)
    return re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", text).strip()


@dataclass(frozen=True)
class _Declaration:
    identifier: str
    cardinality: str
    base_type: str
    correct: tuple[str, ...]
    mapping: tuple[MapEntry, ...]
    default_value: float
    lower_bound: float | None
    upper_bound: float | None


# Exceptions a damaged zip can raise while a member is being read.
_ARCHIVE_ERRORS = (zipfile.BadZipFile, zlib.error, struct.error, EOFError, OSError,
                   NotImplementedError, RuntimeError)


def load_qti(path: str | Path, *, limits: ImportLimits = DEFAULT_LIMITS,
             name: str | None = None) -> list[Item]:
    """Every item in a QTI 3.0 item file, folder or content-package zip; all-or-nothing.
    ``name``: the file as the person knows it (an upload is stored under another name)."""
    source = Path(path)
    shown = name or source.name
    issues: list[ImportIssue] = []
    documents: list[tuple[str, bytes]] = []
    budget = Budget(limits)
    try:
        if not source.exists():
            issues.append(ImportIssue(str(source), "", "file", "does not exist"))
        elif source.is_dir():
            documents = _package_documents(shown, _folder_reader(source, limits, budget), issues)
        elif zipfile.is_zipfile(source):
            with SafeZip(source, shown, limits, budget) as archive:
                documents = _package_documents(shown, _zip_reader(archive, limits), issues)
        else:
            documents = [(shown, read_file_bounded(source, limits.max_document_bytes,
                                                   "max_document_bytes", budget, shown))]
    except FileRefused as refused:
        issues.append(ImportIssue(refused.file or shown, "", "file", refused.message))
        documents = []
    except _ARCHIVE_ERRORS as error:
        issues.append(ImportIssue(shown, "", "file", f"the package is damaged ({error})"))
        documents = []
    items: list[Item] = []
    seen: set[str] = set()
    for name, data in documents:
        item = _parse_item(name, data, issues)
        if item is None:
            continue
        if item.identifier in seen:
            issues.append(ImportIssue(name, item.identifier, "identifier",
                                      "repeats another item's identifier"))
        seen.add(item.identifier)
        items.append(item)
    if issues:
        raise ContentImportError(issues)
    return items


def _folder_reader(folder: Path, limits: ImportLimits,
                   budget: Budget) -> Callable[[str], bytes | None]:
    root = folder.resolve()

    def read(name: str) -> bytes | None:
        target = (root / name).resolve()
        if root not in target.parents or not target.is_file():
            return None
        return read_file_bounded(target, limits.max_document_bytes, "max_document_bytes",
                                 budget, name)

    return read


def _zip_reader(archive: SafeZip, limits: ImportLimits) -> Callable[[str], bytes | None]:
    names = set(archive.namelist())

    def read(name: str) -> bytes | None:
        if name not in names:
            return None
        return archive.read(name, limits.max_document_bytes, "max_document_bytes")

    return read


def _package_documents(package: str, read: Callable[[str], bytes | None],
                       issues: list[ImportIssue]) -> list[tuple[str, bytes]]:
    """The item files an ``imsmanifest.xml`` lists, read from a zip or a folder."""
    manifest_data = read("imsmanifest.xml")
    if manifest_data is None:
        issues.append(ImportIssue(package, "", "imsmanifest.xml",
                                  "a content package needs imsmanifest.xml at its root"))
        return []
    try:
        manifest = etree.fromstring(manifest_data, _PARSER)
    except etree.XMLSyntaxError as error:
        issues.append(ImportIssue("imsmanifest.xml", "", "xml", str(error), error.lineno))
        return []
    documents: list[tuple[str, bytes]] = []
    for resource in manifest.iter():
        if _local(resource) != "resource":
            continue
        kind = resource.get("type", "")
        identifier = resource.get("identifier", "")
        if not kind.startswith(QTI_ITEM_RESOURCE):
            continue
        href = resource.get("href") or next(
            (f.get("href", "") for f in resource if _local(f) == "file"), "")
        if not href:
            issues.append(ImportIssue("imsmanifest.xml", identifier, "resource.href", "missing"))
            continue
        normalised = str(PurePosixPath(href))
        if normalised.startswith(("/", "..")):
            issues.append(ImportIssue("imsmanifest.xml", identifier, "resource.href",
                                      f"{href!r} points outside the package"))
            continue
        data = read(normalised)
        if data is None:
            issues.append(ImportIssue("imsmanifest.xml", identifier, "resource.href",
                                      f"{href!r} is not in the package"))
            continue
        documents.append((normalised, data))
    if not documents and not issues:
        issues.append(ImportIssue("imsmanifest.xml", "", "resources",
                                  f"no resource of type {QTI_ITEM_RESOURCE}"))
    return documents


def _number(value: str | None, issues: list[ImportIssue], file: str, item: str,
            field: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)
    except ValueError:
        issues.append(ImportIssue(file, item, field, f"{value!r} is not a number"))
        return None


def _declarations(root: etree._Element, file: str, item: str,
                  issues: list[ImportIssue]) -> dict[str, _Declaration]:
    found: dict[str, _Declaration] = {}
    for declaration in _children(root, "qti-response-declaration"):
        identifier = declaration.get("identifier", "")
        where = f"qti-response-declaration[{identifier or '?'}]"
        if not identifier:
            issues.append(ImportIssue(file, item, f"{where}.identifier", "missing"))
            continue
        cardinality = declaration.get("cardinality", "")
        if cardinality not in {"single", "multiple", "ordered", "record"}:
            issues.append(ImportIssue(file, item, f"{where}.cardinality",
                                      f"{cardinality!r} is not a QTI cardinality"))
        correct_element = _child(declaration, "qti-correct-response")
        correct = tuple((value.text or "").strip() for value in (
            _children(correct_element, "qti-value") if correct_element is not None else []))
        if any(not value for value in correct):
            issues.append(ImportIssue(file, item, f"{where}.qti-correct-response",
                                      "a qti-value is empty"))
        entries: list[MapEntry] = []
        mapping = _child(declaration, "qti-mapping")
        default_value = 0.0
        lower = upper = None
        if mapping is not None:
            default_value = _number(mapping.get("default-value"), issues, file, item,
                                    f"{where}.qti-mapping.default-value") or 0.0
            lower = _number(mapping.get("lower-bound"), issues, file, item,
                            f"{where}.qti-mapping.lower-bound")
            upper = _number(mapping.get("upper-bound"), issues, file, item,
                            f"{where}.qti-mapping.upper-bound")
            for entry in _children(mapping, "qti-map-entry"):
                key = entry.get("map-key")
                value = _number(entry.get("mapped-value"), issues, file, item,
                                f"{where}.qti-map-entry.mapped-value")
                if key is None or value is None:
                    issues.append(ImportIssue(file, item, f"{where}.qti-map-entry",
                                              "needs map-key and mapped-value"))
                    continue
                case_sensitive = entry.get("case-sensitive", "true").lower() != "false"
                entries.append(MapEntry(key, value, case_sensitive))
        found[identifier] = _Declaration(identifier, cardinality,
                                         declaration.get("base-type", ""), correct,
                                         tuple(entries), default_value, lower, upper)
    return found


def _scoring_method(root: etree._Element, file: str, item: str,
                    issues: list[ImportIssue]) -> ScoringMethod | None:
    processing = _child(root, "qti-response-processing")
    if processing is None:
        return ScoringMethod.MATCH_CORRECT
    template = processing.get("template", "").strip()
    if not template:
        if len(processing):
            issues.append(ImportIssue(file, item, "qti-response-processing",
                                      "custom response processing is not supported; use the "
                                      "match_correct or map_response template"))
            return None
        return ScoringMethod.MATCH_CORRECT
    match = _TEMPLATE.search(template)
    if match is None or match.group(1) == "map_response_point":
        issues.append(ImportIssue(file, item, "qti-response-processing.template",
                                  f"unsupported template {template!r}"))
        return None
    return ScoringMethod(match.group(1))


def _parse_item(file: str, data: bytes, issues: list[ImportIssue]) -> Item | None:
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as error:
        issues.append(ImportIssue(file, "", "xml", str(error), error.lineno))
        return None
    if _local(root) != "qti-assessment-item" or etree.QName(root).namespace != QTI_NS:
        issues.append(ImportIssue(file, "", "root", f"expected a QTI 3.0 qti-assessment-item "
                                  f"in {QTI_NS}, found {root.tag}"))
        return None
    item_id = root.get("identifier", "")
    before = len(issues)
    if not item_id:
        issues.append(ImportIssue(file, "", "identifier", "missing"))
    title = root.get("title", "")
    if not title.strip():
        issues.append(ImportIssue(file, item_id, "title", "missing"))
    declarations = _declarations(root, file, item_id, issues)
    method = _scoring_method(root, file, item_id, issues)
    body = _child(root, "qti-item-body")
    if body is None:
        issues.append(ImportIssue(file, item_id, "qti-item-body", "missing"))
        return None
    steps: list[Step] = []
    for element in list(body.iter()):
        name = _local(element)
        if not name.endswith("-interaction"):
            continue
        if name not in SUPPORTED_INTERACTIONS:
            issues.append(ImportIssue(file, item_id, f"qti-item-body.{name}",
                                      f"unsupported interaction {name}"))
            continue
        response_id = element.get("response-identifier", "")
        where = f"{name}[{response_id or '?'}]"
        declaration = declarations.get(response_id)
        if declaration is None:
            issues.append(ImportIssue(file, item_id, f"{where}.response-identifier",
                                      f"no qti-response-declaration {response_id!r}"))
            continue
        step = _step(element, name, declaration, method or ScoringMethod.MATCH_CORRECT, file,
                     item_id, where, issues)
        if step is not None:
            steps.append(step)
        if name == "qti-text-entry-interaction":
            blank = etree.Element("span", {"class": "qti-blank", "data-response": response_id})
            blank.tail = element.tail
            parent = element.getparent()
            if parent is not None:
                parent.replace(element, blank)
        else:
            parent = element.getparent()
            if parent is not None:
                if element.tail:
                    previous = element.getprevious()
                    if previous is not None:
                        previous.tail = (previous.tail or "") + element.tail
                    else:
                        parent.text = (parent.text or "") + element.tail
                parent.remove(element)
    if len(issues) > before or method is None:
        return None
    if not steps:
        issues.append(ImportIssue(file, item_id, "qti-item-body", "no interaction"))
        return None
    try:
        return Item(identifier=item_id, title=title, prompt=_inner_xml(body), steps=tuple(steps),
                    source=Source(format="qti3", path=file))
    except ValueError as error:
        issues.append(ImportIssue(file, item_id, "item", str(error)))
        return None


def _step(element: etree._Element, name: str, declaration: _Declaration, method: ScoringMethod,
          file: str, item: str, where: str, issues: list[ImportIssue]) -> Step | None:
    choices: tuple[Choice, ...] = ()
    feedback = Feedback()
    prompt = ""
    if name == "qti-choice-interaction":
        prompt_element = _child(element, "qti-prompt")
        prompt = _inner_xml(prompt_element) if prompt_element is not None else ""
        built: list[Choice] = []
        per_choice: list[tuple[str, str]] = []
        for choice in _children(element, "qti-simple-choice"):
            identifier = choice.get("identifier", "")
            for inline in [c for c in choice if _local(c) == "qti-feedback-inline"]:
                per_choice.append((identifier, _inner_xml(inline)))
                choice.remove(inline)
            if not identifier:
                issues.append(ImportIssue(file, item, f"{where}.qti-simple-choice.identifier",
                                          "missing"))
                continue
            built.append(Choice(identifier, _inner_xml(choice)))
        choices = tuple(built)
        feedback = Feedback(per_choice=tuple(per_choice))
        if declaration.cardinality == "single":
            interaction = InteractionType.SINGLE_CHOICE
        elif declaration.cardinality == "multiple":
            interaction = InteractionType.MULTIPLE_RESPONSE
        else:
            issues.append(ImportIssue(file, item, f"{where}.cardinality",
                                      f"{declaration.cardinality!r} is not supported for a "
                                      "choice interaction"))
            return None
        if declaration.base_type != "identifier":
            issues.append(ImportIssue(file, item, f"{where}.base-type",
                                      "a choice interaction needs base-type identifier"))
            return None
        max_choices = element.get("max-choices", "1")
        if interaction is InteractionType.SINGLE_CHOICE and max_choices not in {"1", ""}:
            issues.append(ImportIssue(file, item, f"{where}.max-choices",
                                      f"{max_choices} choices allowed but cardinality is single"))
            return None
    else:
        if declaration.cardinality != "single":
            issues.append(ImportIssue(file, item, f"{where}.cardinality",
                                      "a text entry needs cardinality single"))
            return None
        if declaration.base_type == "string":
            interaction = InteractionType.TEXT_ENTRY
        elif declaration.base_type in {"float", "integer"}:
            interaction = InteractionType.NUMERIC
        else:
            issues.append(ImportIssue(file, item, f"{where}.base-type",
                                      f"{declaration.base_type!r} is not supported for text "
                                      "entry"))
            return None
    if method is ScoringMethod.MAP_RESPONSE and not declaration.mapping:
        issues.append(ImportIssue(file, item, f"{where}.qti-mapping",
                                  "map_response needs a qti-mapping"))
        return None
    if method is ScoringMethod.MATCH_CORRECT and not declaration.correct:
        issues.append(ImportIssue(file, item, f"{where}.qti-correct-response",
                                  "match_correct needs a correct response"))
        return None
    max_score = 1.0
    if method is ScoringMethod.MAP_RESPONSE:
        positive = [entry.value for entry in declaration.mapping if entry.value > 0]
        if interaction is InteractionType.MULTIPLE_RESPONSE:
            max_score = sum(positive) or 1.0
        else:
            max_score = max(positive, default=1.0)
        if declaration.upper_bound is not None:
            max_score = min(max_score, declaration.upper_bound)
        if max_score <= 0:
            issues.append(ImportIssue(file, item, f"{where}.qti-mapping",
                                      "no mapped value earns points"))
            return None
    try:
        scoring = Scoring(method=method, max_score=max_score, mapping=declaration.mapping,
                          default_value=declaration.default_value,
                          lower_bound=declaration.lower_bound,
                          upper_bound=declaration.upper_bound)
        return Step(identifier=declaration.identifier, interaction=interaction,
                    correct_response=declaration.correct, prompt=prompt, choices=choices,
                    scoring=scoring, feedback=feedback)
    except ValueError as error:
        issues.append(ImportIssue(file, item, where, str(error)))
        return None
