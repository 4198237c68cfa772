"""Permission-checked reads of diagnostic sessions and the class heatmap.

A finished check-up sorts each standard it could ask about into *likely known* (the check's
belief reached its 0.5 threshold), *ready* or *not yet* (:func:`classify`). "Likely known" is
the check-up's own word: only the district's mastery rule (:mod:`trellis.engine.mastery`,
applied by :mod:`trellis.learning`) calls a standard *mastered*.

A session is visible to whoever sees its student (:func:`students_visible_to`: the student,
their guardians, their teachers, the school's and district's administrators); only the
student answers it. The class page goes through :func:`access_class`. A missing and a
forbidden object both raise :class:`NotFound`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trellis.accounts.models import Role, User
from trellis.accounts.permissions import NotFound, students_visible_to
from trellis.content.models import Item
from trellis.diagnostics.models import DiagnosticAssignment, DiagnosticSession
from trellis.frameworks.adapters import load_framework
from trellis.frameworks.models import Framework
from trellis.roster.models import Class
from trellis.roster.queries import class_learners

Status = DiagnosticSession.Status

LIKELY_KNOWN, READY, NOT_YET = "likely_known", "ready", "not_yet"
IDLE = dt.timedelta(hours=1)
CELL_LABELS = {LIKELY_KNOWN: _("Likely known"), READY: _("Ready"), NOT_YET: _("Not yet")}


def sessions_visible_to(user: User) -> QuerySet[DiagnosticSession]:
    return DiagnosticSession.objects.filter(
        student__in=students_visible_to(user)).select_related("framework", "student")


def access_session(user: User, session_id: int) -> DiagnosticSession:
    try:
        return sessions_visible_to(user).get(id=session_id)
    except DiagnosticSession.DoesNotExist:
        raise NotFound from None


def access_own_session(user: User, session_id: int) -> DiagnosticSession:
    """A session the signed-in student is taking (only the student answers their check)."""
    if user.role != Role.STUDENT:
        raise NotFound
    try:
        return DiagnosticSession.objects.select_related("framework").get(
            id=session_id, student=user)
    except DiagnosticSession.DoesNotExist:
        raise NotFound from None


def diagnostic_frameworks(district_id: int | None) -> list[Framework]:
    """Frameworks of the district that have at least one item aligned: what can be checked."""
    if district_id is None:
        return []
    with_items = Item.objects.filter(
        district_id=district_id, alignments__framework__district_id=district_id
    ).values_list("alignments__framework_id", flat=True).distinct()
    return list(Framework.objects.filter(district_id=district_id, id__in=with_items)
                .order_by("title"))


def access_diagnostic_framework(user: User, framework_id: int) -> Framework:
    for framework in diagnostic_frameworks(user.district_id):
        if framework.id == framework_id:
            return framework
    raise NotFound


def latest_completed(student: User, framework: Framework) -> DiagnosticSession | None:
    return DiagnosticSession.objects.filter(
        student=student, framework=framework, status=Status.COMPLETED).first()


def open_assignment(student: User, framework: Framework) -> DiagnosticAssignment | None:
    return DiagnosticAssignment.objects.filter(
        student=student, framework=framework, used_at__isnull=True).first()


def classify(result: dict[str, Any]) -> dict[str, str]:
    """A completed session's result as ``{code: likely_known | ready | not_yet}``
    (assessable standards only; not-assessable ones are absent, never guessed)."""
    likely_known = set(result.get("likely_known", []))
    ready = set(result.get("frontier", []))
    return {code: LIKELY_KNOWN if code in likely_known else READY if code in ready else NOT_YET
            for code in result.get("probabilities", {})}


def sessions_of(student: User) -> QuerySet[DiagnosticSession]:
    """Every check-up of a student the caller already obtained through an ``access_*``
    function, newest first, with its framework."""
    return DiagnosticSession.objects.filter(student=student).select_related(
        "framework").order_by("-started_at", "-id")


def checkup_rows(sessions: Iterable[DiagnosticSession]) -> list[dict[str, Any]]:
    """Check-ups as their list pages show them: each session with how many standards its
    result says the student likely knows, is ready for and not yet (zeros while unfinished)."""
    rows = []
    for session in sessions:
        counts = Counter(classify(session.result).values()) if session.finished else Counter()
        rows.append({"session": session, "likely_known": counts[LIKELY_KNOWN],
                     "ready": counts[READY], "not_yet": counts[NOT_YET]})
    return rows


@dataclass
class StudentRow:
    student: User
    state: str  # "completed" | "in_progress" | "paused" | "not_started"
    session: DiagnosticSession | None
    finished: DiagnosticSession | None
    invited: bool
    cells: list[tuple[str, str]] = field(default_factory=list)  # (status, label) per column


@dataclass
class ClassHeatmap:
    klass: Class
    framework: Framework | None
    frameworks: list[Framework]
    columns: list[dict[str, Any]]
    rows: list[StudentRow]
    domains: list[str]
    domain: str

    @property
    def not_taken(self) -> list[StudentRow]:
        return [r for r in self.rows if r.finished is None]


def class_heatmap(klass: Class, framework_id: int | None = None,
                  domain: str = "") -> ClassHeatmap:
    """Students × standards of a class's latest completed checks (the caller has access)."""
    frameworks = diagnostic_frameworks(klass.district_id)
    students = list(class_learners(klass))
    framework = next((f for f in frameworks if f.id == framework_id), None)
    if framework is None and frameworks:
        counts = {f.id: DiagnosticSession.objects.filter(framework=f, student__in=students)
                  .count() for f in frameworks}
        framework = max(frameworks, key=lambda f: (counts[f.id], -f.id))
    rows: list[StudentRow] = []
    codes: set[str] = set()
    results: dict[int, dict[str, str]] = {}
    for student in students:
        sessions = list(DiagnosticSession.objects.filter(student=student, framework=framework)
                        ) if framework else []
        finished = next((s for s in sessions if s.status == Status.COMPLETED), None)
        unfinished = next((s for s in sessions if s.status != Status.COMPLETED), None)
        if unfinished is not None:
            # a tab closed without "Pause" leaves the session in progress: after an hour
            # without an answer it is shown as paused
            active = (unfinished.status == Status.IN_PROGRESS
                      and unfinished.updated_at >= timezone.now() - IDLE)
            state = "in_progress" if active else "paused"
        else:
            state = "completed" if finished else "not_started"
        invited = framework is not None and open_assignment(student, framework) is not None
        rows.append(StudentRow(student, state, unfinished or finished, finished, invited))
        if finished is not None:
            results[student.id] = classify(finished.result)
            codes.update(results[student.id])
    columns: list[dict[str, Any]] = []
    domains: list[str] = []
    if framework is not None and codes:
        graph = load_framework(framework).graph
        ordered = [c for c in graph.codes if c in codes]
        domains = sorted({graph.standard(c).domain for c in ordered if graph.standard(c).domain})
        if domain not in domains:
            domain = ""
        shown = [c for c in ordered if not domain or graph.standard(c).domain == domain]
        ids = load_framework(framework).standard_ids
        for code in shown:
            cells = [results[r.student.id].get(code, "") for r in rows
                     if r.student.id in results]
            columns.append({
                "code": code, "statement": graph.standard(code).label,
                "standard_id": ids.get(code),
                "likely_known": cells.count(LIKELY_KNOWN), "ready": cells.count(READY),
                "not_yet": cells.count(NOT_YET),
            })
        for row in rows:
            result = results.get(row.student.id)
            if result is None:
                continue  # listed under "Students" as not taken
            for column in columns:
                status = result.get(column["code"], "")
                row.cells.append((status, str(CELL_LABELS.get(status, ""))))
    return ClassHeatmap(klass, framework, frameworks, columns, rows, domains, domain)
