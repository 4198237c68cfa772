"""Foundation routes: home, sign-in, profiles, rosters, audit log, the people API.

Rows: each home page lists what its person has (a student's classes, a guardian's children, a
teacher's classes, a coach's teachers, an administrator's schools and classes); rosters,
profiles and a school's page list the rows of their object; the audit log the district's.
"""

from __future__ import annotations

from tests.access_matrix import (
    ANY,
    DISTRICT,
    NONE,
    OWN,
    SCHOOL,
    SCHOOL_SCOPES,
    SIGNED_IN,
    Endpoint,
    class_target,
    classes,
    lists_nothing,
    of_school,
    of_target,
    school_target,
    schools,
    staff_target,
    student_target,
    students,
    teachers,
)

ENDPOINTS = [
    Endpoint(
        "home", SIGNED_IN,
        rows=(
            students({"student": OWN, "guardian": OWN}),
            teachers({"teacher": OWN, "coach": OWN}),
            classes({"student": OWN, "teacher": OWN, "school_admin": SCHOOL,
                     "district_admin": DISTRICT}),
            schools({"student": OWN, "guardian": OWN, "teacher": OWN, "coach": OWN,
                     "school_admin": OWN, "district_admin": DISTRICT}),
        ),
    ),
    Endpoint("healthz", {**SIGNED_IN, "anonymous": ANY}),
    # the accessibility statement: for everyone, signed in or not
    Endpoint("accessibility", {**SIGNED_IN, "anonymous": ANY}),
    Endpoint("login", {"anonymous": ANY}),  # signed-in people are sent home (302)
    Endpoint("logout", SIGNED_IN, method="POST", ok_status=302),
    Endpoint("password-change", SIGNED_IN),
    Endpoint("password-change-done", SIGNED_IN),
    Endpoint(
        "audit-log", {"district_admin": ANY},
        rows=(students({"district_admin": DISTRICT}), teachers({"district_admin": DISTRICT}),
              classes({"district_admin": DISTRICT})),
    ),
    Endpoint(
        "student-profile",
        {"student": OWN, "guardian": OWN, "teacher": OWN, "coach": NONE,
         "school_admin": SCHOOL, "district_admin": DISTRICT},
        target=student_target,
        rows=(students(of_target), teachers(of_target), classes(of_target)),
    ),
    Endpoint(
        "staff-profile",
        {"teacher": OWN, "coach": OWN, "school_admin": SCHOOL, "district_admin": DISTRICT},
        target=staff_target,
        rows=(students(lists_nothing), teachers(of_target), classes(of_target)),
    ),
    Endpoint(
        "class-roster",
        {"teacher": OWN, "school_admin": SCHOOL, "district_admin": DISTRICT},
        target=class_target,
        rows=(students(of_target), teachers(of_target), classes(of_target)),
    ),
    Endpoint(
        "school-detail",
        {"school_admin": OWN, "district_admin": DISTRICT},
        target=school_target, target_scopes=SCHOOL_SCOPES,
        rows=(students(lists_nothing), teachers(of_school), classes(of_school)),
    ),
    Endpoint("api:api-me", SIGNED_IN, api=True),
    Endpoint(
        "api:api-classes", SIGNED_IN, api=True,
        rows=(classes({"teacher": OWN, "school_admin": SCHOOL, "district_admin": DISTRICT}),),
    ),
    Endpoint(
        "api:api-student",
        {"student": OWN, "guardian": OWN, "teacher": OWN, "school_admin": SCHOOL,
         "district_admin": DISTRICT},
        target=student_target, api=True,
    ),
    Endpoint(
        "api:api-class-students",
        {"teacher": OWN, "school_admin": SCHOOL, "district_admin": DISTRICT},
        target=class_target, api=True, rows=(students(of_target),),
    ),
    # ninja's bare API root is no page at all: a 404 for everyone
    Endpoint("api:api-root", {}, api=True, anonymous_status=404),
    Endpoint("api:openapi-json", SIGNED_IN),
    Endpoint("api:openapi-view", SIGNED_IN),
]
