"""Writing a framework back out as a CASE 1.0 CFPackage, strictly.

:func:`export_case_package` turns a :class:`~.package.FrameworkPackage` into the JSON object of
a CFPackage: only CASE 1.0 fields (publisher extensions only on request), lists as lists,
date-times in RFC 3339 with their zone, no ``null``s, items and associations in the order they
came in. The result is checked against the schema with the *strict* validator before it is
returned, so Trellis never hands another system a package it would itself call malformed.

Parsing an export gives back an equal package (the round trip is tested).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trellis.engine.frameworks.case_fields import (
    ASSOCIATION_FIELDS,
    DOCUMENT_FIELDS,
    ITEM_FIELDS,
    encode_fields,
    normalise_stamps,
)
from trellis.engine.frameworks.entities import (
    FrameworkAssociation,
    FrameworkDocument,
    FrameworkItem,
)
from trellis.engine.frameworks.errors import CaseError, CaseValidationError, ErrorKind
from trellis.engine.frameworks.package import FrameworkPackage
from trellis.engine.frameworks.schema import export_validator


def export_case_package(
    package: FrameworkPackage, *, include_extensions: bool = False
) -> dict[str, Any]:
    """The CASE 1.0 CFPackage JSON object for ``package`` (valid against the schema)."""
    exported: dict[str, Any] = {
        "CFDocument": encode_document(package.document, include_extensions=include_extensions),
        "CFItems": [
            encode_item(item, include_extensions=include_extensions) for item in package.items
        ],
        "CFAssociations": [
            encode_association(association, include_extensions=include_extensions)
            for association in package.associations
        ],
    }
    if package.definitions:
        exported["CFDefinitions"] = normalise_stamps(package.definitions)
    if package.rubrics:
        exported["CFRubrics"] = [normalise_stamps(rubric) for rubric in package.rubrics]
    problems = [
        CaseError(ErrorKind.SCHEMA, violation.message, path=violation.json_path)
        for violation in export_validator().iter_errors(exported)
    ]
    if problems:  # a bug in Trellis, not in the caller's data: say so loudly
        raise CaseValidationError(problems, source="export")
    return exported


def _with_extensions(
    out: dict[str, Any], extensions: Mapping[str, Any], include: bool
) -> dict[str, Any]:
    if include:
        for key, value in extensions.items():
            out.setdefault(key, value)  # a CASE field always wins over an extension
    return out


def encode_document(
    document: FrameworkDocument, *, include_extensions: bool = False
) -> dict[str, Any]:
    """The CFDocument JSON object (e.g. to store it next to the framework's row)."""
    out = encode_fields(document, DOCUMENT_FIELDS)
    return _with_extensions(out, document.extensions, include_extensions)


def encode_item(item: FrameworkItem, *, include_extensions: bool = False) -> dict[str, Any]:
    """The CFItem JSON object of one item."""
    return _with_extensions(encode_fields(item, ITEM_FIELDS), item.extensions, include_extensions)


def encode_association(
    association: FrameworkAssociation, *, include_extensions: bool = False
) -> dict[str, Any]:
    """The CFAssociation JSON object of one association."""
    out = encode_fields(association, ASSOCIATION_FIELDS)
    return _with_extensions(out, association.extensions, include_extensions)
