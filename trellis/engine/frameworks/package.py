"""A whole framework as one validated, immutable object: :class:`FrameworkPackage`.

A ``FrameworkPackage`` is what a CASE CFPackage becomes inside Trellis. It validates itself
when built (:func:`~.structure.analyse_structure`: no duplicate identifiers, no dangling
endpoints, the outline is a tree, the prerequisites are acyclic) and raises
:class:`~.errors.CaseValidationError` listing every problem otherwise, so a package object that
exists is always safe to store, draw and plan with.

It answers the questions the rest of Trellis asks of a framework: the items by identifier or
code, the outline (``parent``/``children``), the associations by type with
``precedes`` read as prerequisites, the external references, the
:class:`~trellis.engine.competencies.CompetencyGraph` of its standards, and a
:class:`FrameworkSummary` of counts for the CLI and the upload page.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from trellis.engine.competencies import CompetencyGraph
from trellis.engine.frameworks.entities import (
    AssociationType,
    ExternalReference,
    FrameworkAssociation,
    FrameworkDocument,
    FrameworkItem,
)
from trellis.engine.frameworks.errors import CaseValidationError
from trellis.engine.frameworks.structure import (
    FrameworkStructure,
    OutlineContext,
    analyse_structure,
    outline_context,
)

NO_TYPE = "(no type)"


@dataclass(frozen=True)
class FrameworkSummary:
    """Counts that tell an admin what an import contains (or would contain, in a dry run)."""

    title: str
    identifier: str
    items: int
    associations: int
    items_by_type: Mapping[str, int]
    associations_by_type: Mapping[str, int]
    standards: int  # nodes of the competency graph
    prerequisite_edges: int  # edges of the competency graph (distinct precedes links)
    external_references: int

    def lines(self) -> list[str]:
        """Human-readable lines, largest counts first (ties by name)."""
        out = [
            f"Framework: {self.title} ({self.identifier})",
            f"Items: {self.items}",
        ]
        out += [f"  {name}: {count}" for name, count in _ordered(self.items_by_type)]
        out.append(f"Associations: {self.associations}")
        out += [f"  {name}: {count}" for name, count in _ordered(self.associations_by_type)]
        out.append(
            f"Competency graph: {self.standards} standards, "
            f"{self.prerequisite_edges} prerequisite edges"
        )
        out.append(f"External references: {self.external_references}")
        return out


def _ordered(counts: Mapping[str, int]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))


@dataclass(frozen=True)
class FrameworkPackage:
    """A validated CASE framework: document, items and associations, in package order.

    ``definitions`` (CFDefinitions) and ``rubrics`` (CFRubrics) are kept as the JSON they
    arrived as. ``allow_external`` says whether association endpoints outside the package are
    kept as external references (the default) or refused as dangling.
    """

    document: FrameworkDocument
    items: tuple[FrameworkItem, ...] = ()
    associations: tuple[FrameworkAssociation, ...] = ()
    definitions: Mapping[str, Any] | None = field(default=None, hash=False)
    rubrics: tuple[Mapping[str, Any], ...] = field(default=(), hash=False)
    allow_external: bool = field(default=True, compare=False)
    _structure: FrameworkStructure = field(init=False, repr=False, compare=False, hash=False)
    _items_by_id: dict[str, FrameworkItem] = field(
        init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        structure = analyse_structure(
            self.document.ref,
            list(enumerate(self.items)),
            list(enumerate(self.associations)),
            allow_external=self.allow_external,
        )
        if structure.errors:
            raise CaseValidationError(structure.errors)
        # frozen: derived caches are set once, here
        object.__setattr__(self, "_structure", structure)
        object.__setattr__(self, "_items_by_id", {item.identifier: item for item in self.items})

    # -- items -----------------------------------------------------------------------------

    def item(self, identifier: str) -> FrameworkItem:
        """The item with this identifier (KeyError if none)."""
        return self._items_by_id[identifier]

    def item_by_code(self, code: str) -> FrameworkItem | None:
        """The first item whose human coding scheme is ``code``."""
        return next((item for item in self.items if item.code == code), None)

    def parent(self, identifier: str) -> FrameworkItem | FrameworkDocument | None:
        """The item's parent in the outline (the document for top-level items)."""
        parent = self._structure.parent.get(identifier)
        if parent is None:
            return None
        return self.document if parent == self.document.identifier else self.item(parent)

    def children(self, identifier: str | None = None) -> tuple[FrameworkItem, ...]:
        """The children of an item, in sequence order; of the document when no identifier."""
        key = self.document.identifier if identifier is None else identifier
        return tuple(self.item(child) for child in self._structure.children.get(key, ()))

    def context(self, identifier: str) -> OutlineContext:
        """The grade, domain and cluster an item belongs to (for any item, not only
        standards: a cluster's domain, a domain's grade)."""
        self.item(identifier)  # KeyError for an unknown identifier
        return outline_context(identifier, self._items_by_id, self._structure.parent)

    # -- associations ----------------------------------------------------------------------

    def associations_of_type(
        self, association_type: AssociationType | str
    ) -> tuple[FrameworkAssociation, ...]:
        wanted = AssociationType(association_type)
        return tuple(a for a in self.associations if a.association_type is wanted)

    @property
    def prerequisite_links(self) -> tuple[tuple[FrameworkItem, FrameworkItem], ...]:
        """``(prerequisite, dependent)`` item pairs: ``A precedes B`` gives ``(A, B)``."""
        return tuple(
            (self._items_by_id[a.origin.identifier], self._items_by_id[a.destination.identifier])
            for a in self.associations_of_type(AssociationType.PRECEDES)
            if a.origin.identifier in self._items_by_id
            and a.destination.identifier in self._items_by_id
        )

    @property
    def external_references(self) -> tuple[ExternalReference, ...]:
        return tuple(self._structure.external_references)

    # -- competency graph ------------------------------------------------------------------

    @property
    def graph(self) -> CompetencyGraph:
        """The standards and their prerequisite edges (node keys: codes, see ``node_key``)."""
        graph = self._structure.graph
        assert graph is not None  # noqa: S101 - a package with errors is never built
        return graph

    def node_key(self, identifier: str) -> str | None:
        """The graph key of an item (its code, or its identifier if the code is not unique)."""
        return self._structure.node_key.get(identifier)

    # -- counts ----------------------------------------------------------------------------

    def summary(self) -> FrameworkSummary:
        return FrameworkSummary(
            title=self.document.title,
            identifier=self.document.identifier,
            items=len(self.items),
            associations=len(self.associations),
            items_by_type=dict(Counter(item.type_label or NO_TYPE for item in self.items)),
            associations_by_type=dict(Counter(str(a.association_type) for a in self.associations)),
            standards=len(self.graph),
            prerequisite_edges=len(self.graph.edges),
            external_references=len(self._structure.external_references),
        )
