"""Practice content, persisted per district.

- An :class:`Item` is a self-correcting question (from QTI 3.0 or the OATutor pool); ``content``
  holds the engine's item as JSON (steps, interactions, hints, scaffolds, answers), aligned to
  standards through ``alignments``.
- An :class:`Activity` is something a learner does (a lesson, video, reading, practice set,
  project, teacher session, online session); a :class:`Playlist` is an ordered set of activities
  for one standard.

These models were split out of the old curriculum app (now :mod:`trellis.frameworks`, label
``curriculum``) without touching the database: they keep their tables (``curriculum_item``, ...)
and their many-to-many tables through explicit ``db_table`` names.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from trellis.accounts.models import District
from trellis.frameworks.models import Standard


class Item(models.Model):
    """A self-correcting item; ``content`` is the engine item as JSON."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="items")
    identifier = models.CharField(max_length=200)
    source = models.CharField(max_length=30, help_text="oatutor, qti, ...")
    title = models.CharField(max_length=300, blank=True)
    content = models.JSONField()
    license = models.CharField(max_length=200, blank=True)
    attribution = models.CharField(max_length=500, blank=True)
    alignments = models.ManyToManyField(Standard, blank=True, related_name="items",
                                        db_table="curriculum_item_alignments")
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "curriculum_item"
        ordering = ["identifier"]
        constraints = [
            models.UniqueConstraint(fields=["district", "identifier"], name="item_identifier")
        ]

    def __str__(self) -> str:
        return self.title or self.identifier


class Activity(models.Model):
    class Kind(models.TextChoices):
        LESSON = "lesson", "Lesson"
        VIDEO = "video", "Video"
        READING = "reading", "Reading"
        PRACTICE = "practice", "Practice set"
        PROJECT = "project", "Project"
        TEACHER_SESSION = "teacher_session", "Session with a teacher"
        ONLINE_SESSION = "online_session", "Online session"

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="activities")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    description = models.TextField(blank=True)
    url = models.URLField(blank=True)
    minutes = models.PositiveIntegerField(default=20)
    tags = models.JSONField(default=list, blank=True)
    standards = models.ManyToManyField(Standard, blank=True, related_name="activities",
                                       db_table="curriculum_activity_standards")
    items = models.ManyToManyField(Item, blank=True, related_name="activities",
                                   db_table="curriculum_activity_items",
                                   help_text="For a practice set: the items it draws from.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "curriculum_activity"
        ordering = ["title"]
        verbose_name_plural = "activities"

    def __str__(self) -> str:
        return self.title


class Playlist(models.Model):
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="playlists")
    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="playlists")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "curriculum_playlist"
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class PlaylistEntry(models.Model):
    playlist = models.ForeignKey(Playlist, on_delete=models.CASCADE, related_name="entries")
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField()

    class Meta:
        db_table = "curriculum_playlistentry"
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["playlist", "activity"], name="playlist_activity")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.activity}"
