"""Activities and playlists: create, add, reorder, remove, delete — through the pages and the
actions — district scoping, auditing, and the demo content."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.content.helpers import (
    SHARED_DATA,
    equation_item,
    need_shared_data,
    seventh_grade,
    store,
)
from trellis.accounts.actions import do_create_district, do_create_user
from trellis.accounts.models import District, Role, User
from trellis.audit.models import AuditEvent
from trellis.content.actions import (
    ActivityFields,
    ContentError,
    do_add_to_playlist,
    do_create_activity,
    do_create_playlist,
    do_move_entry,
    do_remove_from_playlist,
    do_reorder_playlist,
)
from trellis.content.demo import seed_content
from trellis.content.models import Activity, Item, Playlist
from trellis.frameworks.actions import do_import_framework
from trellis.frameworks.models import Standard

pytestmark = pytest.mark.django_db

CASE_PACKAGE = (SHARED_DATA / "standards" / "ccssm-coherence"
                / "ccssm_coherence_case_package.json.gz")


@pytest.fixture
def district() -> District:
    district = do_create_district("Playlist District", "dist-pl")
    seventh_grade(district)
    return district


@pytest.fixture
def teacher(district: District) -> User:
    return do_create_user(district, "t-pl", Role.TEACHER, first_name="Tess")


def _standard(district: District, code: str = "7.EE.B.4a") -> Standard:
    return Standard.objects.get(framework__district=district, code=code)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _titles(playlist: Playlist) -> list[str]:
    return [e.activity.title for e in playlist.entries.order_by("position")]


def test_actions_keep_positions_dense_and_are_audited(district: District, teacher: User) -> None:
    playlist = do_create_playlist(teacher, _standard(district), "Two-step equations")
    activities = [do_create_activity(teacher, ActivityFields(t, "lesson"))
                  for t in ("A", "B", "C")]
    entries = [do_add_to_playlist(teacher, playlist, a) for a in activities]
    assert do_add_to_playlist(teacher, playlist, activities[0]) == entries[0]  # no duplicate
    do_move_entry(teacher, playlist, entries[2], -1)
    assert _titles(playlist) == ["A", "C", "B"]
    do_move_entry(teacher, playlist, entries[0], -1)  # already first: nothing moves
    assert _titles(playlist) == ["A", "C", "B"]
    do_remove_from_playlist(teacher, playlist, entries[0])
    assert [(e.activity.title, e.position) for e in playlist.entries.order_by("position")] == [
        ("C", 1), ("B", 2)]
    do_reorder_playlist(teacher, playlist, [entries[1].id, entries[2].id])
    assert _titles(playlist) == ["B", "C"]
    with pytest.raises(ContentError):
        do_reorder_playlist(teacher, playlist, [entries[1].id])
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"playlist.create", "activity.create", "playlist.add", "playlist.move",
            "playlist.remove", "playlist.reorder"} <= actions


def test_students_and_other_districts_cannot_edit(district: District, teacher: User) -> None:
    student = do_create_user(district, "s-pl", Role.STUDENT)
    with pytest.raises(ContentError):
        do_create_playlist(student, _standard(district), "Mine")
    other = do_create_district("Other", "dist-pl-b")
    seventh_grade(other)
    with pytest.raises(ContentError, match="another district"):
        do_create_playlist(teacher, _standard(other), "Theirs")
    with pytest.raises(ContentError, match="Minutes"):
        ActivityFields("Video", "video", minutes=0)
    with pytest.raises(ContentError, match="https"):
        ActivityFields("Video", "video", url="javascript:alert(1)")


def test_a_teacher_builds_a_playlist_through_the_pages(district: District,
                                                       teacher: User) -> None:
    client = _client(teacher)
    reply = client.post(reverse("playlist-create"),
                        {"code": "7.ee.b.4.a", "title": "Solve px+q=r", "description": ""})
    playlist = Playlist.objects.get(title="Solve px+q=r")
    assert reply.status_code == 302 and reply["Location"] == reverse(
        "playlist-edit", args=[playlist.id])
    assert playlist.standard.code == "7.EE.B.4a"
    for title, kind in (("Watch: balancing", "video"), ("Practice px+q=r", "practice")):
        reply = client.post(reverse("activity-create"), {
            "playlist": playlist.id, "title": title, "kind": kind, "minutes": "15",
            "url": "https://example.org/v" if kind == "video" else "", "codes": "7.EE.B.4a"})
        assert reply.status_code == 302
    assert _titles(playlist) == ["Watch: balancing", "Practice px+q=r"]
    second = playlist.entries.get(position=2)
    reply = client.post(reverse("playlist-entry-move", args=[playlist.id, second.id]),
                        {"direction": "up"}, HTTP_HX_REQUEST="true")
    assert reply.status_code == 200 and 'id="playlist-entries"' in reply.content.decode()
    assert _titles(playlist) == ["Practice px+q=r", "Watch: balancing"]
    ids = list(playlist.entries.order_by("-position").values_list("id", flat=True))
    reply = client.post(reverse("playlist-reorder", args=[playlist.id]),
                        {"order": ",".join(map(str, ids))}, HTTP_HX_REQUEST="true")
    assert reply.status_code == 200  # dragged back
    assert _titles(playlist) == ["Watch: balancing", "Practice px+q=r"]
    client.post(reverse("playlist-reorder", args=[playlist.id]), {"order": str(ids[0])})
    assert _titles(playlist) == ["Watch: balancing", "Practice px+q=r"]  # stale: unchanged
    client.post(reverse("playlist-reorder", args=[playlist.id]),
                {"order": ",".join(map(str, reversed(ids)))})
    detail = client.get(reverse("playlist-detail", args=[playlist.id])).content.decode()
    # a practice set without a link opens the practice page of the standard
    assert reverse("practice", args=[playlist.standard.id]) in detail
    listing = client.get(reverse("playlist-list"), {"code": "7.EE"}).content.decode()
    assert "Solve px+q=r" in listing
    assert "Solve px+q=r" not in client.get(reverse("playlist-list"),
                                            {"code": "8.EE"}).content.decode()
    reply = client.post(reverse("playlist-entry-remove", args=[playlist.id, second.id]))
    assert reply.status_code == 302 and _titles(playlist) == ["Watch: balancing"]
    bad = client.post(reverse("playlist-create"), {"code": "9.ZZ.Z.9", "title": "x"})
    assert bad.status_code == 400 and "no standard" in bad.content.decode()
    client.post(reverse("playlist-delete", args=[playlist.id]))
    assert not Playlist.objects.exists() and Activity.objects.count() == 2


def test_playlists_are_district_scoped(district: District, teacher: User) -> None:
    other = do_create_district("Other", "dist-pl-c")
    seventh_grade(other)
    outsider = do_create_user(other, "t-other", Role.TEACHER)
    theirs = do_create_playlist(outsider, _standard(other), "Their playlist")
    client = _client(teacher)
    assert "Their playlist" not in client.get(reverse("playlist-list")).content.decode()
    assert client.get(reverse("playlist-detail", args=[theirs.id])).status_code == 404
    assert client.get(reverse("playlist-edit", args=[theirs.id])).status_code == 404


def test_students_see_other_ways_to_learn_from_the_practice_page(district: District,
                                                                 teacher: User) -> None:
    store(district, equation_item())
    standard = _standard(district)
    playlist = do_create_playlist(teacher, standard, "Balance it")
    do_add_to_playlist(teacher, playlist,
                       do_create_activity(teacher, ActivityFields("Read it", "reading")))
    student = _client(do_create_user(district, "s-ways", Role.STUDENT))
    practice = student.get(reverse("practice", args=[standard.id])).content.decode()
    ways = reverse("standard-playlists", args=[standard.id])
    assert "Other ways to learn this" in practice and ways in practice
    page = student.get(ways).content.decode()
    assert "Balance it" in page and "Read it" in page
    assert student.get(reverse("playlist-edit", args=[playlist.id])).status_code == 404


def test_seed_content_imports_the_pool_and_builds_playlists(district: District) -> None:
    """End to end: the real Common Core CASE package through the frameworks importer, then
    the demo content aligned to it by the crosswalk."""
    need_shared_data()
    if not CASE_PACKAGE.exists():
        pytest.skip("the CCSSM CASE package is not available")
    full = do_create_district("Demo", "dist-demo")
    assert do_import_framework(full, CASE_PACKAGE).framework_id is not None
    do_create_user(full, "demo-admin", Role.DISTRICT_ADMIN)
    said: list[str] = []
    counts = seed_content(full, said.append)
    assert "1898 items" in said[-1] and "4 demo playlists" in said[-1]
    assert (counts["items"], counts["excluded"], counts["playlists"]) == (1898, 134, 4)
    playlists = Playlist.objects.filter(district=full)
    assert sorted(p.standard.code for p in playlists) == [
        "7.EE.B.4a", "8.EE.C.7b", "HSA-REI.C.6", "HSA-SSE.A.2"]
    for playlist in playlists:
        assert playlist.entries.count() == 4
        assert playlist.standard.items.exists()  # its practice set has problems
    assert seed_content(full)["playlists"] == 0  # a second run changes nothing
    assert Item.objects.filter(district=full).count() == 1898
