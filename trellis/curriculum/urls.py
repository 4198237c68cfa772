"""Routes of the frameworks area, mounted under ``frameworks/`` by ``trellis/urls.py``.

Every route has its permission entry in ``tests/access_matrix/frameworks.py``.
"""

from __future__ import annotations

from django.urls import path

from trellis.curriculum import views_frameworks as views

urlpatterns = [
    path("", views.framework_list, name="framework-list"),
    path("import/", views.framework_import, name="framework-import"),
    path("import/confirm/", views.framework_import_confirm, name="framework-import-confirm"),
    path("<int:framework_id>/", views.skill_map, name="skill-map"),
    path("<int:framework_id>/export/", views.framework_export, name="framework-export"),
    path(
        "<int:framework_id>/standards/<int:standard_id>/",
        views.standard_detail,
        name="standard-detail",
    ),
]
