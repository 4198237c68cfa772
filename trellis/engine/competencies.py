"""Competency graphs: standards (or skills) linked by prerequisite edges.

A framework such as the Common Core math Coherence Map is a directed acyclic graph: an edge
``A -> B`` says *A is a prerequisite of B* (CASE's ``A precedes B``). Everything Trellis plans
walks this graph:

- the **ancestors** of a standard are everything that should be learned before it;
- the **ready-to-learn frontier** for a mastery state is every standard not yet mastered whose
  prerequisites are all mastered — the "outer fringe" of knowledge-space theory;
- a **pathway** toward goal standards is every not-yet-mastered ancestor of the goals (and the
  goals themselves), in an order that never puts a standard before one of its prerequisites.

The graph validates itself when built (Oppia's self-validating domain objects): a cycle is
refused with :class:`CycleError`, which names the standards in the cycle, and an edge that
names an unknown standard with :class:`UnknownStandardError`.

Order is deterministic everywhere: ties are broken by the order in which standards were given,
so the same framework always yields the same pathway.
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field


class CompetencyGraphError(ValueError):
    """A framework that cannot be a competency graph."""


class CycleError(CompetencyGraphError):
    """The prerequisite edges contain a cycle; ``cycle`` lists it, first node repeated last."""

    def __init__(self, cycle: list[str]) -> None:
        self.cycle = cycle
        super().__init__("prerequisite cycle: " + " -> ".join(cycle))


class UnknownStandardError(CompetencyGraphError):
    """An edge or a query names a standard that is not in the graph."""

    def __init__(self, code: str, context: str = "") -> None:
        self.code = code
        where = f" ({context})" if context else ""
        super().__init__(f"unknown standard {code!r}{where}")


@dataclass(frozen=True)
class Standard:
    """One node of the graph: a standard, sub-standard or skill."""

    code: str
    label: str = ""
    grade: str = ""
    domain: str = ""
    attributes: Mapping[str, str] = field(default_factory=dict)


class CompetencyGraph:
    """A validated DAG of standards with prerequisite edges.

    >>> g = CompetencyGraph(["a", "b", "c"], [("a", "b"), ("b", "c")])
    >>> g.frontier(mastered={"a"})
    ['b']
    >>> g.pathway(mastered=set(), goals=["c"])
    ['a', 'b', 'c']
    """

    def __init__(
        self,
        standards: Iterable[str | Standard],
        prerequisite_edges: Iterable[tuple[str, str]],
    ) -> None:
        self._standards: dict[str, Standard] = {}
        for item in standards:
            standard = item if isinstance(item, Standard) else Standard(code=item)
            if standard.code in self._standards:
                raise CompetencyGraphError(f"duplicate standard {standard.code!r}")
            self._standards[standard.code] = standard
        self._rank = {code: i for i, code in enumerate(self._standards)}
        self._prerequisites: dict[str, list[str]] = {code: [] for code in self._standards}
        self._dependents: dict[str, list[str]] = {code: [] for code in self._standards}
        for prerequisite, dependent in prerequisite_edges:
            for code in (prerequisite, dependent):
                if code not in self._standards:
                    raise UnknownStandardError(code, f"edge {prerequisite} -> {dependent}")
            if prerequisite == dependent:
                raise CycleError([prerequisite, prerequisite])
            if dependent in self._dependents[prerequisite]:
                continue  # a repeated edge says nothing new
            self._dependents[prerequisite].append(dependent)
            self._prerequisites[dependent].append(prerequisite)
        self._topological = self._topological_sort()

    # -- construction helpers -------------------------------------------------------------

    def _topological_sort(self) -> list[str]:
        """Kahn's algorithm with a heap on input order; raises CycleError naming a cycle."""
        indegree = {code: len(p) for code, p in self._prerequisites.items()}
        heap = [(self._rank[c], c) for c, d in indegree.items() if d == 0]
        heapq.heapify(heap)
        order: list[str] = []
        while heap:
            _, code = heapq.heappop(heap)
            order.append(code)
            for dependent in self._dependents[code]:
                indegree[dependent] -= 1
                if indegree[dependent] == 0:
                    heapq.heappush(heap, (self._rank[dependent], dependent))
        if len(order) < len(self._standards):
            remaining = {c for c, d in indegree.items() if d > 0}
            raise CycleError(self._find_cycle(remaining))
        return order

    def _find_cycle(self, remaining: set[str]) -> list[str]:
        # Every node left after Kahn has a prerequisite left too, so walking prerequisites
        # from any of them must revisit a node: that loop is a cycle.
        start = min(remaining, key=self._rank.__getitem__)
        seen: dict[str, int] = {}
        path: list[str] = []
        node = start
        while node not in seen:
            seen[node] = len(path)
            path.append(node)
            node = min(
                (p for p in self._prerequisites[node] if p in remaining),
                key=self._rank.__getitem__,
            )
        cycle = path[seen[node] :]
        cycle.reverse()  # report in prerequisite -> dependent direction
        return [*cycle, cycle[0]]

    # -- basic queries ---------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._standards)

    def __contains__(self, code: object) -> bool:
        return code in self._standards

    def __iter__(self) -> Iterator[str]:
        return iter(self._standards)

    @property
    def codes(self) -> list[str]:
        return list(self._standards)

    @property
    def edges(self) -> list[tuple[str, str]]:
        return [(p, d) for p, deps in self._dependents.items() for d in deps]

    def standard(self, code: str) -> Standard:
        self._check(code)
        return self._standards[code]

    def prerequisites(self, code: str) -> list[str]:
        """Direct prerequisites of ``code``."""
        self._check(code)
        return list(self._prerequisites[code])

    def dependents(self, code: str) -> list[str]:
        """Standards that list ``code`` as a direct prerequisite."""
        self._check(code)
        return list(self._dependents[code])

    def ancestors(self, code: str) -> set[str]:
        """Every standard that must come before ``code`` (transitive prerequisites)."""
        return self._reach(code, self._prerequisites)

    def descendants(self, code: str) -> set[str]:
        """Every standard that ``code`` is (transitively) a prerequisite of."""
        return self._reach(code, self._dependents)

    def topological_order(self) -> list[str]:
        """All standards, each after all of its prerequisites (ties in input order)."""
        return list(self._topological)

    def subgraph(self, codes: Collection[str]) -> CompetencyGraph:
        """The graph restricted to ``codes``, keeping prerequisite links *through* removed
        standards (if a -> x -> b and x is dropped, a -> b is kept)."""
        keep = set(codes)
        for code in keep:
            self._check(code)
        edges: list[tuple[str, str]] = []
        for code in self._topological:
            if code not in keep:
                continue
            # nearest kept ancestors along each path
            stack = list(self._prerequisites[code])
            seen: set[str] = set()
            while stack:
                node = stack.pop()
                if node in seen:
                    continue
                seen.add(node)
                if node in keep:
                    edges.append((node, code))
                else:
                    stack.extend(self._prerequisites[node])
        ordered = [self._standards[c] for c in self._standards if c in keep]
        return CompetencyGraph(ordered, edges)

    # -- planning queries ------------------------------------------------------------------

    def frontier(self, mastered: Collection[str]) -> list[str]:
        """The ready-to-learn standards: not mastered, every prerequisite mastered."""
        known = set(mastered)
        return [
            code
            for code in self._topological
            if code not in known and all(p in known for p in self._prerequisites[code])
        ]

    def pathway(self, mastered: Collection[str], goals: Iterable[str]) -> list[str]:
        """The not-yet-mastered standards needed to reach ``goals``, in learnable order.

        The first standards of the pathway are on the frontier; each later one comes after all
        of its prerequisites. A goal already mastered adds nothing.
        """
        known = set(mastered)
        needed: set[str] = set()
        for goal in goals:
            self._check(goal)
            if goal in known:
                continue
            needed.add(goal)
            needed.update(a for a in self.ancestors(goal) if a not in known)
        return [code for code in self._topological if code in needed]

    def is_consistent(self, mastered: Collection[str]) -> bool:
        """Whether a mastery state is closed under prerequisites (a knowledge state)."""
        known = set(mastered)
        return all(p in known for code in known for p in self._prerequisites[code])

    # -- internals -------------------------------------------------------------------------

    def _check(self, code: str) -> None:
        if code not in self._standards:
            raise UnknownStandardError(code)

    def _reach(self, code: str, links: Mapping[str, list[str]]) -> set[str]:
        self._check(code)
        found: set[str] = set()
        stack = list(links[code])
        while stack:
            node = stack.pop()
            if node not in found:
                found.add(node)
                stack.extend(links[node])
        return found
