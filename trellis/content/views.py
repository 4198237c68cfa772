"""Content pages: activities and playlists (teachers build ordered sets of activities for a
standard), and the QTI item upload of district administrators.

Pages (all scoped to the viewer's district; see :mod:`trellis.content.queries`):

- ``/playlists/`` — the district's playlists, filterable by standard code;
- ``/playlists/new/`` — make a playlist for a standard; ``/playlists/<id>/edit/`` — the editor:
  add activities (existing or new), move them up or down (or drag them), remove them, rename
  the playlist;
- ``/playlists/<id>/`` — the playlist as a student sees it, and
  ``/playlists/for/<standard>/`` — "other ways to learn this": every playlist of a standard,
  reached from the practice page;
- ``/playlists/activities/`` — the district's activities, with pages to create and edit them;
- ``/practice/items/import/`` — district admins upload QTI 3.0 items into the item bank.

Every change goes through a ``do_*`` function of :mod:`trellis.content.actions`
(transactional, audited). The editor's buttons are plain forms; with htmx they swap only the
list of entries.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from trellis.accounts.models import User
from trellis.accounts.permissions import NotFound, jobs_visible_to
from trellis.content.actions import (
    ActivityFields,
    ContentError,
    do_add_to_playlist,
    do_create_activity,
    do_create_playlist,
    do_delete_playlist,
    do_move_entry,
    do_remove_from_playlist,
    do_reorder_playlist,
    do_update_activity,
    do_update_playlist,
)
from trellis.content.actions_import_jobs import KIND as QTI_JOB_KIND
from trellis.content.actions_import_jobs import do_start_qti_import, store_upload
from trellis.content.items import ItemImportReport, code_key
from trellis.content.models import Activity, Playlist
from trellis.content.queries import (
    access_activity,
    access_entry,
    access_playlist,
    access_standard,
    activities_visible_to,
    can_edit_content,
    can_import_items,
    can_read_content,
    find_standard,
    playlists_visible_to,
    standards_visible_to,
)
from trellis.core.jobs import settle_if_interrupted
from trellis.core.limits import upload_limit_text, upload_too_large
from trellis.core.models import Job


def _reader(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not can_read_content(user):
        raise NotFound
    return user


def _editor(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not can_edit_content(user):
        raise NotFound
    return user


def activity_link(activity: Activity, standard: Any = None) -> str:
    """Where an activity opens: its URL, or for a practice set the practice page."""
    if activity.url:
        return activity.url
    if activity.kind == Activity.Kind.PRACTICE:
        target = standard or activity.standards.first()
        if target is not None:
            return reverse("practice", args=[target.id])
    return ""


def _entries(playlist: Playlist) -> list[dict[str, Any]]:
    return [{"entry": entry, "activity": entry.activity,
             "link": activity_link(entry.activity, playlist.standard)}
            for entry in playlist.entries.select_related("activity").order_by("position")]


# -- lists and views ------------------------------------------------------------------------------


@login_required
def playlist_list(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    code = request.GET.get("code", "").strip()
    playlists = (playlists_visible_to(user).select_related("standard")
                 .annotate(activity_count=Count("entries")).order_by("standard__code", "title"))
    if code:
        key = code_key(code)
        ids = [p.id for p in playlists if code_key(p.standard.code).startswith(key)]
        playlists = playlists.filter(id__in=ids)
    return render(request, "content/playlist_list.html", {
        "playlists": playlists, "code": code, "can_edit": can_edit_content(user),
    })


@login_required
def playlist_detail(request: HttpRequest, playlist_id: int) -> HttpResponse:
    user = _reader(request)
    playlist = access_playlist(user, playlist_id)
    return render(request, "content/playlist_detail.html", {
        "playlist": playlist, "entries": _entries(playlist), "can_edit": can_edit_content(user),
        "total_minutes": sum(e.activity.minutes for e in playlist.entries.select_related(
            "activity")),
    })


@login_required
def standard_playlists(request: HttpRequest, standard_id: int) -> HttpResponse:
    """Other ways to learn a standard: all its playlists, with their activities."""
    user = _reader(request)
    standard = access_standard(user, standard_id)
    playlists = [{"playlist": p, "entries": _entries(p)}
                 for p in playlists_visible_to(user).filter(standard=standard)
                 .order_by("title")]
    has_items = standard.items.exists()
    return render(request, "content/playlist_standard.html", {
        "standard": standard, "playlists": playlists, "can_edit": can_edit_content(user),
        "has_items": has_items,
    })


# -- editing playlists ----------------------------------------------------------------------------


@login_required
def playlist_create(request: HttpRequest) -> HttpResponse:
    user = _editor(request)
    initial_code = ""
    standard_id = request.GET.get("standard", "")
    if standard_id.isdigit():
        standard = standards_visible_to(user).filter(id=int(standard_id)).first()
        initial_code = standard.code if standard else ""
    context: dict[str, Any] = {"code": initial_code, "title": "", "description": ""}
    if request.method == "POST":
        context.update(code=request.POST.get("code", "").strip(),
                       title=request.POST.get("title", "").strip(),
                       description=request.POST.get("description", "").strip())
        standard = find_standard(user, context["code"])
        if standard is None:
            context["error"] = (f"There is no standard {context['code']!r} in your district. "
                                "Type a code such as 7.EE.B.4.")
        else:
            try:
                playlist = do_create_playlist(user, standard,
                                              context["title"] or f"Learn {standard.code}",
                                              context["description"])
            except ContentError as error:
                context["error"] = str(error)
            else:
                messages.success(request, "Playlist created. Now add activities to it.")
                return redirect("playlist-edit", playlist_id=playlist.id)
    context["codes"] = _codes_with_items(user)
    return render(request, "content/playlist_form.html", context,
                  status=400 if "error" in context else 200)


def _codes_with_items(user: User) -> list[str]:
    return list(standards_visible_to(user).filter(items__isnull=False).exclude(code="")
                .values_list("code", flat=True).distinct().order_by("code"))


def _editor_context(user: User, playlist: Playlist) -> dict[str, Any]:
    in_playlist = playlist.entries.values("activity_id")
    available = (activities_visible_to(user).exclude(id__in=in_playlist)
                 .annotate(aligned=Count("standards", filter=Q(standards=playlist.standard)))
                 .order_by("-aligned", "title"))
    return {"playlist": playlist, "entries": _entries(playlist), "available": available,
            "kinds": Activity.Kind.choices}


def _render_entries(request: HttpRequest, user: User, playlist: Playlist) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "content/playlist_entries.html",
                      _editor_context(user, playlist))
    return redirect("playlist-edit", playlist_id=playlist.id)


@login_required
def playlist_edit(request: HttpRequest, playlist_id: int) -> HttpResponse:
    user = _editor(request)
    playlist = access_playlist(user, playlist_id, edit=True)
    context = _editor_context(user, playlist)
    if request.method == "POST":
        try:
            do_update_playlist(user, playlist, request.POST.get("title", ""),
                               request.POST.get("description", "").strip())
        except ContentError as error:
            context["error"] = str(error)
            return render(request, "content/playlist_edit.html", context, status=400)
        messages.success(request, "Playlist saved.")
        return redirect("playlist-edit", playlist_id=playlist.id)
    return render(request, "content/playlist_edit.html", context)


@require_POST
@login_required
def playlist_delete(request: HttpRequest, playlist_id: int) -> HttpResponse:
    user = _editor(request)
    playlist = access_playlist(user, playlist_id, edit=True)
    do_delete_playlist(user, playlist)
    messages.success(request, f"Playlist “{playlist.title}” deleted.")
    return redirect("playlist-list")


@require_POST
@login_required
def playlist_entry_add(request: HttpRequest, playlist_id: int) -> HttpResponse:
    user = _editor(request)
    playlist = access_playlist(user, playlist_id, edit=True)
    activity_id = request.POST.get("activity", "")
    if activity_id.isdigit():
        activity = access_activity(user, int(activity_id))
        do_add_to_playlist(user, playlist, activity)
    return _render_entries(request, user, playlist)


@require_POST
@login_required
def playlist_entry_move(request: HttpRequest, playlist_id: int, entry_id: int) -> HttpResponse:
    user = _editor(request)
    playlist = access_playlist(user, playlist_id, edit=True)
    entry = access_entry(user, playlist, entry_id)
    offset = -1 if request.POST.get("direction") == "up" else 1
    do_move_entry(user, playlist, entry, offset)
    return _render_entries(request, user, playlist)


@require_POST
@login_required
def playlist_reorder(request: HttpRequest, playlist_id: int) -> HttpResponse:
    """Drag and drop: ``order`` lists every entry id of the playlist in the new order."""
    user = _editor(request)
    playlist = access_playlist(user, playlist_id, edit=True)
    order = [int(part) for part in request.POST.get("order", "").split(",") if part.isdigit()]
    if order:
        with contextlib.suppress(ContentError):  # a stale page: show the order as it is now
            do_reorder_playlist(user, playlist, order)
    return _render_entries(request, user, playlist)


@require_POST
@login_required
def playlist_entry_remove(request: HttpRequest, playlist_id: int, entry_id: int) -> HttpResponse:
    user = _editor(request)
    playlist = access_playlist(user, playlist_id, edit=True)
    entry = access_entry(user, playlist, entry_id)
    do_remove_from_playlist(user, playlist, entry)
    return _render_entries(request, user, playlist)


# -- activities -----------------------------------------------------------------------------------


@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    user = _editor(request)
    activities = activities_visible_to(user).prefetch_related("standards").order_by("title")
    return render(request, "content/activity_list.html", {"activities": activities})


def _activity_form(request: HttpRequest, user: User) -> tuple[ActivityFields, list[Any]]:
    post = request.POST
    minutes = post.get("minutes", "20").strip()
    values = ActivityFields(
        title=post.get("title", ""), kind=post.get("kind", ""),
        minutes=int(minutes) if minutes.isdigit() else 0,
        url=post.get("url", "").strip(), description=post.get("description", "").strip(),
    )
    standards: list[Any] = []
    for code in post.get("codes", "").replace(";", ",").split(","):
        if not code.strip():
            continue
        standard = find_standard(user, code)
        if standard is None:
            raise ContentError(f"There is no standard {code.strip()!r} in your district.")
        standards.append(standard)
    return values, standards


@login_required
def activity_create(request: HttpRequest) -> HttpResponse:
    user = _editor(request)
    playlist_id = request.GET.get("playlist") or request.POST.get("playlist", "")
    playlist = (access_playlist(user, int(playlist_id), edit=True)
                if playlist_id.isdigit() else None)
    context: dict[str, Any] = {"kinds": Activity.Kind.choices, "playlist": playlist,
                               "values": {"minutes": 20, "kind": "lesson",
                                          "codes": playlist.standard.code if playlist else ""}}
    if request.method == "POST":
        context["values"] = request.POST
        try:
            values, standards = _activity_form(request, user)
            activity = do_create_activity(user, values, standards=standards)
        except ContentError as error:
            context["error"] = str(error)
            return render(request, "content/activity_form.html", context, status=400)
        if playlist is not None:
            do_add_to_playlist(user, playlist, activity)
            messages.success(request, f"“{activity.title}” added to the playlist.")
            return redirect("playlist-edit", playlist_id=playlist.id)
        messages.success(request, f"Activity “{activity.title}” created.")
        return redirect("activity-list")
    return render(request, "content/activity_form.html", context)


@login_required
def activity_edit(request: HttpRequest, activity_id: int) -> HttpResponse:
    user = _editor(request)
    activity = access_activity(user, activity_id, edit=True)
    codes = ", ".join(s.code for s in activity.standards.all())
    context: dict[str, Any] = {
        "kinds": Activity.Kind.choices, "activity": activity,
        "values": {"title": activity.title, "kind": activity.kind, "minutes": activity.minutes,
                   "url": activity.url, "description": activity.description, "codes": codes},
    }
    if request.method == "POST":
        context["values"] = request.POST
        try:
            values, standards = _activity_form(request, user)
            do_update_activity(user, activity, values, standards=standards)
        except ContentError as error:
            context["error"] = str(error)
            return render(request, "content/activity_form.html", context, status=400)
        messages.success(request, "Activity saved.")
        return redirect("activity-list")
    return render(request, "content/activity_form.html", context)


# -- QTI upload (district admins) -----------------------------------------------------------------


@login_required
def item_import(request: HttpRequest) -> HttpResponse:
    """Upload QTI items: the check or import runs as a job (within the request for a small
    file); its report is this page with ``?job=<id>``."""
    user: User = request.user  # type: ignore[assignment]
    if not can_import_items(user) or user.district is None:
        raise NotFound
    context: dict[str, Any] = {"upload_limit": upload_limit_text()}
    if request.method == "POST":
        too_large = upload_too_large(request, "That file")
        upload = None if too_large else request.FILES.get("file")
        upload_name = (upload.name or "") if upload is not None else ""
        dry_run = bool(request.POST.get("dry_run"))
        if too_large:
            context["error"] = too_large
        elif upload is None:
            context["error"] = "Choose a QTI 3.0 file (.xml) or content package (.zip)."
        elif not upload_name.lower().endswith((".xml", ".zip")):
            context["error"] = "Upload a QTI 3.0 item (.xml) or an IMS content package (.zip)."
        else:
            path = store_upload(upload, Path(upload_name).suffix.lower())
            codes = request.POST.get("codes", "").replace(";", ",").split(",")
            job = do_start_qti_import(user, path, file_name=Path(upload_name).name,
                                      dry_run=dry_run, align_to=codes)
            if job.done:
                return redirect(job.result_url)
            return redirect("job-status", job_id=job.id)
        context["codes"] = request.POST.get("codes", "")
        return render(request, "content/item_import.html", context, status=400)
    if "job" in request.GET:
        try:
            job = jobs_visible_to(user).get(id=int(request.GET["job"]), kind=QTI_JOB_KIND)
        except (Job.DoesNotExist, ValueError):
            raise NotFound from None
        job = settle_if_interrupted(job)
        if not job.done:
            return redirect("job-status", job_id=job.id)
        if job.status == Job.Status.FAILED:
            context["error"] = job.error
        else:
            result = job.result or {}
            report = ItemImportReport.from_dict(result["report"])
            context["report"] = report
            context["more_issues"] = result["report"]["issue_count"] - len(report.issues)
            context["codes"] = result.get("codes", "")
    return render(request, "content/item_import.html", context)
