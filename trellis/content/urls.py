"""Routes of playlists and activities (``playlists/...``) and of the QTI item upload
(``practice/items/import/``), included at the root by ``trellis/urls.py``. Every route has its
permission entry in ``tests/access_matrix/practice.py``."""

from __future__ import annotations

from django.urls import include, path

from trellis.content import views

playlist_patterns = [
    path("", views.playlist_list, name="playlist-list"),
    path("new/", views.playlist_create, name="playlist-create"),
    path("for/<int:standard_id>/", views.standard_playlists, name="standard-playlists"),
    path("<int:playlist_id>/", views.playlist_detail, name="playlist-detail"),
    path("<int:playlist_id>/edit/", views.playlist_edit, name="playlist-edit"),
    path("<int:playlist_id>/delete/", views.playlist_delete, name="playlist-delete"),
    path("<int:playlist_id>/entries/", views.playlist_entry_add, name="playlist-entry-add"),
    path("<int:playlist_id>/order/", views.playlist_reorder, name="playlist-reorder"),
    path("<int:playlist_id>/entries/<int:entry_id>/move/", views.playlist_entry_move,
         name="playlist-entry-move"),
    path("<int:playlist_id>/entries/<int:entry_id>/remove/", views.playlist_entry_remove,
         name="playlist-entry-remove"),
    path("activities/", views.activity_list, name="activity-list"),
    path("activities/new/", views.activity_create, name="activity-create"),
    path("activities/<int:activity_id>/edit/", views.activity_edit, name="activity-edit"),
]

urlpatterns = [
    # the item upload lives beside the practice pages (trellis.learning.urls_practice)
    path("practice/items/import/", views.item_import, name="item-import"),
    path("playlists/", include(playlist_patterns)),
]
