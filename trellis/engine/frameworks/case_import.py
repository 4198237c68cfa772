"""Reading a CASE 1.0 CFPackage into a :class:`~.package.FrameworkPackage`.

The single entry point is :func:`load_case_package`. It takes a path (``.json`` or
``.json.gz``; gzip is recognised by its magic bytes, whatever the name), raw bytes, a binary
file object (an upload), or an already-decoded dict, and either returns a validated
``FrameworkPackage`` or raises :class:`~.errors.CaseValidationError` with *every* error:

1. the JSON Schema (``schema/case-v1p0-cfpackage-schema.json``): required fields, types, UUID
   pattern, the ``associationType`` enum, closed objects, date-time and URI formats — each
   violation becomes one :class:`~.errors.CaseError` naming the object (identifier and code
   when the object states them) and the field;
2. the structure (:mod:`.structure`): duplicates, dangling endpoints, outline loops,
   prerequisite cycles — checked on every entry that passed the schema, even when others did
   not, so one upload shows all of its problems.

Nothing is returned unless everything is valid: callers import all or nothing.

Reading keeps to the import limits (:mod:`trellis.engine.limits`): the file and, for gzip,
what it decompresses to are read a chunk at a time and refused past ``max_document_bytes``
(a gzip bomb stops there); JSON nested deeper than ``max_json_depth`` is refused with an
error naming the limit, never a ``RecursionError``.
"""

from __future__ import annotations

import json
import os
import re
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from jsonschema import ValidationError

from trellis.engine.frameworks.case_fields import (
    ASSOCIATION_FIELDS,
    DOCUMENT_FIELDS,
    ITEM_FIELDS,
    decode_fields,
    normalise_stamps,
)
from trellis.engine.frameworks.entities import (
    FrameworkAssociation,
    FrameworkDocument,
    FrameworkItem,
    LinkRef,
)
from trellis.engine.frameworks.errors import CaseError, CaseValidationError, ErrorKind
from trellis.engine.frameworks.package import FrameworkPackage
from trellis.engine.frameworks.schema import case_schema, import_validator
from trellis.engine.frameworks.structure import analyse_structure
from trellis.engine.limits import (
    DEFAULT_LIMITS,
    GZIP_MAGIC,
    FileRefused,
    ImportLimits,
    gunzip_bounded,
    load_json_bounded,
    read_bounded,
    read_file_bounded,
    refuse_size,
)

CaseSource = str | os.PathLike[str] | bytes | bytearray | IO[bytes] | IO[str] | Mapping[str, Any]

_ENTITY_OF_LIST = {
    "CFItems": "CFItem",
    "CFAssociations": "CFAssociation",
    "CFRubrics": "CFRubric",
}


def load_case_package(
    source: CaseSource,
    *,
    allow_external: bool = True,
    limits: ImportLimits = DEFAULT_LIMITS,
    name: str | None = None,
) -> FrameworkPackage:
    """Read, validate and parse a CASE 1.0 CFPackage; raise CaseValidationError listing all
    problems. A ``str`` is a file path, never JSON text. ``name``: the file as the person
    knows it (an upload is stored under another name), for the messages."""
    name = name or _source_name(source)
    data = (source if isinstance(source, Mapping)
            else read_case_json(source, limits=limits, name=name))
    return parse_case_package(data, source=name, allow_external=allow_external)


def read_case_json(
    source: str | os.PathLike[str] | bytes | bytearray | IO[bytes] | IO[str],
    *,
    limits: ImportLimits = DEFAULT_LIMITS,
    name: str | None = None,
) -> Any:
    """The decoded JSON of a CASE file (gzip or not), read within ``limits``;
    CaseValidationError if unreadable or over a limit (the error names the limit)."""
    name = name or _source_name(source)
    file = Path(name).name if name else "the CASE package"
    cap, field = limits.max_document_bytes, "max_document_bytes"
    try:
        if isinstance(source, bytes | bytearray):
            if len(source) > cap:
                raise refuse_size(file, cap, field, "")
            raw = bytes(source)
        elif isinstance(source, str | os.PathLike):
            raw = read_file_bounded(source, cap, field, name=file)
        else:
            raw = _read_stream(source, cap, field, file)
        if raw[:2] == GZIP_MAGIC:
            raw = gunzip_bounded(raw, cap, field, file)
        return load_json_bounded(raw, limits, file)
    except FileRefused as error:
        raise CaseValidationError(
            [CaseError(ErrorKind.LIMIT, error.message)], source=name
        ) from None
    except (OSError, EOFError, zlib.error, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CaseValidationError(
            [CaseError(ErrorKind.UNREADABLE, f"cannot read a JSON CASE package: {error}")],
            source=name,
        ) from error


def _read_stream(source: IO[bytes] | IO[str], cap: int, field: str, file: str) -> bytes:
    """A file object's bytes (text is encoded as UTF-8), refused past ``cap``."""
    first = source.read(0)
    if isinstance(first, bytes):
        return read_bounded(source, cap, field, file)  # type: ignore[arg-type]
    parts: list[bytes] = []
    total = 0
    while chunk := source.read(64 * 1024):
        encoded = chunk.encode("utf-8") if isinstance(chunk, str) else chunk
        total += len(encoded)
        if total > cap:
            raise refuse_size(file, cap, field, "")
        parts.append(encoded)
    return b"".join(parts)


def parse_case_package(
    data: Any, *, source: str | None = None, allow_external: bool = True
) -> FrameworkPackage:
    """Validate decoded CFPackage JSON and build the FrameworkPackage (all errors at once)."""
    if not isinstance(data, Mapping):
        raise CaseValidationError(
            [CaseError(ErrorKind.UNREADABLE, "a CASE package is a JSON object")], source=source
        )
    data = _without_optional_nulls(data)
    schema_errors = [
        error
        for violation in import_validator().iter_errors(data)
        for error in _schema_errors(violation, data)
    ]
    rejected = {_entry_of(error.path) for error in schema_errors}
    items = _decode_list(data, "CFItems", ITEM_FIELDS, FrameworkItem, rejected)
    associations = _decode_list(
        data, "CFAssociations", ASSOCIATION_FIELDS, FrameworkAssociation, rejected
    )
    if schema_errors:
        # Still check the structure of everything the schema let through, to list it all.
        structure = analyse_structure(
            _document_ref(data.get("CFDocument")),
            items,
            associations,
            allow_external=allow_external,
            rejected_references=_rejected_references(data, rejected),
        )
        raise CaseValidationError(_sorted(schema_errors + structure.errors), source=source)
    document = FrameworkDocument(**decode_fields(data["CFDocument"], DOCUMENT_FIELDS))
    try:
        return FrameworkPackage(
            document=document,
            items=tuple(item for _, item in items),
            associations=tuple(association for _, association in associations),
            definitions=normalise_stamps(data.get("CFDefinitions")),
            rubrics=tuple(normalise_stamps(data.get("CFRubrics") or [])),
            allow_external=allow_external,
        )
    except CaseValidationError as error:
        raise CaseValidationError(_sorted(error.errors), source=source) from None


# -- liberal reading -------------------------------------------------------------------------

_DEFINITION_OF = {
    "CFDocument": "CFPackageDocument",
    "CFItems": "CFPackageItem",
    "CFAssociations": "CFPackageAssociation",
}


def _without_optional_nulls(data: Mapping[str, Any]) -> Mapping[str, Any]:
    """Drop ``null`` optional fields of the document, items and associations.

    Several publishers write ``"notes": null`` for "no notes"; CASE says such fields are
    optional, so null is read as absent. A null *required* field stays, and fails the schema.
    """
    definitions = case_schema()["definitions"]

    def clean(raw: Any, section: str) -> Any:
        if not isinstance(raw, Mapping):
            return raw
        required = set(definitions[_DEFINITION_OF[section]]["required"])
        return {k: v for k, v in raw.items() if v is not None or k in required}

    out = dict(data)
    for section in _DEFINITION_OF:
        if section not in out:
            continue
        value = out[section]
        if section == "CFDocument":
            out[section] = clean(value, section)
        elif isinstance(value, list):
            out[section] = [clean(entry, section) for entry in value]
    return out


# -- decoding --------------------------------------------------------------------------------


def _decode_list(
    data: Mapping[str, Any],
    key: str,
    table: Any,
    cls: Any,
    rejected: set[str],
) -> list[tuple[int, Any]]:
    entries = data.get(key)
    if not isinstance(entries, list) or f"$.{key}" in rejected:
        return []
    return [
        (index, cls(**decode_fields(entry, table)))
        for index, entry in enumerate(entries)
        if f"$.{key}[{index}]" not in rejected
    ]


def _rejected_references(data: Mapping[str, Any], rejected: set[str]) -> frozenset[str]:
    """Identifiers and URIs (as written) of the items and document the schema rejected."""
    found: set[str] = set()
    entries = data.get("CFItems")
    rejected_entries = [
        entry
        for index, entry in enumerate(entries if isinstance(entries, list) else [])
        if f"$.CFItems[{index}]" in rejected
    ]
    if "$.CFDocument" in rejected:
        rejected_entries.append(data.get("CFDocument"))
    for entry in rejected_entries:
        if isinstance(entry, Mapping):
            found.update(
                value for key in ("identifier", "uri") if isinstance(value := entry.get(key), str)
            )
    return frozenset(found)


def _document_ref(raw: Any) -> LinkRef:
    raw = raw if isinstance(raw, Mapping) else {}

    def text(key: str) -> str:
        value = raw.get(key)
        return value if isinstance(value, str) else ""

    return LinkRef(text("identifier"), text("uri"), text("title"))


def _source_name(source: object) -> str | None:
    if isinstance(source, str | os.PathLike):
        return os.fspath(source)
    name = getattr(source, "name", None)
    return name if isinstance(name, str) else None


# -- schema errors -> CaseErrors ---------------------------------------------------------------


def _json_path(parts: list[str | int]) -> str:
    path = "$"
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _entry_of(path: str) -> str:
    """The path of the object an error belongs to: ``$.CFItems[3]``, ``$.CFDocument``..."""
    match = re.match(r"^\$\.(CFItems|CFAssociations|CFRubrics)\[\d+\]|^\$\.\w+", path)
    return match.group(0) if match else "$"


def _entity(data: Mapping[str, Any], parts: list[str | int]) -> tuple[str, Any, int]:
    """The entity name, the raw object and how many path parts lead to it."""
    if not parts:
        return "CFPackage", data, 0
    head = parts[0]
    if head == "CFDocument":
        return "CFDocument", data.get("CFDocument"), 1
    if head == "CFDefinitions":
        definitions = data.get("CFDefinitions")
        if len(parts) > 2 and isinstance(parts[2], int) and isinstance(definitions, Mapping):
            entries = definitions.get(str(parts[1]))
            entry = entries[parts[2]] if isinstance(entries, list) else None
            return str(parts[1]).removesuffix("s"), entry, 3  # CFItemTypes[0] -> CFItemType
        return "CFDefinitions", definitions, 1
    if head in _ENTITY_OF_LIST and len(parts) > 1 and isinstance(parts[1], int):
        entries = data.get(str(head))
        entry = entries[parts[1]] if isinstance(entries, list) else None
        return _ENTITY_OF_LIST[str(head)], entry, 2
    return "CFPackage", data, 0


def _names(raw: Any) -> tuple[str | None, str | None]:
    """(identifier, code) of a raw object, when it states them as strings."""
    if not isinstance(raw, Mapping):
        return None, None
    identifier = raw.get("identifier")
    code = raw.get("humanCodingScheme")
    return (
        identifier if isinstance(identifier, str) and identifier else None,
        code if isinstance(code, str) and code else None,
    )


def _relative_field(parts: list[str | int]) -> str | None:
    if not parts:
        return None
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _schema_errors(violation: ValidationError, data: Mapping[str, Any]) -> list[CaseError]:
    parts: list[str | int] = list(violation.absolute_path)
    entity, raw, depth = _entity(data, parts)
    identifier, code = _names(raw)
    inner = parts[depth:]

    def error(message: str, extra: str | None = None) -> CaseError:
        field_parts = [*inner, extra] if extra else inner
        return CaseError(
            ErrorKind.SCHEMA,
            message,
            path=_json_path([*parts, extra] if extra else parts),
            field=_relative_field(field_parts),
            entity=entity,
            identifier=identifier,
            code=code,
        )

    instance = violation.instance
    if violation.validator == "required":
        missing = _missing_property(violation)
        return [error("required field is missing", missing)]
    if violation.validator == "additionalProperties" and isinstance(instance, Mapping):
        allowed = set(violation.schema.get("properties", {}))
        return [
            error("is not a field CASE 1.0 allows here", extra)
            for extra in instance
            if extra not in allowed
        ]
    return [error(_message(violation))]


def _missing_property(violation: ValidationError) -> str:
    match = re.match(r"^'(.+)' is a required property$", violation.message)
    if match:
        return match.group(1)
    present = violation.instance if isinstance(violation.instance, Mapping) else {}
    return next((name for name in violation.validator_value if name not in present), "?")


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _describe_schema(schema: Mapping[str, Any]) -> str:
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "format" in schema:
        return str(schema["format"])
    kind = schema.get("type", "value")
    if kind == "array":
        items = schema.get("items", {})
        return "list of " + (_describe_schema(items) if isinstance(items, Mapping) else "values")
    return str(kind)


def _message(violation: ValidationError) -> str:
    value = _short(violation.instance)
    validator = violation.validator
    if validator == "pattern" and violation.schema.get("pattern", "").startswith("^[0-9a-f]{8}"):
        return f"{value} is not a lowercase hyphenated UUID (version 1-5)"
    if validator == "enum":
        allowed = ", ".join(str(v) for v in violation.validator_value)
        return f"{value} is not one of the CASE 1.0 values ({allowed})"
    if validator == "type":
        return f"{value} should be of type {violation.validator_value}"
    if validator == "format":
        return f"{value} is not a valid {violation.validator_value}"
    if validator in {"anyOf", "oneOf"}:
        forms = " or ".join(_describe_schema(s) for s in violation.validator_value)
        return f"{value} should be {forms}"
    return violation.message


_SECTION_ORDER = ("CFDocument", "CFItems", "CFAssociations", "CFDefinitions", "CFRubrics")


def _sort_key(error: CaseError) -> tuple[int, list[tuple[int, int | str]]]:
    """File order: document, items, associations, definitions, rubrics, then the rest;
    numeric-aware within a section ($.CFItems[9] before $.CFItems[10])."""
    tokens = re.findall(r"\d+|[^\d\[\].$]+", error.path)
    section = tokens[0] if tokens else ""
    rank = _SECTION_ORDER.index(section) if section in _SECTION_ORDER else len(_SECTION_ORDER)
    return rank, [(0, int(t)) if t.isdigit() else (1, t) for t in tokens]


def _sorted(errors: list[CaseError]) -> list[CaseError]:
    return sorted(errors, key=_sort_key)
