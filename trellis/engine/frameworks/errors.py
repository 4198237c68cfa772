"""Errors from reading a CASE package: one structured error per problem, all of them at once.

A district admin who uploads a framework with twenty mistakes should see twenty lines, each
saying *which* item is wrong (its CASE identifier and, when it has one, its human coding scheme
such as ``4.NF.B.3a``) and *which* field (a JSON path into the uploaded file), not the first
mistake only. :class:`CaseError` is one such line; :class:`CaseValidationError` carries them all
and is the only exception the importer raises for bad input, so callers can show the list and
import nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class ErrorKind(StrEnum):
    """What sort of problem a :class:`CaseError` reports."""

    UNREADABLE = "unreadable"  # not a file, not gzip, not JSON, not an object
    LIMIT = "limit"  # larger or deeper than the import limits (trellis/engine/limits.py)
    SCHEMA = "schema"  # violates the CASE 1.0 CFPackage JSON Schema
    DUPLICATE = "duplicate"  # two objects share one identifier
    DANGLING = "dangling"  # an association endpoint that is nowhere to be found
    TREE_CYCLE = "tree-cycle"  # isChildOf links that loop back on themselves
    PREREQUISITE_CYCLE = "prerequisite-cycle"  # precedes links that loop


@dataclass(frozen=True)
class CaseError:
    """One problem in a CASE package, located precisely enough to fix it.

    ``path`` is a JSON path into the package (``$.CFItems[12].humanCodingScheme``); ``field``
    is the offending field's name (for a missing required field, the missing one); ``entity``
    is ``CFDocument``, ``CFItem``, ``CFAssociation``, ``CFDefinitions``, ``CFRubric`` or
    ``CFPackage``; ``identifier`` and ``code`` name the object when the package says them.
    """

    kind: ErrorKind
    message: str
    path: str = "$"
    field: str | None = None
    entity: str = "CFPackage"
    identifier: str | None = None
    code: str | None = None

    def __str__(self) -> str:
        who = self.entity
        names = []
        if self.code:
            names.append(f"code {self.code}")
        if self.identifier:
            names.append(f"identifier {self.identifier}")
        if names:
            who += " (" + ", ".join(names) + ")"
        where = f"field {self.field!r} at {self.path}" if self.field else f"at {self.path}"
        return f"{who}, {where}: {self.message}"


class CaseValidationError(ValueError):
    """A CASE package that cannot be imported; ``errors`` lists every problem found."""

    def __init__(self, errors: Iterable[CaseError], source: str | None = None) -> None:
        self.errors: list[CaseError] = list(errors)
        self.source = source
        head = f"{source}: " if source else ""
        count = len(self.errors)
        lines = [f"{head}invalid CASE package ({count} error{'s' if count != 1 else ''})"]
        lines.extend(f"  - {error}" for error in self.errors)
        super().__init__("\n".join(lines))
