"""Today, weekly schedules, .ics exports and school set-up (trellis/instruction).

- a class's Today page and its changes: the class's teacher, the school's and district's
  administrators (as the class roster);
- a student's week and .ics: the student, their guardian, their teacher, administrators;
- a teacher's week and .ics: the teacher, their coach, administrators;
- a school's set-up and week: its school administrators and the district's administrators.

Rows: Today lists the classes a person may open; a class's Today its students; the schedule
home whose weeks a person may see; the school set-up its school's people.
"""

from __future__ import annotations

from tests.access_matrix import (
    DISTRICT,
    NONE,
    OWN,
    SCHOOL,
    SCHOOL_SCOPES,
    SIGNED_IN,
    Endpoint,
    class_target,
    classes,
    of_school,
    of_target,
    school_target,
    schools,
    staff_target,
    student_target,
    students,
    teachers,
)

CLASS_RULE = {"teacher": OWN, "school_admin": SCHOOL, "district_admin": DISTRICT}
STUDENT_RULE = {"student": OWN, "guardian": OWN, "teacher": OWN, "coach": NONE,
                "school_admin": SCHOOL, "district_admin": DISTRICT}
TEACHER_RULE = {"teacher": OWN, "coach": OWN, "school_admin": SCHOOL,
                "district_admin": DISTRICT}
SCHOOL_RULE = {"school_admin": OWN, "district_admin": DISTRICT}
CLASS_LIST = {"teacher": OWN, "school_admin": SCHOOL, "district_admin": DISTRICT}

ENDPOINTS = [
    Endpoint("today-home", SIGNED_IN, rows=(classes(CLASS_LIST), students({"student": OWN}))),
    Endpoint("today-class", CLASS_RULE, target=class_target,
             rows=(students(of_target), classes(of_target))),
    Endpoint("today-week", CLASS_RULE, target=class_target),
    # POSTs without a student or group are refused with a message: back to the page
    Endpoint("today-move", CLASS_RULE, target=class_target, method="POST", ok_status=302),
    Endpoint("today-dissolve", CLASS_RULE, target=class_target, method="POST", ok_status=302),
    Endpoint("today-pin", CLASS_RULE, target=class_target, method="POST", ok_status=302),
    Endpoint("today-reset", CLASS_RULE, target=class_target, method="POST", ok_status=302),
    Endpoint("today-solve", CLASS_RULE, target=class_target, method="POST", ok_status=302),
    # students and teachers see their own week; others a list of whose weeks they may see
    Endpoint(
        "schedule-home", SIGNED_IN,
        rows=(students({"student": OWN, "guardian": OWN}),
              teachers({"teacher": OWN, "coach": OWN}), schools(SCHOOL_RULE)),
    ),
    Endpoint("schedule-student", STUDENT_RULE, target=student_target),
    Endpoint("schedule-student-ics", STUDENT_RULE, target=student_target),
    Endpoint("schedule-teacher", TEACHER_RULE, target=staff_target),
    Endpoint("schedule-teacher-ics", TEACHER_RULE, target=staff_target),
    Endpoint("schedule-school", SCHOOL_RULE, target=school_target, target_scopes=SCHOOL_SCOPES),
    Endpoint("schedule-solve", SCHOOL_RULE, target=school_target, target_scopes=SCHOOL_SCOPES,
             method="POST", ok_status=302),
    # the list of schools a person may set up (empty for everyone but administrators)
    Endpoint("school-setup-home", SIGNED_IN, rows=(schools(SCHOOL_RULE),)),
    Endpoint("school-setup", SCHOOL_RULE, target=school_target, target_scopes=SCHOOL_SCOPES,
             rows=(students(of_school), teachers(of_school))),
    Endpoint("school-setup-delete", SCHOOL_RULE, target=school_target,
             target_scopes=SCHOOL_SCOPES, method="POST", ok_status=302),
    Endpoint("api:api-today-class", CLASS_RULE, target=class_target, api=True),
    Endpoint("api:api-student-week", STUDENT_RULE, target=student_target, api=True),
    Endpoint("api:api-teacher-week", TEACHER_RULE, target=staff_target, api=True),
]
