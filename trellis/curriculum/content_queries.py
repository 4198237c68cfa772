"""Who may see and change practice content, activities and playlists.

Content is shared by a whole district — not by a school or class — so the rules are simple:

- every signed-in **student, teacher, school admin and district admin** sees the standards,
  items, activities and playlists of their own district (never another district's);
- **students** practise for themselves (their answers become evidence); **teachers and admins**
  may open the same practice page as a preview, which records nothing;
- **teachers, school admins and district admins** create and edit activities and playlists;
- only **district admins** import items (QTI upload).

Guardians and coaches have no content pages. As everywhere in Trellis, a forbidden object and a
missing one both raise :class:`~trellis.accounts.permissions.NotFound`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from trellis.accounts.models import Role, User
from trellis.accounts.permissions import NotFound, district_id_of, is_district_admin
from trellis.curriculum.models import Activity, Playlist, PlaylistEntry, Standard

CONTENT_READERS = frozenset({Role.STUDENT, Role.TEACHER, Role.SCHOOL_ADMIN, Role.DISTRICT_ADMIN})
CONTENT_EDITORS = frozenset({Role.TEACHER, Role.SCHOOL_ADMIN, Role.DISTRICT_ADMIN})


def can_read_content(user: User) -> bool:
    return district_id_of(user) is not None and user.role in CONTENT_READERS


def can_edit_content(user: User) -> bool:
    return district_id_of(user) is not None and user.role in CONTENT_EDITORS


def can_import_items(user: User) -> bool:
    return is_district_admin(user)


def standards_visible_to(user: User) -> QuerySet[Standard]:
    district_id = district_id_of(user)
    if district_id is None or not can_read_content(user):
        return Standard.objects.none()
    return Standard.objects.filter(framework__district_id=district_id)


def playlists_visible_to(user: User) -> QuerySet[Playlist]:
    district_id = district_id_of(user)
    if district_id is None or not can_read_content(user):
        return Playlist.objects.none()
    return Playlist.objects.filter(district_id=district_id)


def activities_visible_to(user: User) -> QuerySet[Activity]:
    district_id = district_id_of(user)
    if district_id is None or not can_read_content(user):
        return Activity.objects.none()
    return Activity.objects.filter(district_id=district_id)


def _get(queryset: QuerySet[Any], object_id: int) -> Any:
    try:
        return queryset.get(id=object_id)
    except queryset.model.DoesNotExist:
        raise NotFound from None


def access_standard(user: User, standard_id: int) -> Standard:
    return _get(standards_visible_to(user).select_related("framework"), standard_id)  # type: ignore[no-any-return]


def access_playlist(user: User, playlist_id: int, *, edit: bool = False) -> Playlist:
    if edit and not can_edit_content(user):
        raise NotFound
    return _get(playlists_visible_to(user).select_related("standard"), playlist_id)  # type: ignore[no-any-return]


def access_activity(user: User, activity_id: int, *, edit: bool = False) -> Activity:
    if edit and not can_edit_content(user):
        raise NotFound
    return _get(activities_visible_to(user), activity_id)  # type: ignore[no-any-return]


def access_entry(user: User, playlist: Playlist, entry_id: int) -> PlaylistEntry:
    try:
        return playlist.entries.get(id=entry_id)
    except PlaylistEntry.DoesNotExist:
        raise NotFound from None
