"""The skill map's layout: a framework drawn as a graph, computed in plain Python.

:func:`layout_map` is a small layered drawing in the spirit of Sugiyama:

- **x by grade**: one column per grade band (K, 1, …, 8, HS), left to right; inside a grade,
  standards are spread over sub-columns by their *layer* — the length of the longest chain of
  prerequisites leading to them from inside that grade — so every arrow inside a grade points
  right;
- **y by domain**: one horizontal band per domain family (``EE`` for 6.EE, 7.EE and 8.EE, so a
  progression across grades reads along one band), then standards in framework order;
- **arrows** are cubic Bézier paths from a prerequisite's right edge to its dependent's left
  edge. When a filter shows one grade, the direct prerequisites from outside the filter are drawn
  too, dashed (:func:`context_codes`), so the arrows that come *into* the grade are not lost.

The template ``curriculum/skill_map_svg.html`` draws a :class:`MapLayout` as SVG; the skill map
page (:mod:`trellis.learning.views_skill_map`) and the check-up result use it. A node's status
(:data:`MAP_STATUS_LABELS`) is given by the caller: this module knows nothing of mastery.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Literal

from trellis.accounts.models import User
from trellis.engine.competencies import CompetencyGraph

MapStatus = Literal["mastered", "ready", "not_yet"]

MAP_STATUS_LABELS: dict[str, str] = {
    "mastered": "Mastered",
    "ready": "Ready to learn",
    "not_yet": "Not yet",
}

ALL = "all"
DEFAULT_GRADE = "7"

# -- the layout ----------------------------------------------------------------------------------

NODE_WIDTH = 104
NODE_HEIGHT = 26
LAYER_WIDTH = 132  # node plus the room an arrow needs to turn
ROW_HEIGHT = 34
GRADE_GAP = 44
BAND_GAP = 18
LEFT = 190  # the band labels
TOP = 44  # the grade labels
MARGIN = 16


def grade_rank(grade: str) -> tuple[int, str]:
    """Sort grades as a school does: PK, K, 1 … 12, HS, then anything else by name."""
    text = grade.strip().upper()
    if text in {"PK", "PRE-K", "PREK"}:
        return (-1, text)
    if text in {"K", "KG", "00"}:
        return (0, text)
    if text.isdigit():
        return (int(text), text)
    if text == "HS":
        return (13, text)
    return (50, text)


def grade_label(grade: str) -> str:
    text = grade.strip().upper()
    if text in {"K", "KG", "00"}:
        return "Kindergarten"
    if text == "HS":
        return "High school"
    if text.isdigit():
        return f"Grade {int(text)}"
    return grade or "No grade"


def domain_family(domain: str, grade: str) -> str:
    """The domain without its grade prefix: ``7.EE`` → ``EE``, ``HS.A-SSE`` → ``A-SSE``."""
    if grade and domain.startswith(grade + "."):
        return domain[len(grade) + 1 :]
    return domain or "—"


@dataclass(frozen=True)
class MapNode:
    code: str
    x: float
    y: float
    label: str
    statement: str
    status: str  # "mastered" | "ready" | "not_yet" | "" (neutral)
    context: bool  # drawn only as a prerequisite of what the filter shows
    standard_id: int | None

    @property
    def cx(self) -> float:
        return self.x + NODE_WIDTH / 2

    @property
    def text_y(self) -> float:
        return self.y + NODE_HEIGHT / 2 + 4

    @property
    def dom_id(self) -> str:
        return "n-" + re.sub(r"[^A-Za-z0-9_-]", "_", self.code)

    @property
    def accessible_name(self) -> str:
        status = MAP_STATUS_LABELS.get(self.status, "")
        text = self.statement if len(self.statement) <= 140 else self.statement[:137] + "…"
        parts = [self.code]
        if self.context:
            parts.append("prerequisite from outside this view")
        if status:
            parts.append(status)
        return ", ".join(parts) + ": " + text


@dataclass(frozen=True)
class MapEdge:
    source: str
    target: str
    path: str
    context: bool  # one end is a context node


@dataclass(frozen=True)
class MapBand:
    family: str
    title: str
    y: float
    height: float

    @property
    def label_y(self) -> float:
        return self.y + 18

    @property
    def title_y(self) -> float:
        return self.y + 32

    @property
    def short_title(self) -> str:
        """The domain's title cut to fit the label column (the full one is its tooltip)."""
        return self.title if len(self.title) <= 27 else self.title[:26].rstrip() + "…"


@dataclass(frozen=True)
class MapColumn:
    grade: str
    label: str
    x: float
    width: float

    @property
    def label_x(self) -> float:
        return self.x + self.width / 2


@dataclass(frozen=True)
class MapLayout:
    width: float
    height: float
    nodes: tuple[MapNode, ...] = ()
    edges: tuple[MapEdge, ...] = ()
    bands: tuple[MapBand, ...] = ()
    columns: tuple[MapColumn, ...] = ()
    node_width: int = NODE_WIDTH
    node_height: int = NODE_HEIGHT
    band_width: float = field(default=0.0)
    focus_x: float = 0.0  # where the shown grades start (after the context column)


def _layers(codes: list[str], graph: CompetencyGraph) -> dict[str, int]:
    """Longest chain of prerequisites inside ``codes`` leading to each code (0 for none)."""
    inside = set(codes)
    layer: dict[str, int] = {}
    for code in graph.topological_order():
        if code in inside:
            before = [layer[p] for p in graph.prerequisites(code) if p in inside]
            layer[code] = 1 + max(before) if before else 0
    return layer


def layout_map(
    graph: CompetencyGraph,
    shown: Collection[str],
    *,
    context: Collection[str] = (),
    colouring: Mapping[str, str] | None = None,
    standard_ids: Mapping[str, int] | None = None,
) -> MapLayout:
    """Place ``shown`` on the grade × domain grid, and the ``context`` prerequisites in one
    column before it, each in the band of the first standard it leads to."""
    colouring = colouring or {}
    standard_ids = standard_ids or {}
    order = {code: index for index, code in enumerate(graph.codes)}
    shown_list = sorted(set(shown), key=order.__getitem__)
    shown_set = set(shown_list)
    if not shown_list:
        return MapLayout(width=LEFT + 2 * MARGIN, height=TOP + 2 * MARGIN)
    info = {code: graph.standard(code) for code in shown_list}
    family_of = {code: domain_family(s.domain, s.grade) for code, s in info.items()}
    grades = sorted({s.grade for s in info.values()}, key=grade_rank)
    by_grade: dict[str, list[str]] = defaultdict(list)
    for code in shown_list:
        by_grade[info[code].grade].append(code)
    layer: dict[str, int] = {}
    for grade in grades:
        layer.update(_layers(by_grade[grade], graph))

    # bands: domain families in order of first appearance, grade by grade
    families: list[str] = []
    for grade in grades:
        for code in by_grade[grade]:
            if family_of[code] not in families:
                families.append(family_of[code])
    cells: dict[tuple[str, str, int], list[str]] = defaultdict(list)
    for code in shown_list:
        cells[(info[code].grade, family_of[code], layer[code])].append(code)
    _order_by_barycentre(cells, families, graph, order)
    slot = {code: (layer[code], row) for members in cells.values()
            for row, code in enumerate(members)}

    # context: each prerequisite sits beside the first standard it leads to
    before = "<before>"
    context_list = sorted(set(context) - shown_set, key=order.__getitem__)
    anchor: dict[str, str] = {}
    for code in context_list:
        leads_to = [d for d in graph.dependents(code) if d in shown_set]
        if leads_to:
            anchor[code] = min(leads_to, key=lambda d: (families.index(family_of[d]), slot[d]))
    context_list = sorted(anchor, key=lambda c: (slot[anchor[c]], order[c]))
    for code in context_list:
        info[code] = graph.standard(code)
        family_of[code] = family_of[anchor[code]]
        layer[code] = 0
        cells[(before, family_of[code], 0)].append(code)

    rows_in_band = {
        family: max(len(members) for key, members in cells.items() if key[1] == family)
        for family in families
    }
    columns: list[MapColumn] = []
    column_x: dict[str, float] = {}
    x = float(LEFT)
    if context_list:
        columns.append(MapColumn(before, "Comes before", x, NODE_WIDTH))
        column_x[before] = x
        x += NODE_WIDTH + GRADE_GAP + 24
    for grade in grades:
        span = max(layer[c] for c in by_grade[grade]) + 1
        column_width = span * LAYER_WIDTH - (LAYER_WIDTH - NODE_WIDTH)
        columns.append(MapColumn(grade, grade_label(grade), x, column_width))
        column_x[grade] = x
        x += column_width + GRADE_GAP
    width = x - GRADE_GAP + MARGIN

    bands: list[MapBand] = []
    band_y: dict[str, float] = {}
    y = float(TOP)
    for family in families:
        band_height = rows_in_band[family] * ROW_HEIGHT + BAND_GAP
        first = next(c for c in shown_list if family_of[c] == family)
        title = info[first].attributes.get("domain_title", "")
        bands.append(MapBand(family, title, y, band_height))
        band_y[family] = y + BAND_GAP / 2 + (ROW_HEIGHT - NODE_HEIGHT) / 2
        y += band_height
    height = y + MARGIN

    context_set = set(context_list)
    nodes: dict[str, MapNode] = {}
    for (grade, family, depth), members in cells.items():
        for row, code in enumerate(members):
            standard = info[code]
            nodes[code] = MapNode(
                code=code,
                x=column_x[grade] + depth * LAYER_WIDTH,
                y=band_y[family] + row * ROW_HEIGHT,
                label=standard.code,
                statement=standard.attributes.get("full_statement") or standard.label,
                status=colouring.get(code, ""),
                context=code in context_set,
                standard_id=standard_ids.get(code),
            )

    edges: list[MapEdge] = []
    for source, target in graph.edges:
        if source not in nodes or target not in nodes:
            continue
        if source in context_set and target in context_set:
            continue  # only arrows that touch what the filter shows
        edges.append(
            MapEdge(source, target, _edge_path(nodes[source], nodes[target]),
                    context=source in context_set or target in context_set)
        )
    ordered_nodes = sorted(nodes.values(), key=lambda n: (n.x, n.y))
    return MapLayout(
        width=width,
        height=height,
        nodes=tuple(ordered_nodes),
        edges=tuple(edges),
        bands=tuple(bands),
        columns=tuple(columns),
        band_width=width - MARGIN,
        focus_x=column_x[grades[0]],
    )


def _order_by_barycentre(
    cells: dict[tuple[str, str, int], list[str]],
    families: list[str],
    graph: CompetencyGraph,
    order: Mapping[str, int],
) -> None:
    """Fewer crossings: from the second layer on, stack each cell's standards in the order of
    the mean height of their prerequisites already placed (one sweep, left to right; the
    framework's own order breaks ties and places standards with no such prerequisite last)."""
    height: dict[str, float] = {}
    for key in sorted(cells, key=lambda k: (grade_rank(k[0]), k[2], families.index(k[1]))):
        _, family, depth = key
        members = cells[key]
        if depth > 0:

            def weight(code: str) -> tuple[float, int]:
                above = [height[p] for p in graph.prerequisites(code) if p in height]
                return (sum(above) / len(above) if above else float("inf"), order[code])

            members.sort(key=weight)
        for row, code in enumerate(members):
            height[code] = families.index(family) * 1000 + row


def _edge_path(source: MapNode, target: MapNode) -> str:
    """A smooth arrow from the right edge of ``source`` to the left edge of ``target``."""
    x1, y1 = source.x + NODE_WIDTH, source.y + NODE_HEIGHT / 2
    x2, y2 = target.x - 3, target.y + NODE_HEIGHT / 2  # leave room for the arrowhead
    if x2 > x1:
        bend = max(10.0, (x2 - x1) * 0.45)
        return (
            f"M{x1:.0f},{y1:.0f} C{x1 + bend:.0f},{y1:.0f} {x2 - bend:.0f},{y2:.0f} "
            f"{x2:.0f},{y2:.0f}"
        )
    # a target at or left of its source (not expected): loop round below
    drop = max(y1, y2) + ROW_HEIGHT
    return (
        f"M{x1:.0f},{y1:.0f} C{x1 + 40:.0f},{drop:.0f} {x2 - 40:.0f},{drop:.0f} "
        f"{x2:.0f},{y2:.0f}"
    )


# -- filters -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapFilter:
    grade: str  # a grade or ALL
    domain: str  # a domain family or ALL
    grades: tuple[str, ...]
    domains: tuple[tuple[str, str], ...]  # (family, title) for the chosen grade(s)


def _grade_of_student(student: User | None) -> str | None:
    if student is None or not student.grade:
        return None
    text = student.grade.strip().upper()
    if text in {"KG", "00"}:
        return "K"
    if text.isdigit():
        number = int(text)
        return "HS" if number >= 9 else str(number)
    return text


def choose_filter(
    graph: CompetencyGraph, params: Mapping[str, str], student: User | None
) -> MapFilter:
    grades = tuple(sorted({graph.standard(c).grade for c in graph}, key=grade_rank))
    wanted = params.get("grade") or ""
    if wanted != ALL and wanted not in grades:
        wanted = next(
            (g for g in (_grade_of_student(student), DEFAULT_GRADE) if g in grades),
            grades[0] if grades else ALL,
        )
    families: dict[str, str] = {}
    for code in graph.topological_order():
        standard = graph.standard(code)
        if wanted in (ALL, standard.grade):
            family = domain_family(standard.domain, standard.grade)
            families.setdefault(family, standard.attributes.get("domain_title", ""))
    domain = params.get("domain") or ALL
    if domain not in families:
        domain = ALL
    return MapFilter(
        grade=wanted,
        domain=domain,
        grades=grades,
        domains=tuple(sorted(families.items())),
    )


def shown_codes(graph: CompetencyGraph, chosen: MapFilter) -> list[str]:
    return [
        code
        for code in graph
        if chosen.grade in (ALL, graph.standard(code).grade)
        and chosen.domain
        in (ALL, domain_family(graph.standard(code).domain, graph.standard(code).grade))
    ]


def context_codes(graph: CompetencyGraph, shown: Collection[str]) -> list[str]:
    """Direct prerequisites of the shown standards that the filter leaves out."""
    inside = set(shown)
    return sorted({p for code in inside for p in graph.prerequisites(code)} - inside)
