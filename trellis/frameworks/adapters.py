"""Database rows → engine objects for frameworks: the package and its competency graph.

The engine plans on a :class:`~trellis.engine.competencies.CompetencyGraph`; the database
stores a framework as rows, each keeping the CASE JSON it was imported from (``source``).
:func:`framework_package` rebuilds the engine's
:class:`~trellis.engine.frameworks.FrameworkPackage` from that JSON — the same objects the
importer validated, so the graph's node keys, grades and domains are computed by the one piece
of code that defines them (:mod:`trellis.engine.frameworks.structure`), never re-implemented
here. The JSON Schema is not run again: rows only ever come from a validated import.

Rebuilding takes a fraction of a second for the ~700-item Coherence Map, and every map page
needs it, so results are **cached per framework version**: the key is the framework's id, its
``imported_at`` stamp (which every import moves) and the count and highest id of its rows. A
re-import therefore invalidates the cache by itself, in every process, without any signal.

Rows written without the importer (test fixtures, scripts) have no CASE JSON; for them the
engine objects are made from the columns (code, statement, grade, levels, item type), so
every framework in the database can be drawn and planned on.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db.models import Count, Max

from trellis.engine.competencies import CompetencyGraph
from trellis.engine.frameworks import (
    AssociationType,
    CaseValidationError,
    FrameworkAssociation,
    FrameworkDocument,
    FrameworkItem,
    FrameworkPackage,
    LinkRef,
)
from trellis.engine.frameworks.case_fields import (
    ASSOCIATION_FIELDS,
    DOCUMENT_FIELDS,
    ITEM_FIELDS,
    decode_fields,
)
from trellis.frameworks.models import Framework, Standard, StandardAssociation

# A district rarely has more than a handful of frameworks; keep the most recent few.
_CACHE_SIZE = 16


@dataclass(frozen=True)
class LoadedFramework:
    """A framework's package plus how its graph nodes map to Standard rows."""

    package: FrameworkPackage
    standard_ids: dict[str, int]  # graph node key -> Standard.id
    keys: dict[int, str]  # Standard.id -> graph node key (graph nodes only)

    @property
    def graph(self) -> CompetencyGraph:
        return self.package.graph


_cache: OrderedDict[tuple[Any, ...], LoadedFramework] = OrderedDict()
_lock = threading.Lock()


def load_framework(framework: Framework) -> LoadedFramework:
    """The framework as engine objects, cached per version (see the module docstring).

    Raises :class:`FrameworkDataError` when stored rows do not form a valid framework (only
    possible for rows written by hand, never for imported ones).
    """
    key = _version(framework)
    with _lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
    loaded = _build(framework)
    with _lock:
        # drop stale versions of this framework, then the least recently used
        for stale in [k for k in _cache if k[0] == framework.id]:
            del _cache[stale]
        _cache[key] = loaded
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return loaded


def _version(framework: Framework) -> tuple[Any, ...]:
    """What identifies one state of a framework: its import stamp, plus the number and
    highest id of its rows, so rows added without a re-import (fixtures, scripts) are seen."""
    standards = Standard.objects.filter(framework=framework).aggregate(n=Count("id"), m=Max("id"))
    links = StandardAssociation.objects.filter(framework=framework).aggregate(
        n=Count("id"), m=Max("id")
    )
    return (
        framework.id, framework.imported_at,
        standards["n"], standards["m"], links["n"], links["m"],
    )


def framework_package(framework: Framework) -> FrameworkPackage:
    return load_framework(framework).package


def framework_graph(framework: Framework) -> CompetencyGraph:
    """The framework's standards and prerequisite edges; nodes carry grade and domain."""
    return load_framework(framework).graph


class FrameworkDataError(ValueError):
    """Stored rows that do not make a valid framework (a cycle, a duplicate identifier...)."""


def _is_case(source: Any, *required: str) -> bool:
    return isinstance(source, dict) and all(source.get(name) is not None for name in required)


def _stamp(framework: Framework) -> datetime:
    return framework.last_change or framework.imported_at or datetime.now(tz=UTC)


def _document(framework: Framework) -> FrameworkDocument:
    """The stored CFDocument; for a framework not created by the importer, one made from
    its columns."""
    if _is_case(framework.document, "identifier", "uri", "creator", "title",
                "lastChangeDateTime"):
        return FrameworkDocument(**decode_fields(framework.document, DOCUMENT_FIELDS))
    return FrameworkDocument(
        identifier=framework.identifier,
        uri=framework.uri or f"urn:trellis:framework:{framework.id}",
        creator=framework.creator,
        title=framework.title or framework.identifier,
        last_change_date_time=_stamp(framework),
        subject=(framework.subject,) if framework.subject else (),
    )


def _item(row: Standard, stamp: datetime) -> FrameworkItem:
    if _is_case(row.source, "identifier", "uri", "fullStatement", "lastChangeDateTime"):
        return FrameworkItem(**decode_fields(row.source, ITEM_FIELDS))
    levels = [level for level in [row.grade, *(row.education_levels or [])] if level]
    return FrameworkItem(
        identifier=row.identifier,
        uri=row.uri or f"urn:trellis:standard:{row.id}",
        full_statement=row.statement or row.code,
        last_change_date_time=stamp,
        human_coding_scheme=row.code or None,
        abbreviated_statement=row.abbreviated or None,
        item_type=row.item_type or None,
        education_level=tuple(dict.fromkeys(levels)),
    )


def _association(
    row: StandardAssociation, ends: dict[int, tuple[str, str]], stamp: datetime
) -> FrameworkAssociation:
    if _is_case(row.source, "identifier", "uri", "associationType", "originNodeURI",
                "destinationNodeURI", "lastChangeDateTime"):
        return FrameworkAssociation(**decode_fields(row.source, ASSOCIATION_FIELDS))

    def end(standard_id: int | None, uri: str) -> LinkRef:
        if standard_id is not None and standard_id in ends:
            identifier, code = ends[standard_id]
            return LinkRef(identifier, uri or f"urn:trellis:standard:{standard_id}", code)
        return LinkRef(uri, uri, uri)  # outside the framework: known by its URI only

    return FrameworkAssociation(
        identifier=row.identifier,
        uri=f"urn:trellis:association:{row.id}",
        association_type=AssociationType(row.association_type),
        origin=end(row.origin_id, row.origin_uri),
        destination=end(row.destination_id, row.destination_uri),
        last_change_date_time=stamp,
        sequence_number=row.sequence_number,
    )


def _build(framework: Framework) -> LoadedFramework:
    stamp = _stamp(framework)
    rows = list(Standard.objects.filter(framework=framework).order_by("position", "id"))
    links = StandardAssociation.objects.filter(framework=framework).order_by("id")
    ends = {row.id: (row.identifier, row.code) for row in rows}
    extras = framework.definitions or {}
    try:
        package = FrameworkPackage(
            document=_document(framework),
            items=tuple(_item(row, stamp) for row in rows),
            associations=tuple(_association(link, ends, stamp) for link in links),
            definitions=extras.get("CFDefinitions") or None,
            rubrics=tuple(extras.get("CFRubrics") or ()),
        )
    except (CaseValidationError, ValueError) as error:
        raise FrameworkDataError(f"framework {framework.id} ({framework}): {error}") from error
    standard_ids = {}
    for row in rows:
        node = package.node_key(row.identifier)
        if node is not None:
            standard_ids[node] = row.id
    return LoadedFramework(
        package=package,
        standard_ids=standard_ids,
        keys={row_id: node for node, row_id in standard_ids.items()},
    )
