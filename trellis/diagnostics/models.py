"""Persistence of diagnostic checks (writes only through :mod:`trellis.diagnostics.actions`).

A :class:`DiagnosticSession` keeps everything needed to rebuild its engine exactly — the scope,
the item bank snapshot (ids, standards, slip and guess) and the prior — plus the engine's own
session document, rewritten after every answer. A re-import of items or a recalibration
therefore never changes a check already under way: it resumes on the bank it started with.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from trellis.accounts.models import District
from trellis.content.models import Item
from trellis.frameworks.models import Framework
from trellis.roster.models import Class


class DiagnosticAssignment(models.Model):
    """A teacher (re)opens the check for one student or for a whole class.

    A student with an open assignment sees "Your teacher asked you to take the check"; the next
    session they start consumes it (``DiagnosticSession.reopened_by``)."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="+")
    klass = models.ForeignKey(Class, on_delete=models.CASCADE, null=True, blank=True,
                              related_name="+")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="diagnostic_assignments")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]

    def __str__(self) -> str:
        return f"check reopened for {self.student_id} on {self.opened_at:%Y-%m-%d}"


class DiagnosticSession(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        ABANDONED = "abandoned", "Paused"
        COMPLETED = "completed", "Completed"

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="diagnostic_sessions")
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=200, blank=True)
    scope = models.JSONField(default=list, help_text="Graph node keys in scope.")
    bank = models.JSONField(default=list,
                            help_text="[[engine item id, [codes], slip, guess], ...]")
    prior = models.JSONField(default=dict, help_text="AbilityPrior: slope and difficulty.")
    seed = models.BigIntegerField()
    document = models.TextField(help_text="The engine's session JSON.")
    status = models.CharField(max_length=20, choices=Status.choices,
                              default=Status.IN_PROGRESS, db_index=True)
    stop_reason = models.CharField(max_length=40, blank=True)
    result = models.JSONField(default=dict, blank=True)
    items_answered = models.PositiveIntegerField(default=0)
    reopened_by = models.ForeignKey(DiagnosticAssignment, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="sessions")
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"diagnostic {self.id} of {self.student_id} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status == self.Status.COMPLETED


class DiagnosticResponse(models.Model):
    """One answer. ``idempotency_key`` comes from the question's form: a double submit of the
    same form finds the row already there and counts once."""

    session = models.ForeignKey(DiagnosticSession, on_delete=models.CASCADE,
                                related_name="responses")
    item = models.ForeignKey(Item, on_delete=models.SET_NULL, null=True, related_name="+")
    engine_item = models.CharField(max_length=60)
    idempotency_key = models.CharField(max_length=64)
    response = models.CharField(max_length=2000, blank=True)
    skipped = models.BooleanField(default=False, help_text="'I don't know yet'.")
    correct = models.BooleanField()
    answered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["answered_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "idempotency_key"],
                                    name="diagnostic_response_key"),
            models.UniqueConstraint(fields=["session", "engine_item"],
                                    name="diagnostic_response_item"),
        ]

    def __str__(self) -> str:
        return f"{self.engine_item}: {'right' if self.correct else 'not yet'}"


class ItemCalibration(models.Model):
    """Slip and guess of an item fitted from the district's evidence
    (``trellis diagnostic calibrate``); items without a row use the defaults."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    item = models.OneToOneField(Item, on_delete=models.CASCADE, related_name="calibration")
    slip = models.FloatField()
    guess = models.FloatField()
    responses = models.PositiveIntegerField(default=0)
    fitted_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"item {self.item_id}: slip {self.slip:.2f}, guess {self.guess:.2f}"
