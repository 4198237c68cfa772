"""Routes of the practice pages, ``practice/...``, included at the root by ``trellis/urls.py``
(the QTI upload, ``practice/items/import/``, is the content app's). Every route has its
permission entry in ``tests/access_matrix/practice.py``."""

from __future__ import annotations

from django.urls import include, path

from trellis.learning import views_practice as practice

practice_patterns = [
    path("", practice.practice_home, name="practice-home"),
    path("<int:standard_id>/", practice.practice, name="practice"),
    path("<int:standard_id>/answer/", practice.practice_answer, name="practice-answer"),
    path("<int:standard_id>/hint/", practice.practice_hint, name="practice-hint"),
    path("<int:standard_id>/next/", practice.practice_next, name="practice-next"),
]

urlpatterns = [
    path("practice/", include(practice_patterns)),
]
