"""Routes of the diagnostic, mounted under ``diagnostic/`` by ``trellis/urls.py``.

Every route has its permission entry in ``tests/access_matrix/diagnostics.py``.
"""

from __future__ import annotations

from django.urls import path

from trellis.diagnostics import views

urlpatterns = [
    path("", views.home, name="diagnostic-home"),
    path("start/", views.start, name="diagnostic-start"),
    path("<int:session_id>/", views.session_page, name="diagnostic-session"),
    path("<int:session_id>/answer/", views.answer, name="diagnostic-answer"),
    path("<int:session_id>/pause/", views.pause, name="diagnostic-pause"),
    path("<int:session_id>/result/", views.result, name="diagnostic-result"),
    path("students/<int:student_id>/", views.student_checkups, name="diagnostic-student"),
    path("classes/<int:class_id>/", views.class_page, name="diagnostic-class"),
    path("classes/<int:class_id>/reopen/", views.reopen, name="diagnostic-reopen"),
]
