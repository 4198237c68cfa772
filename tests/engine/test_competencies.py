"""Property tests of :mod:`trellis.engine.competencies` on random prerequisite DAGs.

Each property is checked against a plain, obviously-correct reference (reachability by
breadth-first search over the edge list) on graphs hypothesis draws: random standards given in
a random order, with edges that only go "forward" in a hidden random ranking, so every drawn
graph is acyclic while its input order is not a topological order. Runs are derandomized, so
the same examples run every time.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trellis.engine.competencies import (
    CompetencyGraph,
    CycleError,
    Standard,
    UnknownStandardError,
)

PROPERTY = settings(max_examples=150, deadline=None, derandomize=True)


@dataclass(frozen=True)
class Dag:
    codes: list[str]  # in input order
    edges: list[tuple[str, str]]  # (prerequisite, dependent)

    def graph(self) -> CompetencyGraph:
        return CompetencyGraph(self.codes, self.edges)

    def reach(self, start: str, forward: bool) -> set[str]:
        """Reference reachability: descendants (forward) or ancestors of ``start``."""
        links: dict[str, list[str]] = {code: [] for code in self.codes}
        for prerequisite, dependent in self.edges:
            if forward:
                links[prerequisite].append(dependent)
            else:
                links[dependent].append(prerequisite)
        found: set[str] = set()
        queue = deque(links[start])
        while queue:
            node = queue.popleft()
            if node not in found:
                found.add(node)
                queue.extend(links[node])
        return found

    def prerequisites(self, code: str) -> set[str]:
        return {p for p, d in self.edges if d == code}


@st.composite
def dags(draw: st.DrawFn, min_size: int = 0, max_size: int = 18) -> Dag:
    size = draw(st.integers(min_value=min_size, max_value=max_size))
    ranking = [f"s{i}" for i in range(size)]  # hidden topological ranking
    codes = draw(st.permutations(ranking))  # what the graph is given
    pairs = [(a, b) for i, a in enumerate(ranking) for b in ranking[i + 1 :]]
    edges = draw(st.lists(st.sampled_from(pairs), max_size=3 * size)) if pairs else []
    return Dag(list(codes), edges)


@st.composite
def dag_and_mastery(draw: st.DrawFn) -> tuple[Dag, set[str]]:
    dag = draw(dags())
    mastered = draw(st.sets(st.sampled_from(dag.codes))) if dag.codes else set()
    return dag, mastered


def closed_under_prerequisites(dag: Dag, mastered: set[str]) -> set[str]:
    """A consistent knowledge state: the mastered standards plus all their ancestors."""
    closed = set(mastered)
    for code in mastered:
        closed |= dag.reach(code, forward=False)
    return closed


# -- topological order -----------------------------------------------------------------------


@PROPERTY
@given(dag=dags())
def test_topological_order_lists_every_standard_once_after_its_prerequisites(dag: Dag) -> None:
    order = dag.graph().topological_order()
    assert sorted(order) == sorted(dag.codes)
    position = {code: i for i, code in enumerate(order)}
    assert all(position[p] < position[d] for p, d in dag.edges)


@PROPERTY
@given(dag=dags())
def test_topological_order_is_deterministic_and_breaks_ties_by_input_order(dag: Dag) -> None:
    order = dag.graph().topological_order()
    assert order == CompetencyGraph(dag.codes, dag.edges).topological_order()
    if not dag.edges:
        assert order == dag.codes


# -- frontier --------------------------------------------------------------------------------


@PROPERTY
@given(case=dag_and_mastery())
def test_frontier_is_exactly_the_unmastered_standards_with_all_prerequisites_mastered(
    case: tuple[Dag, set[str]],
) -> None:
    dag, mastered = case
    frontier = dag.graph().frontier(mastered)
    assert len(frontier) == len(set(frontier))
    for code in frontier:
        assert code not in mastered
        assert dag.prerequisites(code) <= mastered
    expected = {c for c in dag.codes if c not in mastered and dag.prerequisites(c) <= mastered}
    assert set(frontier) == expected


@PROPERTY
@given(case=dag_and_mastery())
def test_frontier_is_empty_only_when_everything_is_mastered(case: tuple[Dag, set[str]]) -> None:
    dag, mastered = case
    state = closed_under_prerequisites(dag, mastered)
    graph = dag.graph()
    assert graph.is_consistent(state)
    assert (graph.frontier(state) == []) == (state == set(dag.codes))


# -- pathway ---------------------------------------------------------------------------------


@st.composite
def pathway_cases(draw: st.DrawFn) -> tuple[Dag, set[str], list[str]]:
    dag = draw(dags(min_size=1))
    mastered = draw(st.sets(st.sampled_from(dag.codes)))
    if draw(st.booleans()):
        mastered = closed_under_prerequisites(dag, mastered)
    goals = draw(st.lists(st.sampled_from(dag.codes), min_size=1, max_size=4))
    return dag, mastered, goals


@PROPERTY
@given(case=pathway_cases())
def test_pathway_covers_the_goals_and_exactly_their_unmastered_ancestors(
    case: tuple[Dag, set[str], list[str]],
) -> None:
    dag, mastered, goals = case
    pathway = dag.graph().pathway(mastered, goals)
    open_goals = {g for g in goals if g not in mastered}
    needed = set(open_goals)
    for goal in open_goals:
        needed |= dag.reach(goal, forward=False) - mastered
    assert len(pathway) == len(set(pathway))
    assert set(pathway) == needed
    if pathway:
        assert pathway[-1] in open_goals  # it ends on a goal
    else:
        assert not open_goals


@PROPERTY
@given(case=pathway_cases())
def test_pathway_starts_on_the_frontier_and_each_step_is_ready_in_turn(
    case: tuple[Dag, set[str], list[str]],
) -> None:
    dag, mastered, goals = case
    graph = dag.graph()
    pathway = graph.pathway(mastered, goals)
    if pathway:
        assert pathway[0] in graph.frontier(mastered)
    learned = set(mastered)
    for step in pathway:
        # every prerequisite is mastered or came earlier on the pathway
        assert step in graph.frontier(learned)
        learned.add(step)
    assert set(goals) <= learned


# -- ancestors and descendants ---------------------------------------------------------------


@PROPERTY
@given(dag=dags(min_size=1))
def test_ancestors_and_descendants_are_inverse_transitive_closures(dag: Dag) -> None:
    graph = dag.graph()
    for code in dag.codes:
        ancestors = graph.ancestors(code)
        assert ancestors == dag.reach(code, forward=False)
        assert graph.descendants(code) == dag.reach(code, forward=True)
        assert code not in ancestors
        for other in dag.codes:
            assert (other in ancestors) == (code in graph.descendants(other))
        assert set(graph.prerequisites(code)) == dag.prerequisites(code)
        for prerequisite in graph.prerequisites(code):
            assert code in graph.dependents(prerequisite)


# -- cycles ----------------------------------------------------------------------------------


@st.composite
def cyclic_cases(draw: st.DrawFn) -> tuple[Dag, list[tuple[str, str]]]:
    """A DAG plus one back edge from a standard to one of its ancestors (or to itself)."""
    dag = draw(dags(min_size=1))
    with_ancestors = [c for c in dag.codes if dag.reach(c, forward=False)]
    back_to_an_ancestor = draw(st.booleans())
    if with_ancestors and back_to_an_ancestor:
        late = draw(st.sampled_from(with_ancestors))
        early = draw(st.sampled_from(sorted(dag.reach(late, forward=False))))
    else:
        late = early = draw(st.sampled_from(dag.codes))
    edges = list(dag.edges)
    edges.insert(draw(st.integers(0, len(edges))), (late, early))
    return dag, edges


@PROPERTY
@given(case=cyclic_cases())
def test_a_cycle_is_refused_and_the_error_names_a_real_cycle(
    case: tuple[Dag, list[tuple[str, str]]],
) -> None:
    dag, edges = case
    with pytest.raises(CycleError) as caught:
        CompetencyGraph(dag.codes, edges)
    cycle = caught.value.cycle
    assert len(cycle) >= 2
    assert cycle[0] == cycle[-1]
    assert len(set(cycle[:-1])) == len(cycle) - 1  # a simple cycle
    edge_set = set(edges)
    assert all(step in edge_set for step in pairwise(cycle))
    assert all(code in str(caught.value) for code in cycle)


def test_unknown_standard_in_an_edge_is_named() -> None:
    with pytest.raises(UnknownStandardError) as caught:
        CompetencyGraph(["a", "b"], [("a", "zz")])
    assert caught.value.code == "zz"


# -- subgraph --------------------------------------------------------------------------------


@st.composite
def subgraph_cases(draw: st.DrawFn) -> tuple[Dag, set[str]]:
    dag = draw(dags(min_size=1))
    keep = draw(st.sets(st.sampled_from(dag.codes), min_size=1))
    return dag, keep


@PROPERTY
@given(case=subgraph_cases())
def test_subgraph_keeps_prerequisite_links_through_removed_standards(
    case: tuple[Dag, set[str]],
) -> None:
    dag, keep = case
    graph = CompetencyGraph([Standard(code=c, label=c.upper()) for c in dag.codes], dag.edges)
    sub = graph.subgraph(keep)
    assert sub.codes == [c for c in dag.codes if c in keep]  # input order kept
    assert all(sub.standard(c).label == c.upper() for c in keep)
    for code in keep:
        assert sub.descendants(code) == graph.descendants(code) & keep
        assert sub.ancestors(code) == graph.ancestors(code) & keep
    # edges of the subgraph are real (transitive) prerequisite relations of the graph
    assert all(p in graph.ancestors(d) for p, d in sub.edges)
