"""Routes of practice and playlists: ``practice/...`` and ``playlists/...``, included at the
root by ``trellis/urls.py``. Every route has its permission entry in
``tests/access_matrix/practice.py``."""

from __future__ import annotations

from django.urls import include, path

from trellis.curriculum import views_playlists as playlists
from trellis.curriculum import views_practice as practice

practice_patterns = [
    path("", practice.practice_home, name="practice-home"),
    path("items/import/", practice.item_import, name="item-import"),
    path("<int:standard_id>/", practice.practice, name="practice"),
    path("<int:standard_id>/answer/", practice.practice_answer, name="practice-answer"),
    path("<int:standard_id>/hint/", practice.practice_hint, name="practice-hint"),
    path("<int:standard_id>/next/", practice.practice_next, name="practice-next"),
]

playlist_patterns = [
    path("", playlists.playlist_list, name="playlist-list"),
    path("new/", playlists.playlist_create, name="playlist-create"),
    path("for/<int:standard_id>/", playlists.standard_playlists, name="standard-playlists"),
    path("<int:playlist_id>/", playlists.playlist_detail, name="playlist-detail"),
    path("<int:playlist_id>/edit/", playlists.playlist_edit, name="playlist-edit"),
    path("<int:playlist_id>/delete/", playlists.playlist_delete, name="playlist-delete"),
    path("<int:playlist_id>/entries/", playlists.playlist_entry_add, name="playlist-entry-add"),
    path("<int:playlist_id>/order/", playlists.playlist_reorder, name="playlist-reorder"),
    path("<int:playlist_id>/entries/<int:entry_id>/move/", playlists.playlist_entry_move,
         name="playlist-entry-move"),
    path("<int:playlist_id>/entries/<int:entry_id>/remove/", playlists.playlist_entry_remove,
         name="playlist-entry-remove"),
    path("activities/", playlists.activity_list, name="activity-list"),
    path("activities/new/", playlists.activity_create, name="activity-create"),
    path("activities/<int:activity_id>/edit/", playlists.activity_edit, name="activity-edit"),
]

urlpatterns = [
    path("practice/", include(practice_patterns)),
    path("playlists/", include(playlist_patterns)),
]
