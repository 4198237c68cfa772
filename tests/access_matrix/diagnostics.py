"""The adaptive check: the student's pages, the result, the class heatmap, reopen, the API.

Only the student takes their own check (question, answer, pause: "own"). A result is seen by
whoever sees the student (the student, their guardian, their teacher, the school's and the
district's administrators; coaches see no student). The class pages follow ``access_class``
(the class's teacher, its school's and district's administrators). The check-up home exists for
students and staff who teach or administer; guardians and coaches have none.

Rows: the check-up home lists the classes a person may open; a class's heatmap its students.
"""

from __future__ import annotations

from typing import Any

from tests.access_matrix import (
    ANY,
    DISTRICT,
    NONE,
    OWN,
    SCHOOL,
    Endpoint,
    class_target,
    classes,
    of_target,
    student_target,
    students,
)
from tests.world import SCOPES, World

STAFF = {"teacher": OWN, "school_admin": SCHOOL, "district_admin": DISTRICT}
SEES_STUDENT = {"student": OWN, "guardian": OWN, "coach": NONE, **STAFF}
TAKER = {"student": OWN}


def extend_world(world: World) -> None:
    from tests.diagnostics.helpers import setup_diagnostic
    from trellis.diagnostics import actions

    frameworks = {key: setup_diagnostic(d) for key, d in world.districts.items()}
    for scope in SCOPES:
        student = world.student(scope)
        framework = frameworks["b" if scope == "other_district" else "a"]
        done = actions.do_start_session(student, framework)
        for n in range(30):
            current = actions.live(done)
            item = current.next_item()
            if item is None:
                break
            actions.do_answer(done.id, student, engine_item=item, idempotency_key=f"m{n}",
                              correct=True)
            done.refresh_from_db()
        assert done.finished
        world.extra[f"diagnostic_done_{scope}"] = done
        world.extra[f"diagnostic_open_{scope}"] = actions.do_start_session(student, framework)


def _session(kind: str) -> Any:
    def target(world: World, scope: str) -> dict[str, Any]:
        return {"session_id": world.extra[f"diagnostic_{kind}_{scope}"].id}

    return target


done = _session("done")
open_session = _session("open")

ENDPOINTS = [
    Endpoint("diagnostic-home", {"student": ANY, "teacher": ANY, "school_admin": ANY,
                                 "district_admin": ANY},
             rows=(classes({"teacher": OWN, "school_admin": SCHOOL, "district_admin": DISTRICT}),
                   students({"student": OWN}))),
    # no subject chosen: the student is sent back to the choice
    Endpoint("diagnostic-start", {"student": ANY}, method="POST", ok_status=302),
    Endpoint("diagnostic-session", TAKER, target=open_session),
    # an empty form is not an answer: back to the question
    Endpoint("diagnostic-answer", TAKER, target=open_session, method="POST", ok_status=302),
    Endpoint("diagnostic-pause", TAKER, target=open_session, method="POST", ok_status=302),
    Endpoint("diagnostic-result", SEES_STUDENT, target=done),
    # a student's check-ups: whoever sees the student (the guardian's way to the results)
    Endpoint("diagnostic-student", SEES_STUDENT, target=student_target,
             rows=(students(of_target),)),
    Endpoint("diagnostic-class", STAFF, target=class_target,
             rows=(students(of_target), classes(of_target))),
    Endpoint("diagnostic-reopen", STAFF, target=class_target, method="POST", ok_status=302),
    Endpoint("api:diagnostic-api-session", SEES_STUDENT, target=done, api=True),
    Endpoint("api:diagnostic-api-class", STAFF, target=class_target, api=True),
]
