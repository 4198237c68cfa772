"""Pages of the diagnostic: the student's check, its result, the teacher's class heatmap.

The question page shows one item (its first step), checked with the engine's
:func:`~trellis.engine.content.check_answer`. The form carries the engine item id and a fresh
idempotency key, so a double submit or a stale tab counts once; an unreadable answer is shown
again with a hint and nothing is recorded. "I don't know yet" counts as not yet known.
"""

from __future__ import annotations

import contextlib
import dataclasses
import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_POST

from trellis.accounts.models import Role, User
from trellis.accounts.permissions import NotFound
from trellis.accounts.queries import access_student
from trellis.content.items import engine_item
from trellis.content.queries import get_item
from trellis.content.rendering import render_text, step_display
from trellis.diagnostics import actions, bank
from trellis.diagnostics.models import DiagnosticSession
from trellis.diagnostics.queries import (
    CELL_LABELS,
    LIKELY_KNOWN,
    NOT_YET,
    READY,
    access_diagnostic_framework,
    access_own_session,
    access_session,
    checkup_rows,
    class_heatmap,
    classify,
    diagnostic_frameworks,
    latest_completed,
    open_assignment,
    sessions_visible_to,
)
from trellis.engine.assessment import SessionMismatchError
from trellis.engine.content import InteractionType, check_answer
from trellis.frameworks.adapters import load_framework
from trellis.frameworks.layout import MapNode, context_codes, layout_map
from trellis.roster.permissions import classes_visible_to
from trellis.roster.queries import access_class, class_learners

Status = DiagnosticSession.Status
MINI_MAP_LIMIT = 40  # standards drawn on the result page before it narrows to one grade


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Students: a card per subject to start, continue or retake. Staff: their classes."""
    user = _user(request)
    if user.role == Role.STUDENT:
        subjects = []
        for framework in diagnostic_frameworks(user.district_id):
            subjects.append({
                "framework": framework,
                "open": actions.open_session(user, framework),
                "done": latest_completed(user, framework),
                "invited": open_assignment(user, framework),
            })
        return render(request, "diagnostics/home_student.html", {"subjects": subjects})
    if user.role in (Role.TEACHER, Role.SCHOOL_ADMIN, Role.DISTRICT_ADMIN):
        classes = classes_visible_to(user).select_related("school").order_by("title")[:200]
        return render(request, "diagnostics/home_staff.html", {"classes": classes})
    raise NotFound


@login_required
@require_POST
def start(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if user.role != Role.STUDENT:
        raise NotFound
    try:
        framework = access_diagnostic_framework(user, int(request.POST.get("framework", "")))
    except ValueError:  # no subject chosen: back to the choice
        return redirect("diagnostic-home")
    try:
        session = actions.do_start_session(user, framework)
    except actions.DiagnosticError as error:
        return render(request, "diagnostics/home_student.html",
                      {"subjects": [], "error": str(error)}, status=400)
    return redirect("diagnostic-session", session_id=session.id)


def _question(row: Any) -> dict[str, Any]:
    item = engine_item(row)
    step = item.steps[0]
    fmt = item.source.format
    shown = step_display(step, fmt)
    return {
        "row": row, "item": item, "step": step, **shown,
        # the check-up shows the item's own prompt above the step's
        "prompt": render_text(item.prompt, fmt), "step_prompt": shown["prompt"],
    }


def _progress(current: Any) -> dict[str, Any]:
    """No fixed length is promised: 'at most N more', and how sure the check already is."""
    engine = current.engine
    assessable = len(engine.assessable) or 1
    sure = assessable - len(current.uncertain())
    left = max(0, bank.MAX_ITEMS - len(current.answers))
    return {"answered": len(current.answers), "at_most": left,
            "sure_percent": round(100 * sure / assessable)}


@login_required
@require_GET
def session_page(request: HttpRequest, session_id: int) -> HttpResponse:
    user = _user(request)
    session = access_own_session(user, session_id)
    if session.finished:
        return redirect("diagnostic-result", session_id=session.id)
    return _render_question(request, session)


def _render_question(request: HttpRequest, session: DiagnosticSession, *, message: str = "",
                     response: str = "", status: int = 200) -> HttpResponse:
    try:
        current = actions.live(session)
    except (SessionMismatchError, KeyError, ValueError):
        return render(request, "diagnostics/outdated.html", {"session": session}, status=409)
    was_paused = session.status == Status.ABANDONED
    actions.do_resume(session, _user(request))  # only the student opens their own check
    item_id = current.next_item()
    if item_id is None:  # stopped without a final answer (an old document): finish it
        return redirect("diagnostic-result", session_id=session.id)
    row = get_item(bank.item_pk(item_id))
    if row is None:
        return render(request, "diagnostics/outdated.html", {"session": session}, status=409)
    context = {
        "session": session, "question": _question(row), "engine_item": item_id,
        "key": uuid.uuid4().hex, "progress": _progress(current), "message": message,
        "response": response, "welcome_back": was_paused and session.items_answered > 0,
    }
    return render(request, "diagnostics/question.html", context, status=status)


@login_required
@require_POST
def answer(request: HttpRequest, session_id: int) -> HttpResponse:
    user = _user(request)
    session = access_own_session(user, session_id)
    if session.finished:
        return redirect("diagnostic-result", session_id=session.id)
    engine_item_id = request.POST.get("engine_item", "")
    key = request.POST.get("key", "")
    skipped = "skip" in request.POST
    text = ""
    correct = False
    if not skipped:
        try:
            row = get_item(bank.item_pk(engine_item_id), district_id=session.district_id)
        except (ValueError, IndexError):
            row = None
        if row is None:
            return redirect("diagnostic-session", session_id=session.id)
        step = engine_item(row).steps[0]
        response: str | list[str]
        if step.interaction is InteractionType.MULTIPLE_RESPONSE:
            response = request.POST.getlist("response")
        else:
            response = request.POST.get("response", "")
        result = check_answer(step, response)
        text = ", ".join(response) if isinstance(response, list) else response
        if not result.readable:
            return _render_question(
                request, session, status=200, response=text,
                message=f"I couldn't read that answer. {result.message} Try again, or choose "
                        "“I don't know yet”.")
        correct = result.correct
    try:
        outcome = actions.do_answer(
            session.id, user, engine_item=engine_item_id, idempotency_key=key,
            correct=correct, response=text, skipped=skipped)
    except actions.DiagnosticError:
        return redirect("diagnostic-session", session_id=session.id)
    if outcome.finished:
        return redirect("diagnostic-result", session_id=session.id)
    return redirect("diagnostic-session", session_id=session.id)


@login_required
@require_POST
def pause(request: HttpRequest, session_id: int) -> HttpResponse:
    user = _user(request)
    session = access_own_session(user, session_id)
    actions.do_pause(session.id, user)
    return redirect("diagnostic-home")


def _mini_map(session: DiagnosticSession, statuses: dict[str, str]) -> dict[str, Any]:
    """The check's scope on the skill map; on a big scope only the student's own grade, with
    its direct prerequisites drawn as context (a 130-standard map is unreadable at page
    width)."""
    loaded = load_framework(session.framework)
    graph = loaded.graph
    shown = [c for c in session.scope if c in graph]
    grade = bank.grade_number(session.student.grade)
    own = [c for c in shown if bank.grade_number(graph.standard(c).grade) == grade]
    context: list[str] = []
    if len(shown) > MINI_MAP_LIMIT and own:
        shown, context = own, context_codes(graph, own)
    layout = layout_map(graph, shown, context=context, colouring=statuses,
                        standard_ids=loaded.standard_ids)
    # the nodes carry the check-up's statuses, named in the check-up's words
    layout = dataclasses.replace(layout, nodes=tuple(
        CheckupMapNode(**{f.name: getattr(n, f.name) for f in dataclasses.fields(n)})
        for n in layout.nodes))
    return {"layout": layout, "listed": [n for n in layout.nodes if not n.context],
            "map_partial": bool(context)}


@dataclasses.dataclass(frozen=True)
class CheckupMapNode(MapNode):
    """A node of the result's mini map: its status is the check-up's (likely known, ready,
    not yet), never the mastery the skill map's own labels speak of."""

    @property
    def accessible_name(self) -> str:
        text = self.statement if len(self.statement) <= 140 else self.statement[:137] + "…"
        parts = [self.code]
        if self.context:
            parts.append("prerequisite from outside this view")
        if self.status in CELL_LABELS:
            parts.append(str(CELL_LABELS[self.status]))
        return ", ".join(parts) + ": " + text


@login_required
@require_GET
def result(request: HttpRequest, session_id: int) -> HttpResponse:
    user = _user(request)
    session = access_session(user, session_id)
    if not session.finished:
        if user.id == session.student_id:
            return redirect("diagnostic-session", session_id=session.id)
        raise NotFound
    statuses = classify(session.result)
    graph = load_framework(session.framework).graph

    def listing(status: str) -> list[dict[str, str]]:
        codes = [c for c in statuses if statuses[c] == status]
        codes.sort(key=lambda c: bank.grade_number(graph.standard(c).grade) or 0
                   if c in graph else 0)  # stable: topological order inside a grade
        return [{"code": c, "label": graph.standard(c).label if c in graph else c}
                for c in codes]

    not_assessable = [{"code": c, "label": graph.standard(c).label if c in graph else c}
                      for c in session.result.get("not_assessable", [])]
    map_url = ""
    with contextlib.suppress(NoReverseMatch):
        map_url = reverse("skill-map", args=[session.framework_id])
        if user.role != Role.STUDENT:
            map_url += f"?student={session.student_id}"
    context = {
        "session": session, "student": session.student, "is_student": user.id == session.student_id,
        "likely_known": listing(LIKELY_KNOWN), "ready": listing(READY),
        "not_yet": listing(NOT_YET),
        "not_assessable": not_assessable, "map_url": map_url,
        "framework": session.framework, "query": f"student={session.student_id}",
        **_mini_map(session, statuses),
    }
    return render(request, "diagnostics/result.html", context)


@login_required
@require_GET
def class_page(request: HttpRequest, class_id: int) -> HttpResponse:
    user = _user(request)
    klass = access_class(user, class_id)
    try:
        framework_id = int(request.GET.get("framework", "")) if request.GET.get(
            "framework") else None
    except ValueError:
        framework_id = None
    heatmap = class_heatmap(klass, framework_id, request.GET.get("domain", ""))
    return render(request, "diagnostics/class.html", {"heatmap": heatmap, "klass": klass,
                                                      "notice": request.GET.get("reopened")})


@login_required
@require_POST
def reopen(request: HttpRequest, class_id: int) -> HttpResponse:
    user = _user(request)
    klass = access_class(user, class_id)
    try:
        framework = access_diagnostic_framework(user, int(request.POST.get("framework", "")))
    except ValueError:  # none named: the subject the class page shows by default
        default = class_heatmap(klass).framework
        if default is None:
            raise NotFound from None
        framework = default
    students = class_learners(klass)
    wanted = request.POST.get("student", "")
    if wanted:
        try:
            students = students.filter(id=access_student(user, int(wanted)).id)
        except ValueError:
            raise NotFound from None
    count = actions.do_reopen(user, klass, framework, list(students))
    return redirect(f"{reverse('diagnostic-class', args=[klass.id])}?framework={framework.id}"
                    f"&reopened={count}")


STUDENT_CHECKUPS_PAGE_SIZE = 20


@login_required
@require_GET
def student_checkups(request: HttpRequest, student_id: int) -> HttpResponse:
    """One student's check-ups, newest first, for everyone who sees the student (their
    guardians above all: the way from "My children" to what the check found)."""
    user = _user(request)
    student = access_student(user, student_id)
    sessions = sessions_visible_to(user).filter(student=student).order_by("-started_at", "-id")
    page = Paginator(sessions, STUDENT_CHECKUPS_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = checkup_rows(page)
    return render(request, "diagnostics/student_checkups.html", {
        "student": student, "rows": rows, "page": page,
        "is_student": user.id == student.id, "is_guardian": user.role == Role.GUARDIAN,
    })
