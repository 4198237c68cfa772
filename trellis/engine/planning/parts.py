"""Sub-standards: a standard is learned through its parts.

Frameworks split some standards into parts: Common Core's 7.EE.B.4 ("use variables to solve
problems") has 7.EE.B.4.a (equations) and 7.EE.B.4.b (inequalities), and the prerequisite links
of the Coherence Map point at the parts. Left alone, the parent would look "ready to learn" on
day one (it has no prerequisites of its own) while its parts still wait on earlier standards.

For planning, each part is therefore treated as a prerequisite of its parent:
:func:`planning_graph` returns the map with a ``part -> parent`` edge added for every part. The
parent becomes the step that brings its parts together, a goal naming the parent includes the
parts, and the frontier never offers a parent before its parts. (A part edge that would close a
cycle — a framework where the parent is also a prerequisite of its own part — is left out.)

Parts are found from ``Standard.attributes["parent_code"]`` when the framework gives it, and
otherwise from the code: ``X.a`` is a part of ``X`` when both are in the map and the suffix is
one lower-case letter or a small number (the Common Core convention).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from trellis.engine.competencies import CompetencyGraph

_PART_SUFFIX = re.compile(r"^(?P<parent>.+)\.(?P<part>[a-z]|\d{1,2})$")


def sub_standards(graph: CompetencyGraph) -> dict[str, list[str]]:
    """Parent code -> its parts, in map order."""
    parts: dict[str, list[str]] = {}
    for code in graph.codes:
        parent = graph.standard(code).attributes.get("parent_code", "")
        if not parent:
            match = _PART_SUFFIX.match(code)
            parent = match.group("parent") if match else ""
        if parent and parent != code and parent in graph:
            parts.setdefault(parent, []).append(code)
    return parts


def planning_graph(
    graph: CompetencyGraph, parts: Mapping[str, Sequence[str]] | None = None
) -> CompetencyGraph:
    """``graph`` with each part made a prerequisite of its parent (see the module docstring).

    ``parts`` overrides the detected parts (``{}`` turns the behaviour off). Returns ``graph``
    itself when there is nothing to add.
    """
    found = sub_standards(graph) if parts is None else {p: list(c) for p, c in parts.items()}
    dependents: dict[str, set[str]] = {code: set(graph.dependents(code)) for code in graph}
    added: list[tuple[str, str]] = []
    for parent in graph.codes:
        for part in found.get(parent, ()):
            if part not in graph or part == parent or parent in dependents[part]:
                continue
            if _reaches(dependents, parent, part):
                continue  # parent already leads to its part: the edge would close a cycle
            dependents[part].add(parent)
            added.append((part, parent))
    if not added:
        return graph
    standards = [graph.standard(code) for code in graph.codes]
    return CompetencyGraph(standards, [*graph.edges, *added])


def _reaches(dependents: Mapping[str, set[str]], start: str, target: str) -> bool:
    stack, seen = [start], {start}
    while stack:
        node = stack.pop()
        if node == target:
            return True
        for nxt in dependents[node]:
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return False
