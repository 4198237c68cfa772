"""Practice, the QTI upload, activities and playlists.

Content is shared by a district: students, teachers and admins of district A reach district
A's standards, items and playlists whatever their school (own / same school / other school),
never district B's; guardians and coaches have no content pages. Teachers and admins edit
activities and playlists; only district admins import items.
"""

from __future__ import annotations

from typing import Any

from tests.access_matrix import ANY, DISTRICT, Endpoint
from tests.world import World

READERS = ("student", "teacher", "school_admin", "district_admin")
EDITORS = ("teacher", "school_admin", "district_admin")


def _district_key(scope: str) -> str:
    return "b" if scope == "other_district" else "a"


def extend_world(world: World) -> None:
    # A real framework through the frameworks importer (re-importing it is a no-op), so the
    # framework pages keep working with these rows around.
    from tests.content.helpers import equation_item
    from tests.engine.frameworks.builders import fractions_framework
    from trellis.content.items import encode_item
    from trellis.content.models import Activity, Item, Playlist, PlaylistEntry
    from trellis.frameworks.actions import do_import_framework
    from trellis.frameworks.models import Standard

    for key, district in world.districts.items():
        report = do_import_framework(district, fractions_framework().build())
        assert report.framework_id is not None, report.lines()
        standard = Standard.objects.get(framework_id=report.framework_id, code="4.NF.B.3")
        item = Item.objects.create(district=district, identifier="demo-eq-1", source="oatutor",
                                   title="Solve", content=encode_item(equation_item()))
        item.alignments.add(standard)
        activity = Activity.objects.create(district=district, title="Read about fractions",
                                           kind="reading")
        playlist = Playlist.objects.create(district=district, standard=standard,
                                           title="Learn 4.NF.B.3")
        entry = PlaylistEntry.objects.create(playlist=playlist, activity=activity, position=1)
        world.extra[f"practice_{key}"] = {"standard": standard, "item": item,
                                          "activity": activity, "playlist": playlist,
                                          "entry": entry}


def _object(name: str) -> Any:
    def target(world: World, scope: str) -> dict[str, Any]:
        objects = world.extra[f"practice_{_district_key(scope)}"]
        return {f"{name}_id": objects[name].id}

    return target


def _entry(world: World, scope: str) -> dict[str, Any]:
    objects = world.extra[f"practice_{_district_key(scope)}"]
    return {"playlist_id": objects["playlist"].id, "entry_id": objects["entry"].id}


def _allow(roles: tuple[str, ...], scopes: frozenset[str]) -> dict[str, frozenset[str]]:
    return dict.fromkeys(roles, scopes)


standard = _object("standard")
playlist = _object("playlist")
activity = _object("activity")

ENDPOINTS = [
    Endpoint("practice-home", _allow(READERS, ANY)),
    Endpoint("item-import", {"district_admin": ANY}),
    Endpoint("practice", _allow(READERS, DISTRICT), target=standard),
    # with nothing in progress, the practice POSTs send the person back to the page
    Endpoint("practice-answer", _allow(READERS, DISTRICT), target=standard, method="POST",
             ok_status=302),
    Endpoint("practice-hint", _allow(READERS, DISTRICT), target=standard, method="POST",
             ok_status=302),
    Endpoint("practice-next", _allow(READERS, DISTRICT), target=standard, method="POST",
             ok_status=302),
    Endpoint("playlist-list", _allow(READERS, ANY)),
    Endpoint("playlist-create", _allow(EDITORS, ANY)),
    Endpoint("standard-playlists", _allow(READERS, DISTRICT), target=standard),
    Endpoint("playlist-detail", _allow(READERS, DISTRICT), target=playlist),
    Endpoint("playlist-edit", _allow(EDITORS, DISTRICT), target=playlist),
    Endpoint("playlist-delete", _allow(EDITORS, DISTRICT), target=playlist, method="POST",
             ok_status=302),
    Endpoint("playlist-entry-add", _allow(EDITORS, DISTRICT), target=playlist, method="POST",
             ok_status=302),
    Endpoint("playlist-reorder", _allow(EDITORS, DISTRICT), target=playlist, method="POST",
             ok_status=302),
    Endpoint("playlist-entry-move", _allow(EDITORS, DISTRICT), target=_entry, method="POST",
             data={"direction": "down"}, ok_status=302),
    Endpoint("playlist-entry-remove", _allow(EDITORS, DISTRICT), target=_entry, method="POST",
             ok_status=302),
    Endpoint("activity-list", _allow(EDITORS, ANY)),
    Endpoint("activity-create", _allow(EDITORS, ANY)),
    Endpoint("activity-edit", _allow(EDITORS, DISTRICT), target=activity),
]
