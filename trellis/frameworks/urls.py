"""Routes of the frameworks area, mounted under ``frameworks/`` by ``trellis/urls.py``. The
skill map's routes under the same prefix (``<id>/`` and ``<id>/standards/<id>/``) are the
learning app's (``trellis.learning.urls_skill_map``), since it is coloured by mastery.

Every route has its permission entry in ``tests/access_matrix/frameworks.py``.
"""

from __future__ import annotations

from django.urls import path

from trellis.frameworks import views_frameworks as views

urlpatterns = [
    path("", views.framework_list, name="framework-list"),
    path("import/", views.framework_import, name="framework-import"),
    path("import/confirm/", views.framework_import_confirm, name="framework-import-confirm"),
    path("<int:framework_id>/export/", views.framework_export, name="framework-export"),
]
