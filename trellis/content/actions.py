"""Writes of content: item imports, activities and playlists — the only code that changes them,
each call audited.

An **activity** is something a learner can do to learn a standard — a lesson, a video link, a
reading, a practice set, a project, a session with a teacher or an online session — with its
expected minutes and the standards it is aligned to. A **playlist** is an ordered set of
activities for one standard ("other ways to learn this"): entries keep a dense ``position``
(1, 2, 3, ...), which :func:`do_move_entry` swaps with a neighbour and every removal closes up.

Every function checks that the objects belong to the actor's district and runs in one
transaction with its :func:`trellis.audit.actions.record` call.

**Item imports** (:func:`do_import_items`, and :func:`do_import_oatutor` / :func:`do_import_qti`
which read files through the engine first) write what
:func:`trellis.content.items.plan_item_import` planned: all or nothing, in one transaction,
nothing at all in a dry run or when the plan found problems.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from django.db import transaction
from django.db.models import Max

from trellis.accounts.models import District, User
from trellis.audit.actions import record
from trellis.content.items import (
    ITEM_FIELDS,
    ItemImportReport,
    Progress,
    default_oatutor_path,
    plan_item_import,
)
from trellis.content.models import Activity, Item, Playlist, PlaylistEntry
from trellis.content.queries import can_edit_content
from trellis.core.limits import import_limits
from trellis.engine import content as engine
from trellis.engine.content import ContentImportError, OATutorReport
from trellis.frameworks.models import Standard


class ContentError(ValueError):
    """A change that cannot be made (wrong district, a field out of range, ...)."""


@dataclass(frozen=True)
class ActivityFields:
    """What a teacher fills in for an activity; validates itself."""

    title: str
    kind: str
    minutes: int = 20
    url: str = ""
    description: str = ""

    def __post_init__(self) -> None:
        if not self.title.strip():
            raise ContentError("Give the activity a title.")
        if len(self.title) > 200:
            raise ContentError("The title is too long (200 characters at most).")
        if self.kind not in Activity.Kind.values:
            raise ContentError(f"Unknown kind of activity: {self.kind!r}.")
        if not 1 <= self.minutes <= 600:
            raise ContentError("Minutes must be between 1 and 600.")
        if self.url and not self.url.startswith(("https://", "http://", "/")):
            raise ContentError("A link must start with https:// (or be a Trellis page).")


def _check_editor(actor: User) -> int:
    """The actor's district id, if they may edit content."""
    if not can_edit_content(actor) or actor.district_id is None:
        raise ContentError(f"{actor.username} may not change activities or playlists")
    return actor.district_id


def _check_standards(actor: User, standards: Iterable[Standard]) -> list[Standard]:
    chosen = list(standards)
    if any(s.framework.district_id != actor.district_id for s in chosen):
        raise ContentError("a standard of another district")
    return chosen


def do_create_activity(
    actor: User, values: ActivityFields, *, standards: Iterable[Standard] = (),
    items: Iterable[Item] = (),
) -> Activity:
    district_id = _check_editor(actor)
    chosen = _check_standards(actor, standards)
    item_list = list(items)
    if any(item.district_id != actor.district_id for item in item_list):
        raise ContentError("an item of another district")
    with transaction.atomic():
        activity = Activity.objects.create(
            district_id=district_id, title=values.title.strip(), kind=values.kind,
            minutes=values.minutes, url=values.url, description=values.description,
            created_by=actor,
        )
        activity.standards.set(chosen)
        activity.items.set(item_list)
        record(actor, "activity.create", activity,
               details={"standards": [s.code for s in chosen], "kind": values.kind})
    return activity


def do_update_activity(
    actor: User, activity: Activity, values: ActivityFields, *,
    standards: Iterable[Standard] | None = None,
) -> Activity:
    _check_editor(actor)
    if activity.district_id != actor.district_id:
        raise ContentError("an activity of another district")
    with transaction.atomic():
        activity.title = values.title.strip()
        activity.kind = values.kind
        activity.minutes = values.minutes
        activity.url = values.url
        activity.description = values.description
        activity.save()
        if standards is not None:
            activity.standards.set(_check_standards(actor, standards))
        record(actor, "activity.update", activity, details={"kind": values.kind})
    return activity


def do_create_playlist(
    actor: User, standard: Standard, title: str, description: str = "",
) -> Playlist:
    district_id = _check_editor(actor)
    _check_standards(actor, [standard])
    if not title.strip():
        raise ContentError("Give the playlist a title.")
    with transaction.atomic():
        playlist = Playlist.objects.create(
            district_id=district_id, standard=standard, title=title.strip()[:200],
            description=description, created_by=actor,
        )
        record(actor, "playlist.create", playlist, details={"standard": standard.code})
    return playlist


def do_update_playlist(actor: User, playlist: Playlist, title: str, description: str) -> Playlist:
    _check_playlist(actor, playlist)
    if not title.strip():
        raise ContentError("Give the playlist a title.")
    with transaction.atomic():
        playlist.title = title.strip()[:200]
        playlist.description = description
        playlist.save()
        record(actor, "playlist.update", playlist)
    return playlist


def do_delete_playlist(actor: User, playlist: Playlist) -> None:
    _check_playlist(actor, playlist)
    with transaction.atomic():
        record(actor, "playlist.delete", playlist, details={"title": playlist.title})
        playlist.delete()


def _check_playlist(actor: User, playlist: Playlist) -> None:
    _check_editor(actor)
    if playlist.district_id != actor.district_id:
        raise ContentError("a playlist of another district")


def do_add_to_playlist(actor: User, playlist: Playlist, activity: Activity) -> PlaylistEntry:
    """Append ``activity`` (adding it twice keeps the one entry)."""
    _check_playlist(actor, playlist)
    if activity.district_id != actor.district_id:
        raise ContentError("an activity of another district")
    with transaction.atomic():
        existing = playlist.entries.filter(activity=activity).first()
        if existing is not None:
            return existing
        last = playlist.entries.aggregate(last=Max("position"))["last"] or 0
        entry = PlaylistEntry.objects.create(playlist=playlist, activity=activity,
                                             position=last + 1)
        playlist.save(update_fields=["updated_at"])
        record(actor, "playlist.add", playlist, details={"activity": activity.id,
                                                         "position": entry.position})
    return entry


def _renumber(playlist: Playlist) -> None:
    for position, entry in enumerate(playlist.entries.order_by("position", "id"), start=1):
        if entry.position != position:
            PlaylistEntry.objects.filter(id=entry.id).update(position=position)


def do_remove_from_playlist(actor: User, playlist: Playlist, entry: PlaylistEntry) -> None:
    _check_playlist(actor, playlist)
    if entry.playlist_id != playlist.id:
        raise ContentError("that entry is in another playlist")
    with transaction.atomic():
        activity_id = entry.activity_id
        entry.delete()
        _renumber(playlist)
        playlist.save(update_fields=["updated_at"])
        record(actor, "playlist.remove", playlist, details={"activity": activity_id})


def do_move_entry(actor: User, playlist: Playlist, entry: PlaylistEntry, offset: int) -> None:
    """Move an entry ``offset`` places (−1 up, +1 down); moving past an end does nothing."""
    _check_playlist(actor, playlist)
    if entry.playlist_id != playlist.id:
        raise ContentError("that entry is in another playlist")
    with transaction.atomic():
        _renumber(playlist)
        entries = list(playlist.entries.order_by("position"))
        index = next(i for i, e in enumerate(entries) if e.id == entry.id)
        target = index + offset
        if not 0 <= target < len(entries):
            return
        entries.insert(target, entries.pop(index))
        for position, moved in enumerate(entries, start=1):
            if moved.position != position:
                PlaylistEntry.objects.filter(id=moved.id).update(position=position)
        playlist.save(update_fields=["updated_at"])
        record(actor, "playlist.move", playlist,
               details={"activity": entry.activity_id, "position": target + 1})


def do_reorder_playlist(actor: User, playlist: Playlist, entry_ids: list[int]) -> None:
    """Put the entries in the order given (from drag and drop); it must name each one once."""
    _check_playlist(actor, playlist)
    current = {e.id: e for e in playlist.entries.all()}
    if sorted(entry_ids) != sorted(current):
        raise ContentError("the new order must list every entry of the playlist once")
    with transaction.atomic():
        for position, entry_id in enumerate(entry_ids, start=1):
            if current[entry_id].position != position:
                PlaylistEntry.objects.filter(id=entry_id).update(position=position)
        playlist.save(update_fields=["updated_at"])
        record(actor, "playlist.reorder", playlist, details={"order": entry_ids})


# -- item imports -------------------------------------------------------------------------------


def do_import_items(
    district: District,
    items: Sequence[engine.Item],
    *,
    source: str,
    user: User | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    file_name: str = "",
) -> ItemImportReport:
    """Store engine items in ``district``: all or nothing, update in place by identifier.

    Returns a report; when ``report.issues`` is not empty nothing was written (an alignment
    to a code the district has no standard for, a repeated identifier).
    """
    plan = plan_item_import(district, items, source=source, dry_run=dry_run,
                            progress=progress, file_name=file_name)
    report = plan.report
    if report.issues or dry_run:
        return report

    through = Item.alignments.through
    with transaction.atomic():
        created = Item.objects.bulk_create([row for row, _ in plan.to_create], batch_size=500)
        if plan.to_update:
            Item.objects.bulk_update(
                [row for row, _ in plan.to_update], list(ITEM_FIELDS), batch_size=500)
        links = [through(item_id=row.id, standard_id=standard.id)
                 for row, (_, aligned) in zip(created, plan.to_create, strict=True)
                 for standard in {s.id: s for s in aligned}.values()]
        if plan.realign:
            through.objects.filter(item_id__in=[row.id for row, _ in plan.realign]).delete()
            links += [through(item_id=row.id, standard_id=standard.id)
                      for row, aligned in plan.realign
                      for standard in {s.id: s for s in aligned}.values()]
        through.objects.bulk_create(links, batch_size=1000)
        record(user, "items.import", district, details={
            "source": source, "created": report.created, "updated": report.updated,
            "unchanged": report.unchanged, "alignments": report.alignments,
        })
    if progress is not None:
        progress(1.0, report.summary())
    return report


def _failed(source: str, dry_run: bool, error: ContentImportError) -> ItemImportReport:
    return ItemImportReport(source=source, dry_run=dry_run, issues=list(error.issues))


def do_import_oatutor(
    district: District,
    path: str | Path | None = None,
    *,
    user: User | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ItemImportReport:
    """Import an OATutor pool (default: the shared one), aligned through the crosswalk.

    Problems whose question needs a missing figure are left out (``docs/item-bank.md``); the
    report counts them.
    """
    folder = Path(path) if path is not None else default_oatutor_path()
    oatutor_report = OATutorReport()
    if progress is not None:
        progress(0.05, f"Reading {folder.name}")
    try:
        items = engine.load_oatutor(folder, report=oatutor_report)
    except ContentImportError as error:
        return _failed(folder.name, dry_run, error)
    report = do_import_items(district, items, source=f"OATutor {folder.name}", user=user,
                             dry_run=dry_run, progress=progress,
                             file_name="problems.jsonl.gz")
    report.excluded = len(oatutor_report.problems_left_out)
    report.excluded_reason = "their question shows a figure that is missing"
    return report


def do_import_qti(
    district: District,
    path: str | Path,
    *,
    user: User | None = None,
    dry_run: bool = False,
    display_name: str = "",
    align_to: Sequence[str] = (),
) -> ItemImportReport:
    """Import QTI 3.0 items from one XML file, a folder or a content-package zip.

    QTI items carry no standard codes that Trellis reads yet, so ``align_to`` names the codes
    every item of the upload practises (checked like any alignment: an unknown code refuses
    the import). The files are read within this deployment's import limits
    (:func:`trellis.core.limits.import_limits`); ``display_name`` is the file as the person
    knows it (an upload is stored under another name).
    """
    name = display_name or Path(path).name
    extra = tuple(engine.Alignment(code=code.strip(), source="upload")
                  for code in align_to if code.strip())
    try:
        items = [replace(item, alignments=item.alignments + extra)
                 for item in engine.load_qti(path, limits=import_limits(), name=name)]
    except ContentImportError as error:
        return _failed(name, dry_run, error)
    return do_import_items(district, items, source=f"QTI {name}", user=user, dry_run=dry_run,
                           file_name=name)
