"""Foundation routes: home, sign-in, profiles, rosters, audit log, the people API."""

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
    school_target,
    staff_target,
    student_target,
)

ENDPOINTS = [
    Endpoint("home", SIGNED_IN),
    Endpoint("healthz", {**SIGNED_IN, "anonymous": ANY}),
    Endpoint("login", {"anonymous": ANY}),  # signed-in people are sent home (302)
    Endpoint("logout", SIGNED_IN, method="POST", ok_status=302),
    Endpoint("password-change", SIGNED_IN),
    Endpoint("password-change-done", SIGNED_IN),
    Endpoint("audit-log", {"district_admin": ANY}),
    Endpoint(
        "student-profile",
        {"student": OWN, "guardian": OWN, "teacher": OWN, "coach": NONE,
         "school_admin": SCHOOL, "district_admin": DISTRICT},
        target=student_target,
    ),
    Endpoint(
        "staff-profile",
        {"teacher": OWN, "coach": OWN, "school_admin": SCHOOL, "district_admin": DISTRICT},
        target=staff_target,
    ),
    Endpoint(
        "class-roster",
        {"teacher": OWN, "school_admin": SCHOOL, "district_admin": DISTRICT},
        target=class_target,
    ),
    Endpoint(
        "school-detail",
        {"school_admin": OWN, "district_admin": DISTRICT},
        target=school_target, target_scopes=SCHOOL_SCOPES,
    ),
    Endpoint("api:api-me", SIGNED_IN, api=True),
    Endpoint("api:api-classes", SIGNED_IN, api=True),
    Endpoint(
        "api:api-student",
        {"student": OWN, "guardian": OWN, "teacher": OWN, "school_admin": SCHOOL,
         "district_admin": DISTRICT},
        target=student_target, api=True,
    ),
    Endpoint(
        "api:api-class-students",
        {"teacher": OWN, "school_admin": SCHOOL, "district_admin": DISTRICT},
        target=class_target, api=True,
    ),
    # ninja's bare API root is no page at all: a 404 for everyone
    Endpoint("api:api-root", {}, api=True, anonymous_status=404),
    Endpoint("api:openapi-json", SIGNED_IN),
    Endpoint("api:openapi-view", SIGNED_IN),
]
