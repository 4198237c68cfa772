"""The shape of a framework: resolving references, the outline tree, the prerequisite graph.

Past the JSON Schema, a CASE package can still be wrong in ways only the whole package shows:

- two objects with one ``identifier`` (**duplicate**);
- an association whose endpoint is nowhere (**dangling**). An endpoint absent from the package
  is accepted as an :class:`~.entities.ExternalReference` (an item of another framework) only
  when the association is not ``isChildOf`` (the outline must be complete), its other end is
  in the package, its URI is not the URI of one of this package's own objects (that would be a
  mistyped identifier), and the caller allows external references at all;
- ``isChildOf`` links that loop (**tree cycle**);
- ``precedes`` links that loop (**prerequisite cycle**), found by building the
  :class:`~trellis.engine.competencies.CompetencyGraph` and named by the standards' codes.

The **competency graph** of a framework has one node per standard: every item whose kind is
standard or component, every other item that has a code and is not an outline grouping (grade,
domain, cluster), and every item that a ``precedes`` link touches. A node is keyed by its human
coding scheme when that is unique among the nodes, otherwise by its identifier. Each node
carries its grade, domain and cluster, read from its nearest ancestors of those kinds in the
outline, so a page can filter the map by grade and domain.

:func:`analyse_structure` runs every check and returns all the errors it found with the
derived structure; it never stops at the first problem.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from trellis.engine.competencies import CompetencyGraph, CycleError, Standard
from trellis.engine.frameworks.entities import (
    AssociationType,
    ExternalReference,
    FrameworkAssociation,
    FrameworkItem,
    ItemKind,
    LinkRef,
)
from trellis.engine.frameworks.errors import CaseError, ErrorKind

_GROUPING_KINDS = frozenset({ItemKind.GRADE, ItemKind.DOMAIN, ItemKind.CLUSTER})
_NODE_KINDS = frozenset({ItemKind.STANDARD, ItemKind.COMPONENT})


@dataclass
class FrameworkStructure:
    """What :func:`analyse_structure` learned about a package."""

    errors: list[CaseError] = field(default_factory=list)
    external_references: list[ExternalReference] = field(default_factory=list)
    # child item identifier -> parent identifier (an item or the document), the chosen tree
    parent: dict[str, str] = field(default_factory=dict)
    # parent identifier -> child item identifiers in sequence order
    children: dict[str, list[str]] = field(default_factory=dict)
    # item identifier -> node key in the graph (for items that are graph nodes)
    node_key: dict[str, str] = field(default_factory=dict)
    graph: CompetencyGraph | None = None


def _item_path(index: int) -> str:
    return f"$.CFItems[{index}]"


def _association_path(index: int) -> str:
    return f"$.CFAssociations[{index}]"


def analyse_structure(
    document: LinkRef,
    items: Sequence[tuple[int, FrameworkItem]],
    associations: Sequence[tuple[int, FrameworkAssociation]],
    *,
    allow_external: bool = True,
    rejected_references: frozenset[str] = frozenset(),
) -> FrameworkStructure:
    """Check references, the outline and the prerequisites of a package; collect all errors.

    ``items`` and ``associations`` are ``(index in the package, object)`` pairs so errors can
    point into the uploaded file even when some entries were already rejected by the schema.
    ``rejected_references`` holds the identifiers and URIs of those rejected objects: links to
    them are already explained by the schema errors, so they are skipped rather than reported
    again as dangling.
    """
    result = FrameworkStructure()
    by_id = _index_items(document, items, result)
    association_ids: dict[str, int] = {}
    for index, association in associations:
        if association.identifier in association_ids or association.identifier in by_id:
            result.errors.append(
                CaseError(
                    ErrorKind.DUPLICATE,
                    f"identifier {association.identifier} is used more than once",
                    path=_association_path(index) + ".identifier",
                    field="identifier",
                    entity="CFAssociation",
                    identifier=association.identifier,
                    code=_describe(association, by_id),
                )
            )
        else:
            association_ids[association.identifier] = index
    resolved = _resolve_endpoints(
        document, by_id, associations, allow_external, rejected_references, result
    )
    tree_ok = _build_tree(by_id, resolved, result)
    _build_graph(by_id, resolved, tree_ok, result)
    return result


def _index_items(
    document: LinkRef,
    items: Sequence[tuple[int, FrameworkItem]],
    result: FrameworkStructure,
) -> dict[str, tuple[int, FrameworkItem]]:
    by_id: dict[str, tuple[int, FrameworkItem]] = {}
    for index, item in items:
        if item.identifier in by_id or item.identifier == document.identifier:
            what = "the CFDocument" if item.identifier == document.identifier else "another item"
            result.errors.append(
                CaseError(
                    ErrorKind.DUPLICATE,
                    f"identifier {item.identifier} is already used by {what}",
                    path=_item_path(index) + ".identifier",
                    field="identifier",
                    entity="CFItem",
                    identifier=item.identifier,
                    code=item.code,
                )
            )
            continue
        by_id[item.identifier] = (index, item)
    return by_id


def _describe(
    association: FrameworkAssociation, by_id: dict[str, tuple[int, FrameworkItem]]
) -> str:
    """``4.NF.B.3 precedes 5.NF.A.1``: the association in the framework's own codes."""

    def name(end: LinkRef) -> str:
        found = by_id.get(end.identifier)
        if found and found[1].code:
            return found[1].code
        return end.title or end.identifier

    kind = association.association_type
    return f"{name(association.origin)} {kind} {name(association.destination)}"


@dataclass(frozen=True)
class _Resolved:
    index: int
    association: FrameworkAssociation
    origin_here: bool
    destination_here: bool


def _resolve_endpoints(
    document: LinkRef,
    by_id: dict[str, tuple[int, FrameworkItem]],
    associations: Sequence[tuple[int, FrameworkAssociation]],
    allow_external: bool,
    rejected_references: frozenset[str],
    result: FrameworkStructure,
) -> list[_Resolved]:
    own_uris = {item.uri: item.identifier for _, item in by_id.values()}
    own_uris[document.uri] = document.identifier
    local = set(by_id) | {document.identifier}
    resolved: list[_Resolved] = []
    for index, association in associations:
        here = {
            "origin": association.origin.identifier in local,
            "destination": association.destination.identifier in local,
        }
        rejected = {
            "origin": _is_rejected(association.origin, rejected_references),
            "destination": _is_rejected(association.destination, rejected_references),
        }
        for end_name, json_name, end in (
            ("origin", "originNodeURI", association.origin),
            ("destination", "destinationNodeURI", association.destination),
        ):
            if here[end_name] or rejected[end_name]:
                continue
            other = "destination" if end_name == "origin" else "origin"
            other_here = here[other] or rejected[other]
            reason = _dangling_reason(association, end, own_uris, other_here, allow_external)
            if reason is None:
                result.external_references.append(
                    ExternalReference(
                        association.identifier, association.association_type, end_name, end
                    )
                )
                continue
            result.errors.append(
                CaseError(
                    ErrorKind.DANGLING,
                    f"{end_name} {end.identifier} ({end.title or 'no title'}) {reason}",
                    path=f"{_association_path(index)}.{json_name}.identifier",
                    field=f"{json_name}.identifier",
                    entity="CFAssociation",
                    identifier=association.identifier,
                    code=_describe(association, by_id),
                )
            )
        resolved.append(_Resolved(index, association, here["origin"], here["destination"]))
    return resolved


def _is_rejected(end: LinkRef, rejected_references: frozenset[str]) -> bool:
    return end.identifier in rejected_references or end.uri in rejected_references


def _dangling_reason(
    association: FrameworkAssociation,
    end: LinkRef,
    own_uris: dict[str, str],
    other_end_here: bool,
    allow_external: bool,
) -> str | None:
    """Why an endpoint missing from the package is an error, or None if it is external."""
    if end.uri in own_uris:
        return (
            f"is not in this package, but its uri is that of {own_uris[end.uri]}: "
            "the identifier does not match"
        )
    if association.association_type is AssociationType.IS_CHILD_OF:
        return "is not in this package (an isChildOf link must stay inside its framework)"
    if not other_end_here:
        return "is not in this package, and neither is the other end"
    if not allow_external:
        return "is not in this package (external references are not allowed here)"
    return None


def _build_tree(
    by_id: dict[str, tuple[int, FrameworkItem]],
    resolved: list[_Resolved],
    result: FrameworkStructure,
) -> bool:
    """Choose each item's parent (lowest sequence number first) and refuse isChildOf loops.

    Returns whether the outline is a proper tree (no loop), so ancestors can be walked.
    """
    candidates: dict[str, list[tuple[bool, int, int, str]]] = defaultdict(list)
    links: list[tuple[str, str]] = []
    for entry in resolved:
        association = entry.association
        if association.association_type is not AssociationType.IS_CHILD_OF:
            continue
        if not (entry.origin_here and entry.destination_here):
            continue
        child, parent = association.origin.identifier, association.destination.identifier
        if child not in by_id:
            continue  # the document is the root: it has no parent
        sequence = association.sequence_number
        candidates[child].append(
            (sequence is None, sequence if sequence is not None else 0, entry.index, parent)
        )
        if parent in by_id:
            links.append((parent, child))
    ordered_children: dict[str, list[tuple[bool, int, int, str]]] = defaultdict(list)
    for child, options in candidates.items():
        missing_sequence, sequence, index, parent = min(options)
        result.parent[child] = parent
        ordered_children[parent].append((missing_sequence, sequence, index, child))
    for parent, kids in ordered_children.items():
        result.children[parent] = [child for *_, child in sorted(kids)]
    try:
        CompetencyGraph(list(by_id), links)
    except CycleError as cycle:
        codes = [by_id[node][1].code or node for node in cycle.cycle]
        first = by_id[cycle.cycle[0]]
        result.errors.append(
            CaseError(
                ErrorKind.TREE_CYCLE,
                "isChildOf links loop (parent -> child): " + " -> ".join(codes),
                path=_item_path(first[0]),
                entity="CFItem",
                identifier=first[1].identifier,
                code=first[1].code,
            )
        )
        return False
    return True


def _build_graph(
    by_id: dict[str, tuple[int, FrameworkItem]],
    resolved: list[_Resolved],
    tree_ok: bool,
    result: FrameworkStructure,
) -> None:
    precedes = [
        entry
        for entry in resolved
        if entry.association.association_type is AssociationType.PRECEDES
        and entry.association.origin.identifier in by_id
        and entry.association.destination.identifier in by_id
    ]
    in_edges = {
        end.identifier
        for entry in precedes
        for end in (entry.association.origin, entry.association.destination)
    }
    node_ids = [
        identifier
        for identifier, (_, item) in by_id.items()
        if item.kind in _NODE_KINDS
        or (item.kind not in _GROUPING_KINDS and item.code)
        or identifier in in_edges
    ]
    code_counts: dict[str, int] = defaultdict(int)
    for identifier in node_ids:
        code = by_id[identifier][1].code
        if code:
            code_counts[code] += 1
    for identifier in node_ids:
        code = by_id[identifier][1].code
        result.node_key[identifier] = code if code and code_counts[code] == 1 else identifier

    items = {identifier: entry[1] for identifier, entry in by_id.items()}
    parent = result.parent if tree_ok else {}
    standards = [_standard(items[i], result.node_key[i], items, parent) for i in node_ids]
    edges = [
        (
            result.node_key[entry.association.origin.identifier],
            result.node_key[entry.association.destination.identifier],
        )
        for entry in precedes
    ]
    try:
        result.graph = CompetencyGraph(standards, edges)
    except CycleError as cycle:
        result.errors.append(_prerequisite_cycle_error(cycle, precedes, result.node_key, by_id))


def _prerequisite_cycle_error(
    cycle: CycleError,
    precedes: list[_Resolved],
    node_key: dict[str, str],
    by_id: dict[str, tuple[int, FrameworkItem]],
) -> CaseError:
    key_to_item = {key: by_id[identifier][1] for identifier, key in node_key.items()}
    position = {key: by_id[identifier][0] for identifier, key in node_key.items()}
    loop = cycle.cycle[:-1]
    start = loop.index(min(loop, key=position.__getitem__))
    loop = loop[start:] + loop[:start]  # read it from the standard that comes first
    codes = [key_to_item[key].code or key for key in [*loop, loop[0]]]
    steps = set(zip(loop, loop[1:] + loop[:1], strict=True))
    links = [
        entry
        for entry in precedes
        if (
            node_key[entry.association.origin.identifier],
            node_key[entry.association.destination.identifier],
        )
        in steps
    ]
    first = links[0] if links else None
    where = ", ".join(_association_path(entry.index) for entry in links)
    return CaseError(
        ErrorKind.PREREQUISITE_CYCLE,
        "precedes (prerequisite) links form a cycle: "
        + " -> ".join(codes)
        + (f" (associations {where})" if where else ""),
        path=_association_path(first.index) if first else "$.CFAssociations",
        field="associationType",
        entity="CFAssociation",
        identifier=first.association.identifier if first else None,
        code=" -> ".join(codes),
    )


@dataclass(frozen=True)
class OutlineContext:
    """Where an item sits in the outline: its grade, domain and cluster (codes, or titles
    where the grouping has no code), each from the nearest ancestor (or the item itself) of
    that kind. Without a grade-level ancestor, the grade is the item's first education level.
    """

    grade: str = ""
    domain: str = ""
    domain_title: str = ""
    cluster: str = ""
    cluster_title: str = ""


def outline_context(
    identifier: str,
    by_id: Mapping[str, FrameworkItem],
    parent: Mapping[str, str],
) -> OutlineContext:
    nearest: dict[ItemKind, FrameworkItem] = {}
    node: str | None = identifier
    seen: set[str] = set()
    while node is not None and node in by_id and node not in seen:
        seen.add(node)  # the walk stops even if the outline were to loop
        ancestor = by_id[node]
        nearest.setdefault(ancestor.kind, ancestor)
        node = parent.get(node)
    grade_item = nearest.get(ItemKind.GRADE)
    domain_item = nearest.get(ItemKind.DOMAIN)
    cluster_item = nearest.get(ItemKind.CLUSTER)
    levels = by_id[identifier].education_level if identifier in by_id else ()
    return OutlineContext(
        grade=(grade_item.code or grade_item.label)
        if grade_item
        else (levels[0] if levels else ""),
        domain=(domain_item.code or domain_item.label) if domain_item else "",
        domain_title=domain_item.full_statement if domain_item else "",
        cluster=(cluster_item.code or cluster_item.label) if cluster_item else "",
        cluster_title=cluster_item.full_statement if cluster_item else "",
    )


def _standard(
    item: FrameworkItem,
    key: str,
    items: Mapping[str, FrameworkItem],
    parent: Mapping[str, str],
) -> Standard:
    """The graph node for an item, with grade/domain/cluster from its outline ancestors."""
    context = outline_context(item.identifier, items, parent)
    attributes = {
        "identifier": item.identifier,
        "uri": item.uri,
        "full_statement": item.full_statement,
        "item_type": item.type_label or "",
        "kind": str(item.kind),
        "education_levels": ",".join(item.education_level),
        "domain_title": context.domain_title,
        "cluster": context.cluster,
        "cluster_title": context.cluster_title,
    }
    return Standard(
        code=key,
        label=item.label,
        grade=context.grade,
        domain=context.domain,
        attributes=attributes,
    )
