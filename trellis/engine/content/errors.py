"""Import errors that say exactly what is wrong, and where.

Importers never return part of a file: they collect *every* problem they find as an
:class:`ImportIssue` (file, line where known, item identifier, field, message) and, if there is
at least one, raise a single :class:`ContentImportError` carrying the list — so an author fixes
all of them in one pass and nothing half-imported ever reaches the item bank.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ImportIssue:
    file: str
    item: str
    field: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        item = self.item or "-"
        return f"{where}: item {item}: {self.field}: {self.message}"


class ContentImportError(ValueError):
    """One or more problems in imported content; ``issues`` lists them all."""

    def __init__(self, issues: list[ImportIssue]) -> None:
        self.issues = list(issues)
        shown = "\n".join(f"  {issue}" for issue in self.issues[:20])
        more = f"\n  ... and {len(self.issues) - 20} more" if len(self.issues) > 20 else ""
        super().__init__(f"{len(self.issues)} problem(s) in imported content:\n{shown}{more}")
