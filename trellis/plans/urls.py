"""Routes of learning plans: ``plan/...`` (a student's plan) and ``teach/...`` (the teacher's
class page and project scoring), included at the root by ``trellis/urls.py``. Every route has
its permission entry in ``tests/access_matrix/plans.py``."""

from __future__ import annotations

from django.urls import include, path

from trellis.plans import views, views_settings

plan_patterns = [
    path("", views.plan_mine, name="plan-mine"),
    path("settings/", views_settings.plan_settings, name="plan-settings"),
    path("students/<int:student_id>/", views.plan_student, name="plan-student"),
    path("students/<int:student_id>/goals/", views.goal_new, name="plan-goal-new"),
    path("students/<int:student_id>/goals/<int:goal_id>/delete/", views.goal_delete,
         name="plan-goal-delete"),
    path("students/<int:student_id>/choose/", views.choose_activity, name="plan-choose"),
    path("students/<int:student_id>/reflect/", views.reflect, name="plan-reflect"),
    path("students/<int:student_id>/profile/", views.profile_update, name="plan-profile"),
    path("students/<int:student_id>/projects/", views.propose_project, name="plan-propose"),
    path("students/<int:student_id>/edit/", views.plan_edit, name="plan-edit"),
    path("students/<int:student_id>/observe/", views.plan_observe, name="plan-observe"),
]

teach_patterns = [
    path("classes/<int:class_id>/", views.class_page, name="teach-class"),
    path("classes/<int:class_id>/observe/", views.class_observe, name="teach-observe"),
    path("projects/<int:proposal_id>/", views.project_detail, name="teach-project"),
    path("projects/<int:proposal_id>/review/", views.project_review,
         name="teach-project-review"),
]

urlpatterns = [
    path("plan/", include(plan_patterns)),
    path("teach/", include(teach_patterns)),
]
