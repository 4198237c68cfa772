"""Framework pages: the list, the CASE upload (dry run, then import), export, and the skill map.

**The skill map** draws a framework as a graph, server-side, as SVG. The layout is computed
here in plain Python (:func:`layout_map`), a small layered drawing in the spirit of Sugiyama:

- **x by grade**: one column per grade band (K, 1, …, 8, HS), left to right; inside a grade,
  standards are spread over sub-columns by their *layer* — the length of the longest chain of
  prerequisites leading to them from inside that grade — so every arrow inside a grade points
  right;
- **y by domain**: one horizontal band per domain family (``EE`` for 6.EE, 7.EE and 8.EE, so a
  progression across grades reads along one band), then standards in framework order;
- **arrows** are cubic Bézier paths from a prerequisite's right edge to its dependent's left
  edge. When a filter shows one grade, the direct prerequisites from outside the filter are drawn
  too, dashed, so the arrows that come *into* the grade are not lost.

Each standard is a focusable ``<a>`` inside the SVG with an accessible name (code, status,
statement); Enter opens its detail in a side panel (htmx) or, without JavaScript, on its own
page. ``skill_map.js`` adds wheel zoom, drag pan and +/−/reset buttons on the ``viewBox`` and
lights a standard's arrows while it has focus. A plain list of the same standards follows the
map for screen-reader users.

A per-student colouring (mastered / ready to learn / not yet) comes from
:func:`trellis.curriculum.queries.map_colouring`: a student sees their own; staff and guardians
may pick one of the students they can see (``?student=ID``, checked with ``access_student``).
"""

from __future__ import annotations

import logging
import re
import secrets
from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from trellis.accounts.models import Role, User
from trellis.accounts.permissions import NotFound, students_visible_to
from trellis.accounts.queries import access_student
from trellis.curriculum.actions import do_export_framework, do_import_framework
from trellis.curriculum.adapters import FrameworkDataError, load_framework
from trellis.curriculum.models import Standard, StandardAssociation
from trellis.curriculum.queries import (
    MAP_STATUS_LABELS,
    access_framework,
    access_managed_framework,
    access_standard,
    can_manage_frameworks,
    frameworks_visible_to,
    map_colouring,
    mastery_rule_for,
)
from trellis.engine.competencies import CompetencyGraph

logger = logging.getLogger(__name__)

ALL = "all"
DEFAULT_GRADE = "7"
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
STUDENT_PICKER_LIMIT = 500

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


# -- pages ---------------------------------------------------------------------------------------


def _viewer(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@login_required
@require_GET
def framework_list(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    frameworks = []
    for framework in frameworks_visible_to(viewer):
        try:
            graph = load_framework(framework).graph
        except FrameworkDataError:
            logger.exception("framework %s cannot be read", framework.id)
            frameworks.append({"framework": framework, "broken": True})
            continue
        frameworks.append(
            {
                "framework": framework,
                "standards": len(graph),
                "prerequisites": len(graph.edges),
            }
        )
    return render(
        request,
        "curriculum/framework_list.html",
        {"frameworks": frameworks, "can_manage": can_manage_frameworks(viewer)},
    )


UPLOAD_MAX_AGE_SECONDS = 24 * 3600


def _upload_dir() -> Path:
    path = Path(settings.DATA_DIR) / "uploads" / "frameworks"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _forget_stale_uploads(folder: Path) -> None:
    """Checked packages nobody confirmed within a day are deleted."""
    import time

    limit = time.time() - UPLOAD_MAX_AGE_SECONDS
    for stale in folder.glob("*.case"):
        if stale.stat().st_mtime < limit:
            stale.unlink(missing_ok=True)


_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
SESSION_UPLOADS = "framework_uploads"


@login_required
@require_http_methods(["GET", "POST"])
def framework_import(request: HttpRequest) -> HttpResponse:
    """Upload a CASE package: the dry-run report first, then a button that imports it."""
    viewer = _viewer(request)
    if not can_manage_frameworks(viewer):
        raise NotFound
    context: dict[str, Any] = {}
    if request.method == "POST":
        upload = request.FILES.get("package")
        if upload is None:
            context["upload_error"] = "Choose a CASE package file (.json or .json.gz) to check."
        elif upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
            context["upload_error"] = "That file is larger than 50 MB; is it a CASE package?"
        else:
            raw = upload.read()
            report = do_import_framework(viewer.district, raw, dry_run=True, actor=viewer)  # type: ignore[arg-type]
            context["report"] = report
            context["filename"] = upload.name
            if report.ok:
                token = secrets.token_urlsafe(24)
                folder = _upload_dir()
                _forget_stale_uploads(folder)
                (folder / f"{token}.case").write_bytes(raw)
                tokens = request.session.get(SESSION_UPLOADS, {})
                # what the confirmation will import, for the job's title
                tokens[token] = report.summary.title if report.summary else str(upload.name)
                request.session[SESSION_UPLOADS] = tokens
                context["token"] = token
    return render(request, "curriculum/framework_import.html", context)


@login_required
@require_POST
def framework_import_confirm(request: HttpRequest) -> HttpResponse:
    """Import the package checked a moment ago (kept server-side under a session token)."""
    from trellis.core.jobs import start_job

    viewer = _viewer(request)
    if not can_manage_frameworks(viewer):
        raise NotFound
    token = request.POST.get("token", "")
    tokens: dict[str, str] = request.session.get(SESSION_UPLOADS, {})
    path = _upload_dir() / f"{token}.case"
    if not _TOKEN.match(token) or token not in tokens or not path.is_file():
        messages.error(request, "That upload has expired. Please choose the file again.")
        return redirect("framework-import")
    title = tokens.pop(token)
    request.session[SESSION_UPLOADS] = tokens
    district = viewer.district
    assert district is not None  # noqa: S101 - can_manage_frameworks checked it

    def work(report: Any) -> dict[str, Any]:
        try:
            result = do_import_framework(
                district, path.read_bytes(), actor=viewer, progress=report
            )
        finally:
            path.unlink(missing_ok=True)
        if not result.ok:
            raise ValueError("\n".join(result.lines()))
        return {"lines": result.lines(), "framework_id": result.framework_id}

    job = start_job(
        "framework-import", f"Import framework: {title}"[:200], work, district=district,
        user=viewer, result_url=reverse("framework-list"),
    )
    return redirect("job-status", job_id=job.id)


@login_required
@require_GET
def framework_export(request: HttpRequest, framework_id: int) -> HttpResponse:
    """Download the framework as a CASE 1.0 CFPackage (audited)."""
    import json

    viewer = _viewer(request)
    framework = access_managed_framework(viewer, framework_id)
    exported = do_export_framework(framework, actor=viewer)
    response = HttpResponse(
        json.dumps(exported, ensure_ascii=False, indent=1), content_type="application/json"
    )
    name = slugify(framework.title)[:60] or "framework"
    response["Content-Disposition"] = f'attachment; filename="{name}.case.json"'
    return response


def _colour_student(request: HttpRequest, viewer: User) -> User | None:
    """Whose mastery colours the map: the student themself, or a visible student picked."""
    if viewer.role == Role.STUDENT:
        return viewer
    wanted = request.GET.get("student", "")
    if not wanted:
        return None
    if not wanted.isdigit():
        raise NotFound
    return access_student(viewer, int(wanted))


@login_required
@require_GET
def skill_map(request: HttpRequest, framework_id: int) -> HttpResponse:
    viewer = _viewer(request)
    framework = access_framework(viewer, framework_id)
    loaded = load_framework(framework)
    graph = loaded.graph
    student = _colour_student(request, viewer)
    colouring = map_colouring(student, framework) if student is not None else {}
    chosen = choose_filter(graph, request.GET, student)
    shown = shown_codes(graph, chosen)
    context_set = context_codes(graph, shown) if chosen.grade != ALL or chosen.domain != ALL else []
    layout = layout_map(
        graph, shown, context=context_set, colouring=colouring,
        standard_ids=loaded.standard_ids,
    )
    picker = None
    if viewer.role != Role.STUDENT:
        visible = students_visible_to(viewer).order_by("last_name", "first_name")
        picker = list(visible[:STUDENT_PICKER_LIMIT])
    listed = [n for n in layout.nodes if not n.context]
    order = {code: index for index, code in enumerate(graph.codes)}
    listed.sort(key=lambda n: (grade_rank(graph.standard(n.code).grade), order[n.code]))
    # counted over everything drawn, prerequisites from outside the filter included
    counts = {
        status: sum(1 for n in layout.nodes if n.status == status) for status in MAP_STATUS_LABELS
    }
    context = {
        "framework": framework,
        "layout": layout,
        "filter": chosen,
        "student": student,
        "picker": picker,
        "colouring": bool(colouring),
        "status_labels": MAP_STATUS_LABELS,
        "status_counts": counts,
        "listed": listed,
        "total": len(graph),
        "can_manage": can_manage_frameworks(viewer),
        "rule_text": mastery_rule_for(framework.district_id).describe(
            None if viewer.role == Role.STUDENT
            else student.short_name if student else "a student"),
        "query": _query(chosen, student if viewer.role != Role.STUDENT else None),
    }
    return render(request, "curriculum/skill_map.html", context)


def _query(chosen: MapFilter, student: User | None) -> str:
    """The map's filter as a query string, carried into standard links."""
    parts = [f"grade={chosen.grade}", f"domain={chosen.domain}"]
    if student is not None:
        parts.append(f"student={student.id}")
    return "&".join(parts)


@login_required
@require_GET
def standard_detail(request: HttpRequest, framework_id: int, standard_id: int) -> HttpResponse:
    """One standard: text, prerequisites, dependents, related, aligned items. A side panel
    for htmx requests, a page otherwise."""
    viewer = _viewer(request)
    framework = access_framework(viewer, framework_id)
    standard = access_standard(viewer, framework, standard_id)
    loaded = load_framework(framework)
    graph = loaded.graph
    student = _colour_student(request, viewer)
    colouring = map_colouring(student, framework) if student is not None else {}
    key = loaded.keys.get(standard.id)
    rows = {
        s.id: s
        for s in Standard.objects.filter(framework=framework, id__in=loaded.standard_ids.values())
    }

    def entries(codes: list[str]) -> list[dict[str, Any]]:
        return [
            {
                "standard": rows[loaded.standard_ids[code]],
                "status": colouring.get(code, ""),
                "status_label": MAP_STATUS_LABELS.get(colouring.get(code, ""), ""),
            }
            for code in codes
            if code in loaded.standard_ids and loaded.standard_ids[code] in rows
        ]

    prerequisites = entries(graph.prerequisites(key)) if key else []
    dependents = entries(graph.dependents(key)) if key else []
    related_ids = set(
        StandardAssociation.objects.filter(
            framework=framework, association_type="isRelatedTo", origin=standard
        ).values_list("destination_id", flat=True)
    ) | set(
        StandardAssociation.objects.filter(
            framework=framework, association_type="isRelatedTo", destination=standard
        ).values_list("origin_id", flat=True)
    )
    related = [
        {"standard": s, "status": "", "status_label": ""}
        for s in Standard.objects.filter(framework=framework, id__in=related_ids - {None})
    ]
    items = list(standard.items.order_by("title", "identifier")[:20])
    status = colouring.get(key or "", "")
    context = {
        "framework": framework,
        "standard": standard,
        "prerequisites": prerequisites,
        "dependents": dependents,
        "related": related,
        "items": items,
        "item_count": standard.items.count(),
        "status": status,
        "status_label": MAP_STATUS_LABELS.get(status, ""),
        "student": student,
        "grade_label": grade_label(standard.grade) if standard.grade else "",
        "query": request.GET.urlencode(),
    }
    template = (
        "curriculum/skill_map_standard.html"
        if getattr(request, "htmx", False)
        else "curriculum/skill_map_standard_page.html"
    )
    return render(request, template, context)
