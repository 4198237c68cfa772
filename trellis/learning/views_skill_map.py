"""The skill map: a framework drawn as a graph, server-side, as SVG, coloured by a student's
mastery.

The drawing is :func:`trellis.frameworks.layout.layout_map` (grades left to right, domains in
bands, prerequisites as arrows; with a grade or domain filter the direct prerequisites from
outside it are drawn too, dashed). Each standard is a focusable ``<a>`` inside the SVG with an
accessible name (code, status, statement); Enter opens its detail in a side panel (htmx) or,
without JavaScript, on its own page. ``skill_map.js`` adds wheel zoom, drag pan and +/−/reset
buttons on the ``viewBox`` and lights a standard's arrows while it has focus. A plain list of
the same standards follows the map for screen-reader users.

A per-student colouring (mastered / ready to learn / not yet) comes from
:func:`trellis.learning.queries.map_colouring`: a student sees their own; staff and guardians
may pick one of the students they can see (``?student=ID``, checked with ``access_student``).
The routes stay under ``frameworks/`` (:mod:`trellis.learning.urls_skill_map`).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from trellis.accounts.models import Role, User
from trellis.accounts.permissions import NotFound, students_visible_to
from trellis.accounts.queries import access_student
from trellis.frameworks.adapters import load_framework
from trellis.frameworks.layout import (
    ALL,
    MAP_STATUS_LABELS,
    MapFilter,
    choose_filter,
    context_codes,
    grade_label,
    grade_rank,
    layout_map,
    shown_codes,
)
from trellis.frameworks.queries import (
    access_framework,
    access_standard,
    can_manage_frameworks,
    related_standard_ids,
    standards_among,
)
from trellis.learning.queries import map_colouring
from trellis.learning.rules import mastery_rule_for

STUDENT_PICKER_LIMIT = 500


def _viewer(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


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
    return render(request, "learning/skill_map.html", context)


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
    rows = {s.id: s for s in standards_among(framework, loaded.standard_ids.values())}

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
    related = [
        {"standard": s, "status": "", "status_label": ""}
        for s in standards_among(framework, related_standard_ids(framework, standard))
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
        "learning/skill_map_standard.html"
        if getattr(request, "htmx", False)
        else "learning/skill_map_standard_page.html"
    )
    return render(request, template, context)
