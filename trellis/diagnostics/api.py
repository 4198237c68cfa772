"""Diagnostic API: a session's result and a class's heatmap (same access rules as the pages).

A result lists the standards the check found ``likely_known`` (its own 0.5 threshold — not
*mastered*, which only the district's mastery rule decides), the ``frontier`` (ready to learn)
and ``not_assessable``; a heatmap cell is ``likely_known``, ``ready`` or ``not_yet``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from trellis.diagnostics.queries import access_session, class_heatmap
from trellis.roster.queries import access_class

router = Router(tags=["diagnostic"])


@router.get("/diagnostic/sessions/{session_id}", url_name="diagnostic-api-session")
def session_detail(request: HttpRequest, session_id: int) -> dict[str, Any]:
    session = access_session(request.user, session_id)  # type: ignore[arg-type]
    return {
        "id": session.id, "student": session.student_id, "framework": session.framework_id,
        "status": session.status, "items_answered": session.items_answered,
        "started_at": session.started_at.isoformat(),
        "finished_at": session.finished_at.isoformat() if session.finished_at else None,
        "result": session.result or None,
    }


@router.get("/diagnostic/classes/{class_id}", url_name="diagnostic-api-class")
def class_detail(request: HttpRequest, class_id: int,
                 framework: int | None = None) -> dict[str, Any]:
    klass = access_class(request.user, class_id)  # type: ignore[arg-type]
    heatmap = class_heatmap(klass, framework)
    codes = [c["code"] for c in heatmap.columns]
    return {
        "class": klass.id,
        "framework": heatmap.framework.id if heatmap.framework else None,
        "standards": codes,
        "students": [
            {"id": row.student.id, "state": row.state, "invited": row.invited,
             "cells": dict(zip(codes, [c[0] for c in row.cells], strict=True))
             if row.cells else {}}
            for row in heatmap.rows
        ],
    }
