"""Competency maps, persisted per district.

- A :class:`Framework` is one imported CASE ``CFDocument`` (for example the Common Core math
  Coherence Map); its :class:`Standard` rows are the ``CFItems`` and its
  :class:`StandardAssociation` rows the ``CFAssociations``. ``precedes`` associations are the
  prerequisite edges of the :class:`~trellis.engine.competencies.CompetencyGraph` the engine
  plans with (``frameworks/adapters.py`` builds it). Re-importing a framework updates rows in
  place by their CASE ``identifier``.

Items, activities and playlists (aligned to these standards) are the content app's
(:mod:`trellis.content.models`).
"""

from __future__ import annotations

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

