"""Routes of Today, weekly schedules and school set-up (mounted at the site root)."""

from __future__ import annotations

from django.urls import path

from trellis.instruction import views

urlpatterns = [
    path("today/", views.today_home, name="today-home"),
    path("today/<int:class_id>/", views.today_class, name="today-class"),
    path("today/<int:class_id>/week/", views.today_week, name="today-week"),
    path("today/<int:class_id>/move/", views.today_move, name="today-move"),
    path("today/<int:class_id>/dissolve/", views.today_dissolve, name="today-dissolve"),
    path("today/<int:class_id>/pin/", views.today_pin, name="today-pin"),
    path("today/<int:class_id>/reset/", views.today_reset, name="today-reset"),
    path("today/<int:class_id>/solve/", views.today_solve, name="today-solve"),
    path("schedule/", views.schedule_home, name="schedule-home"),
    path("schedule/students/<int:student_id>/", views.schedule_student,
         name="schedule-student"),
    path("schedule/students/<int:student_id>/week.ics", views.schedule_student_ics,
         name="schedule-student-ics"),
    path("schedule/staff/<int:staff_id>/", views.schedule_teacher, name="schedule-teacher"),
    path("schedule/staff/<int:staff_id>/week.ics", views.schedule_teacher_ics,
         name="schedule-teacher-ics"),
    path("schedule/schools/<int:school_id>/", views.schedule_school, name="schedule-school"),
    path("schedule/schools/<int:school_id>/solve/", views.schedule_solve,
         name="schedule-solve"),
    path("school-setup/", views.setup_home, name="school-setup-home"),
    path("school-setup/<int:school_id>/", views.school_setup, name="school-setup"),
    path("school-setup/<int:school_id>/delete/", views.school_setup_delete,
         name="school-setup-delete"),
]
