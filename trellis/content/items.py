"""The item bank in the database: engine items stored as :class:`~trellis.content.models.Item`.

The engine (:mod:`trellis.engine.content`) reads OATutor and QTI 3.0 content into immutable
:class:`~trellis.engine.content.Item` objects that validate themselves. This module persists
them per district and reads them back:

- **Storage.** ``Item.content`` is the engine item as JSON (the engine's
  :func:`~trellis.engine.content.serialize.item_to_dict`), and :func:`engine_item` rebuilds the
  very same engine object — so the practice page grades with the one answer checker, on exactly
  what was imported.
- **Alignment.** An engine item names the standards it practices by code (``7.EE.B.4.a``,
  ``HS.A-SSE.A.2`` — the Coherence Map's spelling). A district's framework may spell the same
  standard the official way (``7.EE.B.4a``, ``HSA-SSE.A.2``), so codes are matched on a key
  that ignores dots, dashes, spaces and case (:func:`code_key`). Every code must match a
  standard of the district: an unknown one refuses the import, naming the item and the code.
- **Import** (:func:`plan_item_import` checks and compares, reading only; the writes are
  :func:`trellis.content.actions.do_import_items`, and ``do_import_oatutor`` / ``do_import_qti``
  which read files through the engine first) is all-or-nothing, has a dry-run, and updates
  rows in place by ``identifier``: a re-import of the same content changes nothing, and
  evidence that points at an item keeps pointing at it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from trellis.accounts.models import District
from trellis.content.models import Item
from trellis.engine import content as engine
from trellis.engine.content import ImportIssue
from trellis.engine.content.serialize import item_from_dict, item_to_dict
from trellis.frameworks.models import Standard

Progress = Callable[[float, str], None]

OATUTOR_FOLDER = Path("content") / "oatutor-elementary-algebra"


# -- where the shared data lives ----------------------------------------------------------------


def shared_data_dir() -> Path:
    """The ``data`` folder of ``settings.SHARED_DIR`` (set by TRELLIS_SHARED_DIR)."""
    return Path(settings.SHARED_DIR) / "data"


def default_oatutor_path() -> Path:
    return shared_data_dir() / OATUTOR_FOLDER


# -- storage ------------------------------------------------------------------------------------


def encode_item(item: engine.Item) -> dict[str, Any]:
    """The engine item as plain JSON (the engine's own codec)."""
    return item_to_dict(item)


def decode_item(data: Mapping[str, Any]) -> engine.Item:
    """Rebuild a stored item; it validates itself again."""
    return item_from_dict(dict(data))


def engine_item(item: Item) -> engine.Item:
    """The engine object of a stored item."""
    return decode_item(item.content)


# -- alignment by code --------------------------------------------------------------------------


def code_key(code: str) -> str:
    """A spelling-insensitive key: ``HS.A-SSE.A.2`` and ``HSA-SSE.A.2`` both give ``HSASSEA2``."""
    return re.sub(r"[\s.\-]", "", code).upper()


def standards_by_code(district: District) -> dict[str, list[Standard]]:
    """Every standard of the district's frameworks, by :func:`code_key` of its code."""
    index: dict[str, list[Standard]] = {}
    for standard in Standard.objects.filter(framework__district=district).exclude(code=""):
        index.setdefault(code_key(standard.code), []).append(standard)
    return index


# -- import -------------------------------------------------------------------------------------


@dataclass
class ItemImportReport:
    """What an import did (or, in a dry run, would do)."""

    source: str
    dry_run: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    alignments: int = 0
    standards: set[str] = field(default_factory=set)
    excluded: int = 0
    excluded_reason: str = ""
    issues: list[ImportIssue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.issues

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def as_dict(self, max_issues: int = 1000) -> dict[str, Any]:
        """The report as JSON (an import job's result), at most ``max_issues`` issues kept."""
        return {
            "source": self.source, "dry_run": self.dry_run, "created": self.created,
            "updated": self.updated, "unchanged": self.unchanged,
            "alignments": self.alignments, "standards": sorted(self.standards),
            "excluded": self.excluded, "excluded_reason": self.excluded_reason,
            "issues": [
                {"file": i.file, "item": i.item, "field": i.field, "message": i.message,
                 "line": i.line}
                for i in self.issues[:max_issues]
            ],
            "issue_count": len(self.issues),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ItemImportReport:
        """The report :meth:`as_dict` wrote."""
        return cls(
            source=data["source"], dry_run=bool(data["dry_run"]), created=data["created"],
            updated=data["updated"], unchanged=data["unchanged"],
            alignments=data["alignments"], standards=set(data["standards"]),
            excluded=data["excluded"], excluded_reason=data["excluded_reason"],
            issues=[ImportIssue(**issue) for issue in data["issues"]],
        )

    def summary(self) -> str:
        verb = "would import" if self.dry_run else "imported"
        items = "item" if self.total == 1 else "items"
        text = (f"{verb} {self.total} {items} from {self.source}: {self.created} new, "
                f"{self.updated} updated, {self.unchanged} unchanged; {self.alignments} "
                f"alignments to {len(self.standards)} standard"
                f"{'' if len(self.standards) == 1 else 's'}")
        if self.excluded:
            text += f"; {self.excluded} left out ({self.excluded_reason})"
        return text


def _license_text(item: engine.Item) -> tuple[str, str]:
    attribution = item.attribution
    license_name = attribution.license_name or attribution.license
    source_name = attribution.source_name or attribution.oer
    return license_name[:200], source_name[:500]


ITEM_FIELDS = ("source", "title", "content", "license", "attribution")


@dataclass
class ItemImportPlan:
    """What an import will write, computed before anything is written
    (:func:`plan_item_import`); :func:`trellis.content.actions.do_import_items` writes it."""

    report: ItemImportReport
    to_create: list[tuple[Item, list[Standard]]] = field(default_factory=list)
    to_update: list[tuple[Item, list[Standard]]] = field(default_factory=list)
    realign: list[tuple[Item, list[Standard]]] = field(default_factory=list)


def plan_item_import(
    district: District,
    items: Sequence[engine.Item],
    *,
    source: str,
    dry_run: bool = False,
    progress: Progress | None = None,
    file_name: str = "",
) -> ItemImportPlan:
    """Check engine items against the district and compare them with its stored items (reads
    only). When ``plan.report.issues`` is not empty nothing may be written (an alignment to a
    code the district has no standard for, a repeated identifier)."""
    report = ItemImportReport(source=source, dry_run=dry_run)
    plan = ItemImportPlan(report=report)
    index = standards_by_code(district)
    planned: list[tuple[engine.Item, list[Standard]]] = []
    seen: set[str] = set()
    for item in items:
        if item.identifier in seen:
            report.issues.append(ImportIssue(file_name or source, item.identifier, "identifier",
                                             "repeats another item's identifier"))
        seen.add(item.identifier)
        aligned: list[Standard] = []
        for position, code in enumerate(item.standard_codes):
            matches = index.get(code_key(code))
            if not matches:
                report.issues.append(ImportIssue(
                    file_name or source, item.identifier, f"alignments[{position}].code",
                    f"no standard {code!r} in this district's frameworks "
                    "(import the framework first)"))
                continue
            aligned.extend(matches)
        planned.append((item, aligned))
    if report.issues:
        return plan

    existing = {row.identifier: row for row in Item.objects.filter(district=district)}
    current_alignments: dict[int, set[int]] = {}
    for item_id, standard_id in Item.alignments.through.objects.filter(
            item__district=district).values_list("item_id", "standard_id"):
        current_alignments.setdefault(item_id, set()).add(standard_id)

    for number, (item, aligned) in enumerate(planned, start=1):
        content = encode_item(item)
        license_name, attribution = _license_text(item)
        values = {"source": item.source.format[:30], "title": item.title[:300],
                  "content": content, "license": license_name, "attribution": attribution}
        report.alignments += len(aligned)
        report.standards.update(s.code for s in aligned)
        row = existing.get(item.identifier)
        if row is None:
            report.created += 1
            plan.to_create.append(
                (Item(district=district, identifier=item.identifier, **values), aligned))
        else:
            changed = any(getattr(row, name) != value for name, value in values.items())
            wanted = {s.id for s in aligned}
            if changed:
                for name, value in values.items():
                    setattr(row, name, value)
                plan.to_update.append((row, aligned))
            if wanted != current_alignments.get(row.id, set()):
                plan.realign.append((row, aligned))
            if changed or wanted != current_alignments.get(row.id, set()):
                report.updated += 1
            else:
                report.unchanged += 1
        if progress is not None and number % 500 == 0:
            progress(0.5 * number / len(planned), f"Checked {number} of {len(planned)} items")
    return plan
