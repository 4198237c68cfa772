"""Routes of the skill map, mounted under ``frameworks/`` by ``trellis/urls.py`` beside the
framework pages (``trellis.frameworks.urls``). Every route has its permission entry in
``tests/access_matrix/frameworks.py``.
"""

from __future__ import annotations

from django.urls import path

from trellis.learning import views_skill_map as views

urlpatterns = [
    path("<int:framework_id>/", views.skill_map, name="skill-map"),
    path(
        "<int:framework_id>/standards/<int:standard_id>/",
        views.standard_detail,
        name="standard-detail",
    ),
]
