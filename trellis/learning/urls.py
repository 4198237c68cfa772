"""Mastery routes, included from ``trellis/urls.py`` under ``learning/``."""

from __future__ import annotations

from django.urls import path

from trellis.learning import views

urlpatterns = [
    path("students/<int:student_id>/mastery/", views.student_mastery, name="student-mastery"),
    path(
        "students/<int:student_id>/mastery/<int:standard_id>/",
        views.standard_mastery,
        name="student-standard-mastery",
    ),
    path("model/", views.learner_model, name="learner-model"),
    path("model/refit/", views.learner_refit, name="learner-refit"),
]
