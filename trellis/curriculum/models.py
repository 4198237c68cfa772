"""Competency maps and content, persisted per district.

- A :class:`Framework` is one imported CASE ``CFDocument`` (for example the Common Core math
  Coherence Map); its :class:`Standard` rows are the ``CFItems`` and its
  :class:`StandardAssociation` rows the ``CFAssociations``. ``precedes`` associations are the
  prerequisite edges of the :class:`~trellis.engine.competencies.CompetencyGraph` the engine
  plans with (``curriculum/adapters.py`` builds it). Re-importing a framework updates rows in
  place by their CASE ``identifier``.
- An :class:`Item` is a self-correcting question (from QTI 3.0 or the OATutor pool); ``content``
  holds the engine's item as JSON (steps, interactions, hints, scaffolds, answers), aligned to
  standards through ``alignments``.
- An :class:`Activity` is something a learner does (a lesson, video, reading, practice set,
  project, teacher session, online session); a :class:`Playlist` is an ordered set of activities
  for one standard.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from trellis.accounts.models import District


class Framework(models.Model):
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="frameworks")
    identifier = models.CharField(max_length=64, help_text="CASE CFDocument identifier (UUID).")
    uri = models.CharField(max_length=500, blank=True)
    title = models.CharField(max_length=300)
    creator = models.CharField(max_length=300, blank=True)
    publisher = models.CharField(max_length=300, blank=True)
    subject = models.CharField(max_length=200, blank=True)
    version = models.CharField(max_length=100, blank=True)
    adoption_status = models.CharField(max_length=30, blank=True)
    last_change = models.DateTimeField(null=True, blank=True)
    document = models.JSONField(default=dict, blank=True, help_text="The CFDocument as imported.")
    definitions = models.JSONField(default=dict, blank=True)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["district", "identifier"], name="framework_identifier")
        ]

    def __str__(self) -> str:
        return self.title


class Standard(models.Model):
    """A CFItem: a standard, cluster, domain or any other node of the framework."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="standards")
    identifier = models.CharField(max_length=64)
    uri = models.CharField(max_length=500, blank=True)
    code = models.CharField(max_length=100, blank=True, db_index=True,
                            help_text="humanCodingScheme, e.g. 7.EE.A.1")
    statement = models.TextField(help_text="fullStatement")
    abbreviated = models.CharField(max_length=500, blank=True)
    item_type = models.CharField(max_length=100, blank=True)
    education_levels = models.JSONField(default=list, blank=True)
    grade = models.CharField(max_length=8, blank=True, help_text="First education level.")
    domain = models.CharField(max_length=200, blank=True)
    cluster = models.CharField(max_length=300, blank=True)
    parent = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="children")
    list_enumeration = models.CharField(max_length=50, blank=True)
    position = models.PositiveIntegerField(default=0)
    # the whole CFItem, so an export round-trips fields Trellis does not model
    source = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["framework", "position"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "identifier"], name="standard_identifier")
        ]

    def __str__(self) -> str:
        return self.code or self.abbreviated or self.statement[:60]


class StandardAssociation(models.Model):
    """A CFAssociation. Endpoints outside this framework keep only their URI."""

    framework = models.ForeignKey(
        Framework, on_delete=models.CASCADE, related_name="associations"
    )
    identifier = models.CharField(max_length=64)
    association_type = models.CharField(max_length=50, db_index=True)
    origin = models.ForeignKey(Standard, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="outgoing")
    destination = models.ForeignKey(Standard, on_delete=models.CASCADE, null=True, blank=True,
                                    related_name="incoming")
    origin_uri = models.CharField(max_length=500, blank=True)
    destination_uri = models.CharField(max_length=500, blank=True)
    sequence_number = models.IntegerField(null=True, blank=True)
    source = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["framework", "identifier"],
                                    name="association_identifier")
        ]

    def __str__(self) -> str:
        return f"{self.origin} {self.association_type} {self.destination}"


class Item(models.Model):
    """A self-correcting item; ``content`` is the engine item as JSON."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="items")
    identifier = models.CharField(max_length=200)
    source = models.CharField(max_length=30, help_text="oatutor, qti, ...")
    title = models.CharField(max_length=300, blank=True)
    content = models.JSONField()
    license = models.CharField(max_length=200, blank=True)
    attribution = models.CharField(max_length=500, blank=True)
    alignments = models.ManyToManyField(Standard, blank=True, related_name="items")
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
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
    standards = models.ManyToManyField(Standard, blank=True, related_name="activities")
    items = models.ManyToManyField(Item, blank=True, related_name="activities",
                                   help_text="For a practice set: the items it draws from.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
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
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class PlaylistEntry(models.Model):
    playlist = models.ForeignKey(Playlist, on_delete=models.CASCADE, related_name="entries")
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["playlist", "activity"], name="playlist_activity")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.activity}"
