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

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from trellis.accounts.models import Role, User
from trellis.accounts.permissions import NotFound, district_id_of, is_district_admin
from trellis.content.items import code_key
from trellis.content.models import Activity, Item, Playlist, PlaylistEntry
from trellis.frameworks.models import Standard

# The kind of activity that opens the practice page (for pages of other apps, which do not
# import the content models).
PRACTICE_ACTIVITY_KIND = Activity.Kind.PRACTICE

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


def find_standard(user: User, code: str) -> Standard | None:
    """The district's standard with this code (spelling-insensitive), if exactly one."""
    if not code.strip():
        return None
    key = code_key(code)
    candidates = [s for s in standards_visible_to(user).exclude(code="")
                  .select_related("framework") if code_key(s.code) == key]
    return candidates[0] if candidates else None


# -- plain reads for the pages of other apps (the caller has already checked who may see them) --


def get_item(item_id: int, *, district_id: int | None = None) -> Item | None:
    """The bank item with this id (only if it is of ``district_id``, when given), or None."""
    items = Item.objects.filter(id=item_id)
    if district_id is not None:
        items = items.filter(district_id=district_id)
    return items.first()


def practice_items(standard: Standard) -> QuerySet[Item]:
    """Items that practise ``standard``: aligned to it or to one of its parts (7.EE.B.4 also
    draws on the items of 7.EE.B.4a and 7.EE.B.4b)."""
    return Item.objects.filter(
        Q(alignments=standard) | Q(alignments__parent=standard),
        district_id=standard.framework.district_id,
    ).distinct()


def standard_ids_with_items(standard_ids: Iterable[int]) -> set[int]:
    """Which of these standards have at least one item aligned to them (one query)."""
    return set(Item.alignments.through.objects.filter(
        standard_id__in=list(standard_ids)).values_list("standard_id", flat=True))


def get_activity(district_id: int, activity_id: int) -> Activity | None:
    """The district's activity with this id, or None."""
    return Activity.objects.filter(district_id=district_id, id=activity_id).first()


def playlists_for_standards(district_id: int, standard_ids: Iterable[int]) -> QuerySet[Playlist]:
    """The district's playlists for these standards, by title."""
    return Playlist.objects.filter(
        district_id=district_id, standard_id__in=list(standard_ids)).order_by("title")


def playlist_activity_ids(district_id: int, playlist_id: int) -> list[int]:
    """The activities of the district's playlist, in playlist order; [] for no such playlist."""
    playlist = Playlist.objects.filter(district_id=district_id, id=playlist_id).first()
    if playlist is None:
        return []
    return list(playlist.entries.order_by("position").values_list("activity_id", flat=True))
